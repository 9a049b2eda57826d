import Foundation
import QueueCore

/// The 60-minute guard of one office, as the live hub's last refresh left it: the projected longest wait (the largest 90%
/// point of any waiting ticket's remaining wait, from the twin), and while it is over the line, what would bring it
/// back, each option run forward in the twin from the same live state.
public struct WaitGuard: Sendable, Equatable {
    /// The line: no ticket's p90 over this.
    public static let limitSeconds = 3600.0
    /// Once raised, the guard re-arms only when the projection falls below this (no alert on every wobble).
    public static let rearmSeconds = 3000.0

    public struct Recommendation: Sendable, Equatable {
        public enum Action: Sendable, Equatable {
            /// Open a closed counter (its configured skills include the procedure).
            case openCounter(CounterID)
            /// Let an open counter also take the procedure for the rest of the day (switch skills).
            case addSkill(CounterID)
        }

        public var action: Action
        /// The procedure whose line is the longest.
        public var procedure: ServiceID
        /// The projected longest wait now and with the action, seconds.
        public var before: Double
        public var after: Double
    }

    /// The largest p90 of a waiting ticket's remaining wait, seconds; 0 when nobody waits.
    public var projectedMax: Double = 0
    /// The procedure of that ticket.
    public var worst: ServiceID?
    public var recommendations: [Recommendation] = []
    /// Whether an `alert.raised` was recorded for the current crossing.
    public var raised = false
    /// When the recommendations were worked out.
    public var recommendedAt: Date?

    public init() {}

    public var isOver: Bool { projectedMax > Self.limitSeconds }

    /// The projected longest wait of an observation with its (calibrated) predictions, in the same order as its
    /// waiting tickets: the largest p90, and the index of that ticket.
    public static func projection(_ predictions: [Prediction]) -> (seconds: Double, ticket: Int?) {
        guard let i = predictions.indices.max(by: { predictions[$0].p90 < predictions[$1].p90 }) else { return (0, nil) }
        return (predictions[i].p90, i)
    }

    /// What would bring the projected longest wait under the line: each closed counter that may serve the worst
    /// procedure opened, and each open counter that does not serve it given it too (up to six, idle ones first), in a
    /// copy of the observation run forward in the twin with the same draws (common random numbers, so the difference
    /// is the action's). Best first; at most three.
    public static func recommendations(
        _ observation: Observation, worst: Int, estimators: Estimators, calibration: Calibration?, before: Double
    ) -> [WaitGuard.Recommendation] {
        var options: [WaitGuard.Recommendation] = []
        for (i, counter) in observation.counters.enumerated() where !counter.isOpen && counter.procedures.contains(worst) {
            var what = observation
            what.counters[i].isOpen = true
            // Open from now on, whatever the roster said.
            what.counters[i].plan = nil
            let after = projection(estimators.predict(.twin, what).map { calibration?.apply($0, .twin) ?? $0 }).seconds
            options.append(
                .init(action: .openCounter(counter.counter), procedure: observation.procedures[worst], before: before, after: after))
            if options.count >= 8 { break }
        }
        // Open counters that do not take the procedure, given it too: the ones with the least to do first.
        let helpers = observation.counters.indices.filter {
            observation.counters[$0].isOpen && !observation.counters[$0].procedures.contains(worst)
        }
        .sorted { (observation.counters[$0].busy == nil ? 0 : 1) < (observation.counters[$1].busy == nil ? 0 : 1) }
        for i in helpers.prefix(6) {
            var what = observation
            what.counters[i].procedures.append(worst)
            let after = projection(estimators.predict(.twin, what).map { calibration?.apply($0, .twin) ?? $0 }).seconds
            options.append(
                .init(
                    action: .addSkill(observation.counters[i].counter), procedure: observation.procedures[worst], before: before,
                    after: after))
        }
        return Array(options.sorted { $0.after < $1.after }.prefix(3))
    }
}
