import Foundation
import QueueCore

/// Writes a simulated day in the project's event language, so that analytics and prediction read simulated and real
/// days alike (each `ticket.issued` carries `data.simulated: true`). Ticket tokens are drawn from the day's seed, so the same seed gives the same log, byte for byte.
public struct EventLogBuilder {
    let model: OfficeModel
    let date: LocalDate
    let opening: Date
    let offset: Int
    private var rng: SeededRandom
    private var ids: [TicketID] = []
    /// The printed number of each ticket: it keeps its first procedure's letter through transfers.
    private var numbers: [TicketNumber] = []
    public private(set) var seq: Int64

    public init(model: OfficeModel, date: LocalDate, seed: UInt64, office: Int, day: Int, firstSeq: Int64 = 1) {
        self.model = model
        self.date = date
        let zone = model.office.zone
        let midnight = date.interval(in: zone).start
        opening = midnight.addingTimeInterval(Double(model.opens))
        offset = zone.secondsFromGMT(for: opening)
        rng = SeededRandom(seed: seed, stream: UInt64(office), UInt64(day), 0x70C3)
        seq = firstSeq
    }

    /// The day's `roster.planned` events, one per counter, stamped at opening: what the roster plans, before anything
    /// happens. After closing, counters stay on until everyone holding a ticket is served; the plan does not say so.
    public mutating func rosterPlanned(_ roster: Roster) -> [Event] {
        model.counters.indices.map { c in
            let plan = CounterPlan(
                counter: model.office.counters[c].id, procedures: model.office.counters[c].services,
                open: model.plannedOpen(counter: c, roster: roster))
            var event = plan.event(office: model.office.id, at: opening, zone: model.office.zone)
            event.seq = seq
            seq += 1
            return event
        }
    }

    /// The log event for one thing the floor did.
    public mutating func event(for f: FloorEvent) -> Event {
        // Whole milliseconds, as the live server stamps them.
        let at = Date(timeIntervalSince1970: ((opening.timeIntervalSince1970 + f.at) * 1000).rounded() / 1000)
        var event = Event(seq: seq, at: at, utcOffsetSeconds: offset, office: model.office.id, type: f.type)
        seq += 1
        if f.counter >= 0 { event.counter = model.office.counters[f.counter].id }
        guard f.ticket >= 0 else { return event }
        if f.type == .ticketIssued {
            precondition(f.ticket == ids.count, "tickets are issued in order")
            ids.append(TicketID.random(using: &rng))
            numbers.append(TicketNumber(prefix: model.office.procedures[f.procedure].prefix, sequence: f.sequence))
            // Every day the twin writes says so, so that no report or open data passes it off as a real office's.
            // What a remote holder would have given as their journey, in the server's range.
            let travel = f.remote ? min(IssueRequest.travelMinutesRange.upperBound, max(1, Int((f.travel / 60).rounded(.up)))) : nil
            event.data = Payload.issued(
                businessDate: date, language: "ja", travelMinutes: travel,
                awaitsArrival: f.remote && model.office.policy.arrivalCheckIn, simulated: true)
        }
        event.ticket = ids[f.ticket]
        event.number = numbers[f.ticket]
        event.service = model.office.procedures[f.procedure].id
        event.priority = f.priority
        event.channel = f.remote ? .web : .kiosk
        if f.type == .ticketTransferred, f.from >= 0 {
            event.data = Payload.transferred(from: model.office.procedures[f.from].id)
        }
        if f.type == .ticketPostponed {
            // The twin's only postponement is the holder's own "running late", as `TicketMachine` records it.
            event.data = Payload.postponed(by: .citizen)
        }
        return event
    }
}
