/// The nearest-rank quantile of sorted data (the smallest value with at least a share `q` of the sample at or below
/// it): every figure the project reports, in the twin and from the live log, is read this one way.
public enum NearestRank {
    public static func quantile<T>(_ sorted: [T], _ q: Double) -> T {
        sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
