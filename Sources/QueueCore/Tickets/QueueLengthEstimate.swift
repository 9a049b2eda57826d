import Foundation

/// The remaining wait of a waiting ticket, in minutes, with an 80% range.
public struct WaitEstimate: Codable, Sendable, Equatable {
    public var minutes: Int
    public var low: Int
    public var high: Int

    public init(minutes: Int, low: Int, high: Int) {
        self.minutes = minutes
        self.low = low
        self.high = high
    }
}

/// The QL baseline (Whitt 1999), kept as the yardstick every better estimator is measured against.
///
/// With `s` counters serving the procedure, each taking a mean `b` per ticket, the wait of the ticket at `position`
/// (1 = next) is the time for `position` service completions at rate `s/b`: Erlang(position, s/b). Mean
/// `position·b/s`; the range is the Erlang's 10% and 90% quantiles.
public enum QueueLengthEstimator {
    public static func estimate(position: Int, servers: Int, meanServiceSeconds: Double) -> WaitEstimate? {
        guard position >= 1, servers >= 1, meanServiceSeconds > 0 else { return nil }
        let rate = Double(servers) / meanServiceSeconds
        let mean = Double(position) / rate
        let low = erlangQuantile(0.1, shape: position, rate: rate)
        let high = erlangQuantile(0.9, shape: position, rate: rate)
        return WaitEstimate(
            minutes: Int((mean / 60).rounded()), low: Int((low / 60).rounded(.down)), high: Int((high / 60).rounded(.up)))
    }

    /// P(X ≤ x) for X ~ Erlang(k, λ): 1 − Σ_{i<k} e^{−λx}(λx)^i / i!, summed in log space so large k stays finite.
    static func erlangCDF(_ x: Double, shape k: Int, rate: Double) -> Double {
        guard x > 0 else { return 0 }
        let lx = rate * x
        var term = -lx  // log of e^{-λx}(λx)^0/0!
        var tail = exp(term)
        if k > 1 {
            for i in 1..<k {
                term += log(lx) - log(Double(i))
                tail += exp(term)
            }
        }
        return max(0, min(1, 1 - tail))
    }

    /// Above this shape the Wilson–Hilferty approximation is used: exact bisection costs O(k) per step, which made
    /// a ticket with 900 people ahead cost milliseconds; the approximation's error there is far below a minute.
    static let exactShapeLimit = 50

    public static func erlangQuantile(_ p: Double, shape k: Int, rate: Double) -> Double {
        k > exactShapeLimit ? wilsonHilferty(p, shape: k, rate: rate) : erlangQuantileExact(p, shape: k, rate: rate)
    }

    /// Bisection on the exact CDF.
    static func erlangQuantileExact(_ p: Double, shape k: Int, rate: Double) -> Double {
        var lo = 0.0
        var hi = Double(k) / rate
        while erlangCDF(hi, shape: k, rate: rate) < p { hi *= 2 }
        for _ in 0..<50 {
            let mid = (lo + hi) / 2
            if erlangCDF(mid, shape: k, rate: rate) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Wilson & Hilferty (1931): (X·λ/k)^(1/3) is close to normal with mean 1 − 1/(9k) and variance 1/(9k).
    static func wilsonHilferty(_ p: Double, shape k: Int, rate: Double) -> Double {
        let v = 1 / (9 * Double(k))
        let root = 1 - v + standardNormalQuantile(p) * v.squareRoot()
        return Double(k) / rate * max(0, root * root * root)
    }

    /// Acklam's rational approximation of the standard normal quantile (relative error below 1.2e-9).
    public static func standardNormalQuantile(_ p: Double) -> Double {
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * Foundation.log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -standardNormalQuantile(1 - p) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
