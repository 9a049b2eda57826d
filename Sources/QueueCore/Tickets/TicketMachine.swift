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
    /// Arrival check-in: the holder of a remote ticket on their way is here (the ticket page, the kiosk, reception).
    case checkIn

    public enum Actor: String, Sendable { case staff, citizen }

    /// The lifecycle step this action asks for.
    public var step: TicketStep {
        switch self {
        case .call: .call
        case .recall: .recall
        case .start: .start
        case .complete: .complete
        case .noShow: .noShow
        case .postpone(.staff): .hold
        case .postpone(.citizen): .runningLate
        case .transfer: .transfer
        case .cancel: .cancel
        case .reactivate: .reactivate
        case .expire: .expire
        case .checkIn: .checkIn
        }
    }

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
        case .checkIn: "checked in"
        }
    }
}

/// One step of the ticket lifecycle, apart from who asked for it and what it carries.
public enum TicketStep: Sendable, CaseIterable {
    case call, recall, start, complete, noShow, hold, runningLate, transfer, cancel, expire, reactivate, checkIn
}

/// The ticket lifecycle of DESIGN.md as one table: which statuses allow each step, and the status each event
/// leaves. `TicketMachine` guards live commands with it, `Ticket.evolved(by:)` applies it, and the twin, which keeps
/// its tickets in a compact form of its own, moves them through the same table.
public enum TicketLifecycle {
    /// The status after `step`, or nil when `status` does not allow it.
    @inlinable
    public static func next(_ step: TicketStep, from status: TicketStatus) -> TicketStatus? {
        switch (step, status) {
        case (.call, .waiting): .called
        case (.recall, .called): .called
        case (.start, .called): .serving
        case (.complete, .called), (.complete, .serving): .completed
        case (.noShow, .called): .noShow
        case (.hold, .called), (.hold, .serving): .waiting
        case (.runningLate, .waiting), (.runningLate, .called): .waiting
        case (.transfer, .called), (.transfer, .serving): .waiting
        case (.cancel, .waiting), (.cancel, .called): .cancelled
        case (.expire, .waiting), (.expire, .called), (.expire, .serving): .cancelled
        case (.reactivate, .noShow): .waiting
        case (.checkIn, .waiting): .waiting
        default: nil
        }
    }

    /// The status a ticket has after an event of `type`; nil for events that leave the status alone.
    @inlinable
    public static func status(after type: EventType) -> TicketStatus? {
        switch type {
        case .ticketCalled, .ticketRecalled: .called
        case .ticketServing: .serving
        case .ticketCompleted: .completed
        case .ticketNoShow: .noShow
        case .ticketCancelled, .ticketExpired: .cancelled
        case .ticketTransferred, .ticketPostponed, .ticketReactivated: .waiting
        case .ticketIssued, .counterOpened, .counterClosed, .counterPaused, .rosterPlanned, .feedbackGiven, .alertRaised, .ticketComeNow,
            .reformRecorded, .counterSkillsChanged, .ticketArrived, .ticketTravelChanged, .issuingStopped, .issuingResumed:
            nil
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
        guard TicketLifecycle.next(action.step, from: ticket.status) != nil else {
            throw QueueError.invalidTransition(from: ticket.status, action: action.verb)
        }
        switch action {
        case .call(let counter):
            var event = Event(.ticketCalled, ticket: ticket, at: now, zone: zone)
            event.counter = counter
            return event
        case .recall:
            return Event(.ticketRecalled, ticket: ticket, at: now, zone: zone, data: ["recalls": .int(ticket.recalls + 1)])
        case .start:
            return Event(.ticketServing, ticket: ticket, at: now, zone: zone)
        case .complete:
            // A clerk may complete straight from "called"; the service time then counts from the call.
            return Event(.ticketCompleted, ticket: ticket, at: now, zone: zone)
        case .noShow:
            guard let calledAt = ticket.calledAt else {
                throw QueueError.invalidTransition(from: ticket.status, action: action.verb)
            }
            let waited = now.timeIntervalSince(calledAt)
            if waited < Double(policy.noShowGraceSeconds) {
                throw QueueError.graceNotElapsed(remainingSeconds: Int((Double(policy.noShowGraceSeconds) - waited).rounded(.up)))
            }
            return Event(.ticketNoShow, ticket: ticket, at: now, zone: zone)
        case .postpone(let actor):
            guard ticket.deferrals < policy.maxDeferrals else {
                throw QueueError.deferralLimitReached(limit: policy.maxDeferrals)
            }
            return Event(.ticketPostponed, ticket: ticket, at: now, zone: zone, data: Payload.postponed(by: actor))
        case .transfer(let target):
            guard target != ticket.service else { throw QueueError.sameService }
            var event = Event(.ticketTransferred, ticket: ticket, at: now, zone: zone, data: Payload.transferred(from: ticket.service))
            event.service = target
            return event
        case .cancel:
            return Event(.ticketCancelled, ticket: ticket, at: now, zone: zone)
        case .expire:
            return Event(.ticketExpired, ticket: ticket, at: now, zone: zone, data: ["status": .string(ticket.status.rawValue)])
        case .reactivate:
            guard let missedAt = ticket.finishedAt else {
                throw QueueError.invalidTransition(from: ticket.status, action: action.verb)
            }
            guard now.timeIntervalSince(missedAt) <= Double(policy.reactivateWindowSeconds) else {
                throw QueueError.reactivationWindowPassed
            }
            return Event(.ticketReactivated, ticket: ticket, at: now, zone: zone)
        case .checkIn:
            guard ticket.onTheWay else { throw QueueError.invalidTransition(from: ticket.status, action: action.verb) }
            return Event(.ticketArrived, ticket: ticket, at: now, zone: zone)
        }
    }
}

extension Ticket {
    /// The ticket a `ticket.issued` event creates; nil for any other event or one missing its fields.
    public init?(issuedBy event: Event) {
        guard event.type == .ticketIssued, let id = event.ticket, let number = event.number,
            let service = event.service, let channel = event.channel,
            let date = event.businessDate
        else { return nil }
        self.init(
            id: id, office: event.office, service: service, number: number, businessDate: date, channel: channel,
            priority: event.priority ?? 0, language: event.language ?? "ja", status: .waiting,
            issuedAt: event.at, queuedAt: event.at, calledAt: nil, servingAt: nil, finishedAt: nil, counter: nil,
            deferrals: 0, recalls: 0, stage: 1, onTheWay: event.awaitsArrival)
    }

    /// This ticket after `event`. Events about other tickets, and counter events, leave it as it is.
    public func evolved(by event: Event) -> Ticket {
        guard event.ticket == id else { return self }
        var next = self
        if let status = TicketLifecycle.status(after: event.type) { next.status = status }
        switch event.type {
        case .ticketCalled:
            next.counter = event.counter
            next.calledAt = event.at
        case .ticketRecalled:
            next.recalls += 1
            next.calledAt = event.at
        case .ticketServing:
            next.servingAt = event.at
        case .ticketCompleted:
            next.finishedAt = event.at
        case .ticketNoShow:
            next.finishedAt = event.at
        case .ticketCancelled, .ticketExpired:
            next.finishedAt = event.at
            next.counter = nil
        case .ticketArrived:
            next.onTheWay = false
        case .ticketTransferred:
            next.service = event.service ?? service
            next.queuedAt = event.at
            next.counter = nil
            next.calledAt = nil
            next.servingAt = nil
            next.recalls = 0
            next.stage += 1
        case .ticketPostponed:
            next.queuedAt = event.at
            next.counter = nil
            next.calledAt = nil
            next.deferrals += 1
        case .ticketReactivated:
            // Back at its old place in the line: it was already called once, and its holder is here.
            next.counter = nil
            next.calledAt = nil
            next.finishedAt = nil
            next.onTheWay = false
        case .ticketIssued, .counterOpened, .counterClosed, .counterPaused, .rosterPlanned, .feedbackGiven, .alertRaised, .ticketComeNow,
            .reformRecorded, .counterSkillsChanged, .ticketTravelChanged, .issuingStopped, .issuingResumed:
            break
        }
        return next
    }
}
