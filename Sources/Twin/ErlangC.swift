import Foundation

/// The M/M/s delay model: the correctness anchor of the engine, and the start of the staffing planner (SIPP).
///
///     C(s, a) = [aˢ/s! · s/(s−a)] / [Σ_{k<s} aᵏ/k! + aˢ/s! · s/(s−a)],  a = λ/μ
///     P(W > t) = C(s, a) · e^{−(sμ−λ)t}
///     E[W] = C(s, a) / (sμ − λ)
public enum ErlangC {
    /// C(s, a), through the Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)), which stays finite for large s.
    public static func probabilityOfWaiting(servers s: Int, load a: Double) -> Double {
        guard s > 0 else { return 1 }
        guard a < Double(s) else { return 1 }
        var b = 1.0
        for k in 1...s { b = a * b / (Double(k) + a * b) }
        return Double(s) * b / (Double(s) - a * (1 - b))
    }

    /// E[W] in the unit of 1/rates; infinite when the queue is unstable.
    public static func meanWait(servers s: Int, arrivalRate lambda: Double, serviceRate mu: Double) -> Double {
        guard Double(s) * mu > lambda else { return .infinity }
        return probabilityOfWaiting(servers: s, load: lambda / mu) / (Double(s) * mu - lambda)
    }

    public static func probabilityWaitExceeds(
        _ t: Double, servers s: Int, arrivalRate lambda: Double, serviceRate mu: Double
    ) -> Double {
        guard Double(s) * mu > lambda else { return 1 }
        return probabilityOfWaiting(servers: s, load: lambda / mu) * exp(-(Double(s) * mu - lambda) * t)
    }
}
