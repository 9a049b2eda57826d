import Foundation
import QueueCore
import Reports
import Synchronization

/// The visits and ratings of offices over a range of business days, read from the event log. A day before today is
/// over and cannot change, so it is read once and kept (the oldest-read days go first when `capacity` is reached);
/// today is read again each time.
public final class ReportSource: Sendable {
    let store: any OfficeLog
    let capacity: Int
    private struct Key: Hashable {
        var office: OfficeID
        var date: LocalDate
    }
    private struct Cache {
        var days: [Key: VisitLog] = [:]
        var order: [Key] = []
    }
    private let cache = Mutex(Cache())
    /// The best time to come per (office, procedure, weeks, last day): it changes once a day.
    let bestTimes = Mutex([String: (BestTime, Bool)]())

    /// The longest range one request may read.
    public static let maxDays = 366
    /// Offices × days one request may read: a year of 16 offices.
    public static let maxOfficeDays = 16 * 366

    init(store: any OfficeLog, capacity: Int = 2_000) {
        self.store = store
        self.capacity = capacity
    }

    /// Every visit and rating of `offices` from `from` to `to` (inclusive).
    public func log(offices: [Office], from: LocalDate, to: LocalDate) async throws -> (visits: [Visit], ratings: [Rating]) {
        var visits: [Visit] = []
        var ratings: [Rating] = []
        for office in offices {
            let today = LocalDate(store.clock.now(), in: office.zone)
            var date = from
            while date <= to && date <= today {
                let day = try await self.day(office: office.id, date: date, closed: date < today)
                visits += day.visits
                ratings += day.ratings
                date = date.adding(days: 1)
            }
        }
        return (visits, ratings)
    }

    private func day(office: OfficeID, date: LocalDate, closed: Bool) async throws -> VisitLog {
        let key = Key(office: office, date: date)
        if closed, let kept = cache.withLock({ $0.days[key] }) { return kept }
        let log = VisitLog.visits(try await store.events(office: office, date: date))
        if closed { keep(log, key) }
        return log
    }

    /// A closed day's events that someone else read (the hub's learning pass at start): kept, so that the first
    /// report does not read them again.
    func keep(office: OfficeID, date: LocalDate, events: [Event]) {
        guard let zone = events.first.map({ TimeZone(secondsFromGMT: $0.utcOffsetSeconds) }) ?? nil,
            date < LocalDate(store.clock.now(), in: zone)
        else { return }
        let key = Key(office: office, date: date)
        guard cache.withLock({ $0.days[key] == nil }) else { return }
        keep(VisitLog.visits(events), key)
    }

    private func keep(_ log: VisitLog, _ key: Key) {
        cache.withLock { cache in
            guard cache.days.updateValue(log, forKey: key) == nil else { return }
            cache.order.append(key)
            if cache.order.count > capacity { cache.days[cache.order.removeFirst()] = nil }
        }
    }
}

extension ReportSource {
    /// The office's last `weeks` weeks before today (days that are over), for the best time to come.
    public func bestTime(
        office: Office, procedure: ServiceID? = nil, weeks: Int = 8, now: Date
    ) async throws -> (BestTime, from: LocalDate, to: LocalDate, simulated: Bool) {
        let to = LocalDate(now, in: office.zone).adding(days: -1)
        let from = to.adding(days: 1 - 7 * weeks)
        let key = "\(office.id.rawValue)|\(procedure?.rawValue ?? "")|\(weeks)|\(to)"
        if let kept = bestTimes.withLock({ $0[key] }) { return (kept.0, from, to, kept.1) }
        // Tickets taken during opening hours (a citizen's arrival), not transfers nor the queue served after closing.
        let opens = (OpeningHours.minutes(office.openingHours.opens) ?? 0) / 60
        let closes = ((OpeningHours.minutes(office.openingHours.closes) ?? 1440) + 59) / 60
        let visits = try await log(offices: [office], from: from, to: to).visits.filter {
            $0.stage == 1 && $0.hour >= opens && $0.hour < closes && (procedure == nil || $0.procedure == procedure)
        }
        let result = (BestTime(visits: visits), visits.contains(where: \.simulated))
        // Closed days only, so the answer holds until tomorrow; keep the last few hundred.
        bestTimes.withLock {
            if $0.count > 500 { $0.removeAll() }; $0[key] = result
        }
        return (result.0, from, to, result.1)
    }
}
