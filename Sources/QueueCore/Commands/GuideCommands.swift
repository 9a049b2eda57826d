import Foundation

/// The form-writing guide's answers: what a holder fills in while waiting, kept for the ticket's day only.
extension QueueCommands {
    /// Replaces what the holder of `ticket` filled in of its procedure's guide with `answers`, checked against the
    /// guide (`FormGuide.checked`). Only while the ticket waits or is being called; no event is written, since the
    /// log outlives the day.
    public func fillGuide(ticket id: TicketID, answers: [String: String], in ledger: inout some QueueLedger) throws -> GuideAnswers {
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        let office = try requireOffice(ticket.office, in: ledger)
        guard let guide = office.procedure(ticket.service)?.guide else {
            throw QueueError.invalidInput(field: "guide", reason: "this procedure has no form-writing guide")
        }
        let kept = try guide.checked(answers)
        guard ticket.status == .waiting || ticket.status == .called || ticket.status == .serving else {
            throw QueueError.invalidTransition(from: ticket.status, action: "given guide answers")
        }
        let filled = GuideAnswers(
            ticket: id, office: ticket.office, businessDate: ticket.businessDate, service: ticket.service, number: ticket.number,
            answers: kept, updatedAt: now())
        try ledger.save(guideAnswers: filled)
        return filled
    }
}
