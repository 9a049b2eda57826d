import Foundation

/// The whole store: every port below, each operation one transaction. A `LedgerDatabase` gets all of it from
/// the extension further down, by running `QueueCommands` in its transactions. Consumers ask for the ports they
/// use (`StorePorts.swift`): the notifier for the outbox, the CLI for the staff directory.
public protocol QueueStore: OfficeLog, TicketDesk, OfficeRecords, StaffDirectory, AlertOutbox {}

/// The staff commands without an acting account: configuration loading, the day closer and tests.
extension TicketDesk {
    public func callNext(office: OfficeID, counter: CounterID, idempotencyKey: String?) async throws -> CommandResult<TicketView?> {
        try await callNext(office: office, counter: counter, idempotencyKey: idempotencyKey, by: nil)
    }

    public func counterAction(_ action: CounterAction, office: OfficeID, counter: CounterID) async throws -> CommandResult<TicketView> {
        try await counterAction(action, office: office, counter: counter, by: nil)
    }

    public func transfer(office: OfficeID, counter: CounterID, to service: ServiceID) async throws -> CommandResult<TicketView> {
        try await transfer(office: office, counter: counter, to: service, by: nil)
    }

    public func setCounter(office: OfficeID, counter: CounterID, open: Bool) async throws -> CommandResult<CounterState> {
        try await setCounter(office: office, counter: counter, open: open, by: nil)
    }

    public func reactivate(office: OfficeID, number: TicketNumber) async throws -> CommandResult<TicketView> {
        try await reactivate(office: office, number: number, by: nil)
    }
}

/// Every `LedgerDatabase` is a `QueueStore` by running `QueueCommands` in its transactions, so the rules exist once.
extension QueueStore where Self: LedgerDatabase {
    public var clock: any WallClock { commands.clock }

    public func rate(ticket: TicketID, rating: Int) async throws -> CommandResult<Event> {
        let commands = commands
        return try await committing { ledger in try commands.rate(ticket: ticket, rating: rating, in: &ledger) }
    }

    public func setSkills(
        office: OfficeID, counter: CounterID, services: [ServiceID], by staff: String
    ) async throws -> CommandResult<CounterState> {
        let commands = commands
        return try await committing { ledger in
            try commands.setSkills(office: office, counter: counter, services: services, by: staff, in: &ledger)
        }
    }

    public func raiseAlert(office: OfficeID, data: [String: JSONValue]) async throws -> CommandResult<Event> {
        let commands = commands
        return try await committing { ledger in try commands.raiseAlert(office: office, data: data, in: &ledger) }
    }

    public func rated(ticket: TicketID) async throws -> Bool {
        try await read { ledger in try ledger.hasEvent(ticket: ticket, type: .feedbackGiven) }
    }

    public func rateAtKiosk(office: OfficeID, rating: Int) async throws -> CommandResult<Event> {
        let commands = commands
        return try await committing { ledger in try commands.rateAtKiosk(office: office, rating: rating, in: &ledger) }
    }

    public func recordReform(
        office: OfficeID, effective: LocalDate, kind: ReformKind, description: String, by staff: String
    ) async throws -> CommandResult<Reform> {
        let commands = commands
        return try await committing { ledger in
            try commands.recordReform(office: office, effective: effective, kind: kind, description: description, by: staff, in: &ledger)
        }
    }

    public func reforms(office: OfficeID) async throws -> [Reform] {
        try await read { ledger in try ledger.reforms(office: office).compactMap(Reform.init) }
    }

    public func importHistory(_ events: [Event]) async throws -> Int {
        let commands = commands
        return try await write { ledger in try commands.importHistory(events, in: &ledger) }
    }

    public func importOffice(_ office: Office) async throws -> [Event] {
        let commands = commands
        return try await write { ledger in
            try commands.importOffice(office, in: &ledger)
            return []
        }
    }

    public func offices() async throws -> [Office] { try await read { try $0.offices() } }

    public func counterStates(office: OfficeID) async throws -> [CounterState] {
        try await read { reader in
            guard let config = try reader.office(office) else { throw QueueError.officeNotFound(office) }
            let stored = try reader.counterStates(office: office)
            return config.counters.map { counter in stored.first { $0.id == counter.id } ?? CounterState(id: counter.id) }
        }
    }

    public func issue(_ request: IssueRequest, idempotencyKey: String?) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in
            try viewing(commands.issue(request, idempotencyKey: idempotencyKey, in: &ledger), in: ledger)
        }
    }

    public func citizenAction(_ action: CitizenAction, ticket: TicketID) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in try viewing(commands.citizenAction(action, ticket: ticket, in: &ledger), in: ledger) }
    }

    public func checkIn(ticket: TicketID, by staff: String?) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in try viewing(commands.checkIn(ticket: ticket, by: staff, in: &ledger), in: ledger) }
    }

    public func setIssuing(
        office: OfficeID, services: [ServiceID]?, stopped: Bool, by staff: String
    ) async throws -> CommandResult<Office> {
        let commands = commands
        return try await committing { ledger in
            try commands.setIssuing(office: office, services: services, stopped: stopped, by: staff, in: &ledger)
        }
    }

    public func changeTravel(ticket: TicketID, minutes: Int) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in
            try viewing(commands.changeTravel(ticket: ticket, minutes: minutes, in: &ledger), in: ledger)
        }
    }

    public func checkIn(office: OfficeID, number: TicketNumber, by staff: String?) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in
            try viewing(commands.checkIn(office: office, number: number, by: staff, in: &ledger), in: ledger)
        }
    }

    public func callNext(
        office: OfficeID, counter: CounterID, idempotencyKey: String?, by staff: String?
    ) async throws -> CommandResult<TicketView?> {
        let commands = commands
        return try await committing { ledger in
            let result = try commands.callNext(office: office, counter: counter, idempotencyKey: idempotencyKey, by: staff, in: &ledger)
            let view = try result.value.flatMap { try QueueViews.view(of: $0, in: ledger) }
            return CommandResult(value: view, events: result.events, created: result.created)
        }
    }

    public func counterAction(
        _ action: CounterAction, office: OfficeID, counter: CounterID, by staff: String?
    ) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in
            try viewing(commands.counterAction(action, office: office, counter: counter, by: staff, in: &ledger), in: ledger)
        }
    }

    public func transfer(
        office: OfficeID, counter: CounterID, to service: ServiceID, by staff: String?
    ) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in
            try viewing(commands.transfer(office: office, counter: counter, to: service, by: staff, in: &ledger), in: ledger)
        }
    }

    public func setCounter(
        office: OfficeID, counter: CounterID, open: Bool, by staff: String?
    ) async throws -> CommandResult<CounterState> {
        let commands = commands
        return try await committing { ledger in
            try commands.setCounter(office: office, counter: counter, open: open, by: staff, in: &ledger)
        }
    }

    public func pauseCounter(
        office: OfficeID, counter: CounterID, reason: PauseReason, by staff: String?
    ) async throws -> CommandResult<CounterState> {
        let commands = commands
        return try await committing { ledger in
            try commands.setCounter(office: office, counter: counter, open: false, pause: reason, by: staff, in: &ledger)
        }
    }

    public func reactivate(office: OfficeID, number: TicketNumber, by staff: String?) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in
            try viewing(commands.reactivate(office: office, number: number, by: staff, in: &ledger), in: ledger)
        }
    }

    public func planDay(office: OfficeID) async throws -> CommandResult<Int> {
        let commands = commands
        return try await committing { ledger in try commands.planDay(office: office, in: &ledger) }
    }

    public func closeEarlierDays(office: OfficeID) async throws -> CommandResult<Int> {
        let commands = commands
        return try await committing { ledger in try commands.closeEarlierDays(office: office, in: &ledger) }
    }

    public func ticketView(_ id: TicketID) async throws -> TicketView? {
        try await read { try QueueViews.ticketView(id, in: $0) }
    }

    public func snapshot(office: OfficeID) async throws -> OfficeSnapshot? {
        let now = clock.now()
        return try await read { try QueueViews.snapshot(office: office, at: now, in: $0) }
    }

    public func queue(office: OfficeID) async throws -> [QueueEntry]? {
        let now = clock.now()
        return try await read { try QueueViews.queue(office: office, at: now, in: $0) }
    }

    public func events(office: OfficeID, date: LocalDate?, afterSeq: Int64, limit: Int) async throws -> [Event] {
        try await read { try $0.events(office: office, date: date, afterSeq: afterSeq, limit: limit) }
    }

    public func lastEventSeq(office: OfficeID) async throws -> Int64 {
        try await read { try $0.lastEventSeq(office: office) }
    }

    public func createStaff(_ account: StaffAccount) async throws {
        let commands = commands
        try await write { ledger in try commands.createStaff(account, in: &ledger) }
    }

    public func staffAccount(tokenHash: String) async throws -> StaffAccount? {
        try await read { try $0.staffAccount(tokenHash: tokenHash) }
    }

    public func staffAccounts() async throws -> [StaffAccount] {
        try await read { try $0.staffAccounts() }
    }

    public func importStaff(_ accounts: [StaffAccount]) async throws -> Int {
        let commands = commands
        return try await write { ledger in try commands.importStaff(accounts, in: &ledger) }
    }

    public func createUser(_ user: StaffUser) async throws {
        let commands = commands
        try await write { ledger in try commands.createUser(user, in: &ledger) }
    }

    public func staffUser(username: String) async throws -> StaffUser? {
        try await read { try $0.staffUser(username: username) }
    }

    public func removeSessions(olderThan lifetimeSeconds: Double) async throws -> Int {
        let commands = commands
        return try await write { ledger in try commands.removeSessions(olderThan: lifetimeSeconds, in: &ledger) }
    }

    public func staffUsers() async throws -> [StaffUser] {
        try await read { try $0.staffUsers() }
    }

    public func endSession(tokenHash: String) async throws -> Bool {
        let commands = commands
        return try await write { ledger in try commands.endSession(tokenHash: tokenHash, in: &ledger) }
    }

    public func revokeTokens(tokenHash: String?, name: String?) async throws -> Int {
        let commands = commands
        return try await write { ledger in try commands.revokeTokens(tokenHash: tokenHash, name: name, in: &ledger) }
    }

    public func removeUser(username: String) async throws -> Bool {
        let commands = commands
        return try await write { ledger in try commands.removeUser(username: username, in: &ledger) }
    }

    public func changePassword(username: String, passwordHash: String) async throws {
        let commands = commands
        try await write { ledger in try commands.changePassword(username: username, passwordHash: passwordHash, in: &ledger) }
    }

    public func markComeNow(ticket: TicketID) async throws -> CommandResult<Bool> {
        let commands = commands
        return try await committing { ledger in try commands.markComeNow(ticket: ticket, in: &ledger) }
    }

    public func addContact(ticket: TicketID, channel: AlertChannel, address: String) async throws -> Contact {
        let commands = commands
        return try await write { ledger in try commands.addContact(ticket: ticket, channel: channel, address: address, in: &ledger).value }
    }

    public func removeContact(ticket: TicketID, channel: AlertChannel) async throws {
        let commands = commands
        try await write { ledger in try commands.removeContact(ticket: ticket, channel: channel, in: &ledger) }
    }

    public func contacts(ticket: TicketID) async throws -> [Contact] {
        try await read { try $0.contacts(ticket: ticket) }
    }

    public func fillGuide(ticket: TicketID, answers: [String: String]) async throws -> GuideAnswers {
        let commands = commands
        return try await write { ledger in try commands.fillGuide(ticket: ticket, answers: answers, in: &ledger) }
    }

    public func guideAnswers(ticket: TicketID) async throws -> GuideAnswers? {
        try await read { try $0.guideAnswers(ticket: ticket) }
    }

    public func cancelByOffice(office: OfficeID, number: TicketNumber, by staff: String) async throws -> CommandResult<TicketView> {
        let commands = commands
        return try await committing { ledger in
            try viewing(commands.cancelByOffice(office: office, number: number, by: staff, in: &ledger), in: ledger)
        }
    }

    public func purgeContacts(office: OfficeID) async throws -> Int {
        let commands = commands
        let purged = try await write { ledger in try commands.purgeContacts(office: office, in: &ledger) }
        if purged > 0 { try await scrub() }
        return purged
    }

    public func dueAlerts(now: Date, limit: Int) async throws -> [OutboxAlert] {
        try await read { try $0.dueAlerts(now: now, limit: limit) }
    }

    public func serverKey(_ name: String, candidate: String) async throws -> String {
        try await write { ledger in try ledger.serverKey(name, candidate: candidate) }
    }

    public func newLinkCode(ticket: TicketID, channel: AlertChannel) async throws -> LinkCode {
        let commands = commands
        return try await write { ledger in try commands.newLinkCode(ticket: ticket, channel: channel, in: &ledger) }
    }

    public func redeem(webhookEvent id: String, text: String?, address: String) async throws -> Contact? {
        let commands = commands
        return try await write { ledger in try commands.redeem(webhookEvent: id, text: text, address: address, in: &ledger) }
    }

    public func firstUse(credential digest: String) async throws -> Bool {
        let commands = commands
        return try await write { ledger in try commands.firstUse(credential: digest, in: &ledger) }
    }

    public func claimAlerts(limit: Int, leaseSeconds: Double) async throws -> [OutboxAlert] {
        let now = clock.now()
        return try await write { ledger in try ledger.claimAlerts(now: now, until: now.addingTimeInterval(leaseSeconds), limit: limit) }
    }

    public func alert(id: Int64) async throws -> OutboxAlert? {
        try await read { try $0.alert(id: id) }
    }

    public func recordAlert(id: Int64, attempts: Int, outcome: AlertOutcome) async throws -> Bool {
        let now = clock.now()
        return try await write { ledger in try ledger.record(alert: id, attempts: attempts, outcome: outcome, at: now) }
    }
}

extension QueueStore where Self: LedgerDatabase {
    /// A command's transaction, its events then told to `commits`: the one place they are published.
    private func committing<T: Sendable>(
        _ body: @escaping @Sendable (inout Ledger) throws -> CommandResult<T>
    ) async throws -> CommandResult<T> {
        let result = try await write(body)
        commits.publish(result.events)
        return result
    }
}

/// The ticket a command returned, as its holder sees it, read in the command's own transaction. Measured: a
/// separate read after the commit cost more in thread hops than the position count costs the writer.
private func viewing(_ result: CommandResult<Ticket>, in reader: some QueueReader) throws -> CommandResult<TicketView> {
    guard let view = try QueueViews.view(of: result.value, in: reader) else { throw QueueError.ticketNotFound }
    return CommandResult(value: view, events: result.events, created: result.created)
}

extension OfficeLog {
    /// Every event of one office's business day, oldest first, read in pages.
    public func events(office: OfficeID, date: LocalDate) async throws -> [Event] {
        var events: [Event] = []
        var after: Int64 = 0
        while true {
            let page = try await self.events(office: office, date: date, afterSeq: after, limit: 5000)
            events += page
            guard page.count == 5000, let last = page.last else { return events }
            after = last.seq
        }
    }
}
