import Foundation

// The store's ports, one per kind of consumer. `QueueStore` is all of them; a consumer that needs only some asks
// for those (`any AlertOutbox & OfficeLog`), so what it may do is in its type.

/// What every port has: the store's clock.
public protocol StoreClock: Sendable {
    var clock: any WallClock { get }
}

/// The offices and their log: configuration, counter states, read models, events. The runtime and every page read
/// through it.
public protocol OfficeLog: StoreClock {
    /// Every command's events, told to listeners after they commit (`Commits`).
    var commits: Commits { get }
    func importOffice(_ office: Office) async throws -> [Event]
    /// Appends events of earlier days to the log in one transaction (`QueueCommands.importHistory`).
    func importHistory(_ events: [Event]) async throws -> Int
    func offices() async throws -> [Office]
    func counterStates(office: OfficeID) async throws -> [CounterState]
    func ticketView(_ id: TicketID) async throws -> TicketView?
    func snapshot(office: OfficeID) async throws -> OfficeSnapshot?
    func queue(office: OfficeID) async throws -> [QueueEntry]?
    func events(office: OfficeID, date: LocalDate?, afterSeq: Int64, limit: Int) async throws -> [Event]
    func lastEventSeq(office: OfficeID) async throws -> Int64
}

/// The commands on tickets and counters: a citizen's, a clerk's, a supervisor's.
public protocol TicketDesk: StoreClock {
    func issue(_ request: IssueRequest, idempotencyKey: String?) async throws -> CommandResult<TicketView>
    func citizenAction(_ action: CitizenAction, ticket: TicketID) async throws -> CommandResult<TicketView>
    /// Arrival check-in (`QueueCommands.checkIn`): by the holder (`staff` nil), a kiosk or a clerk.
    func checkIn(ticket: TicketID, by staff: String?) async throws -> CommandResult<TicketView>
    func checkIn(office: OfficeID, number: TicketNumber, by staff: String?) async throws -> CommandResult<TicketView>
    /// 受付終了 for today, or its undoing (`QueueCommands.setIssuing`).
    func setIssuing(office: OfficeID, services: [ServiceID]?, stopped: Bool, by staff: String) async throws -> CommandResult<Office>
    /// A remote holder on the way gives a new travel time (`QueueCommands.changeTravel`).
    func changeTravel(ticket: TicketID, minutes: Int) async throws -> CommandResult<TicketView>
    // Staff commands take the acting account's name for the audit trail (`data.staff` of their events).
    func callNext(
        office: OfficeID, counter: CounterID, idempotencyKey: String?, by staff: String?
    ) async throws -> CommandResult<TicketView?>
    func counterAction(
        _ action: CounterAction, office: OfficeID, counter: CounterID, by staff: String?
    ) async throws -> CommandResult<TicketView>
    func transfer(office: OfficeID, counter: CounterID, to service: ServiceID, by staff: String?) async throws -> CommandResult<TicketView>
    func setCounter(office: OfficeID, counter: CounterID, open: Bool, by staff: String?) async throws -> CommandResult<CounterState>
    /// Closes a counter for a while, with why (`counter.paused`); it opens again as any closed counter does.
    func pauseCounter(
        office: OfficeID, counter: CounterID, reason: PauseReason, by staff: String?
    ) async throws -> CommandResult<CounterState>
    func reactivate(office: OfficeID, number: TicketNumber, by staff: String?) async throws -> CommandResult<TicketView>
    func cancelByOffice(office: OfficeID, number: TicketNumber, by staff: String) async throws -> CommandResult<TicketView>
    /// What a counter serves for the rest of today (`QueueCommands.setSkills`).
    func setSkills(
        office: OfficeID, counter: CounterID, services: [ServiceID], by staff: String
    ) async throws -> CommandResult<CounterState>
    // Satisfaction: one tap on five faces.
    func rate(ticket: TicketID, rating: Int) async throws -> CommandResult<Event>
    func rateAtKiosk(office: OfficeID, rating: Int) async throws -> CommandResult<Event>
    /// Whether the ticket's holder rated the visit.
    func rated(ticket: TicketID) async throws -> Bool
}

/// What the office runtime and supervisors record: the day's closing and roster, the come-now mark, the guard's
/// alert, reforms.
public protocol OfficeRecords: StoreClock {
    func closeEarlierDays(office: OfficeID) async throws -> CommandResult<Int>
    /// Writes today's `roster.planned` events, once a day (`QueueCommands.planDay`).
    func planDay(office: OfficeID) async throws -> CommandResult<Int>
    /// A remote ticket's "come now" (`QueueCommands.markComeNow`), which queues its alerts.
    func markComeNow(ticket: TicketID) async throws -> CommandResult<Bool>
    /// The 60-minute guard's `alert.raised`.
    func raiseAlert(office: OfficeID, data: [String: JSONValue]) async throws -> CommandResult<Event>
    // Reforms (`docs/reports.md`).
    func recordReform(
        office: OfficeID, effective: LocalDate, kind: ReformKind, description: String, by staff: String
    ) async throws -> CommandResult<Reform>
    func reforms(office: OfficeID) async throws -> [Reform]
}

/// Accounts: bearer tokens, console logins and their sessions.
public protocol StaffDirectory: StoreClock {
    func createStaff(_ account: StaffAccount) async throws
    func staffAccount(tokenHash: String) async throws -> StaffAccount?
    /// Every bearer token's account (hashes only), for `madoguchi token export`.
    func staffAccounts() async throws -> [StaffAccount]
    /// Adds accounts exported from another store (`madoguchi token import`); returns how many were new.
    func importStaff(_ accounts: [StaffAccount]) async throws -> Int
    func createUser(_ user: StaffUser) async throws
    func staffUser(username: String) async throws -> StaffUser?
    func removeSessions(olderThan lifetimeSeconds: Double) async throws -> Int
    func staffUsers() async throws -> [StaffUser]
    /// Logout (`QueueCommands.endSession`).
    func endSession(tokenHash: String) async throws -> Bool
    /// `token revoke` (`QueueCommands.revokeTokens`).
    func revokeTokens(tokenHash: String?, name: String?) async throws -> Int
    /// `user remove`: the login and its sessions.
    func removeUser(username: String) async throws -> Bool
    /// A new password hash; every session of the user ends.
    func changePassword(username: String, passwordHash: String) async throws
}

/// Alerts to citizens: contacts, link codes, the outbox the notifier sends (`docs/notifications.md`).
public protocol AlertOutbox: StoreClock {
    func addContact(ticket: TicketID, channel: AlertChannel, address: String) async throws -> Contact
    func removeContact(ticket: TicketID, channel: AlertChannel) async throws
    func contacts(ticket: TicketID) async throws -> [Contact]
    /// The holder's answers to the procedure's form-writing guide (`QueueCommands.fillGuide`), kept for the day
    /// and purged with the contacts.
    func fillGuide(ticket: TicketID, answers: [String: String]) async throws -> GuideAnswers
    func guideAnswers(ticket: TicketID) async throws -> GuideAnswers?
    /// Deletes the contacts, guide answers and alerts of the office's earlier days, and leaves no copy in the files.
    func purgeContacts(office: OfficeID) async throws -> Int
    func dueAlerts(now: Date, limit: Int) async throws -> [OutboxAlert]
    /// Takes due alerts for this sender for `leaseSeconds` (`QueueLedger.claimAlerts`).
    func claimAlerts(limit: Int, leaseSeconds: Double) async throws -> [OutboxAlert]
    func alert(id: Int64) async throws -> OutboxAlert?
    /// Records a send attempt; false when the alert was no longer pending.
    func recordAlert(id: Int64, attempts: Int, outcome: AlertOutcome) async throws -> Bool
    func newLinkCode(ticket: TicketID, channel: AlertChannel) async throws -> LinkCode
    /// A provider's webhook event (`QueueCommands.redeem`): the contact it linked, if any.
    func redeem(webhookEvent id: String, text: String?, address: String) async throws -> Contact?
    /// True the first time a one-time credential (a LINE ID token's digest) is presented, false ever after
    /// (`QueueCommands.firstUse`).
    func firstUse(credential digest: String) async throws -> Bool
    /// The server's key named `name`, `candidate` being stored when there is none yet.
    func serverKey(_ name: String, candidate: String) async throws -> String
}
