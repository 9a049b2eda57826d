import Foundation
import Synchronization

/// A calendar date in an office's time zone, `YYYY-MM-DD`: the business date (営業日) of a ticket.
public struct LocalDate: TextCodable, Sendable, Hashable, Comparable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let back = CivilTime.civilFromDays(CivilTime.daysFromCivil(year: year, month: month, day: day))
        guard back.month == month, back.day == day else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    init(dayNumber: Int) {
        (year, month, day) = CivilTime.civilFromDays(dayNumber)
    }

    /// The office-local date of an instant.
    public init(_ instant: Date, in zone: TimeZone) {
        self.init(dayNumber: CivilTime.local(instant, offsetSeconds: zone.secondsFromGMT(for: instant)).days)
    }

    public init?(parsing text: String) {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        // Written by hand: `String(format:)` made this 4% of the server's time when issuing tickets.
        let digits = [(year, 4), (month, 2), (day, 2)].map { value, width in
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits.joined(separator: "-")
    }

    /// Local midnight at the start of this date, and of the next one.
    public func interval(in zone: TimeZone) -> (start: Date, end: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let start = calendar.date(from: DateComponents(year: year, month: month, day: day))!
        let end = calendar.date(byAdding: .day, value: 1, to: start)!
        return (start, end)
    }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int { CivilTime.isoWeekday(dayNumber) }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// Days from this date to `other` (negative when `other` is earlier).
    public func days(until other: LocalDate) -> Int { other.dayNumber - dayNumber }

    /// The `n`th weekday from this date on (0 = this date, or the next weekday if it falls on a weekend).
    public func weekday(_ n: Int) -> LocalDate {
        var date = self
        var left = n
        while true {
            if date.isoWeekday <= 5 {
                if left == 0 { return date }
                left -= 1
            }
            date = date.adding(days: 1)
        }
    }

    var dayNumber: Int { CivilTime.daysFromCivil(year: year, month: month, day: day) }

    public static func < (a: Self, b: Self) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

/// The server's wall clock, injected so that tests and the twin run on their own time.
/// Timestamps and business dates come from it, never from a kiosk or a phone.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    public func set(_ date: Date) { current.withLock { $0 = date } }
}
