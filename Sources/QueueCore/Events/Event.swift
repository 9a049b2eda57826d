import Foundation

/// One state change, in the one event language that the server writes, the twin writes, and analytics and
/// prediction read. It is appended in the same transaction as the change it records.
public struct Event: Codable, Sendable, Equatable {
    /// Position in the store's log; 0 until appended.
    public var seq: Int64
    public var at: Date
    /// The office's UTC offset at `at`, so that the JSON time reads as office-local time.
    public var utcOffsetSeconds: Int
    public var office: OfficeID
    public var type: EventType
    public var ticket: TicketID?
    public var number: TicketNumber?
    public var service: ServiceID?
    public var counter: CounterID?
    public var channel: Channel?
    public var priority: Int?
    public var data: [String: JSONValue]

    public init(
        seq: Int64 = 0, at: Date, utcOffsetSeconds: Int, office: OfficeID, type: EventType, ticket: TicketID? = nil,
        number: TicketNumber? = nil, service: ServiceID? = nil, counter: CounterID? = nil, channel: Channel? = nil,
        priority: Int? = nil, data: [String: JSONValue] = [:]
    ) {
        self.seq = seq
        self.at = at
        self.utcOffsetSeconds = utcOffsetSeconds
        self.office = office
        self.type = type
        self.ticket = ticket
        self.number = number
        self.service = service
        self.counter = counter
        self.channel = channel
        self.priority = priority
        self.data = data
    }

    /// An event about a ticket, carrying the ticket's identity as it stands.
    public init(_ type: EventType, ticket: Ticket, at: Date, zone: TimeZone, data: [String: JSONValue] = [:]) {
        self.init(
            at: at, utcOffsetSeconds: zone.secondsFromGMT(for: at), office: ticket.office, type: type,
            ticket: ticket.id, number: ticket.number, service: ticket.service, counter: ticket.counter,
            channel: ticket.channel, priority: ticket.priority, data: data)
    }

    enum CodingKeys: String, CodingKey {
        case seq, at, office, type, ticket, number, service, counter, channel, priority, data
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seq = try c.decode(Int64.self, forKey: .seq)
        let text = try c.decode(String.self, forKey: .at)
        guard let (instant, offset) = EventTime.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: .at, in: c, debugDescription: "bad time \(text)")
        }
        at = instant
        utcOffsetSeconds = offset
        office = try c.decode(OfficeID.self, forKey: .office)
        type = try c.decode(EventType.self, forKey: .type)
        ticket = try c.decodeIfPresent(TicketID.self, forKey: .ticket)
        number = try c.decodeIfPresent(TicketNumber.self, forKey: .number)
        service = try c.decodeIfPresent(ServiceID.self, forKey: .service)
        counter = try c.decodeIfPresent(CounterID.self, forKey: .counter)
        channel = try c.decodeIfPresent(Channel.self, forKey: .channel)
        priority = try c.decodeIfPresent(Int.self, forKey: .priority)
        data = try c.decodeIfPresent([String: JSONValue].self, forKey: .data) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(EventTime.format(at, offsetSeconds: utcOffsetSeconds), forKey: .at)
        try c.encode(office, forKey: .office)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(ticket, forKey: .ticket)
        try c.encodeIfPresent(number, forKey: .number)
        try c.encodeIfPresent(service, forKey: .service)
        try c.encodeIfPresent(counter, forKey: .counter)
        try c.encodeIfPresent(channel, forKey: .channel)
        try c.encodeIfPresent(priority, forKey: .priority)
        try c.encode(data, forKey: .data)
    }
}

public enum EventType: String, Codable, Sendable, CaseIterable {
    case ticketIssued = "ticket.issued"
    case ticketCalled = "ticket.called"
    case ticketRecalled = "ticket.recalled"
    case ticketServing = "ticket.serving"
    case ticketCompleted = "ticket.completed"
    case ticketNoShow = "ticket.no_show"
    case ticketCancelled = "ticket.cancelled"
    case ticketTransferred = "ticket.transferred"
    case ticketPostponed = "ticket.postponed"
    case ticketReactivated = "ticket.reactivated"
    /// Still open when its business day ended; the office closed it. Its status becomes `cancelled`.
    case ticketExpired = "ticket.expired"
    /// The wait estimate says the holder of a remote ticket should set out now; once a day per ticket. Its status
    /// stays `waiting`; its alerts go out through the outbox.
    case ticketComeNow = "ticket.come_now"
    /// A remote holder on their way checked in (the ticket page, the kiosk, reception): now they may be called.
    case ticketArrived = "ticket.arrived"
    /// The holder of a remote ticket on their way said how long they need now (`data.travelMinutes`), for "come now".
    case ticketTravelChanged = "ticket.travel_changed"
    /// 受付終了: staff stopped issuing tickets for today, for `data.procedures` (or resumed it, `issuing.resumed`).
    case issuingStopped = "issuing.stopped"
    case issuingResumed = "issuing.resumed"
    case counterOpened = "counter.opened"
    case counterClosed = "counter.closed"
    case counterPaused = "counter.paused"
    /// A supervisor changed what a counter serves for the rest of the business day (`data.procedures`).
    case counterSkillsChanged = "counter.skills_changed"
    /// At the start of a business day, one per counter: its skill set and its planned open intervals.
    case rosterPlanned = "roster.planned"
    case feedbackGiven = "feedback.given"
    /// A supervisor recorded a change to the office's service (new signage, a form-writing guide, two more staff),
    /// effective from a date, so that reports can compare waits before and after.
    case reformRecorded = "reform.recorded"
    /// The 60-minute guard: some waiting ticket's projected 90% wait crossed 60 minutes (once per crossing), with
    /// the projection and the best recommendation.
    case alertRaised = "alert.raised"
}

/// Event times: RFC 3339 with milliseconds and the office's offset, `2026-03-30T09:14:05.120+09:00`.
public enum EventTime {
    public static func format(_ instant: Date, offsetSeconds: Int) -> String {
        let (days, millisOfDay) = CivilTime.local(instant, offsetSeconds: offsetSeconds)
        let (y, mo, d) = CivilTime.civilFromDays(days)
        let seconds = millisOfDay / 1000
        let off = abs(offsetSeconds) / 60
        var out = ""
        out.reserveCapacity(29)
        func pad(_ value: Int, _ width: Int) {
            let digits = String(value)
            for _ in digits.count..<width { out.append("0") }
            out.append(digits)
        }
        pad(y, 4); out.append("-"); pad(mo, 2); out.append("-"); pad(d, 2); out.append("T")
        pad(seconds / 3600, 2); out.append(":"); pad(seconds / 60 % 60, 2); out.append(":"); pad(seconds % 60, 2)
        out.append("."); pad(millisOfDay % 1000, 3)
        out.append(offsetSeconds < 0 ? "-" : "+"); pad(off / 60, 2); out.append(":"); pad(off % 60, 2)
        return out
    }

    public static func parse(_ text: String) -> (Date, Int)? {
        let chars = Array(text.utf8)
        guard chars.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= chars.count else { return nil }
            var v = 0
            for c in chars[from..<(from + len)] {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let s = num(17, 2)
        else { return nil }
        var index = 19
        var millis = 0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            var digits = 0
            index += 1
            while index < chars.count, chars[index] >= 0x30, chars[index] <= 0x39 {
                if digits < 3 { millis = millis * 10 + Int(chars[index] - 0x30) }
                digits += 1
                index += 1
            }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        guard index < chars.count else { return nil }
        var offset = 0
        if chars[index] == UInt8(ascii: "Z") {
            offset = 0
        } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-"), let oh = num(index + 1, 2),
            let om = num(index + 4, 2)
        {
            offset = (oh * 60 + om) * 60 * (chars[index] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard LocalDate(year: y, month: mo, day: d) != nil, h < 24, mi < 60, s < 60 else { return nil }
        let localSeconds = CivilTime.daysFromCivil(year: y, month: mo, day: d) * 86_400 + h * 3600 + mi * 60 + s
        // Whole milliseconds, as `QueueCommands.now()` makes them, so a parsed time equals the one written.
        let total = Int64(localSeconds) * 1000 + Int64(millis) - Int64(offset) * 1000
        return (Date(timeIntervalSince1970: Double(total) / 1000), offset)
    }
}

extension Event {
    /// The office-local date of the event.
    public var localDate: LocalDate {
        LocalDate(dayNumber: CivilTime.local(at, offsetSeconds: utcOffsetSeconds).days)
    }

    /// The office-local hour of the event, 0–23.
    public var localHour: Int { CivilTime.local(at, offsetSeconds: utcOffsetSeconds).millisOfDay / 3_600_000 }
}
