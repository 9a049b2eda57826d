import Foundation
import QueueCore

/// "When is the best time to come?": for each weekday and hour, how long the tickets that joined a line then
/// waited over the weeks looked at, and how many came. Citizens see it on the office page; the same figures are
/// `GET /api/v1/offices/{office}/forecast`.
public struct BestTime: Sendable, Equatable {
    public struct Slot: Sendable, Equatable {
        public var hour: Int
        public var wait: SampleSummary?
        /// Tickets that joined in this hour, per day seen.
        public var ticketsPerDay: Double
        public var level: Level
    }

    public enum Level: String, Sendable {
        case low, medium, high
        /// By the 90th percentile: under 15 minutes, under 30, more.
        init(p90 seconds: Double?) {
            guard let s = seconds else { self = .low; return }
            self = s < 900 ? .low : s < 1800 ? .medium : .high
        }
    }

    public struct Day: Sendable, Equatable {
        /// ISO weekday, 1 = Monday.
        public var weekday: Int
        /// Days of this weekday seen.
        public var days: Int
        public var slots: [Slot]
        /// The hours with the shortest median wait (ties by fewer tickets), best first, at most three.
        public var best: [Int]
    }

    public var days: [Day]

    public init(visits: [Visit]) {
        var byWeekday: [Int: [Visit]] = [:]
        for v in visits { byWeekday[v.date.isoWeekday, default: []].append(v) }
        days = byWeekday.keys.sorted().map { weekday in
            let mine = byWeekday[weekday]!
            let dayCount = Set(mine.map(\.date)).count
            let byHour = Dictionary(grouping: mine, by: \.hour)
            let slots = byHour.keys.sorted().map { hour -> Slot in
                let wait = SampleSummary(byHour[hour]!.compactMap(\.waitSeconds))
                return Slot(
                    hour: hour, wait: wait, ticketsPerDay: Double(byHour[hour]!.count) / Double(max(dayCount, 1)),
                    level: Level(p90: wait?.p90))
            }
            let best = slots.filter { $0.wait != nil }
                .sorted { ($0.wait!.p50, $0.ticketsPerDay) < ($1.wait!.p50, $1.ticketsPerDay) }
                .prefix(3).map(\.hour)
            return Day(weekday: weekday, days: dayCount, slots: slots, best: Array(best))
        }
    }
}
