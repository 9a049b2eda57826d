import Foundation

/// How a roster does against the two targets over a fixed set of days: the planner's yardstick.
public struct Evaluation: Sendable {
    public var days: Int
    /// P(day max wait > target).
    public var probabilityDayMaxOver: Double
    /// P(wait > hourly target) for `[procedure][hour]`, nil where no one joined.
    public var probabilityOver: [[Double?]]
    /// Tickets that waited longer than the hourly target, per day: the smooth measure support staff are placed by.
    public var longWaitsPerDay: Double
    /// Tickets that waited longer than the day-max target, per day.
    public var veryLongWaitsPerDay: Double
    public var meanWait: Double

    /// What support staff are placed to reduce: long waits, the very long ones weighted five times.
    public var burden: Double { longWaitsPerDay + 5 * veryLongWaitsPerDay }

    public func meets(_ targets: Targets) -> Bool {
        probabilityDayMaxOver <= targets.maxWaitProbability + 1e-12
            && probabilityOver.allSatisfy { $0.allSatisfy { ($0 ?? 0) <= targets.hourlyWaitProbability + 1e-12 } }
    }

    /// The worst (procedure, hour) for the hourly target, if any misses it.
    public func worstHour(_ targets: Targets) -> (procedure: Int, hour: Int, probability: Double)? {
        var worst: (Int, Int, Double)?
        for (p, row) in probabilityOver.enumerated() {
            for (h, value) in row.enumerated() {
                if let value, value > targets.hourlyWaitProbability, value > (worst?.2 ?? 0) { worst = (p, h, value) }
            }
        }
        return worst
    }

    /// The largest relative excess over either target (≤ 0 when both are met): how far a plan is from feasible.
    public func excess(_ targets: Targets) -> Double {
        var worst = probabilityDayMaxOver / max(targets.maxWaitProbability, 1e-9) - 1
        for row in probabilityOver {
            for value in row { if let value { worst = max(worst, value / max(targets.hourlyWaitProbability, 1e-9) - 1) } }
        }
        return worst
    }
}

/// One office's days, drawn once and replayed under every roster the planner tries (common random numbers).
public struct TestBench: Sendable {
    public let model: OfficeModel
    public let targets: Targets
    public let days: [Visitors]

    public init(model: OfficeModel, office: Int, targets: Targets, seed: UInt64, days: Int) {
        self.model = model
        self.targets = targets
        self.days = (0..<days).map { Visitors.draw(model, seed: seed, office: office, day: $0) }
    }

    public func evaluate(_ roster: Roster) -> Evaluation {
        let hours = model.hours.count + 1
        var over = Array(repeating: Array(repeating: 0, count: hours), count: model.procedures.count)
        var total = over
        var daysOver = 0
        var longWaits = 0
        var veryLongWaits = 0
        var waitSum = 0.0
        var waitCount = 0
        for visitors in days {
            var engine = DayEngine(model: model, roster: roster, visitors: visitors)
            let day = engine.run()
            var dayMax = 0.0
            for w in day.waits {
                let wait = w.seconds
                let h = day.hour(of: w.joinedAt)
                total[w.procedure][h] += 1
                if wait > targets.hourlyWaitSeconds {
                    over[w.procedure][h] += 1
                    longWaits += 1
                }
                if wait > targets.maxWaitSeconds { veryLongWaits += 1 }
                dayMax = max(dayMax, wait)
                waitSum += wait
            }
            waitCount += day.waits.count
            if dayMax > targets.maxWaitSeconds { daysOver += 1 }
        }
        return Evaluation(
            days: days.count, probabilityDayMaxOver: Double(daysOver) / Double(max(days.count, 1)),
            probabilityOver: zip(over, total).map { o, t in zip(o, t).map { $1 > 0 ? Double($0) / Double($1) : nil } },
            longWaitsPerDay: Double(longWaits) / Double(max(days.count, 1)),
            veryLongWaitsPerDay: Double(veryLongWaits) / Double(max(days.count, 1)),
            meanWait: waitSum / Double(max(waitCount, 1)))
    }
}
