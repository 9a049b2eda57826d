import Foundation

/// A counter office (窓口): a ward office, a branch office or the My Number card center.
public struct Office: Codable, Sendable, Equatable {
    public var id: OfficeID
    public var name: LocalizedText
    /// IANA time zone; the business date is the office's local date.
    public var timeZone: String
    public var openingHours: OpeningHours
    public var procedures: [Procedure]
    public var counters: [Counter]
    public var policy: OfficePolicy
    /// The languages the lobby board shows and speaks a call in, in order (nil: Japanese, then English).
    public var boardLanguages: [String]?

    public init(
        id: OfficeID, name: LocalizedText, timeZone: String = "Asia/Tokyo",
        openingHours: OpeningHours = .cityHall, procedures: [Procedure], counters: [Counter],
        policy: OfficePolicy = .init(), boardLanguages: [String]? = nil
    ) {
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.openingHours = openingHours
        self.procedures = procedures
        self.counters = counters
        self.policy = policy
        self.boardLanguages = boardLanguages
    }

    /// The board's languages as configured, or Japanese then English.
    public var announcedIn: [String] { boardLanguages ?? ["ja", "en"] }

    public func procedure(_ id: ServiceID) -> Procedure? { procedures.first { $0.id == id } }
    public func counter(_ id: CounterID) -> Counter? { counters.first { $0.id == id } }

    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Tokyo")! }

    /// Every problem with this configuration, so that an import can list them all at once.
    public func problems() -> [String] {
        var found: [String] = []
        if !id.isValidSlug { found.append("office id '\(id)' must be 1-40 of a-z, 0-9 and '-'") }
        if TimeZone(identifier: timeZone) == nil { found.append("office \(id): unknown time zone '\(timeZone)'") }
        if procedures.isEmpty { found.append("office \(id): no procedures") }
        var prefixes = Set<String>()
        for p in procedures {
            if !p.id.isValidSlug { found.append("office \(id): procedure id '\(p.id)' is not a slug") }
            if p.prefix.count != 1 || !p.prefix.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                found.append("office \(id): procedure \(p.id) prefix must be one letter A-Z")
            }
            if !prefixes.insert(p.prefix).inserted { found.append("office \(id): prefix \(p.prefix) used twice") }
            if p.typicalServiceSeconds <= 0 { found.append("office \(id): procedure \(p.id) needs a positive typical time") }
            found += (p.guide?.problems() ?? []).map { "office \(id): procedure \(p.id) guide: \($0)" }
        }
        if Set(procedures.map(\.id)).count != procedures.count { found.append("office \(id): duplicate procedure id") }
        if Set(counters.map(\.id)).count != counters.count { found.append("office \(id): duplicate counter id") }
        for c in counters {
            if !c.id.isValidSlug { found.append("office \(id): counter id '\(c.id)' is not a slug") }
            for s in c.services where procedure(s) == nil {
                found.append("office \(id): counter \(c.id) serves unknown procedure \(s)")
            }
            if c.hours != nil && c.plannedHours == nil {
                found.append("office \(id): counter \(c.id) hours must be \"HH:MM-HH:MM\" spans in order, not overlapping")
            }
        }
        found.append(contentsOf: openingHours.problems().map { "office \(id): \($0)" })
        if let languages = boardLanguages {
            if languages.isEmpty || Set(languages).count != languages.count {
                found.append("office \(id): boardLanguages: each once, at least one")
            }
            for l in languages where !IssueRequest.languages.contains(l) {
                found.append(
                    "office \(id): boardLanguages: '\(l)' is not one of \(IssueRequest.languages.sorted().joined(separator: ", "))")
            }
        }
        return found
    }
}

/// A procedure (手続き) citizens queue for, such as certificates or moving in.
public struct Procedure: Codable, Sendable, Equatable {
    public var id: ServiceID
    /// One letter that starts every ticket number of this procedure: `A` gives A-001.
    public var prefix: String
    /// Signage color (色分け). Always shown with the letter and the word, never alone.
    public var color: String
    public var name: LocalizedText
    public var typicalServiceSeconds: Int
    /// Closed only when staff or configuration closes it; closed counters do not close a procedure.
    public var open: Bool
    /// 受付終了: staff stopped issuing tickets for it on this business day (those already issued are served). The
    /// next day it issues again by itself.
    public var stoppedOn: LocalDate?
    /// The form-writing guide, when the city wrote one (the offices file's `guides`).
    public var guide: FormGuide?

    public init(
        id: ServiceID, prefix: String, color: String, name: LocalizedText, typicalServiceSeconds: Int,
        open: Bool = true, stoppedOn: LocalDate? = nil, guide: FormGuide? = nil
    ) {
        self.id = id
        self.prefix = prefix
        self.color = color
        self.name = name
        self.typicalServiceSeconds = typicalServiceSeconds
        self.open = open
        self.stoppedOn = stoppedOn
        self.guide = guide
    }

    /// Whether it takes new tickets on business day `date`: open, and not stopped for that day.
    public func isIssuing(on date: LocalDate) -> Bool { open && stoppedOn != date }
}

/// A counter (窓口) as configured: its label and the procedures it can serve (its skill set).
public struct Counter: Codable, Sendable, Equatable {
    public var id: CounterID
    public var label: String
    public var services: [ServiceID]
    /// When the counter is planned to be staffed on an open day, as `"HH:MM-HH:MM"` spans in order (a lunch
    /// rotation: `["09:00-11:30", "12:30-16:30"]`); nil: the office's counter hours. The day's `roster.planned`
    /// carries it, and the live wait estimates read it.
    public var hours: [String]?

    public init(id: CounterID, label: String, services: [ServiceID], hours: [String]? = nil) {
        self.id = id
        self.label = label
        self.services = services
        self.hours = hours
    }

    /// `hours` in seconds after local midnight; nil when unset or malformed (`Office.problems` names it).
    public var plannedHours: [Range<Int>]? {
        guard let hours else { return nil }
        var result: [Range<Int>] = []
        for span in hours {
            let ends = span.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 2, let from = OpeningHours.minutes(String(ends[0])), let to = Self.endMinutes(String(ends[1])),
                from < to, from * 60 >= (result.last?.upperBound ?? 0)
            else { return nil }
            result.append((from * 60)..<(to * 60))
        }
        return result
    }

    /// "HH:MM", or "24:00" for the end of the day.
    private static func endMinutes(_ text: String) -> Int? { text == "24:00" ? 24 * 60 : OpeningHours.minutes(text) }
}

/// Rules an office can tune.
public struct OfficePolicy: Codable, Sendable, Equatable {
    /// How long a counter waits on a called ticket before it may mark a no-show.
    public var noShowGraceSeconds: Int
    /// How long after a no-show the ticket may be brought back.
    public var reactivateWindowSeconds: Int
    /// "Running late" or a staff hold: how many times one ticket may be put back.
    public var maxDeferrals: Int
    /// Anti-starvation: after this many priority calls in a row, a counter takes a normal ticket.
    public var priorityStreakLimit: Int
    /// Arrival check-in: a remote ticket whose holder said they are on their way (a travel time) keeps its place
    /// but is not called until its holder checks in (`ticket.arrived`); counters call the first ticket whose
    /// holder is here.
    public var arrivalCheckIn: Bool

    public init(
        noShowGraceSeconds: Int = 180, reactivateWindowSeconds: Int = 600, maxDeferrals: Int = 1,
        priorityStreakLimit: Int = 3, arrivalCheckIn: Bool = true
    ) {
        self.noShowGraceSeconds = noShowGraceSeconds
        self.reactivateWindowSeconds = reactivateWindowSeconds
        self.maxDeferrals = maxDeferrals
        self.priorityStreakLimit = priorityStreakLimit
        self.arrivalCheckIn = arrivalCheckIn
    }

    enum CodingKeys: String, CodingKey {
        case noShowGraceSeconds, reactivateWindowSeconds, maxDeferrals, priorityStreakLimit, arrivalCheckIn
    }

    /// Offices stored before a field existed take its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = OfficePolicy()
        self.init(
            noShowGraceSeconds: try c.decodeIfPresent(Int.self, forKey: .noShowGraceSeconds) ?? d.noShowGraceSeconds,
            reactivateWindowSeconds: try c.decodeIfPresent(Int.self, forKey: .reactivateWindowSeconds) ?? d.reactivateWindowSeconds,
            maxDeferrals: try c.decodeIfPresent(Int.self, forKey: .maxDeferrals) ?? d.maxDeferrals,
            priorityStreakLimit: try c.decodeIfPresent(Int.self, forKey: .priorityStreakLimit) ?? d.priorityStreakLimit,
            arrivalCheckIn: try c.decodeIfPresent(Bool.self, forKey: .arrivalCheckIn) ?? d.arrivalCheckIn)
    }
}

extension OfficePolicy {
    /// A policy as a configuration file gives it: any field may be left out and takes the default.
    public struct Overrides: Codable, Sendable, Equatable {
        public var noShowGraceSeconds: Int?
        public var reactivateWindowSeconds: Int?
        public var maxDeferrals: Int?
        public var priorityStreakLimit: Int?
        public var arrivalCheckIn: Bool?
    }

    /// The defaults with what `overrides` sets.
    public init(_ overrides: Overrides?) {
        let d = OfficePolicy()
        self.init(
            noShowGraceSeconds: overrides?.noShowGraceSeconds ?? d.noShowGraceSeconds,
            reactivateWindowSeconds: overrides?.reactivateWindowSeconds ?? d.reactivateWindowSeconds,
            maxDeferrals: overrides?.maxDeferrals ?? d.maxDeferrals,
            priorityStreakLimit: overrides?.priorityStreakLimit ?? d.priorityStreakLimit,
            arrivalCheckIn: overrides?.arrivalCheckIn ?? d.arrivalCheckIn)
    }
}

/// Weekly opening hours in the office's local time, and the days it stays closed. Demo offices do not enforce them.
public struct OpeningHours: Codable, Sendable, Equatable {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    public var weekdays: [Int]
    public var opens: String
    public var closes: String
    public var enforced: Bool
    /// The office's own closed days (the offices file's list), whatever their weekday.
    public var holidays: [LocalDate]
    /// Closed on Japan's national holidays and at the year end (年末年始), as `JapaneseHolidays` ships them.
    public var nationalHolidays: Bool

    public init(
        weekdays: [Int], opens: String, closes: String, enforced: Bool, holidays: [LocalDate] = [], nationalHolidays: Bool = false
    ) {
        self.weekdays = weekdays
        self.opens = opens
        self.closes = closes
        self.enforced = enforced
        self.holidays = holidays
        self.nationalHolidays = nationalHolidays
    }

    enum CodingKeys: String, CodingKey { case weekdays, opens, closes, enforced, holidays, nationalHolidays }

    /// Offices stored before the calendar existed have none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            weekdays: try c.decode([Int].self, forKey: .weekdays), opens: try c.decode(String.self, forKey: .opens),
            closes: try c.decode(String.self, forKey: .closes), enforced: try c.decode(Bool.self, forKey: .enforced),
            holidays: try c.decodeIfPresent([LocalDate].self, forKey: .holidays) ?? [],
            nationalHolidays: try c.decodeIfPresent(Bool.self, forKey: .nationalHolidays) ?? false)
    }

    /// Whether the office opens at all on `date`: one of its weekdays, and none of its holidays.
    public func isOpenDay(_ date: LocalDate) -> Bool {
        weekdays.contains(date.isoWeekday) && !holidays.contains(date)
            && !(nationalHolidays && (JapaneseHolidays.isNationalHoliday(date) || JapaneseHolidays.isYearEnd(date)))
    }

    /// When the office next opens after `date` (an instant): today at opening time if that is still to come, else
    /// the first open day's; nil if none within 60 days.
    public func nextOpening(after date: Date, in zone: TimeZone) -> (day: LocalDate, opens: String)? {
        let today = LocalDate(date, in: zone)
        let (_, millisOfDay) = CivilTime.local(date, offsetSeconds: zone.secondsFromGMT(for: date))
        if isOpenDay(today), let o = Self.minutes(opens), millisOfDay / 60_000 < o { return (today, opens) }
        for n in 1...60 where isOpenDay(today.adding(days: n)) { return (today.adding(days: n), opens) }
        return nil
    }

    /// Kumamoto's counter hours, 9:00–16:30 on weekdays.
    public static let cityHall = OpeningHours(weekdays: [1, 2, 3, 4, 5], opens: "09:00", closes: "16:30", enforced: true)

    func problems() -> [String] {
        var found: [String] = []
        if Self.minutes(opens) == nil { found.append("opens '\(opens)' is not HH:MM") }
        if Self.minutes(closes) == nil { found.append("closes '\(closes)' is not HH:MM") }
        if let o = Self.minutes(opens), let c = Self.minutes(closes), o >= c { found.append("opens after it closes") }
        if weekdays.contains(where: { !(1...7).contains($0) }) { found.append("weekdays are 1 (Mon) to 7 (Sun)") }
        return found
    }

    /// Whether tickets may be issued at this moment.
    public func isOpen(at date: Date, in zone: TimeZone) -> Bool {
        guard enforced else { return true }
        let (_, millisOfDay) = CivilTime.local(date, offsetSeconds: zone.secondsFromGMT(for: date))
        guard isOpenDay(LocalDate(date, in: zone)), let o = Self.minutes(opens), let c = Self.minutes(closes) else { return false }
        let now = millisOfDay / 60_000
        return now >= o && now < c
    }

    /// The counter hours of `date`, in seconds after local midnight; nil on a day the office is closed.
    public func hours(on date: LocalDate) -> Range<Int>? {
        guard isOpenDay(date), let o = Self.minutes(opens), let c = Self.minutes(closes), o < c else { return nil }
        return (o * 60)..<(c * 60)
    }

    public static func minutes(_ hhmm: String) -> Int? {
        let parts = hhmm.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m)
        else { return nil }
        return h * 60 + m
    }
}
