import Foundation

/// One tap on five faces after the visit (`feedback.given`): the score, the procedure, the wait it came after, and
/// nothing else: no text, no contact. Reports show satisfaction against wait.
extension QueueCommands {
    public static let ratings = 1...5

    /// The holder of a completed ticket rates the visit, once. The wait recorded is the ticket's in its last line,
    /// from joining it to its call.
    public func rate(ticket id: TicketID, rating: Int, in ledger: inout some QueueLedger) throws -> CommandResult<Event> {
        guard Self.ratings.contains(rating) else { throw QueueError.invalidInput(field: "rating", reason: "1 to 5") }
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        guard ticket.status == .completed else { throw QueueError.invalidTransition(from: ticket.status, action: "rate") }
        guard try !ledger.hasEvent(ticket: id, type: .feedbackGiven) else { throw QueueError.alreadyRated }
        let office = try requireOffice(ticket.office, in: ledger)
        let waited = ticket.calledAt.map { max(0, Int($0.timeIntervalSince(ticket.queuedAt).rounded())) }
        let data = Payload.feedback(rating: rating, waitSeconds: waited)
        let event = try ledger.append(
            Event(
                at: now(), utcOffsetSeconds: office.zone.secondsFromGMT(for: now()), office: ticket.office, type: .feedbackGiven,
                ticket: ticket.id, service: ticket.service, channel: ticket.channel, data: data))
        return CommandResult(value: event, events: [event], created: true)
    }

    /// A rating given at the office's kiosk after a visit: tied to no ticket, so with no wait.
    public func rateAtKiosk(office id: OfficeID, rating: Int, in ledger: inout some QueueLedger) throws -> CommandResult<Event> {
        guard Self.ratings.contains(rating) else { throw QueueError.invalidInput(field: "rating", reason: "1 to 5") }
        let office = try requireOffice(id, in: ledger)
        let event = try ledger.append(
            Event(
                at: now(), utcOffsetSeconds: office.zone.secondsFromGMT(for: now()), office: id, type: .feedbackGiven, channel: .kiosk,
                data: Payload.feedback(rating: rating, waitSeconds: nil)))
        return CommandResult(value: event, events: [event], created: true)
    }
}
