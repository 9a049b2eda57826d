import Foundation

/// Japan's national holidays (国民の祝日, with substitute holidays 振替休日 and citizens' holidays 国民の休日) for the
/// years the demo and the reference scenarios cover, and the city offices' year-end closure (年末年始, 29 December
/// to 3 January). The dates follow the Cabinet Office's published list; the equinoxes are fixed each February
/// for the next year, so a new year's line is added here when it is announced.
public enum JapaneseHolidays {
    /// (month, day) pairs by year.
    static let national: [Int: [(Int, Int)]] = [
        2026: [
            (1, 1), (1, 12), (2, 11), (2, 23), (3, 20), (4, 29), (5, 3), (5, 4), (5, 5), (5, 6), (7, 20), (8, 11), (9, 21),
            (9, 22), (9, 23), (10, 12), (11, 3), (11, 23),
        ],
        2027: [
            (1, 1), (1, 11), (2, 11), (2, 23), (3, 21), (3, 22), (4, 29), (5, 3), (5, 4), (5, 5), (7, 19), (8, 11), (9, 20),
            (9, 23), (10, 11), (11, 3), (11, 23),
        ],
    ]

    /// The years whose national holidays are known here.
    public static var years: ClosedRange<Int> { national.keys.min()!...national.keys.max()! }

    /// A national holiday of a known year.
    public static func isNationalHoliday(_ date: LocalDate) -> Bool {
        national[date.year]?.contains { $0.0 == date.month && $0.1 == date.day } ?? false
    }

    /// The year-end closure of city offices: 29–31 December and 1–3 January.
    public static func isYearEnd(_ date: LocalDate) -> Bool {
        (date.month == 12 && date.day >= 29) || (date.month == 1 && date.day <= 3)
    }
}
