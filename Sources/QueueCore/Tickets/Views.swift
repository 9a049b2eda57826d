import Foundation

/// A ticket as its holder sees it: where it stands and how long is left.
public struct TicketView: Sendable, Equatable {
    public var ticket: Ticket
    public var office: Office
    /// 1 for the next to be called; nil unless waiting.
    public var position: Int?
    public var estimate: WaitEstimate?

    public var counter: Counter? { ticket.counter.flatMap(office.counter) }
}

/// The public live view of an office: who is being served where, and how long each line is. No personal data.
public struct OfficeSnapshot: Codable, Sendable, Equatable {
    public struct Serving: Codable, Sendable, Equatable {
        public var counter: CounterID
        public var label: String
        public var open: Bool
        public var number: TicketNumber?
        public var service: ServiceID?
        public var status: TicketStatus?
        /// How many times the held ticket has been called here (1, then 2 after a recall): a board announces
        /// again when this grows.
        public var calls: Int?
    }

    public struct LineSummary: Codable, Sendable, Equatable {
        public var service: ServiceID
        public var waiting: Int
        /// The wait of a ticket taken now: the QL formula here; the live twin estimate once the server's hub has
        /// made one (`estimateMethod` says which).
        public var estimate: WaitEstimate?
        public var estimateMethod: String?
        /// The twin's estimate for the last ticket in this line (the longest remaining wait), when made.
        public var lastInLine: WaitEstimate?
    }

    public var office: OfficeID
    public var seq: Int64
    public var counters: [Serving]
    public var lines: [LineSummary]
}

/// One waiting ticket in the staff queue view.
public struct QueueEntry: Codable, Sendable, Equatable {
    public var number: TicketNumber
    public var service: ServiceID
    public var priority: Int
    public var channel: Channel
    public var waitedSeconds: Int
}

/// Read models built from a `QueueReader`; one place for what "position" and "open servers" mean.
public enum QueueViews {
    public static func ticketView(_ id: TicketID, in reader: some QueueReader) throws -> TicketView? {
        guard let ticket = try reader.ticket(id) else { return nil }
        return try view(of: ticket, in: reader)
    }

    /// The view of a ticket already in hand, such as the one a command just wrote.
    public static func view(of ticket: Ticket, in reader: some QueueReader) throws -> TicketView? {
        guard let office = try reader.office(ticket.office) else { return nil }
        guard ticket.status == .waiting else { return TicketView(ticket: ticket, office: office) }
        let position = try reader.waitingAhead(of: ticket) + 1
        let open = Set(try reader.counterStates(office: office.id).filter(\.open).map(\.id))
        let wait = estimate(position: position, service: ticket.service, office: office, openCounters: open)
        return TicketView(ticket: ticket, office: office, position: position, estimate: wait)
    }

    /// The QL estimate for `position` in a procedure's line. It counts the open counters that serve the procedure,
    /// or, when none is open, those configured for it (they are expected to open).
    public static func estimate(
        position: Int, service: ServiceID, office: Office, openCounters: Set<CounterID>
    ) -> WaitEstimate? {
        guard let procedure = office.procedure(service) else { return nil }
        let serving = office.counters.filter { $0.services.contains(service) }
        let open = serving.count { openCounters.contains($0.id) }
        return QueueLengthEstimator.estimate(
            position: position, servers: open > 0 ? open : serving.count,
            meanServiceSeconds: Double(procedure.typicalServiceSeconds))
    }

    public static func snapshot(office id: OfficeID, at now: Date, in reader: some QueueReader) throws -> OfficeSnapshot? {
        guard let office = try reader.office(id) else { return nil }
        let today = LocalDate(now, in: office.zone)
        let waiting = try reader.waitingTickets(office: id, date: today)
        let states = Dictionary(try reader.counterStates(office: id).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var counters: [OfficeSnapshot.Serving] = []
        for counter in office.counters {
            let state = states[counter.id] ?? CounterState(id: counter.id)
            let held = try state.current.flatMap { try reader.ticket($0) }.flatMap { $0.holdsCounter ? $0 : nil }
            counters.append(
                .init(
                    counter: counter.id, label: counter.label, open: state.open, number: held?.number,
                    service: held?.service, status: held?.status, calls: held.map { $0.recalls + 1 }))
        }
        let open = Set(states.values.filter(\.open).map(\.id))
        let lines = office.procedures.map { procedure in
            let count = waiting.count { $0.service == procedure.id }
            let wait = estimate(position: count + 1, service: procedure.id, office: office, openCounters: open)
            return OfficeSnapshot.LineSummary(
                service: procedure.id, waiting: count, estimate: wait, estimateMethod: wait == nil ? nil : "queue-length")
        }
        let seq = try reader.lastEventSeq(office: id)
        return OfficeSnapshot(office: id, seq: seq, counters: counters, lines: lines)
    }

    public static func queue(office id: OfficeID, at now: Date, in reader: some QueueReader) throws -> [QueueEntry]? {
        guard let office = try reader.office(id) else { return nil }
        return try reader.waitingTickets(office: id, date: LocalDate(now, in: office.zone)).map {
            QueueEntry(
                number: $0.number, service: $0.service, priority: $0.priority, channel: $0.channel,
                waitedSeconds: max(0, Int(now.timeIntervalSince($0.issuedAt))))
        }
    }
}
