import Foundation

/// Arrival check-in: a remote holder on their way checks in (or says how long they need now). Their ticket keeps
/// its place meanwhile (`Ticket.onTheWay`); the office's `policy.arrivalCheckIn` decides whether tickets are held.
extension QueueCommands {
    /// Arrival check-in: the holder of a remote ticket on their way is here, and from now on the ticket may be
    /// called from the place it kept. Checking in twice, or a ticket that never waited for it, is not an error.
    public func checkIn(ticket id: TicketID, by staff: String?, in ledger: inout some QueueLedger) throws -> CommandResult<Ticket> {
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        guard ticket.onTheWay else {
            guard !ticket.isTerminal else { throw QueueError.invalidTransition(from: ticket.status, action: TicketAction.checkIn.verb) }
            return CommandResult(value: ticket, events: [], created: false)
        }
        let office = try requireOffice(ticket.office, in: ledger)
        return try apply(.checkIn, to: ticket, office: office, by: staff, in: &ledger)
    }

    /// Check-in at reception, by the printed number of one of today's tickets.
    public func checkIn(
        office id: OfficeID, number: TicketNumber, by staff: String?, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        let office = try requireOffice(id, in: ledger)
        guard let ticket = try ledger.ticket(office: id, date: LocalDate(now(), in: office.zone), number: number) else {
            throw QueueError.ticketNotFound
        }
        return try checkIn(ticket: ticket.id, by: staff, in: &ledger)
    }

    /// The holder of a remote ticket on their way says how long they need now (nearer, or held up): "come now" is
    /// decided on the new time from here on. Only while the ticket waits for them (`onTheWay`), or, in an office
    /// without arrival check-in, while a remote ticket waits.
    public func changeTravel(ticket id: TicketID, minutes: Int, in ledger: inout some QueueLedger) throws -> CommandResult<Ticket> {
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        guard IssueRequest.travelMinutesRange.contains(minutes) else {
            throw QueueError.invalidInput(field: "travelMinutes", reason: "must be 1-240")
        }
        let office = try requireOffice(ticket.office, in: ledger)
        guard ticket.channel.isRemote, ticket.onTheWay || !office.policy.arrivalCheckIn else {
            throw QueueError.invalidInput(field: "travelMinutes", reason: "only for a remote ticket whose holder is on the way")
        }
        guard ticket.status == .waiting else { throw QueueError.invalidTransition(from: ticket.status, action: "given a travel time") }
        let event = try ledger.append(
            Event(.ticketTravelChanged, ticket: ticket, at: now(), zone: office.zone, data: Payload.travelChanged(minutes: minutes)))
        return CommandResult(value: ticket, events: [event])
    }
}
