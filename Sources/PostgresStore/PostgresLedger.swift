import Foundation
import PostgresNIO
import QueueCore

/// `QueueLedger` over one PostgreSQL transaction the store opened (READ COMMITTED for writes, a REPEATABLE READ
/// snapshot for reads).
///
/// What makes it exactly-once across nodes, where SQLite had one writer:
/// - a write transaction's reads of rows it may change lock them (`FOR UPDATE`): a second console, citizen or node
///   waits, then sees the committed row;
/// - call-next takes each line's head with `FOR UPDATE SKIP LOCKED`: a concurrent call-next on another counter
///   takes the next ticket instead of waiting for (or calling) the same one, and the ticket is then changed only
///   `WHERE status = 'waiting'`;
/// - numbers are bumped with an upsert on their row, in the issuing transaction;
/// - an office's changes take its advisory lock before the first one (`Session.lockOffice`), so its events commit
///   in `seq` order, and check-then-act reads (idempotency keys, "once a day") run one at a time.
/// A transaction that still meets a conflict (a deadlock, a unique key taken meanwhile) is run again whole.
public struct PostgresLedger: QueueLedger {
    let session: Session
    let officeCache: OfficeCache

    static let ticketColumns = """
        id, office, service, prefix, sequence, business_date, channel, priority, language, status, issued_at, queued_at,
        called_at, serving_at, finished_at, counter, deferrals, recalls, stage, on_the_way
        """

    // MARK: QueueReader

    public func offices() throws -> [Office] {
        try session.rows("SELECT id, revision, config FROM office ORDER BY position, id").compactMap {
            try officeCache.office(id: $0.text("id"), revision: $0.int64("revision"), text: $0.text("config"))
        }
    }

    public func office(_ id: OfficeID) throws -> Office? {
        // The text only when the cache does not hold this revision (`OfficeCache`).
        let sql = "SELECT revision, CASE WHEN revision = $1 THEN NULL ELSE config END AS config FROM office WHERE id = $2"
        for cached in [officeCache.revision(of: id.rawValue), nil] {
            guard let row = try session.rows(sql, [.int(cached), .text(id.rawValue)]).first else { return nil }
            if let office = try officeCache.office(id: id.rawValue, revision: row.int64("revision"), text: row.optionalText("config")) {
                return office
            }
        }
        return nil
    }

    public func counterState(_ office: OfficeID, _ counter: CounterID) throws -> CounterState? {
        let sql =
            "SELECT counter, open, current, priority_streak, skills, skills_date FROM counter_state WHERE office = $1 AND counter = $2"
        return try session.rows(sql + session.lockClause, [.text(office.rawValue), .text(counter.rawValue)]).first.map(Self.counterState)
    }

    public func counterStates(office: OfficeID) throws -> [CounterState] {
        let sql =
            "SELECT counter, open, current, priority_streak, skills, skills_date FROM counter_state WHERE office = $1 ORDER BY counter"
        return try session.rows(sql, [.text(office.rawValue)]).map(Self.counterState)
    }

    static func counterState(_ row: PostgresRandomAccessRow) throws -> CounterState {
        CounterState(
            id: CounterID(try row.text("counter")), open: try row.bool("open"),
            current: try row.optionalText("current").map { TicketID($0) },
            priorityStreak: try row.int("priority_streak"), skills: StoredForm.skills(parsing: try row.optionalText("skills")),
            skillsDate: try row.optionalText("skills_date").flatMap(LocalDate.init(parsing:)))
    }

    public func ticket(_ id: TicketID) throws -> Ticket? {
        try session.rows("SELECT \(Self.ticketColumns) FROM ticket WHERE id = $1" + session.lockClause, [.text(id.rawValue)])
            .first.map(Self.ticket)
    }

    public func ticket(office: OfficeID, date: LocalDate, number: TicketNumber) throws -> Ticket? {
        let sql = "SELECT \(Self.ticketColumns) FROM ticket WHERE office = $1 AND business_date = $2 AND prefix = $3 AND sequence = $4"
        return try session.rows(
            sql + session.lockClause,
            [.text(office.rawValue), .text(date.description), .text(number.prefix), .int(number.sequence)]
        ).first.map(Self.ticket)
    }

    public func lineHeads(office: OfficeID, date: LocalDate, services: Set<ServiceID>) throws -> [Ticket] {
        // One indexed probe per (procedure, priority) line, all in one statement. Writing (call-next), each head is
        // locked, and a head another transaction holds is passed over for the one behind it: two consoles never
        // take the same ticket, and neither waits for the other.
        let sql = """
            SELECT t.* FROM unnest($3::text[]) AS line(service) CROSS JOIN unnest($4::bigint[]) AS class(priority)
            CROSS JOIN LATERAL (
                SELECT \(Self.ticketColumns) FROM ticket
                WHERE office = $1 AND business_date = $2 AND status = 'waiting' AND service = line.service AND priority = class.priority
                    AND NOT on_the_way
                ORDER BY queued_at, sequence, id LIMIT 1\(session.writing ? " FOR UPDATE SKIP LOCKED" : "")
            ) AS t
            """
        return try session.rows(
            sql,
            [
                .text(office.rawValue), .text(date.description), .texts(services.map(\.rawValue).sorted()),
                .ints(Ticket.priorityClasses.map(Int64.init)),
            ]
        ).map(Self.ticket)
    }

    public func waitingTickets(office: OfficeID, date: LocalDate) throws -> [Ticket] {
        let sql = """
            SELECT \(Self.ticketColumns) FROM ticket WHERE office = $1 AND business_date = $2 AND status = 'waiting'
            ORDER BY service, priority DESC, queued_at, sequence, id
            """
        return try session.rows(sql, [.text(office.rawValue), .text(date.description)]).map(Self.ticket)
    }

    public func openTickets(office: OfficeID, before date: LocalDate) throws -> [Ticket] {
        let sql = """
            SELECT \(Self.ticketColumns) FROM ticket WHERE office = $1 AND business_date < $2 AND status IN ('waiting', 'called', 'serving')
            ORDER BY business_date, prefix, sequence
            """
        return try session.rows(sql, [.text(office.rawValue), .text(date.description)]).map(Self.ticket)
    }

    public func idempotencyRecord(office: OfficeID, scope: String, key: String) throws -> IdempotencyRecord? {
        // Check-then-act: a retry racing its first attempt on another node waits here, then finds the record.
        try session.lockOffice(office)
        let sql = "SELECT fingerprint, ticket FROM idempotency WHERE office = $1 AND scope = $2 AND key = $3"
        guard let row = try session.rows(sql, [.text(office.rawValue), .text(scope), .text(key)]).first else { return nil }
        return IdempotencyRecord(
            office: office, scope: scope, key: key, fingerprint: try row.text("fingerprint"), ticket: TicketID(try row.text("ticket")))
    }

    public func events(office: OfficeID, date: LocalDate?, afterSeq: Int64, limit: Int) throws -> [Event] {
        var sql = "SELECT body, seq FROM event WHERE office = $1 AND seq > $2"
        var binds: [Bind] = [.text(office.rawValue), .int(afterSeq)]
        if let date {
            let range = date.interval(in: try zone(office))
            sql += " AND at >= $3 AND at < $4"
            binds += [.int(StoredForm.millis(range.start)), .int(StoredForm.millis(range.end))]
        }
        sql += " ORDER BY seq LIMIT $\(binds.count + 1)"
        return try session.rows(sql, binds + [.int(limit)]).map(Self.event)
    }

    public func reforms(office: OfficeID) throws -> [Event] {
        try session.rows(
            "SELECT body, seq FROM event WHERE office = $1 AND type = 'reform.recorded' ORDER BY seq", [.text(office.rawValue)]
        )
        .map(Self.event)
    }

    public func hasEvent(office: OfficeID, type: EventType, date: LocalDate) throws -> Bool {
        // Asked before writing something once a day: one transaction at a time per office.
        try session.lockOffice(office)
        let range = date.interval(in: try zone(office))
        return try !session.rows(
            "SELECT 1 FROM event WHERE office = $1 AND at >= $2 AND at < $3 AND type = $4 LIMIT 1",
            [.text(office.rawValue), .int(StoredForm.millis(range.start)), .int(StoredForm.millis(range.end)), .text(type.rawValue)]
        ).isEmpty
    }

    public func lastEventSeq(office: OfficeID) throws -> Int64 {
        try session.rows("SELECT MAX(seq) AS seq FROM event WHERE office = $1", [.text(office.rawValue)]).first?.optionalInt64("seq") ?? 0
    }

    public func staffAccount(tokenHash: String) throws -> StaffAccount? {
        try session.rows("SELECT * FROM staff_account WHERE token_hash = $1", [.text(tokenHash)]).first.flatMap(Self.staffAccount)
    }

    public func staffAccounts() throws -> [StaffAccount] {
        try session.rows("SELECT * FROM staff_account WHERE left(name, 8) <> 'session:' ORDER BY created_at, token_hash")
            .compactMap(Self.staffAccount)
    }

    static func staffAccount(_ row: PostgresRandomAccessRow) throws -> StaffAccount? {
        guard let role = StaffAccount.Role(rawValue: try row.text("role")) else { return nil }
        return StaffAccount(
            tokenHash: try row.text("token_hash"), role: role, office: try row.optionalText("office").map { OfficeID($0) },
            name: try row.text("name"), createdAt: StoredForm.date(try row.int64("created_at")))
    }

    public func staffUser(username: String) throws -> StaffUser? {
        try session.rows("SELECT * FROM staff_user WHERE username = $1", [.text(username)]).first.flatMap(Self.staffUser)
    }

    public func staffUsers() throws -> [StaffUser] {
        try session.rows("SELECT * FROM staff_user ORDER BY username").compactMap(Self.staffUser)
    }

    static func staffUser(_ row: PostgresRandomAccessRow) throws -> StaffUser? {
        guard let role = StaffAccount.Role(rawValue: try row.text("role")) else { return nil }
        return StaffUser(
            username: try row.text("username"), passwordHash: try row.text("password_hash"), role: role,
            office: try row.optionalText("office").map { OfficeID($0) }, createdAt: StoredForm.date(try row.int64("created_at")))
    }

    public func hasEvent(ticket: TicketID, type: EventType) throws -> Bool {
        try !session.rows("SELECT 1 FROM event WHERE ticket = $1 AND type = $2 LIMIT 1", [.text(ticket.rawValue), .text(type.rawValue)])
            .isEmpty
    }

    // MARK: QueueLedger

    public mutating func save(office: Office) throws {
        try session.lockOffice(office.id)
        let text = String(decoding: try JSONEncoder().encode(office), as: UTF8.self)
        try session.execute(
            """
            INSERT INTO office (id, position, config, revision) VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM office), $2, $3)
            ON CONFLICT (id) DO UPDATE SET config = excluded.config, revision = excluded.revision
            """,
            [.text(office.id.rawValue), .text(text), .int(OfficeCache.newRevision())])
    }

    public mutating func nextNumber(office: OfficeID, service: ServiceID, date: LocalDate) throws -> Int {
        try session.lockOffice(office)
        let sql = """
            INSERT INTO number_sequence (office, service, business_date, last) VALUES ($1, $2, $3, 1)
            ON CONFLICT (office, service, business_date) DO UPDATE SET last = number_sequence.last + 1
            RETURNING last
            """
        guard let row = try session.rows(sql, [.text(office.rawValue), .text(service.rawValue), .text(date.description)]).first else {
            throw QueueError.storageUnavailable("number sequence returned nothing")
        }
        return try row.int("last")
    }

    public mutating func insert(_ ticket: Ticket) throws {
        try session.lockOffice(ticket.office)
        try session.execute(
            "INSERT INTO ticket (\(Self.ticketColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            [
                .text(ticket.id.rawValue), .text(ticket.office.rawValue), .text(ticket.service.rawValue), .text(ticket.number.prefix),
                .int(ticket.number.sequence), .text(ticket.businessDate.description), .text(ticket.channel.rawValue), .int(ticket.priority),
                .text(ticket.language), .text(ticket.status.rawValue), .int(StoredForm.millis(ticket.issuedAt)),
                .int(StoredForm.millis(ticket.queuedAt)),
            ] + Self.progress(ticket))
    }

    public mutating func update(_ ticket: Ticket, expecting expected: TicketStatus) throws {
        try session.lockOffice(ticket.office)
        let changed = try session.execute(
            """
            UPDATE ticket SET called_at = $1, serving_at = $2, finished_at = $3, counter = $4, deferrals = $5, recalls = $6,
                stage = $7, on_the_way = $8, service = $9, status = $10, queued_at = $11
            WHERE id = $12 AND status = $13
            """,
            Self.progress(ticket) + [
                .text(ticket.service.rawValue), .text(ticket.status.rawValue), .int(StoredForm.millis(ticket.queuedAt)),
                .text(ticket.id.rawValue), .text(expected.rawValue),
            ])
        guard changed == 1 else {
            let now = try session.rows("SELECT status FROM ticket WHERE id = $1", [.text(ticket.id.rawValue)]).first?.text("status")
            guard let status = now.flatMap(TicketStatus.init(rawValue:)) else { throw QueueError.ticketNotFound }
            throw QueueError.invalidTransition(from: status, action: "changed")
        }
    }

    /// The columns a ticket's life fills in, in table order from `called_at`.
    static func progress(_ t: Ticket) -> [Bind] {
        [
            .int(t.calledAt.map(StoredForm.millis)), .int(t.servingAt.map(StoredForm.millis)), .int(t.finishedAt.map(StoredForm.millis)),
            .text(t.counter?.rawValue), .int(t.deferrals), .int(t.recalls), .int(t.stage), .bool(t.onTheWay),
        ]
    }

    public mutating func save(counter: CounterState, office: OfficeID) throws {
        try session.lockOffice(office)
        try session.execute(
            """
            INSERT INTO counter_state (office, counter, open, current, priority_streak, skills, skills_date) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (office, counter) DO UPDATE SET open = excluded.open, current = excluded.current,
                priority_streak = excluded.priority_streak, skills = excluded.skills, skills_date = excluded.skills_date
            """,
            [
                .text(office.rawValue), .text(counter.id.rawValue), .bool(counter.open), .text(counter.current?.rawValue),
                .int(counter.priorityStreak), .text(StoredForm.skills(counter.skills)), .text(counter.skillsDate?.description),
            ])
    }

    public mutating func append(_ event: Event) throws -> Event {
        try session.lockOffice(event.office)
        // The body is the event's canonical line; its seq is the row's, filled in when read.
        guard
            let row = try session.rows(
                "INSERT INTO event (office, at, type, ticket, body) VALUES ($1, $2, $3, $4, $5) RETURNING seq",
                [
                    .text(event.office.rawValue), .int(StoredForm.millis(event.at)), .text(event.type.rawValue),
                    .text(event.ticket?.rawValue),
                    .text(EventLine.encode(event)),
                ]
            ).first
        else { throw QueueError.storageUnavailable("the event was not stored") }
        var stored = event
        stored.seq = try row.int64("seq")
        session.noteAppended(event.office, seq: stored.seq)
        return stored
    }

    public mutating func remember(_ record: IdempotencyRecord) throws {
        try session.lockOffice(record.office)
        try session.execute(
            "INSERT INTO idempotency (office, scope, key, fingerprint, ticket) VALUES ($1, $2, $3, $4, $5)",
            [
                .text(record.office.rawValue), .text(record.scope), .text(record.key), .text(record.fingerprint),
                .text(record.ticket.rawValue),
            ])
    }

    public mutating func deleteStaff(namePrefix: String, createdBefore cutoff: Date) throws -> Int {
        // `left` rather than LIKE, so that `_` and `%` in the prefix mean themselves.
        try session.execute(
            "DELETE FROM staff_account WHERE left(name, $1::int) = $2 AND created_at < $3",
            [.int(namePrefix.count), .text(namePrefix), .int(StoredForm.millis(cutoff))])
    }

    public mutating func deleteStaff(tokenHash: String) throws -> Int {
        try session.execute("DELETE FROM staff_account WHERE token_hash = $1", [.text(tokenHash)])
    }

    public mutating func deleteStaff(name: String) throws -> Int {
        try session.execute("DELETE FROM staff_account WHERE name = $1", [.text(name)])
    }

    public mutating func deleteUser(username: String) throws -> Int {
        try session.execute("DELETE FROM staff_user WHERE username = $1", [.text(username)])
    }

    public mutating func insert(user: StaffUser) throws {
        try session.execute(
            "INSERT INTO staff_user (username, password_hash, role, office, created_at) VALUES ($1, $2, $3, $4, $5)",
            [
                .text(user.username), .text(user.passwordHash), .text(user.role.rawValue), .text(user.office?.rawValue),
                .int(StoredForm.millis(user.createdAt)),
            ])
    }

    public mutating func insert(staff account: StaffAccount) throws {
        try session.execute(
            "INSERT INTO staff_account (token_hash, role, office, name, created_at) VALUES ($1, $2, $3, $4, $5)",
            [
                .text(account.tokenHash), .text(account.role.rawValue), .text(account.office?.rawValue), .text(account.name),
                .int(StoredForm.millis(account.createdAt)),
            ])
    }

    // MARK: Rows

    static func ticket(_ row: PostgresRandomAccessRow) throws -> Ticket {
        Ticket(
            id: TicketID(try row.text("id")), office: OfficeID(try row.text("office")), service: ServiceID(try row.text("service")),
            number: TicketNumber(prefix: try row.text("prefix"), sequence: try row.int("sequence")),
            businessDate: LocalDate(parsing: try row.text("business_date")) ?? LocalDate(year: 1970, month: 1, day: 1)!,
            channel: Channel(rawValue: try row.text("channel")) ?? .staff, priority: try row.int("priority"),
            language: try row.text("language"), status: TicketStatus(rawValue: try row.text("status")) ?? .cancelled,
            issuedAt: StoredForm.date(try row.int64("issued_at")), queuedAt: StoredForm.date(try row.int64("queued_at")),
            calledAt: try row.optionalInt64("called_at").map(StoredForm.date),
            servingAt: try row.optionalInt64("serving_at").map(StoredForm.date),
            finishedAt: try row.optionalInt64("finished_at").map(StoredForm.date),
            counter: try row.optionalText("counter").map { CounterID($0) },
            deferrals: try row.int("deferrals"), recalls: try row.int("recalls"), stage: try row.int("stage"),
            onTheWay: try row.bool("on_the_way"))
    }

    static func event(_ row: PostgresRandomAccessRow) throws -> Event {
        var event = try EventLine.decode(try row.text("body").utf8)
        event.seq = try row.int64("seq")
        return event
    }

    func zone(_ office: OfficeID) throws -> TimeZone {
        try self.office(office)?.zone ?? TimeZone(identifier: "Asia/Tokyo")!
    }
}
