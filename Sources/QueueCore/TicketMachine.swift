import Foundation

/// What staff or a citizen asks of one ticket.
public enum TicketAction: Sendable, Equatable {
    case call(CounterID)
    case recall
    case start
    case complete
    case noShow
    /// Back to the end of its line: a staff hold, or the citizen's "running late" (one deferral by default).
    case postpone(by: Actor)
    case transfer(to: ServiceID)
    case cancel
    case reactivate
    /// The business day ended with the ticket still open.
    case expire

    public enum Actor: String, Sendable { case staff, citizen }

    var verb: String {
        switch self {
        case .call: "called"
        case .recall: "recalled"
        case .start: "started"
        case .complete: "completed"
        case .noShow: "marked no-show"
        case .postpone: "put back"
        case .transfer: "transferred"
        case .cancel: "cancelled"
        case .reactivate: "reactivated"
        case .expire: "expired"
        }
    }
}

/// The ticket lifecycle of DESIGN.md in two halves:
/// - `decide` checks that an action is allowed now and says what happened, as an event;
/// - `Ticket.evolved(by:)` applies an event.
/// Live commands, the twin and log replay all go through `evolved(by:)`, so a replayed log rebuilds exactly the
/// state the commands built.
public enum TicketMachine {
    public static func decide(
        _ action: TicketAction, on ticket: Ticket, at now: Date, policy: OfficePolicy, zone: TimeZone
    ) throws -> Event {
        func refuse() -> QueueError { .invalidTransition(from: ticket.status, action: action.verb) }
        switch action {
        case .call(let counter):
            guard ticket.status == .waiting else { throw refuse() }
            var event = Event(.ticketCalled, ticket: ticket, at: now, zone: zone)
            event.counter = counter
            return event
        case .recall:
            guard ticket.status == .called else { throw refuse() }
            return Event(.ticketRecalled, ticket: ticket, at: now, zone: zone, data: ["recalls": .int(ticket.recalls + 1)])
        case .start:
            guard ticket.status == .called else { throw refuse() }
            return Event(.ticketServing, ticket: ticket, at: now, zone: zone)
        case .complete:
            // A clerk may complete straight from "called"; the service time then counts from the call.
            guard ticket.holdsCounter else { throw refuse() }
            return Event(.ticketCompleted, ticket: ticket, at: now, zone: zone)
        case .noShow:
            guard ticket.status == .called, let calledAt = ticket.calledAt else { throw refuse() }
            let waited = now.timeIntervalSince(calledAt)
            if waited < Double(policy.noShowGraceSeconds) {
                throw QueueError.graceNotElapsed(remainingSeconds: Int((Double(policy.noShowGraceSeconds) - waited).rounded(.up)))
            }
            return Event(.ticketNoShow, ticket: ticket, at: now, zone: zone)
        case .postpone(let actor):
            switch actor {
            case .staff: guard ticket.holdsCounter else { throw refuse() }
            case .citizen: guard ticket.status == .waiting || ticket.status == .called else { throw refuse() }
            }
            guard ticket.deferrals < policy.maxDeferrals else {
                throw QueueError.deferralLimitReached(limit: policy.maxDeferrals)
            }
            return Event(.ticketPostponed, ticket: ticket, at: now, zone: zone, data: ["by": .string(actor.rawValue)])
        case .transfer(let target):
            guard ticket.holdsCounter else { throw refuse() }
            guard target != ticket.service else { throw QueueError.sameService }
            var event = Event(.ticketTransferred, ticket: ticket, at: now, zone: zone, data: ["from": .string(ticket.service.rawValue)])
            event.service = target
            return event
        case .cancel:
            guard ticket.status == .waiting || ticket.status == .called else { throw refuse() }
            return Event(.ticketCancelled, ticket: ticket, at: now, zone: zone)
        case .expire:
            guard ticket.status == .waiting || ticket.holdsCounter else { throw refuse() }
            return Event(.ticketExpired, ticket: ticket, at: now, zone: zone, data: ["status": .string(ticket.status.rawValue)])
        case .reactivate:
            guard ticket.status == .noShow, let missedAt = ticket.finishedAt else { throw refuse() }
            guard now.timeIntervalSince(missedAt) <= Double(policy.reactivateWindowSeconds) else {
                throw QueueError.reactivationWindowPassed
            }
            return Event(.ticketReactivated, ticket: ticket, at: now, zone: zone)
        }
    }
}

extension Ticket {
    /// The ticket a `ticket.issued` event creates; nil for any other event or one missing its fields.
    public init?(issuedBy event: Event) {
        guard event.type == .ticketIssued, let id = event.ticket, let number = event.number,
            let service = event.service, let channel = event.channel,
            let date = event.data["businessDate"]?.stringValue.flatMap(LocalDate.init(parsing:))
        else { return nil }
        self.init(
            id: id, office: event.office, service: service, number: number, businessDate: date, channel: channel,
            priority: event.priority ?? 0, language: event.data["language"]?.stringValue ?? "ja", status: .waiting,
            issuedAt: event.at, queuedAt: event.at, calledAt: nil, servingAt: nil, finishedAt: nil, counter: nil,
            deferrals: 0, recalls: 0, stage: 1)
    }

    /// This ticket after `event`. Events about other tickets, and counter events, leave it as it is.
    public func evolved(by event: Event) -> Ticket {
        guard event.ticket == id else { return self }
        var next = self
        switch event.type {
        case .ticketCalled:
            next.status = .called
            next.counter = event.counter
            next.calledAt = event.at
        case .ticketRecalled:
            next.recalls += 1
            next.calledAt = event.at
        case .ticketServing:
            next.status = .serving
            next.servingAt = event.at
        case .ticketCompleted:
            next.status = .completed
            next.finishedAt = event.at
        case .ticketNoShow:
            next.status = .noShow
            next.finishedAt = event.at
        case .ticketCancelled, .ticketExpired:
            next.status = .cancelled
            next.finishedAt = event.at
            next.counter = nil
        case .ticketTransferred:
            next.status = .waiting
            next.service = event.service ?? service
            next.queuedAt = event.at
            next.counter = nil
            next.calledAt = nil
            next.servingAt = nil
            next.recalls = 0
            next.stage += 1
        case .ticketPostponed:
            next.status = .waiting
            next.queuedAt = event.at
            next.counter = nil
            next.calledAt = nil
            next.deferrals += 1
        case .ticketReactivated:
            // Back at its old place in the line: it was already called once.
            next.status = .waiting
            next.counter = nil
            next.calledAt = nil
            next.finishedAt = nil
        case .ticketIssued, .counterOpened, .counterClosed, .counterPaused, .feedbackGiven, .alertRaised:
            break
        }
        return next
    }
}
