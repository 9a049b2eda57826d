import Foundation
import QueueCore

/// Count, mean and nearest-rank quantiles of a sample of seconds.
public struct SampleSummary: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var max: Double

    /// Nil for an empty sample.
    public init?(_ sample: [Double]) {
        guard !sample.isEmpty else { return nil }
        let sorted = sample.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        p50 = NearestRank.quantile(sorted, 0.5)
        p90 = NearestRank.quantile(sorted, 0.9)
        p95 = NearestRank.quantile(sorted, 0.95)
        max = sorted[sorted.count - 1]
    }
}

/// The indicators of a set of visits (and the ratings given on the same days): what every report row, chart, CSV
/// line and open-data record shows. docs/reports.md defines each one.
public struct WaitFigures: Sendable, Equatable {
    /// The city's target: nobody waits more than 60 minutes.
    public static let targetSeconds = 3600.0

    /// Visits that joined a line.
    public var tickets: Int
    /// Visits called at least once.
    public var called: Int
    /// Joining the line to the first call, of the visits called.
    public var wait: SampleSummary?
    /// Visits the log can judge against the target: those called, and those that left uncalled after it.
    public var judged: Int
    /// Of those, the ones that waited more than 60 minutes.
    public var over60: Int
    /// Counter time of the visits served (last call to completion or transfer).
    public var service: SampleSummary?
    /// Visits whose holder did not come when called (and were not brought back).
    public var noShows: Int
    /// Visits of tickets taken from a phone (web, LINE).
    public var remote: Int
    /// Remote holders' estimated time in the office before their call (`Visit.onSiteSeconds`).
    public var onSite: SampleSummary?
    public var ratings: SampleSummary?
    /// Whether any of it comes from simulated (demo) days.
    public var simulated: Bool

    public init(visits: [Visit], ratings: [Rating] = []) {
        tickets = visits.count
        let waits = visits.compactMap(\.waitSeconds)
        called = waits.count
        wait = SampleSummary(waits)
        let judgements = visits.compactMap { $0.waited(over: Self.targetSeconds) }
        judged = judgements.count
        over60 = judgements.filter { $0 }.count
        service = SampleSummary(visits.compactMap(\.serviceSeconds))
        noShows = visits.filter { $0.outcome == .noShow }.count
        remote = visits.filter(\.remote).count
        onSite = SampleSummary(visits.compactMap(\.onSiteSeconds))
        self.ratings = SampleSummary(ratings.map { Double($0.score) })
        simulated = visits.contains(where: \.simulated) || ratings.contains(where: \.simulated)
    }

    /// The share of judged visits called within 60 minutes: the reform's headline figure.
    public var within60Share: Double? { judged > 0 ? Double(judged - over60) / Double(judged) : nil }
    public var noShowRate: Double? { called > 0 ? Double(noShows) / Double(called) : nil }
    public var remoteShare: Double? { tickets > 0 ? Double(remote) / Double(tickets) : nil }
}

/// How many called visits waited 0–5, 5–10, … minutes, the last bin holding everything from `maxMinutes` on: the
/// wait distribution drawn against the 60-minute line.
public struct WaitHistogram: Sendable, Equatable {
    public var binMinutes: Int
    public var counts: [Int]

    public init(visits: [Visit], binMinutes: Int = 5, maxMinutes: Int = 120) {
        self.binMinutes = binMinutes
        counts = Array(repeating: 0, count: maxMinutes / binMinutes + 1)
        for wait in visits.lazy.compactMap(\.waitSeconds) {
            counts[min(counts.count - 1, max(0, Int(wait / 60) / binMinutes))] += 1
        }
    }
}

/// Satisfaction against wait: the mean score of the ratings whose wait fell in each band (minutes), and of those
/// given with no wait (at the kiosk).
public struct SatisfactionByWait: Sendable, Equatable {
    public static let bands: [(from: Double, to: Double?)] = [(0, 15), (15, 30), (30, 60), (60, nil)]

    public struct Band: Sendable, Equatable {
        /// Minutes; `to` nil is open-ended; both nil: ratings without a wait.
        public var from: Double?
        public var to: Double?
        public var scores: SampleSummary?
    }

    public var bands: [Band]

    public init(_ ratings: [Rating]) {
        var out = Self.bands.map { band in
            Band(
                from: band.from, to: band.to,
                scores: SampleSummary(
                    ratings.compactMap { r -> Double? in
                        guard let w = r.waitSeconds.map({ $0 / 60 }), w >= band.from, band.to.map({ w < $0 }) ?? true else { return nil }
                        return Double(r.score)
                    }))
        }
        out.append(Band(from: nil, to: nil, scores: SampleSummary(ratings.filter { $0.waitSeconds == nil }.map { Double($0.score) })))
        bands = out
    }
}
