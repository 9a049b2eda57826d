import Foundation

/// What an event's `data` holds, spelled once: the builders that write it and the typed accessors that read it.
/// No module outside QueueCore names a payload key; docs/events.md lists them per event type.
enum PayloadKey: String {
    case businessDate, language, travelMinutes, simulated, rating, waitSeconds, procedures, from, by, staff, effective, kind
    case description, priorityReason, awaitsArrival, reason
}

extension Dictionary where Key == String, Value == JSONValue {
    subscript(key: PayloadKey) -> JSONValue? {
        get { self[key.rawValue] }
        set { self[key.rawValue] = newValue }
    }
}

/// Builders: the data of each kind of event that is written outside its command (the twin's log, the demo
/// history, the 60-minute guard) as well as by it.
public enum Payload {
    /// `ticket.issued`: the ticket's business day and language, the holder's travel time when given, a priority
    /// ticket's reason, the staff account that handed it out, and whether it waits for its holder's check-in.
    public static func issued(
        businessDate: LocalDate, language: String, travelMinutes: Int?, priorityReason: PriorityReason? = nil, staff: String? = nil,
        awaitsArrival: Bool = false, simulated: Bool = false
    ) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            PayloadKey.businessDate.rawValue: .string(businessDate.description), PayloadKey.language.rawValue: .string(language),
        ]
        if let travelMinutes { data[PayloadKey.travelMinutes] = .int(travelMinutes) }
        if let priorityReason { data[PayloadKey.priorityReason] = .string(priorityReason.rawValue) }
        if let staff { data[PayloadKey.staff] = .string(staff) }
        if awaitsArrival { data[PayloadKey.awaitsArrival] = .bool(true) }
        return marked(data, simulated: simulated)
    }

    /// `counter.skills_changed`, `issuing.stopped`, `issuing.resumed`: the procedures concerned, for business day `date`.
    public static func procedures(_ services: [ServiceID], businessDate date: LocalDate) -> [String: JSONValue] {
        [
            PayloadKey.procedures.rawValue: .array(services.map { .string($0.rawValue) }),
            PayloadKey.businessDate.rawValue: .string(date.description),
        ]
    }

    /// `ticket.travel_changed`: the holder's new travel time.
    public static func travelChanged(minutes: Int) -> [String: JSONValue] { [PayloadKey.travelMinutes.rawValue: .int(minutes)] }

    /// `ticket.transferred`: the procedure it came from.
    public static func transferred(from service: ServiceID) -> [String: JSONValue] { [PayloadKey.from.rawValue: .string(service.rawValue)] }

    /// `ticket.postponed`: who asked for it.
    public static func postponed(by actor: TicketAction.Actor) -> [String: JSONValue] { [PayloadKey.by.rawValue: .string(actor.rawValue)] }

    /// `feedback.given`: the score, and for a ticket the minutes it waited for its call.
    public static func feedback(rating: Int, waitSeconds: Int?, simulated: Bool = false) -> [String: JSONValue] {
        var data: [String: JSONValue] = [PayloadKey.rating.rawValue: .int(rating)]
        if let waitSeconds { data[PayloadKey.waitSeconds] = .int(waitSeconds) }
        return marked(data, simulated: simulated)
    }

    /// `reform.recorded`: when it took effect, its kind, what was done, and who recorded it.
    public static func reform(
        effective: LocalDate, kind: ReformKind, description: String, staff: String, simulated: Bool = false
    ) -> [String: JSONValue] {
        marked(
            [
                PayloadKey.effective.rawValue: .string(effective.description), PayloadKey.kind.rawValue: .string(kind.rawValue),
                PayloadKey.description.rawValue: .string(description), PayloadKey.staff.rawValue: .string(staff),
            ], simulated: simulated)
    }

    /// `alert.raised` by the 60-minute guard: the projection, the procedure, and the best option with what it buys.
    public static func waitAlert(
        projectedMaxMinutes: Int, procedure: ServiceID?, recommendation: WaitRecommendation?
    ) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            PayloadKey.kind.rawValue: .string("wait_over_60"), "projectedMaxMinutes": .int(projectedMaxMinutes),
        ]
        if let procedure { data["procedure"] = .string(procedure.rawValue) }
        if let r = recommendation {
            data["recommendation"] = .object([
                "action": .string(r.action.rawValue), "counter": .string(r.counter.rawValue),
                "procedure": .string(r.procedure.rawValue), "afterMinutes": .int(r.afterMinutes),
            ])
        }
        return data
    }

    /// What the guard recommends in `alert.raised`.
    public struct WaitRecommendation: Sendable {
        public enum Action: String, Sendable { case openCounter = "open_counter", addSkill = "add_skill" }
        public var action: Action
        public var counter: CounterID
        public var procedure: ServiceID
        public var afterMinutes: Int

        public init(action: Action, counter: CounterID, procedure: ServiceID, afterMinutes: Int) {
            self.action = action
            self.counter = counter
            self.procedure = procedure
            self.afterMinutes = afterMinutes
        }
    }

    static func marked(_ data: [String: JSONValue], simulated: Bool) -> [String: JSONValue] {
        var data = data
        if simulated { data[PayloadKey.simulated] = .bool(true) }
        return data
    }
}

/// Accessors: what readers (reports, the estimators' fold, the lifecycle) take from an event's data.
extension Event {
    /// The business day a ticket was issued for, or a counter's skills were set for.
    public var businessDate: LocalDate? { data[PayloadKey.businessDate]?.stringValue.flatMap(LocalDate.init(parsing:)) }

    /// The language a ticket was issued in.
    public var language: String? { data[PayloadKey.language]?.stringValue }

    /// The minutes a remote holder said they need to reach the office (`ticket.issued`, `ticket.travel_changed`).
    public var travelMinutes: Int? { if case .int(let minutes)? = data[PayloadKey.travelMinutes] { minutes } else { nil } }

    /// Written by the twin for the demo history or a scenario, not by the office.
    public var isSimulated: Bool { data[PayloadKey.simulated] == .bool(true) }

    /// A `feedback.given` score as written (any whole number; readers check the scale).
    public var rating: Int? { if case .int(let score)? = data[PayloadKey.rating] { score } else { nil } }

    /// The wait a rated visit had, in seconds.
    public var ratedWaitSeconds: Double? { data[PayloadKey.waitSeconds].flatMap(\.numberValue) }

    /// The procedures a counter serves after `counter.skills_changed` (or plans in `roster.planned`).
    public var procedures: [ServiceID]? {
        guard case .array(let list)? = data[PayloadKey.procedures] else { return nil }
        return list.compactMap(\.stringValue).map { ServiceID($0) }
    }

    /// The staff account that took a staff action (or handed a ticket out), for the audit trail.
    public var staff: String? { data[PayloadKey.staff]?.stringValue }

    /// Why a counter paused (`counter.paused`).
    public var pauseReason: PauseReason? { data[PayloadKey.reason]?.stringValue.flatMap(PauseReason.init(rawValue:)) }

    /// A remote ticket held until its holder checks in (arrival check-in), from `ticket.issued`.
    public var awaitsArrival: Bool { data[PayloadKey.awaitsArrival] == .bool(true) }

    /// Why a priority ticket was given (`ticket.issued` with priority 1).
    public var priorityReason: PriorityReason? { data[PayloadKey.priorityReason]?.stringValue.flatMap(PriorityReason.init(rawValue:)) }
}
