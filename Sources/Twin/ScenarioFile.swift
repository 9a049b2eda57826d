import Foundation
import QueueCore
import YAMLInput

/// The scenario YAML as written (docs/scenarios.md). Times of day are "HH:MM"; durations are minutes, because
/// that is how a city's staff talk about counters. `Scenario.compile` checks it and turns it into the engine's model.
public struct ScenarioFile: Decodable, Sendable {
    public var name: String
    public var seed: UInt64?
    public var days: Int?
    /// The first simulated business date in the event log (default 2027-01-04, a Monday).
    public var startDate: String?
    public var targets: TargetsEntry?
    public var offices: [OfficeEntry]
    /// 応援: staff who can move between offices, for `madoguchi plan` to place.
    public var support: SupportEntry?

    public struct TargetsEntry: Decodable, Sendable {
        var maxWaitMinutes: Double?
        var maxWaitProbability: Double?
        var hourlyWaitMinutes: Double?
        var hourlyWaitProbability: Double?
    }

    public struct OfficeEntry: Decodable, Sendable {
        var id: String
        var name: LocalizedText?
        var timeZone: String?
        var opens: String?
        var closes: String?
        var policy: OfficePolicy.Overrides?
        var procedures: [ProcedureEntry]
        var groups: [GroupEntry]
        var roster: [RosterEntry]
        var arrivals: ArrivalsEntry
        var behaviour: BehaviourEntry?
    }

    struct ProcedureEntry: Decodable, Sendable {
        var id: String
        var prefix: String
        var color: String?
        var name: LocalizedText?
        /// Minutes at a counter of speed 1.
        var service: Distribution
        /// A second part some visits need (My Number: +10 min with insurance linking, p 0.3).
        var extra: ExtraEntry?
        /// Multi-stage visits: after this procedure, go on to another with a probability (a transfer).
        var next: [NextEntry]?
        /// Share of tickets in the priority class.
        var priorityShare: Double?
    }

    struct ExtraEntry: Decodable, Sendable {
        var probability: Double
        var minutes: Double
    }

    struct NextEntry: Decodable, Sendable {
        var to: String
        var probability: Double
    }

    /// Counters with one skill set. The roster says how many of them are open; the planner chooses that number.
    struct GroupEntry: Decodable, Sendable {
        var id: String
        var services: [String]
        var counters: Int
        /// Service-time factor per counter in order (0.8 experienced, 1.3 newly rotated); 1 when absent.
        var speeds: [Double]?
    }

    struct RosterEntry: Decodable, Sendable {
        var from: String
        var to: String
        /// Open counters per group id; a group not named has none open.
        var open: [String: Int]
    }

    struct ArrivalsEntry: Decodable, Sendable {
        /// A daily total split by `hourly` and `mix`…
        var perDay: Double?
        /// Share of the day's arrivals from each "HH:MM" to the next key (or closing).
        var hourly: [String: Double]?
        /// Share of each procedure.
        var mix: [String: Double]?
        /// …or arrivals per hour per procedure, from each "HH:MM" to the next key.
        var rates: [String: [String: Double]]?
    }

    struct BehaviourEntry: Decodable, Sendable {
        /// Share of tickets taken remotely (phone, LINE) by people not yet in the office.
        var remoteShare: Double?
        /// Minutes a remote holder needs to reach the counter after the "come now" alert.
        var travel: Distribution?
        var comeNow: ComeNowEntry?
        /// Share of called tickets whose holder never comes (they left without telling anyone).
        var noShowRate: Double?
        /// Minutes a person in the office waits before leaving unseen; absent means everyone stays.
        var patience: Distribution?
        /// Minutes after the plan's time that a counter actually opens, at each planned opening (the day's start,
        /// back from lunch); absent means on the minute.
        var openingDelay: Distribution?
        /// Some counter-days start later still.
        var lateStart: LateStartEntry?
    }

    struct LateStartEntry: Decodable, Sendable {
        /// Share of counter-days whose first opening is late…
        var share: Double
        /// …by this many minutes more (a late train, a morning meeting).
        var minutes: Double
    }

    struct ComeNowEntry: Decodable, Sendable {
        /// Alert when this many people or fewer are ahead…
        var peopleAhead: Int?
        /// …or when the queue-length estimate of the remaining wait is within the holder's travel time plus this…
        var bufferMinutes: Double?
        /// …or, with `bufferMinutes`, when the wait estimator's P(called within travel + buffer) exceeds this (where
        /// the estimator is at hand, as in `madoguchi simulate`; elsewhere the queue-length rule with the buffer).
        var risk: Double?
    }

    public struct SupportEntry: Decodable, Sendable {
        /// How many support staff the pool has.
        var staff: Int
        /// Group ids they can staff, in whichever office has such a group (with a spare desk).
        var groups: [String]
    }

    public static func parse(_ text: String) throws -> ScenarioFile {
        do {
            return try StrictYAML.decode(ScenarioFile.self, from: text)
        } catch let problems as StrictYAML.Problems {
            throw ScenarioError(problems: problems.messages)
        }
    }
}

/// Every problem of a scenario, listed at once.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public var description: String { "invalid scenario:\n" + problems.map { "  - " + $0 }.joined(separator: "\n") }
}

/// A duration in minutes drawn at random: `{lognormal: {median: 5, sigma: 0.5}}`, `{exponential: {mean: 8}}`
/// or `{fixed: 8}`.
public enum Distribution: Decodable, Sendable, Equatable {
    case lognormal(median: Double, sigma: Double)
    case exponential(mean: Double)
    case fixed(Double)

    private enum Key: String, CodingKey, CaseIterable { case lognormal, exponential, fixed }
    private struct Lognormal: Decodable { var median: Double; var sigma: Double }
    private struct Exponential: Decodable { var mean: Double }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "one of lognormal: {median, sigma}, exponential: {mean} or fixed: MINUTES"))
        }
        switch key {
        case .lognormal:
            let v = try c.decode(Lognormal.self, forKey: key)
            self = .lognormal(median: v.median, sigma: v.sigma)
        case .exponential: self = .exponential(mean: try c.decode(Exponential.self, forKey: key).mean)
        case .fixed: self = .fixed(try c.decode(Double.self, forKey: key))
        }
    }

    /// The mean, in the distribution's unit.
    public var mean: Double {
        switch self {
        case .lognormal(let m, let s): m * exp(s * s / 2)
        case .exponential(let mean): mean
        case .fixed(let v): v
        }
    }

    var problem: String? {
        switch self {
        case .lognormal(let m, let s): m > 0 && s >= 0 && s < 3 ? nil : "lognormal needs median > 0 and 0 ≤ sigma < 3"
        case .exponential(let mean): mean > 0 ? nil : "exponential needs mean > 0"
        case .fixed(let v): v >= 0 ? nil : "fixed must be ≥ 0"
        }
    }

    /// One draw, scaled (minutes → seconds).
    func sample(_ rng: inout SeededRandom, scale: Double) -> Double {
        switch self {
        case .lognormal(let m, let s): scale * m * exp(s * rng.normal())
        case .exponential(let mean): rng.exponential(mean: scale * mean)
        case .fixed(let v): scale * v
        }
    }
}
