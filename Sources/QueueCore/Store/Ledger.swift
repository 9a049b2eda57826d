import Foundation

/// Reads a store offers, in domain terms, inside a read or write transaction.
public protocol QueueReader {
    func offices() throws -> [Office]
    func office(_ id: OfficeID) throws -> Office?
    /// nil when the counter has no stored state yet; it then counts as closed and idle.
    func counterState(_ office: OfficeID, _ counter: CounterID) throws -> CounterState?
    /// The stored states of an office's counters; counters never stored are missing (closed and idle).
    func counterStates(office: OfficeID) throws -> [CounterState]
    func ticket(_ id: TicketID) throws -> Ticket?
    func ticket(office: OfficeID, date: LocalDate, number: TicketNumber) throws -> Ticket?
    /// The first waiting ticket of each (procedure, priority) line among `services` on `date`, as `Line.heads`.
    func lineHeads(office: OfficeID, date: LocalDate, services: Set<ServiceID>) throws -> [Ticket]
    /// Waiting tickets of `date`, in line order within each procedure.
    func waitingTickets(office: OfficeID, date: LocalDate) throws -> [Ticket]
    /// Tickets of business days before `date` that are still waiting, called or being served.
    func openTickets(office: OfficeID, before date: LocalDate) throws -> [Ticket]
    /// The sum of the line counts in `spans` (`LineRank`); what `waitingAhead(of:)` reads.
    func lineRankSum(_ spans: [LineRank.Span]) throws -> Int
    /// How many waiting tickets of `ticket`'s line joined in the same stored millisecond and precede it in
    /// `Line.precedes` order: the few the line counts cannot tell apart.
    func waitingTied(with ticket: Ticket) throws -> Int
    func idempotencyRecord(office: OfficeID, scope: String, key: String) throws -> IdempotencyRecord?
    /// Events of one office with `seq > afterSeq`, oldest first; `date` narrows to one business day.
    func events(office: OfficeID, date: LocalDate?, afterSeq: Int64, limit: Int) throws -> [Event]
    /// Whether the office's log holds an event of `type` on business day `date`.
    func hasEvent(office: OfficeID, type: EventType, date: LocalDate) throws -> Bool
    /// The office's `reform.recorded` events, oldest first.
    func reforms(office: OfficeID) throws -> [Event]
    /// The newest event's `seq` for one office; 0 before the first.
    func lastEventSeq(office: OfficeID) throws -> Int64
    func staffAccount(tokenHash: String) throws -> StaffAccount?
    /// The bearer tokens' accounts (not console sessions, which are named `session:…`), oldest first.
    func staffAccounts() throws -> [StaffAccount]
    func staffUser(username: String) throws -> StaffUser?
    /// Every console login, by username (hashes included: for the admin page and the CLI, never shown).
    func staffUsers() throws -> [StaffUser]
    /// Whether the ticket's log holds an event of `type`.
    func hasEvent(ticket: TicketID, type: EventType) throws -> Bool
    /// The ticket's contacts, one per channel.
    func contacts(ticket: TicketID) throws -> [Contact]
    /// What the ticket's holder filled in of the procedure's form-writing guide, if anything.
    func guideAnswers(ticket: TicketID) throws -> GuideAnswers?
    /// How many tickets of business day `date` have `address` as their contact on `channel`.
    func contactUses(channel: AlertChannel, address: String, date: LocalDate) throws -> Int
    /// Outbox alerts still to send whose next attempt is due by `now`, oldest first.
    func dueAlerts(now: Date, limit: Int) throws -> [OutboxAlert]
    func alert(id: Int64) throws -> OutboxAlert?
}

/// Writes a store offers inside one transaction. Commands are written once, in `QueueCommands`, against this
/// protocol; a store only says how each primitive maps onto its tables.
public protocol QueueLedger: QueueReader {
    mutating func save(office: Office) throws
    /// Bumps and returns the next number of one procedure on one business day (1 for the first ticket).
    mutating func nextNumber(office: OfficeID, service: ServiceID, date: LocalDate) throws -> Int
    mutating func insert(_ ticket: Ticket) throws
    /// Writes `ticket` only if the stored one is still in `expected` status; otherwise throws `invalidTransition`.
    mutating func update(_ ticket: Ticket, expecting expected: TicketStatus) throws
    /// Adds `delta` to each of the line counts `cells` (`LineRank`), creating those not there yet.
    mutating func adjustLineRank(_ cells: [LineRank.Cell], by delta: Int) throws
    mutating func save(counter: CounterState, office: OfficeID) throws
    /// Appends `event` and returns it with its `seq`.
    mutating func append(_ event: Event) throws -> Event
    mutating func remember(_ record: IdempotencyRecord) throws
    mutating func insert(staff: StaffAccount) throws
    /// Adds a login; throws `invalidInput` when the username is taken.
    mutating func insert(user: StaffUser) throws
    /// Removes the staff accounts whose name starts with `namePrefix` and that were created before `cutoff`;
    /// returns how many went.
    mutating func deleteStaff(namePrefix: String, createdBefore cutoff: Date) throws -> Int
    /// Removes the account of one token (a session at logout, a revoked token); returns how many went (0 or 1).
    mutating func deleteStaff(tokenHash: String) throws -> Int
    /// Removes every account named exactly `name` (a user's sessions are `session:<username>`).
    mutating func deleteStaff(name: String) throws -> Int
    /// Removes a console login; returns how many went (0 or 1).
    mutating func deleteUser(username: String) throws -> Int
    /// Adds or replaces the ticket's contact on its channel.
    mutating func save(contact: Contact) throws
    mutating func deleteContact(ticket: TicketID, channel: AlertChannel) throws
    /// Adds or replaces the ticket's guide answers.
    mutating func save(guideAnswers: GuideAnswers) throws
    /// Takes up to `limit` due alerts for one sender: their next attempt moves to `until`, so that no other sender
    /// (another process or node) takes them meanwhile; if this one dies, they come due again then.
    mutating func claimAlerts(now: Date, until: Date, limit: Int) throws -> [OutboxAlert]
    /// Adds an alert unless one with the same (ticket, kind, round, channel) is there; returns whether it was added.
    mutating func enqueue(_ alert: OutboxAlert) throws -> Bool
    /// Records an attempt's outcome on a pending alert; returns false when it was no longer pending (another sender
    /// finished it first).
    mutating func record(alert id: Int64, attempts: Int, outcome: AlertOutcome, at: Date) throws -> Bool
    /// Deletes the office's contacts, guide answers and outbox alerts of business days before `date`; returns how
    /// many contacts and guide answers went.
    mutating func purgeContacts(office: OfficeID, before date: LocalDate) throws -> Int
    /// Keeps a one-time code that links a channel account (LINE) to a ticket, until used or its day ends.
    mutating func save(linkCode: LinkCode) throws
    /// The code's ticket, deleting the code (it works once); nil when unknown.
    mutating func takeLinkCode(_ code: String) throws -> LinkCode?
    /// Remembers a provider's webhook event id; false when it was seen before (a redelivery).
    mutating func firstSight(webhookEvent id: String, at: Date) throws -> Bool
    /// Forgets link codes, idempotency keys and emptied line counts of days before `date`, and webhook event ids seen
    /// before `cutoff`.
    mutating func purgeLinks(office: OfficeID, before date: LocalDate, webhookEventsBefore cutoff: Date) throws
    /// The server's key named `name` (the VAPID key), storing `candidate` first when there is none yet: every node
    /// and every restart gets the same one.
    mutating func serverKey(_ name: String, candidate: String) throws -> String
}

/// An `Idempotency-Key` seen before: what it was sent with, and the ticket it produced.
public struct IdempotencyRecord: Codable, Sendable, Equatable {
    public var office: OfficeID
    /// What the key was used for: `issue`, or `call-next:<counter>`.
    public var scope: String
    public var key: String
    /// A canonical string of the request's meaning; the same key with another fingerprint is refused.
    public var fingerprint: String
    public var ticket: TicketID

    public init(office: OfficeID, scope: String, key: String, fingerprint: String, ticket: TicketID) {
        self.office = office
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
        self.ticket = ticket
    }
}

/// A named staff account's bearer token, stored only as a hash.
public struct StaffAccount: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable, CaseIterable {
        case admin, supervisor, staff
        /// A kiosk or a lobby board of one office: it may issue kiosk tickets and show the board, nothing else.
        case device
    }

    public var tokenHash: String
    public var role: Role
    /// nil: every office (admins, city-wide supervisors).
    public var office: OfficeID?
    public var name: String
    public var createdAt: Date

    public init(tokenHash: String, role: Role, office: OfficeID?, name: String, createdAt: Date) {
        self.tokenHash = tokenHash
        self.role = role
        self.office = office
        self.name = name
        self.createdAt = createdAt
    }

    public func mayAct(on office: OfficeID) -> Bool { self.office == nil || self.office == office }
}

/// A named staff login for the console: a username and a password hash (never the password). Signing in creates a
/// short-lived `StaffAccount` (a session) of the same role and office.
public struct StaffUser: Codable, Sendable, Equatable {
    public var username: String
    /// `scrypt$N$r$p$salt$hash`, salt and hash in base64.
    public var passwordHash: String
    public var role: StaffAccount.Role
    public var office: OfficeID?
    public var createdAt: Date

    public init(username: String, passwordHash: String, role: StaffAccount.Role, office: OfficeID?, createdAt: Date) {
        self.username = username
        self.passwordHash = passwordHash
        self.role = role
        self.office = office
        self.createdAt = createdAt
    }

    /// Usernames: 3–40 of a-z, 0-9, '.', '_' and '-'. They name a desk or a role, never a person's full name.
    public static func isValidUsername(_ name: String) -> Bool {
        (3...40).contains(name.utf8.count)
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}

/// A database that runs `QueueLedger` transactions. Stores conform to this; `QueueStore`'s operations then come
/// for free from `QueueCommands`, so every store runs the same rules.
public protocol LedgerDatabase: Sendable {
    associatedtype Ledger: QueueLedger
    var commands: QueueCommands { get }
    /// Runs `body` in one write transaction: all of it commits before this returns, or none of it does.
    func write<T: Sendable>(_ body: @escaping @Sendable (inout Ledger) throws -> T) async throws -> T
    /// Runs `body` on a consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async throws -> T
    /// After personal data was deleted: make sure no copy of it is left in the store's files (SQLite: zeroed
    /// pages, and the write-ahead log checkpointed and truncated). Nothing to do for a store in memory.
    func scrub() async throws
}

extension LedgerDatabase {
    public func scrub() async throws {}
}
