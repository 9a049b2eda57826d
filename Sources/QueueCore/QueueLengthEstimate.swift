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

    static func erlangQuantile(_ p: Double, shape k: Int, rate: Double) -> Double {
        var lo = 0.0
        var hi = Double(k) / rate
        while erlangCDF(hi, shape: k, rate: rate) < p { hi *= 2 }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if erlangCDF(mid, shape: k, rate: rate) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
