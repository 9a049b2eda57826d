import Foundation

/// How late staff open a counter after the time the roster planned, as seen in the log (`OfficeFold`'s
/// `plannedOpening`): the morning's first opening and the returns later in the day apart, since a late start (a
/// train, a meeting) is another matter than a few minutes back from lunch. Infinity stands for an interval the
/// counter never opened in.
public struct OpeningDelays: Sendable, Equatable {
    /// Seconds, sorted.
    public private(set) var first: [Double]
    public private(set) var later: [Double]

    /// Below this many openings of a kind, both kinds are read as one.
    static let enough = 20

    public init(first: [Double] = [], later: [Double] = []) {
        self.first = first.sorted()
        self.later = later.sorted()
    }

    public var isEmpty: Bool { first.isEmpty && later.isEmpty }

    /// A delay drawn from `u` in [0, 1) among those seen longer than `already` (the counter is that late now):
    /// the seen delays, conditioned on what has been seen. Nil when none was ever that long (the counter is later
    /// than the history knows, so nothing says when it comes).
    public func draw(already: Double, first isFirst: Bool, u: Double) -> Double? {
        let own = isFirst ? first : later
        let sample = own.count >= Self.enough ? own : (first + later).sorted()
        // The first delay longer than `already`; every delay when the opening is still to come.
        let floor = already > 0 ? already : -Double.infinity
        var low = 0
        var high = sample.count
        while low < high {
            let mid = (low + high) / 2
            if sample[mid] <= floor { low = mid + 1 } else { high = mid }
        }
        guard low < sample.count else { return nil }
        return sample[min(sample.count - 1, low + Int(u * Double(sample.count - low)))]
    }
}
