import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after Howard Hinnant's
/// `days_from_civil` and `civil_from_days`. Foundation's `Calendar` gives the same answers but costs microseconds
/// per call, and every ticket and event needs a local date and time. The one civil-time arithmetic of the project:
/// dates, events, opening hours, the estimators' fold and replay all use it.
public enum CivilTime {
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Local wall-clock parts of an instant at a fixed UTC offset, to the millisecond.
    public static func local(_ instant: Date, offsetSeconds: Int) -> (days: Int, millisOfDay: Int) {
        let millis = Int((instant.timeIntervalSince1970 * 1000).rounded()) + offsetSeconds * 1000
        let days = Int((Double(millis) / 86_400_000).rounded(.down))
        return (days, millis - days * 86_400_000)
    }

    /// The day number of an instant at a fixed UTC offset, and the seconds since that day's local midnight (not
    /// rounded: the estimators' clock).
    public static func localSeconds(_ instant: Date, offsetSeconds: Int) -> (day: Int, seconds: Double) {
        let t = instant.timeIntervalSince1970 + Double(offsetSeconds)
        let day = Int((t / 86_400).rounded(.down))
        return (day, t - Double(day) * 86_400)
    }

    /// ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public static func isoWeekday(_ days: Int) -> Int {
        ((days % 7 + 7) % 7 + 3) % 7 + 1
    }
}
