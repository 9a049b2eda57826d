import Foundation

/// What kind of change a reform was: the committee's levers.
public enum ReformKind: String, Codable, Sendable, CaseIterable {
    /// Signs, colour coding, floor guidance.
    case signage
    /// Help with filling in forms before the counter (記載台, a writing guide).
    case formGuide = "form_guide"
    /// More staff, support staff, a different roster.
    case staffing
    /// Counters rearranged, one-stop service.
    case layout
    /// Online or phone tickets, "come now" alerts.
    case online
    /// Opening hours.
    case hours
    case other
}

/// A reform as recorded: its office, the business date it took effect, what kind it was, a short description, and
/// who recorded it.
public struct Reform: Sendable, Equatable {
    public var seq: Int64
    public var office: OfficeID
    public var effective: LocalDate
    public var kind: ReformKind
    public var description: String
    public var recordedBy: String?
    public var recordedAt: Date

    public static let maxDescription = 80

    /// The reform an event records; nil for another event.
    public init?(_ event: Event) {
        guard event.type == .reformRecorded, let date = event.data[PayloadKey.effective]?.stringValue.flatMap(LocalDate.init(parsing:)),
            let kind = event.data[PayloadKey.kind]?.stringValue.flatMap(ReformKind.init(rawValue:))
        else { return nil }
        seq = event.seq
        office = event.office
        effective = date
        self.kind = kind
        description = event.data[PayloadKey.description]?.stringValue ?? ""
        recordedBy = event.staff
        recordedAt = event.at
    }
}

extension QueueCommands {
    /// Records a reform (`reform.recorded`). The description is a short label of the change ("new signage at the
    /// entrance"), 1–80 characters, one line: it names a measure, never a person.
    public func recordReform(
        office id: OfficeID, effective: LocalDate, kind: ReformKind, description: String, by staff: String,
        in ledger: inout some QueueLedger
    ) throws -> CommandResult<Reform> {
        let office = try requireOffice(id, in: ledger)
        let text = try TextInput.line(description, field: "description", maxCharacters: Reform.maxDescription)
        let today = LocalDate(now(), in: office.zone)
        guard effective >= today.adding(days: -3 * 366), effective <= today.adding(days: 366) else {
            throw QueueError.invalidInput(field: "effective", reason: "a date within three years before and one year after today")
        }
        let at = now()
        var event = Event(
            at: at, utcOffsetSeconds: office.zone.secondsFromGMT(for: at), office: id, type: .reformRecorded,
            data: Payload.reform(effective: effective, kind: kind, description: text, staff: staff))
        event = try ledger.append(event)
        return CommandResult(value: Reform(event)!, events: [event], created: true)
    }
}

extension QueueCommands {
    /// Records the 60-minute guard's alert (`alert.raised`): the office, and what the guard saw and suggests.
    public func raiseAlert(office id: OfficeID, data: [String: JSONValue], in ledger: inout some QueueLedger) throws -> CommandResult<Event>
    {
        let office = try requireOffice(id, in: ledger)
        let at = now()
        let event = try ledger.append(
            Event(
                at: at, utcOffsetSeconds: office.zone.secondsFromGMT(for: at), office: id, type: .alertRaised, data: data))
        return CommandResult(value: event, events: [event], created: true)
    }
}
