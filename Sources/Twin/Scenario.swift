import Foundation
import QueueCore

/// A checked scenario in the engine's terms: indices instead of ids, seconds instead of minutes, and one grid of
/// periods on which arrivals and the roster are constant.
public struct Scenario: Sendable {
    public var name: String
    public var seed: UInt64
    public var days: Int
    public var startDate: LocalDate
    public var targets: Targets
    public var offices: [OfficeModel]
    public var support: Support?

    public static func load(path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(problems: ["cannot read \(path)"])
        }
        return try compile(ScenarioFile.parse(String(decoding: data, as: UTF8.self)))
    }
}

/// The 60-minute guard as numbers: P(day max wait > 60 min) ≤ 0.10 and, in every hour, P(wait > 20 min) ≤ 0.20.
public struct Targets: Sendable, Equatable {
    public var maxWaitSeconds: Double
    public var maxWaitProbability: Double
    public var hourlyWaitSeconds: Double
    public var hourlyWaitProbability: Double

    public init(
        maxWaitSeconds: Double = 3600, maxWaitProbability: Double = 0.10, hourlyWaitSeconds: Double = 1200,
        hourlyWaitProbability: Double = 0.20
    ) {
        self.maxWaitSeconds = maxWaitSeconds
        self.maxWaitProbability = maxWaitProbability
        self.hourlyWaitSeconds = hourlyWaitSeconds
        self.hourlyWaitProbability = hourlyWaitProbability
    }
}

public struct OfficeModel: Sendable {
    /// The office as the live server knows it: procedures, one counter per desk, the policy. The event log and the
    /// routing read this.
    public var office: Office
    /// Opening and closing, in seconds after local midnight.
    public var opens: Int
    public var closes: Int
    public var procedures: [ProcedureModel]
    public var groups: [GroupModel]
    /// Aligned with `office.counters`.
    public var counters: [CounterModel]
    /// Seconds after opening; arrivals and the roster are constant within each.
    public var periods: [Period]
    public var roster: Roster
    /// Arrivals per second, `[period][procedure]`.
    public var arrivalRates: [[Double]]
    public var behaviour: Behaviour

    public var dayLength: Double { Double(closes - opens) }

    /// The planning hours: 9:00–10:00, …, 16:00–16:30, as ranges of `periods`.
    public var hours: [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        for i in periods.indices {
            let hour = Int(periods[i].start + Double(opens)) / 3600
            if i > start, Int(periods[start].start + Double(opens)) / 3600 != hour {
                result.append(start..<i)
                start = i
            }
        }
        result.append(start..<periods.count)
        return result
    }

    /// When counter `c` is planned open under `roster`, in seconds after local midnight: the first n counters of a
    /// group are the ones open when the roster says n (as the engine opens them).
    public func plannedOpen(counter c: Int, roster: Roster) -> [Range<Int>] {
        let group = counters[c].group
        let rank = groups[group].counters.firstIndex(of: c) ?? 0
        return CounterPlan.intervals(
            starts: periods.map { opens + Int($0.start) }, ends: periods.map { opens + Int($0.end) },
            isOpen: roster.open.map { rank < $0[group] })
    }

    /// "09:00" for hour index `h`.
    public func hourLabel(_ h: Int) -> String { Clock.label(opens + Int(periods[hours[h].lowerBound].start)) }
}

public struct Period: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var length: Double { end - start }
}

/// How many counters of each group are open in each period: `open[period][group]`.
public struct Roster: Sendable, Equatable {
    public var open: [[Int]]
}

public struct ProcedureModel: Sendable {
    public var service: Distribution
    public var extraProbability: Double
    public var extraSeconds: Double
    /// Transfers after this stage: (procedure index, probability).
    public var next: [(procedure: Int, probability: Double)]
    public var priorityShare: Double

    /// Mean seconds at a counter of speed 1.
    public var meanServiceSeconds: Double { service.mean * 60 + extraProbability * extraSeconds }
}

public struct GroupModel: Sendable {
    public var id: String
    public var procedures: [Int]
    public var counters: [Int]
}

public struct CounterModel: Sendable {
    public var group: Int
    public var speed: Double
    public var procedures: [Int]
}

public struct Behaviour: Sendable {
    public var remoteShare: Double = 0
    public var travel: Distribution = .fixed(15)
    public var comeNowPeopleAhead: Int? = nil
    public var comeNowBufferSeconds: Double? = nil
    /// The estimator's rule: set out when P(called within travel + buffer) exceeds this. Needs an advisor
    /// (`DayEngine(advisor:)`); without one the engine applies the queue-length rule with the buffer.
    public var comeNowRisk: Double? = nil
    public var noShowRate: Double = 0
    public var patience: Distribution? = nil
    /// Minutes late at each planned opening of a counter; nil: on the plan's minute.
    public var openingDelay: Distribution? = nil
    /// Share of counter-days whose first opening is `lateStartSeconds` later still.
    public var lateStartShare: Double = 0
    public var lateStartSeconds: Double = 0
}

public struct Support: Sendable {
    public var staff: Int
    public var groups: [String]
}

enum Clock {
    static func seconds(_ hhmm: String) -> Int? {
        let parts = hhmm.split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h),
            (0...59).contains(m)
        else { return nil }
        return h * 3600 + m * 60
    }

    static func label(_ seconds: Int) -> String {
        let h = seconds / 3600
        let m = seconds / 60 % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
