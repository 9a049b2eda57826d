import Foundation
import QueueCore
import Testing

/// The office calendar: weekdays, the office's own closed days, Japan's national holidays and the year end, and
/// when a closed office opens next.
@Suite struct CalendarTests {
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    static let hours = OpeningHours(
        weekdays: [1, 2, 3, 4, 5], opens: "09:00", closes: "16:30", enforced: true, holidays: [LocalDate(year: 2026, month: 6, day: 1)!],
        nationalHolidays: true)

    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static func day(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d)! }

    @Test func nationalHolidaysTheYearEndAndTheOfficesOwnDaysAreClosed() {
        // Golden Week 2026: Sunday 3 May, then 4, 5 and the substitute holiday 6 May.
        for d in [4, 5, 6] { #expect(!Self.hours.isOpenDay(Self.day(2026, 5, d)), "5/\(d)") }
        #expect(Self.hours.isOpenDay(Self.day(2026, 5, 7)))
        // 2026's citizens' holiday between two holidays, and 2027's equinox moved off a Sunday.
        #expect(!Self.hours.isOpenDay(Self.day(2026, 9, 22)) && !Self.hours.isOpenDay(Self.day(2027, 3, 22)))
        for (y, m, d) in [(2026, 12, 29), (2026, 12, 31), (2027, 1, 1), (2027, 1, 3)] {
            #expect(!Self.hours.isOpenDay(Self.day(y, m, d)), "\(y)-\(m)-\(d) is 年末年始")
        }
        #expect(!Self.hours.isOpenDay(Self.day(2026, 6, 1)), "the office's own closed day")
        #expect(Self.hours.isOpenDay(Self.day(2026, 12, 28)) && Self.hours.isOpenDay(Self.day(2027, 1, 4)))
        var plain = Self.hours
        plain.nationalHolidays = false
        #expect(plain.isOpenDay(Self.day(2026, 5, 4)), "only when the office follows the national calendar")
        #expect(Self.hours.hours(on: Self.day(2026, 5, 4)) == nil && Self.hours.hours(on: Self.day(2026, 5, 7)) == 32_400..<59_400)
    }

    @Test func aClosedOfficeSaysWhenItOpensNext() {
        // 10:00 on the holiday Monday 4 May: closed, next open Thursday 7 May at 09:00.
        #expect(!Self.hours.isOpen(at: Self.at("2026-05-04T10:00:00+09:00"), in: Self.tokyo))
        let next = Self.hours.nextOpening(after: Self.at("2026-05-04T10:00:00+09:00"), in: Self.tokyo)
        #expect(next?.day == Self.day(2026, 5, 7) && next?.opens == "09:00")
        // Early on an open day: today; after closing: the next open day, past the year end.
        #expect(Self.hours.nextOpening(after: Self.at("2026-05-07T07:30:00+09:00"), in: Self.tokyo)?.day == Self.day(2026, 5, 7))
        #expect(Self.hours.nextOpening(after: Self.at("2026-12-28T17:00:00+09:00"), in: Self.tokyo)?.day == Self.day(2027, 1, 4))
        #expect(Self.hours.isOpen(at: Self.at("2026-05-07T09:00:00+09:00"), in: Self.tokyo))
    }

    @Test func officesStoredBeforeTheCalendarStillDecode() throws {
        let old = #"{"weekdays":[1,2,3,4,5],"opens":"09:00","closes":"16:30","enforced":true}"#
        let hours = try JSONDecoder().decode(OpeningHours.self, from: Data(old.utf8))
        #expect(hours.holidays.isEmpty && !hours.nationalHolidays)
        let policy = try JSONDecoder().decode(OfficePolicy.self, from: Data(#"{"noShowGraceSeconds":120}"#.utf8))
        #expect(policy.noShowGraceSeconds == 120 && policy.arrivalCheckIn, "arrival check-in is on unless an office says not")
        let again = try JSONDecoder().decode(OpeningHours.self, from: JSONEncoder().encode(Self.hours))
        #expect(again == Self.hours)
    }
}
