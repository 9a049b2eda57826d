import Foundation

/// Durations seen in the log, in seconds and sorted, drawn from given how long it has already been: how late staff
/// were to open a counter, how long after "come now" holders checked in.
public struct DelaySample: Sendable, Equatable {
    public private(set) var seconds: [Double]

    public init(_ seconds: [Double] = []) { self.seconds = seconds.sorted() }

    public var isEmpty: Bool { seconds.isEmpty }
    public var count: Int { seconds.count }

    /// A duration drawn from `u` in [0, 1) among those seen longer than `floor`: the seen durations, conditioned on
    /// what has been seen. Nil when none was ever that long (later than the history knows, so nothing says when).
    public func draw(longerThan floor: Double, u: Double) -> Double? {
        var low = 0
        var high = seconds.count
        while low < high {
            let mid = (low + high) / 2
            if seconds[mid] <= floor { low = mid + 1 } else { high = mid }
        }
        guard low < seconds.count else { return nil }
        return seconds[min(seconds.count - 1, low + Int(u * Double(seconds.count - low)))]
    }
}

/// How late staff open a counter after the time the roster planned, as seen in the log (`OfficeFold`'s
/// `plannedOpening`): the morning's first opening and the returns later in the day apart, since a late start (a
/// train, a meeting) is another matter than a few minutes back from lunch. Infinity stands for an interval the
/// counter never opened in.
public struct OpeningDelays: Sendable, Equatable {
    public private(set) var first: DelaySample
    public private(set) var later: DelaySample
    /// Both kinds as one.
    private var all: DelaySample

    /// Below this many openings of a kind, both kinds are read as one.
    static let enough = 20

    public init(first: [Double] = [], later: [Double] = []) {
        self.first = DelaySample(first)
        self.later = DelaySample(later)
        self.all = DelaySample(first + later)
    }

    public var isEmpty: Bool { all.isEmpty }

    /// A delay drawn from `u` in [0, 1) for an opening the counter is `already` seconds late for (0 or less: still
    /// to come, when every delay is possible, on time included). Nil when none was ever that long.
    public func draw(already: Double, first isFirst: Bool, u: Double) -> Double? {
        let own = isFirst ? first : later
        let sample = own.count >= Self.enough ? own : all
        return sample.draw(longerThan: already > 0 ? already : -.infinity, u: u)
    }
}
