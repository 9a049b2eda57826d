import Foundation
import Synchronization

/// How a roster does against the two targets over a fixed set of days: the planner's yardstick.
///
/// The hourly target is judged per counter group and hour, on the tickets of the group's procedures that joined a
/// line in that hour: the planner sets counters per group and hour, and pooling a group's procedures keeps a rare
/// procedure's handful of tickets from deciding a whole hour.
public struct Evaluation: Sendable {
    public var days: Int
    /// P(day max wait > target).
    public var probabilityDayMaxOver: Double
    /// P(wait > hourly target) per `[group][hour]`, nil where no one joined. Tickets that join after closing (a
    /// transfer at the end of the day) count in the last hour.
    public var probabilityOver: [[Double?]]
    /// Tickets that waited past the day-max target, per `[group][hour]`, for the planner's repairs.
    public var overMax: [[Int]]
    /// Tickets per `[group][hour]`: the sample size behind each hourly figure.
    public var tickets: [[Int]]
    /// Tickets that waited longer than the hourly target, per day.
    public var longWaitsPerDay: Double
    /// Tickets that waited longer than the day-max target, per day.
    public var veryLongWaitsPerDay: Double
    public var meanWait: Double

    /// What support staff are placed to reduce: long waits, the very long ones weighted five times.
    public var burden: Double { longWaitsPerDay + 5 * veryLongWaitsPerDay }

    /// Whether both targets hold. With `margin` z > 0, each estimate plus z standard errors must hold (a safety
    /// margin against the days at hand being kind); with z < 0, each estimate minus |z| standard errors (within
    /// sampling error).
    public func meets(_ targets: Targets, margin z: Double = 0) -> Bool {
        guard Self.adjusted(probabilityDayMaxOver, days, targets.maxWaitProbability, z) <= targets.maxWaitProbability + 1e-12
        else { return false }
        return hourlyScore(targets, margin: z).allSatisfy { $0.allSatisfy { $0 <= 1 + 1e-12 } }
    }

    /// Each hourly cell's estimate (plus its margin) over the target: above 1 misses.
    public func hourlyScore(_ targets: Targets, margin z: Double = 0) -> [[Double]] {
        zip(probabilityOver, tickets).map { row, counts in
            zip(row, counts).map { p, n in Self.adjusted(p ?? 0, n, targets.hourlyWaitProbability, z) / targets.hourlyWaitProbability }
        }
    }

    /// An estimate moved by z standard errors, taken at the target so that a cell with no misses yet still carries
    /// its uncertainty. Cells of fewer than 50 tickets are taken as they are: too few to show either way, and a
    /// margin on them would demand no long wait at all.
    static func adjusted(_ p: Double, _ n: Int, _ target: Double, _ z: Double) -> Double {
        guard n >= 50, z != 0 else { return p }
        return p + z * (target * (1 - target) / Double(n)).squareRoot()
    }

    /// The worst hourly cell over the hourly target.
    public var worstHourly: Double { probabilityOver.flatMap { $0.compactMap { $0 } }.max() ?? 0 }

}

/// One office's days, drawn once and replayed under every roster the planner tries (common random numbers).
public struct TestBench: Sendable {
    public let model: OfficeModel
    public let targets: Targets
    public let days: [Visitors]
    /// The group whose hourly figures a procedure's tickets count in: the first group that serves it.
    let groupOfProcedure: [Int]

    public init(model: OfficeModel, office: Int, targets: Targets, seed: UInt64, days: Int) {
        self.model = model
        self.targets = targets
        self.days = (0..<days).map { Visitors.draw(model, seed: seed, office: office, day: $0) }
        groupOfProcedure = model.procedures.indices.map { p in model.groups.firstIndex { $0.procedures.contains(p) } ?? 0 }
    }

    /// Tallies of a run of days, added up across the threads that ran them.
    struct Tally {
        var over: [Int], overMax: [Int], total: [Int]
        var daysOver = 0, longWaits = 0, veryLongWaits = 0, waitCount = 0
        var waitSum = 0.0

        init(cells: Int) {
            over = Array(repeating: 0, count: cells); overMax = over; total = over
        }

        mutating func add(_ o: Tally) {
            for i in over.indices { over[i] += o.over[i]; overMax[i] += o.overMax[i]; total[i] += o.total[i] }
            daysOver += o.daysOver; longWaits += o.longWaits; veryLongWaits += o.veryLongWaits
            waitCount += o.waitCount; waitSum += o.waitSum
        }
    }

    /// Runs every day under `roster`, the days split over the machine's cores (each day is independent).
    public func evaluate(_ roster: Roster) -> Evaluation {
        let hours = model.hours.count
        let cells = model.groups.count * hours
        let chunks = min(days.count, ProcessInfo.processInfo.activeProcessorCount)
        let total = Mutex(Tally(cells: cells))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var tally = Tally(cells: cells)
            for d in stride(from: chunk, to: days.count, by: chunks) {
                var engine = DayEngine(model: model, roster: roster, visitors: days[d])
                let day = engine.run()
                var dayMax = 0.0
                for w in day.waits {
                    let cell = groupOfProcedure[w.procedure] * hours + min(day.hour(of: w.joinedAt), hours - 1)
                    tally.total[cell] += 1
                    if w.seconds > targets.hourlyWaitSeconds {
                        tally.over[cell] += 1
                        tally.longWaits += 1
                    }
                    if w.seconds > targets.maxWaitSeconds {
                        tally.overMax[cell] += 1
                        tally.veryLongWaits += 1
                    }
                    dayMax = max(dayMax, w.seconds)
                    tally.waitSum += w.seconds
                }
                tally.waitCount += day.waits.count
                if dayMax > targets.maxWaitSeconds { tally.daysOver += 1 }
            }
            total.withLock { $0.add(tally) }
        }
        let t = total.withLock { $0 }
        let n = Double(max(days.count, 1))
        return Evaluation(
            days: days.count, probabilityDayMaxOver: Double(t.daysOver) / n,
            probabilityOver: model.groups.indices.map { g in
                (0..<hours).map { h in t.total[g * hours + h] > 0 ? Double(t.over[g * hours + h]) / Double(t.total[g * hours + h]) : nil }
            },
            overMax: model.groups.indices.map { g in (0..<hours).map { t.overMax[g * hours + $0] } },
            tickets: model.groups.indices.map { g in (0..<hours).map { t.total[g * hours + $0] } },
            longWaitsPerDay: Double(t.longWaits) / n, veryLongWaitsPerDay: Double(t.veryLongWaits) / n,
            meanWait: t.waitSum / Double(max(t.waitCount, 1)))
    }
}
