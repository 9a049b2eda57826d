import Foundation

/// What happened in one command: the value it returns, the events it appended, and whether it created something
/// new (false for an idempotent retry or a no-op).
public struct CommandResult<Value: Sendable>: Sendable {
    public var value: Value
    public var events: [Event]
    public var created: Bool

    public init(value: Value, events: [Event], created: Bool = true) {
        self.value = value
        self.events = events
        self.created = created
    }
}

/// What a citizen may do to their own ticket.
public enum CitizenAction: String, Sendable, CaseIterable {
    case cancel
    /// "Running late": back to the end of the line (one deferral by default).
    case runningLate = "postpone"

    var ticketAction: TicketAction {
        switch self {
        case .cancel: .cancel
        case .runningLate: .postpone(by: .citizen)
        }
    }
}

/// What a counter does to the ticket it holds.
public enum CounterAction: String, Sendable, CaseIterable {
    case recall, start, complete
    case noShow = "no-show"
    case hold
}

/// Every command of the queue, written once over `QueueLedger`. The live stores and the twin run these.
public struct QueueCommands: Sendable {
    public let clock: any WallClock
    public let newToken: @Sendable () -> TicketID
    /// `--no-show-grace`: one grace for every office, over what each office's policy says.
    public let noShowGraceOverride: Int?

    public init(
        clock: any WallClock = SystemClock(), noShowGraceOverride: Int? = nil,
        newToken: @escaping @Sendable () -> TicketID = { TicketID.random() }
    ) {
        self.clock = clock
        self.noShowGraceOverride = noShowGraceOverride
        self.newToken = newToken
    }

    // MARK: Configuration

    public func importOffice(_ office: Office, in ledger: inout some QueueLedger) throws {
        // Every text of the office (names, descriptions, what to bring) at once, as its JSON form.
        try MyNumber.refuse([String(decoding: try JSONEncoder().encode(office), as: UTF8.self)])
        let problems = office.problems()
        guard problems.isEmpty else {
            throw QueueError.invalidInput(field: "office", reason: problems.joined(separator: "; "))
        }
        try ledger.save(office: office)
    }

    /// Appends a past the office never lived (the demo's simulated history): events of offices that exist, dated
    /// before today in their office. Only the log grows: no ticket, number or counter changes, so today's queue is
    /// untouched. Returns how many were appended.
    public func importHistory(_ events: [Event], in ledger: inout some QueueLedger) throws -> Int {
        var zones: [OfficeID: TimeZone] = [:]
        for event in events {
            if zones[event.office] == nil {
                guard let office = try ledger.office(event.office) else { throw QueueError.officeNotFound(event.office) }
                zones[event.office] = office.zone
            }
            guard event.localDate < LocalDate(clock.now(), in: zones[event.office]!) else {
                throw QueueError.invalidInput(field: "history", reason: "events must be of days before today")
            }
            _ = try ledger.append(event)
        }
        return events.count
    }

    // MARK: Tickets

    /// Issues a ticket. With an idempotency key, a retry of the same request returns the first ticket.
    public func issue(
        _ request: IssueRequest, idempotencyKey: String?, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        let office = try requireOffice(request.office, in: ledger)
        if let key = idempotencyKey,
            let earlier = try replay(office: office.id, scope: "issue", key: key, fingerprint: request.fingerprint, in: ledger)
        {
            return CommandResult(value: earlier, events: [], created: false)
        }
        guard let procedure = office.procedure(request.service) else { throw QueueError.serviceNotFound(request.service) }
        guard procedure.open else { throw QueueError.serviceClosed(procedure.id) }
        try request.check()
        let instant = now()
        let zone = office.zone
        guard procedure.isIssuing(on: LocalDate(instant, in: zone)) else { throw QueueError.issuingStopped(procedure.id) }
        guard office.openingHours.isOpen(at: instant, in: zone) else {
            let next = office.openingHours.nextOpening(after: instant, in: zone)
            throw QueueError.officeClosedNow(opensNext: next.map { "\($0.day) \($0.opens)" })
        }
        let date = LocalDate(instant, in: zone)
        let sequence = try ledger.nextNumber(office: office.id, service: procedure.id, date: date)
        let issued = Event(
            at: instant, utcOffsetSeconds: zone.secondsFromGMT(for: instant), office: office.id, type: .ticketIssued,
            ticket: newToken(), number: TicketNumber(prefix: procedure.prefix, sequence: sequence),
            service: procedure.id, channel: request.channel, priority: request.priority,
            data: Payload.issued(
                businessDate: date, language: request.language, travelMinutes: request.travelMinutes,
                priorityReason: request.priorityReason, staff: request.staff,
                awaitsArrival: office.policy.arrivalCheckIn && request.channel.isRemote && request.travelMinutes != nil))
        guard let ticket = Ticket(issuedBy: issued) else {
            throw QueueError.invalidInput(field: "ticket", reason: "could not be built")
        }
        try ledger.insert(ticket)
        try LineRank.record(from: nil, to: ticket, in: &ledger)
        let event = try ledger.append(issued)
        if let key = idempotencyKey {
            try ledger.remember(
                IdempotencyRecord(office: office.id, scope: "issue", key: key, fingerprint: request.fingerprint, ticket: ticket.id))
        }
        return CommandResult(value: ticket, events: [event])
    }

    /// A citizen's own action on a ticket: cancel, or "running late". Cancelling twice is not an error.
    public func citizenAction(
        _ action: CitizenAction, ticket id: TicketID, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        if action == .cancel, ticket.status == .cancelled { return CommandResult(value: ticket, events: [], created: false) }
        let office = try requireOffice(ticket.office, in: ledger)
        return try apply(action.ticketAction, to: ticket, office: office, in: &ledger)
    }

    /// Brings back a no-show of today by its printed number, within the office's window.
    public func reactivate(
        office id: OfficeID, number: TicketNumber, by staff: String? = nil, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        let office = try requireOffice(id, in: ledger)
        let today = LocalDate(now(), in: office.zone)
        guard let ticket = try ledger.ticket(office: id, date: today, number: number) else { throw QueueError.ticketNotFound }
        return try apply(.reactivate, to: ticket, office: office, by: staff, in: &ledger)
    }

    /// Closes the business days before today: every ticket of an earlier day that is still open expires, and
    /// the counters holding one are freed. Routing and the live views look at today only, so without this a
    /// ticket left over from yesterday would read as waiting forever.
    public func closeEarlierDays(office id: OfficeID, in ledger: inout some QueueLedger) throws -> CommandResult<Int> {
        let office = try requireOffice(id, in: ledger)
        let today = LocalDate(now(), in: office.zone)
        var events: [Event] = []
        for ticket in try ledger.openTickets(office: id, before: today) {
            events += try apply(.expire, to: ticket, office: office, in: &ledger).events
        }
        return CommandResult(value: events.count, events: events, created: !events.isEmpty)
    }

    /// The start of a business day: one `roster.planned` per counter, once a day, so that the log holds what a wait
    /// prediction may know of the day. Each counter is planned, with its configured skills, for its own `hours`
    /// when set (a lunch rotation), else for the day's counter hours; `counter.opened` and `counter.closed` say
    /// what staff did. Nothing on a day the office is closed.
    public func planDay(office id: OfficeID, in ledger: inout some QueueLedger) throws -> CommandResult<Int> {
        let office = try requireOffice(id, in: ledger)
        let instant = now()
        let today = LocalDate(instant, in: office.zone)
        guard let hours = office.openingHours.hours(on: today), try !ledger.hasEvent(office: id, type: .rosterPlanned, date: today)
        else { return CommandResult(value: 0, events: [], created: false) }
        var events: [Event] = []
        for counter in office.counters {
            let plan = CounterPlan(counter: counter.id, procedures: counter.services, open: counter.plannedHours ?? [hours])
            events.append(try ledger.append(plan.event(office: id, at: instant, zone: office.zone)))
        }
        return CommandResult(value: events.count, events: events, created: true)
    }

    // MARK: Counters

    /// Calls the next ticket at a counter by `Routing`. Returns nil when nothing waits that it can serve.
    /// A retry with the same key returns the ticket the first call took, as it stands now, and calls no other.
    public func callNext(
        office id: OfficeID, counter counterID: CounterID, idempotencyKey: String?, by staff: String? = nil,
        in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket?> {
        let office = try requireOffice(id, in: ledger)
        guard let counter = office.counter(counterID) else { throw QueueError.counterNotFound(counterID) }
        let scope = "call-next:\(counterID.rawValue)"
        if let key = idempotencyKey, let earlier = try replay(office: id, scope: scope, key: key, fingerprint: scope, in: ledger) {
            return CommandResult(value: earlier, events: [], created: false)
        }
        let state = try ledger.counterState(id, counterID) ?? CounterState(id: counterID)
        guard state.open else { throw QueueError.counterClosed(counterID) }
        if let held = try currentTicket(of: state, in: ledger) { throw QueueError.counterBusy(counterID, current: held.number) }
        let today = LocalDate(now(), in: office.zone)
        // What it serves today: its configured skills, or those a supervisor gave it for the day.
        var serving = counter
        serving.services = state.services(configured: counter.services, on: today)
        let heads = try ledger.lineHeads(office: id, date: today, services: Set(serving.services))
        guard let next = Routing.choose(from: heads, for: serving, priorityStreak: state.priorityStreak, policy: office.policy)
        else { return CommandResult(value: nil, events: [], created: false) }
        let result = try apply(.call(counterID), to: next, office: office, by: staff, in: &ledger)
        if let key = idempotencyKey {
            try ledger.remember(IdempotencyRecord(office: id, scope: scope, key: key, fingerprint: scope, ticket: next.id))
        }
        return CommandResult(value: result.value, events: result.events)
    }

    /// Acts on the ticket a counter holds: recall, start, complete, no-show or hold.
    public func counterAction(
        _ action: CounterAction, office id: OfficeID, counter counterID: CounterID, by staff: String? = nil,
        in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        let ticketAction: TicketAction =
            switch action {
            case .recall: .recall
            case .start: .start
            case .complete: .complete
            case .noShow: .noShow
            case .hold: .postpone(by: .staff)
            }
        return try actOnCurrent(ticketAction, office: id, counter: counterID, by: staff, in: &ledger)
    }

    /// Moves the counter's ticket to the end of another procedure's line, keeping its number (a multi-stage visit).
    public func transfer(
        office id: OfficeID, counter counterID: CounterID, to service: ServiceID, by staff: String? = nil,
        in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        let office = try requireOffice(id, in: ledger)
        guard let procedure = office.procedure(service) else { throw QueueError.serviceNotFound(service) }
        guard procedure.open else { throw QueueError.serviceClosed(service) }
        return try actOnCurrent(.transfer(to: service), office: id, counter: counterID, by: staff, in: &ledger)
    }

    /// Opens or closes a counter. Doing what is already so is a no-op without an event. A counter that still holds a
    /// ticket cannot close.
    /// Opens or closes a counter; closing with a `pause` reason records `counter.paused` (a break, a meeting) instead
    /// of `counter.closed`. A counter holding a ticket does not close.
    public func setCounter(
        office id: OfficeID, counter counterID: CounterID, open: Bool, pause: PauseReason? = nil, by staff: String? = nil,
        in ledger: inout some QueueLedger
    ) throws -> CommandResult<CounterState> {
        let office = try requireOffice(id, in: ledger)
        guard office.counter(counterID) != nil else { throw QueueError.counterNotFound(counterID) }
        let state = try ledger.counterState(id, counterID) ?? CounterState(id: counterID)
        if state.open == open { return CommandResult(value: state, events: [], created: false) }
        if !open, let held = try currentTicket(of: state, in: ledger) {
            throw QueueError.counterBusy(counterID, current: held.number)
        }
        let instant = now()
        var data = Self.audit(staff)
        if !open, let pause { data[PayloadKey.reason] = .string(pause.rawValue) }
        let event = try ledger.append(
            Event(
                at: instant, utcOffsetSeconds: office.zone.secondsFromGMT(for: instant), office: id,
                type: open ? .counterOpened : (pause == nil ? .counterClosed : .counterPaused), counter: counterID, data: data))
        let next = state.evolved(by: event)
        try ledger.save(counter: next, office: id)
        return CommandResult(value: next, events: [event])
    }

    // MARK: Shared steps

    /// Now, to the millisecond: what every store can keep exactly, and what event times show.
    public func now() -> Date {
        Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    private func actOnCurrent(
        _ action: TicketAction, office id: OfficeID, counter counterID: CounterID, by staff: String?,
        in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        let office = try requireOffice(id, in: ledger)
        guard office.counter(counterID) != nil else { throw QueueError.counterNotFound(counterID) }
        let state = try ledger.counterState(id, counterID) ?? CounterState(id: counterID)
        guard let ticket = try currentTicket(of: state, in: ledger) else { throw QueueError.counterIdle(counterID) }
        return try apply(action, to: ticket, office: office, by: staff, in: &ledger)
    }

    /// The audit trail: which staff account made a change, in the event's `data`.
    static func audit(_ staff: String?) -> [String: JSONValue] {
        staff.map { [PayloadKey.staff.rawValue: .string($0)] } ?? [:]
    }

    /// The one path by which a ticket changes: decide, append the event, and evolve the ticket and the counters
    /// it touches by that event, each write guarded on the state it was decided from.
    func apply(
        _ action: TicketAction, to ticket: Ticket, office: Office, by staff: String? = nil, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        var decided = try TicketMachine.decide(action, on: ticket, at: now(), policy: office.policy, zone: office.zone)
        decided.data.merge(Self.audit(staff)) { own, _ in own }
        let event = try ledger.append(decided)
        let next = ticket.evolved(by: event)
        try ledger.update(next, expecting: ticket.status)
        try LineRank.record(from: ticket, to: next, in: &ledger)
        try enqueueAlerts(for: event, ticket: next, office: office, in: &ledger)
        for counterID in Set([ticket.counter, event.counter].compactMap { $0 }) {
            let state = try ledger.counterState(office.id, counterID) ?? CounterState(id: counterID)
            let evolved = state.evolved(by: event)
            if evolved != state { try ledger.save(counter: evolved, office: office.id) }
        }
        return CommandResult(value: next, events: [event])
    }

    private func currentTicket(of state: CounterState, in ledger: some QueueReader) throws -> Ticket? {
        guard let id = state.current, let ticket = try ledger.ticket(id), ticket.holdsCounter, ticket.counter == state.id
        else { return nil }
        return ticket
    }

    func requireOffice(_ id: OfficeID, in ledger: some QueueReader) throws -> Office {
        guard var office = try ledger.office(id) else { throw QueueError.officeNotFound(id) }
        if let grace = noShowGraceOverride { office.policy.noShowGraceSeconds = grace }
        return office
    }

    private func replay(
        office: OfficeID, scope: String, key: String, fingerprint: String, in ledger: some QueueReader
    ) throws -> Ticket? {
        guard let record = try ledger.idempotencyRecord(office: office, scope: scope, key: key) else { return nil }
        guard record.fingerprint == fingerprint else { throw QueueError.idempotencyKeyReused }
        return try ledger.ticket(record.ticket)
    }
}
