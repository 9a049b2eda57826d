/// Everything the domain refuses, with a stable machine-readable code. The web layer maps each to an HTTP status;
/// the command line prints the message.
public enum QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    case officeNotFound(OfficeID)
    case serviceNotFound(ServiceID)
    case serviceClosed(ServiceID)
    /// 受付終了: no more tickets for the procedure today.
    case issuingStopped(ServiceID)
    /// Outside the opening hours, or a closed day; `opensNext` says when it opens again ("2027-01-04 09:00").
    case officeClosedNow(opensNext: String?)
    case counterNotFound(CounterID)
    case counterClosed(CounterID)
    case counterBusy(CounterID, current: TicketNumber)
    case counterIdle(CounterID)
    case counterCannotServe(CounterID, ServiceID)
    case ticketNotFound
    case invalidTransition(from: TicketStatus, action: String)
    case graceNotElapsed(remainingSeconds: Int)
    case reactivationWindowPassed
    case deferralLimitReached(limit: Int)
    case idempotencyKeyReused
    /// The ticket's holder has already rated the visit.
    case alreadyRated
    case sameService
    case invalidInput(field: String, reason: String)
    /// The input holds a My Number (`MyNumber`), which is never accepted, stored or logged.
    case myNumberRefused
    /// A store could not commit (disk full, database locked too long). Nothing was changed.
    case storageUnavailable(String)

    public var code: String {
        switch self {
        case .officeNotFound: "office_not_found"
        case .serviceNotFound: "service_not_found"
        case .serviceClosed: "service_closed"
        case .issuingStopped: "issuing_stopped"
        case .officeClosedNow: "office_closed"
        case .counterNotFound: "counter_not_found"
        case .counterClosed: "counter_closed"
        case .counterBusy: "counter_busy"
        case .counterIdle: "no_current_ticket"
        case .counterCannotServe: "counter_cannot_serve"
        case .ticketNotFound: "ticket_not_found"
        case .invalidTransition: "invalid_transition"
        case .graceNotElapsed: "grace_not_elapsed"
        case .reactivationWindowPassed: "reactivation_window_passed"
        case .deferralLimitReached: "deferral_limit_reached"
        case .idempotencyKeyReused: "idempotency_key_reused"
        case .alreadyRated: "already_rated"
        case .sameService: "same_service"
        case .invalidInput: "invalid_input"
        case .myNumberRefused: "my_number_refused"
        case .storageUnavailable: "storage_unavailable"
        }
    }

    public var description: String { message }

    public var message: String {
        switch self {
        case .officeNotFound(let id): "No office '\(id)'."
        case .serviceNotFound(let id): "No procedure '\(id)' at this office."
        case .serviceClosed(let id): "The procedure '\(id)' is not taking tickets now."
        case .issuingStopped(let id): "The office stopped issuing tickets for '\(id)' today (受付終了); please come on another day."
        case .officeClosedNow(let next):
            "The office is closed now (outside its opening hours, or a closed day)" + (next.map { "; it opens next on \($0)." } ?? ".")
        case .counterNotFound(let id): "No counter '\(id)' at this office."
        case .counterClosed(let id): "Counter \(id) is closed; open it first."
        case .counterBusy(let id, let n): "Counter \(id) still has \(n); complete, release or transfer it first."
        case .counterIdle(let id): "Counter \(id) has no current ticket."
        case .counterCannotServe(let c, let s): "Counter \(c) does not serve '\(s)'."
        case .ticketNotFound: "No such ticket."
        case .invalidTransition(let from, let action): "A ticket that is \(from.rawValue) cannot be \(action)."
        case .graceNotElapsed(let s): "The no-show grace has not passed; wait \(s) more seconds."
        case .reactivationWindowPassed: "The window to bring back this no-show has passed."
        case .deferralLimitReached(let n): "This ticket has already been put back \(n) time(s), the limit."
        case .idempotencyKeyReused: "This Idempotency-Key was used with a different request."
        case .alreadyRated: "This visit has already been rated. Thank you."
        case .sameService: "The ticket is already in that procedure."
        case .invalidInput(let field, let reason): "\(field): \(reason)"
        case .myNumberRefused: "This looks like a My Number (マイナンバー). It is never accepted here; please remove it."
        // The detail stays in the server's log; it can name tables and files.
        case .storageUnavailable: "The store could not commit the change, and nothing was changed. Retry shortly."
        }
    }
}
