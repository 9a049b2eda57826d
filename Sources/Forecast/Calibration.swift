import Foundation

/// Split-conformal calibration of the 80% range: normalised conformalised quantile regression (Romano, Patterson &
/// Candès 2019). On held-out days, each prediction's score is how far the truth fell outside its range, in units of
/// the range's scale; the range is then widened (or narrowed) by the score's 80% quantile, so that on exchangeable
/// days it holds about 80% of outcomes whatever the raw method did.
public struct Calibration: Sendable, Equatable {
    public static let coverage = 0.8
    /// Per method, how many scales to add on each side.
    public var adjustment: [Method: Double]
    /// Scores each adjustment was fitted on.
    public var counts: [Method: Int]

    public init(adjustment: [Method: Double] = [:], counts: [Method: Int] = [:]) {
        self.adjustment = adjustment
        self.counts = counts
    }

    /// A range's scale: its width, but never below half the point estimate or a minute, so that point estimators
    /// (whose raw range is empty) get a range in proportion to what they predict.
    @inline(__always)
    static func scale(_ p: Prediction) -> Double { max(p.p90 - p.p10, 0.5 * p.mean, 60) }

    /// How far `actual` fell outside the raw range, in scales; negative when inside.
    public static func score(_ p: Prediction, actual: Double) -> Double {
        max(p.p10 - actual, actual - p.p90) / scale(p)
    }

    /// The conformal quantile: the ⌈(n+1)·0.8⌉-th smallest score of n. It is bounded below by −0.5, where the
    /// range would close.
    public static func fit(scores: [Method: [Double]]) -> Calibration {
        var result = Calibration()
        for (method, values) in scores where !values.isEmpty {
            let sorted = values.sorted()
            let k = Int((Double(sorted.count + 1) * coverage).rounded(.up))
            result.adjustment[method] = max(-0.5, sorted[min(k, sorted.count) - 1])
            result.counts[method] = sorted.count
        }
        return result
    }

    /// The calibrated prediction; unchanged for a method with no calibration.
    public func apply(_ p: Prediction, _ method: Method) -> Prediction {
        guard let q = adjustment[method] else { return p }
        let s = Self.scale(p)
        let low = max(0, p.p10 - q * s)
        let high = max(low, p.p90 + q * s)
        return Prediction(mean: p.mean, p10: low, p50: min(max(p.p50, low), high), p90: high, early: p.early)
    }
}

/// "Come now" is a decision, not a threshold: a remote holder who needs `travel` to reach the office is told to
/// set out once P(called within travel + buffer) exceeds the risk, that is once the risk quantile of the remaining
/// wait (`Prediction.early`) is within travel + buffer.
public struct ComeNow: Sendable, Equatable {
    public var bufferSeconds: Double

    public init(bufferSeconds: Double = 300) { self.bufferSeconds = bufferSeconds }

    public func isDue(_ p: Prediction, travelSeconds: Double) -> Bool { p.early <= travelSeconds + bufferSeconds }
}
