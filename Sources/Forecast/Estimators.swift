import Foundation
import QueueCore
import Twin

/// A waiting ticket's remaining wait until it is called, in seconds: the point estimate and the 80% range.
public struct Prediction: Sendable, Equatable {
    public var mean: Double
    public var p10: Double
    public var p50: Double
    public var p90: Double
    /// The raw `Estimators.risk` quantile, uncalibrated: "called this soon with that probability", for the "come
    /// now" decision.
    public var early: Double

    public init(mean: Double, p10: Double, p50: Double, p90: Double, early: Double? = nil) {
        self.mean = mean
        self.p10 = p10
        self.p50 = p50
        self.p90 = p90
        self.early = early ?? p10
    }

    /// A point estimate with no range of its own (LES, HOL): calibration gives it one.
    public init(point: Double) { self.init(mean: point, p10: point, p50: point, p90: point) }
}

/// The estimators, by the name `replay` and `score` print.
public enum Method: String, Sendable, CaseIterable, Codable {
    case qlSched = "ql-sched"
    case les
    case hol
    case twin
}

/// Every estimator behind one call: the office state at a moment plus what was learned, in; a prediction per
/// waiting ticket, out.
public struct Estimators: Sendable {
    public var learned: Learned
    public var policy: OfficePolicy
    /// Forward runs of the twin estimator.
    public var runs: Int
    public var seed: UInt64
    /// The "come now" risk: a remote holder is told to set out when the chance of being called within their
    /// travel time plus the buffer exceeds it.
    public var risk: Double = 0.1

    /// No estimate reaches past this: a ticket no counter on the roster will ever call gets it.
    public static let horizon = 6.0 * 3600

    public init(learned: Learned, policy: OfficePolicy = .init(), runs: Int = 200, seed: UInt64 = 0x5EED) {
        self.learned = learned
        self.policy = policy
        self.runs = runs
        self.seed = seed
    }

    /// Predictions for `o.waiting[i]` for each `i` in `tickets` (all waiting tickets when nil), in that order.
    public func predict(_ method: Method, _ o: Observation, tickets: [Int]? = nil) -> [Prediction] {
        let targets = tickets ?? Array(o.waiting.indices)
        switch method {
        case .twin: return twin(o, targets: targets)
        case .qlSched: return qlSched(o, targets: targets)
        case .les:
            // The wait of the last ticket called of the same procedure; QL-sched's estimate before anyone was.
            let missing = targets.filter { o.lastCalledWait[o.waiting[$0].procedure] == nil }
            let fallback = Dictionary(uniqueKeysWithValues: zip(missing, qlSched(o, targets: missing)))
            return targets.map { i in
                let w = o.waiting[i]
                guard let total = o.lastCalledWait[w.procedure] else { return Prediction(point: fallback[i]!.mean) }
                return Prediction(point: max(total - (o.now - w.queuedAt), 0))
            }
        case .hol:
            // The time the head of the procedure's line has waited so far.
            var head: [Int: Waiter] = [:]
            for w in o.waiting where head[w.procedure].map({ w.callsBefore($0) }) ?? true { head[w.procedure] = w }
            return targets.map { i in
                let w = o.waiting[i]
                return Prediction(point: max(o.now - head[w.procedure]!.queuedAt - (o.now - w.queuedAt), 0))
            }
        }
    }

    // MARK: QL with the schedule

    /// QL-sched: with n ahead in its procedure and b the mean work per call, D̂ solves ∫_now^{now+D̂} s(u) du =
    /// (n+1)·b, where s(u) counts the counters on the roster that serve the procedure; the range maps the
    /// Erlang(n+1, 1/b) quantiles of the work through the same schedule.
    func qlSched(_ o: Observation, targets: [Int]) -> [Prediction] {
        let closing = Self.closing(o)
        let availability = o.counters.map { $0.availability(from: o.now, closing: closing) }
        var schedules: [Int: Schedule] = [:]
        for p in Set(targets.map { o.waiting[$0].procedure }) {
            schedules[p] = Schedule(
                from: o.now, intervals: o.counters.indices.filter { o.counters[$0].procedures.contains(p) }.map { availability[$0] })
        }
        let ahead = Self.ahead(o)
        return targets.map { i in
            let w = o.waiting[i]
            let schedule = schedules[w.procedure]!
            let b = learned.procedure(o.procedures[w.procedure]).meanWork
            let shape = ahead[i] + 1
            func time(_ work: Double) -> Double { min(schedule.time(toDo: work), Self.horizon) }
            return Prediction(
                mean: time(Double(shape) * b),
                p10: time(QueueLengthEstimator.erlangQuantile(0.1, shape: shape, rate: 1 / b)),
                p50: time(QueueLengthEstimator.erlangQuantile(0.5, shape: shape, rate: 1 / b)),
                p90: time(QueueLengthEstimator.erlangQuantile(0.9, shape: shape, rate: 1 / b)))
        }
    }

    /// For each waiting ticket, how many of its procedure call before it.
    static func ahead(_ o: Observation) -> [Int] {
        var result = Array(repeating: 0, count: o.waiting.count)
        var byProcedure: [Int: [Int]] = [:]
        for i in o.waiting.indices { byProcedure[o.waiting[i].procedure, default: []].append(i) }
        for (_, members) in byProcedure {
            for (rank, i) in members.sorted(by: { o.waiting[$0].callsBefore(o.waiting[$1]) }).enumerated() { result[i] = rank }
        }
        return result
    }

    /// The end of the day's roster; after it, counters open at closing stay on until everyone is served.
    static func closing(_ o: Observation) -> Double {
        o.counters.compactMap { $0.plan?.last?.upperBound }.max() ?? .infinity
    }

    /// The `p` quantile of sorted values, interpolated.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let x = p * Double(sorted.count - 1)
        let i = Int(x)
        let f = x - Double(i)
        return i + 1 < sorted.count ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i]
    }
}

/// The number of counters on duty over time, as steps, for the QL-sched baseline.
struct Schedule {
    /// (start, counters on duty from then on), in time order, starting at `from`.
    var steps: [(start: Double, count: Int)]

    init(from now: Double, intervals: [[Range<Double>]]) {
        var changes: [(Double, Int)] = []
        for counter in intervals {
            for interval in counter {
                changes.append((max(interval.lowerBound, now), 1))
                if interval.upperBound < .infinity { changes.append((interval.upperBound, -1)) }
            }
        }
        changes.sort { $0.0 < $1.0 }
        var steps: [(Double, Int)] = [(now, 0)]
        var count = 0
        for (t, d) in changes {
            count += d
            if steps[steps.count - 1].0 == t { steps[steps.count - 1].1 = count } else { steps.append((t, count)) }
        }
        self.steps = steps
    }

    /// The time from the start until `work` counter-seconds have been done; infinity when never.
    func time(toDo work: Double) -> Double {
        var left = work
        for (k, step) in steps.enumerated() {
            let end = k + 1 < steps.count ? steps[k + 1].start : .infinity
            let capacity = Double(step.count) * (end - step.start)
            if step.count > 0 && capacity >= left { return step.start + left / Double(step.count) - steps[0].start }
            left -= step.count > 0 ? capacity : 0
        }
        return .infinity
    }
}
