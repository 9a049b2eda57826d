import Foundation
import GRDB
import QueueCore
import Synchronization

/// `QueueLedger` over one GRDB connection, inside a transaction the store opened.
public struct SQLiteLedger: QueueLedger {
    let db: Database
    let officeCache: OfficeCache

    // MARK: QueueReader

    public func offices() throws -> [Office] {
        try Row.fetchAll(db, sql: "SELECT id, revision, config FROM office ORDER BY position").compactMap {
            try officeCache.office(id: $0[0], revision: $0[1], text: $0[2])
        }
    }

    public func office(_ id: OfficeID) throws -> Office? {
        // The text only when the cache does not hold this revision (`OfficeCache`).
        let sql = "SELECT revision, CASE WHEN revision = ? THEN NULL ELSE config END AS config FROM office WHERE id = ?"
        for cached in [officeCache.revision(of: id.rawValue), nil] {
            guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [cached, id.rawValue]) else { return nil }
            if let office = try officeCache.office(id: id.rawValue, revision: row[0], text: row[1]) { return office }
        }
        return nil
    }

    public func counterState(_ office: OfficeID, _ counter: CounterID) throws -> CounterState? {
        let sql = "SELECT \(Self.counterColumns) FROM counter_state WHERE office = ? AND counter = ?"
        return try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [office.rawValue, counter.rawValue]).map(Self.counterState)
    }

    public func counterStates(office: OfficeID) throws -> [CounterState] {
        let sql = "SELECT \(Self.counterColumns) FROM counter_state WHERE office = ? ORDER BY counter"
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [office.rawValue]).map(Self.counterState)
    }

    /// Read by position in `counterState`, as tickets are (`TicketRow.columns`).
    static let counterColumns = "counter, open, current, priority_streak, skills, skills_date"

    static func counterState(_ row: Row) -> CounterState {
        CounterState(
            id: CounterID(row[0] as String), open: row[1], current: (row[2] as String?).map { TicketID($0) }, priorityStreak: row[3],
            skills: StoredForm.skills(parsing: row[4]), skillsDate: (row[5] as String?).flatMap(LocalDate.init(parsing:)))
    }

    public func ticket(_ id: TicketID) throws -> Ticket? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(TicketRow.columns) FROM ticket WHERE id = ?"), arguments: [id.rawValue]).map(
            TicketRow.decode)
    }

    public func ticket(office: OfficeID, date: LocalDate, number: TicketNumber) throws -> Ticket? {
        let sql = "SELECT \(TicketRow.columns) FROM ticket WHERE office = ? AND business_date = ? AND prefix = ? AND sequence = ?"
        return try Row.fetchOne(
            db.cachedStatement(sql: sql), arguments: [office.rawValue, date.description, number.prefix, number.sequence]
        ).map(TicketRow.decode)
    }

    public func lineHeads(office: OfficeID, date: LocalDate, services: Set<ServiceID>) throws -> [Ticket] {
        // One indexed probe per (procedure, priority) line, in `Line.precedes` order: O(lines · log n), however
        // long the lines are.
        let sql = """
            SELECT \(TicketRow.columns) FROM ticket WHERE office = ? AND business_date = ? AND status = 'waiting' AND service = ? AND priority = ?
                AND on_the_way = 0
            ORDER BY queued_at, sequence, id LIMIT 1
            """
        let statement = try db.cachedStatement(sql: sql)
        var heads: [Ticket] = []
        for service in services {
            for priority in Ticket.priorityClasses {
                if let row = try Row.fetchOne(statement, arguments: [office.rawValue, date.description, service.rawValue, priority]) {
                    heads.append(TicketRow.decode(row))
                }
            }
        }
        return heads
    }

    public func waitingTickets(office: OfficeID, date: LocalDate) throws -> [Ticket] {
        let sql = """
            SELECT \(TicketRow.columns) FROM ticket WHERE office = ? AND business_date = ? AND status = 'waiting'
            ORDER BY service, priority DESC, queued_at, sequence, id
            """
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [office.rawValue, date.description]).map(TicketRow.decode)
    }

    public func openTickets(office: OfficeID, before date: LocalDate) throws -> [Ticket] {
        let sql = """
            SELECT \(TicketRow.columns) FROM ticket WHERE office = ? AND business_date < ? AND status IN ('waiting', 'called', 'serving')
            ORDER BY business_date, prefix, sequence
            """
        return try Row.fetchAll(db, sql: sql, arguments: [office.rawValue, date.description]).map(TicketRow.decode)
    }

    public func lineRankSum(_ spans: [LineRank.Span]) throws -> Int {
        guard !spans.isEmpty else { return 0 }
        // One indexed range per span, summed in one statement.
        let one = """
            (SELECT COALESCE(SUM(waiting), 0) FROM line_rank
             WHERE office = ? AND business_date = ? AND service = ? AND priority = ? AND level = ? AND bucket >= ? AND bucket < ?)
            """
        let sql = "SELECT " + Array(repeating: one, count: spans.count).joined(separator: " + ")
        var arguments = StatementArguments()
        for span in spans {
            arguments += [
                span.line.office.rawValue, span.line.date.description, span.line.service.rawValue, span.line.priority, span.level,
                span.from, span.to,
            ]
        }
        return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) ?? 0
    }

    public func waitingTied(with ticket: Ticket) throws -> Int {
        // `Line.precedes` among tickets of one line that joined in the same millisecond.
        let sql = """
            SELECT COUNT(*) FROM ticket
            WHERE office = ? AND business_date = ? AND status = 'waiting' AND service = ? AND priority = ? AND queued_at = ? AND id <> ?
              AND (sequence < ? OR (sequence = ? AND id < ?))
            """
        let s = ticket.number.sequence
        return try Int.fetchOne(
            db.cachedStatement(sql: sql),
            arguments: [
                ticket.office.rawValue, ticket.businessDate.description, ticket.service.rawValue, ticket.priority,
                LineRank.millis(ticket), ticket.id.rawValue, s, s, ticket.id.rawValue,
            ]) ?? 0
    }

    public func idempotencyRecord(office: OfficeID, scope: String, key: String) throws -> IdempotencyRecord? {
        let sql = "SELECT fingerprint, ticket FROM idempotency WHERE office = ? AND scope = ? AND key = ?"
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [office.rawValue, scope, key]) else { return nil }
        return IdempotencyRecord(
            office: office, scope: scope, key: key, fingerprint: row["fingerprint"], ticket: TicketID(row["ticket"] as String))
    }

    public func events(office: OfficeID, date: LocalDate?, afterSeq: Int64, limit: Int) throws -> [Event] {
        var sql = "SELECT body, seq FROM event WHERE office = ? AND seq > ?"
        var arguments: StatementArguments = [office.rawValue, afterSeq]
        if let date {
            let zone = try self.office(office)?.zone ?? TimeZone(identifier: "Asia/Tokyo")!
            let range = date.interval(in: zone)
            // One day: by time. Left to itself the planner walks the office's whole log in seq order (every event
            // of every earlier day), which made reading a day of history cost as much as reading all of it.
            sql = "SELECT body, seq FROM event INDEXED BY event_office_time WHERE office = ? AND seq > ? AND at >= ? AND at < ?"
            arguments += [TicketRow.millis(range.start), TicketRow.millis(range.end)]
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.event)
    }

    /// An event from `SELECT body, seq`.
    static func event(_ row: Row) throws -> Event {
        var event = try EventLine.decode((row[0] as String).utf8)
        event.seq = row[1]
        return event
    }

    public func reforms(office: OfficeID) throws -> [Event] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT body, seq FROM event WHERE office = ? AND type = 'reform.recorded' ORDER BY seq"),
            arguments: [office.rawValue]
        ).map(Self.event)
    }

    public func hasEvent(office: OfficeID, type: EventType, date: LocalDate) throws -> Bool {
        let zone = try self.office(office)?.zone ?? TimeZone(identifier: "Asia/Tokyo")!
        let range = date.interval(in: zone)
        return try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM event WHERE office = ? AND at >= ? AND at < ? AND type = ? LIMIT 1"),
            arguments: [office.rawValue, TicketRow.millis(range.start), TicketRow.millis(range.end), type.rawValue]) ?? false
    }

    public func lastEventSeq(office: OfficeID) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM event WHERE office = ?"), arguments: [office.rawValue]) ?? 0
    }

    public func staffAccount(tokenHash: String) throws -> StaffAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM staff_account WHERE token_hash = ?", arguments: [tokenHash]).flatMap(Self.staffAccount)
    }

    static func staffAccount(_ row: Row) -> StaffAccount? {
        guard let role = StaffAccount.Role(rawValue: row["role"]) else { return nil }
        return StaffAccount(
            tokenHash: row["token_hash"], role: role, office: (row["office"] as String?).map { OfficeID($0) }, name: row["name"],
            createdAt: TicketRow.date(row["created_at"]))
    }

    public func staffAccounts() throws -> [StaffAccount] {
        try Row.fetchAll(db, sql: "SELECT * FROM staff_account WHERE substr(name, 1, 8) <> 'session:' ORDER BY created_at, token_hash")
            .compactMap(Self.staffAccount)
    }

    public func staffUser(username: String) throws -> StaffUser? {
        try Row.fetchOne(db, sql: "SELECT * FROM staff_user WHERE username = ?", arguments: [username]).flatMap(Self.staffUser)
    }

    public func staffUsers() throws -> [StaffUser] {
        try Row.fetchAll(db, sql: "SELECT * FROM staff_user ORDER BY username").compactMap(Self.staffUser)
    }

    static func staffUser(_ row: Row) -> StaffUser? {
        guard let role = StaffAccount.Role(rawValue: row["role"]) else { return nil }
        return StaffUser(
            username: row["username"], passwordHash: row["password_hash"], role: role,
            office: (row["office"] as String?).map { OfficeID($0) }, createdAt: TicketRow.date(row["created_at"]))
    }

    public func hasEvent(ticket: TicketID, type: EventType) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM event WHERE ticket = ? AND type = ? LIMIT 1"),
            arguments: [ticket.rawValue, type.rawValue]) ?? false
    }

    // MARK: QueueLedger

    public mutating func save(office: Office) throws {
        let text = String(decoding: try JSONEncoder().encode(office), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO office (id, position, config, revision) VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM office), ?, ?)
                ON CONFLICT (id) DO UPDATE SET config = excluded.config, revision = excluded.revision
                """,
            arguments: [office.id.rawValue, text, OfficeCache.newRevision()])
    }

    public mutating func nextNumber(office: OfficeID, service: ServiceID, date: LocalDate) throws -> Int {
        let sql = """
            INSERT INTO number_sequence (office, service, business_date, last) VALUES (?, ?, ?, 1)
            ON CONFLICT (office, service, business_date) DO UPDATE SET last = last + 1
            RETURNING last
            """
        guard let next = try Int.fetchOne(db.cachedStatement(sql: sql), arguments: [office.rawValue, service.rawValue, date.description])
        else { throw QueueError.storageUnavailable("number sequence returned nothing") }
        return next
    }

    public mutating func insert(_ ticket: Ticket) throws {
        try db.cachedStatement(sql: TicketRow.insertSQL).execute(arguments: TicketRow.arguments(ticket))
    }

    public mutating func update(_ ticket: Ticket, expecting expected: TicketStatus) throws {
        try db.cachedStatement(sql: TicketRow.updateSQL).execute(arguments: TicketRow.updateArguments(ticket, expected: expected))
        guard db.changesCount == 1 else {
            let now = try String.fetchOne(db, sql: "SELECT status FROM ticket WHERE id = ?", arguments: [ticket.id.rawValue])
            guard let status = now.flatMap(TicketStatus.init(rawValue:)) else { throw QueueError.ticketNotFound }
            throw QueueError.invalidTransition(from: status, action: "changed")
        }
    }

    public mutating func adjustLineRank(_ cells: [LineRank.Cell], by delta: Int) throws {
        let sql = """
            INSERT INTO line_rank (office, business_date, service, priority, level, bucket, waiting) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (office, business_date, service, priority, level, bucket) DO UPDATE SET waiting = waiting + excluded.waiting
            """
        let statement = try db.cachedStatement(sql: sql)
        for cell in cells {
            try statement.execute(arguments: [
                cell.line.office.rawValue, cell.line.date.description, cell.line.service.rawValue, cell.line.priority, cell.level,
                cell.bucket, delta,
            ])
        }
    }

    public mutating func save(counter: CounterState, office: OfficeID) throws {
        let sql = """
            INSERT INTO counter_state (office, counter, open, current, priority_streak, skills, skills_date) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (office, counter) DO UPDATE SET open = excluded.open, current = excluded.current,
                priority_streak = excluded.priority_streak, skills = excluded.skills, skills_date = excluded.skills_date
            """
        try db.cachedStatement(sql: sql).execute(
            arguments: [
                office.rawValue, counter.id.rawValue, counter.open, counter.current?.rawValue, counter.priorityStreak,
                StoredForm.skills(counter.skills), counter.skillsDate?.description,
            ])
    }

    public mutating func append(_ event: Event) throws -> Event {
        // The body is the event's canonical line; its seq is the row id, filled in when read.
        let body = EventLine.encode(event)
        try db.cachedStatement(sql: "INSERT INTO event (office, at, type, ticket, body) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [event.office.rawValue, TicketRow.millis(event.at), event.type.rawValue, event.ticket?.rawValue, body])
        var stored = event
        stored.seq = db.lastInsertedRowID
        return stored
    }

    public mutating func remember(_ record: IdempotencyRecord) throws {
        try db.cachedStatement(sql: "INSERT INTO idempotency (office, scope, key, fingerprint, ticket) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [record.office.rawValue, record.scope, record.key, record.fingerprint, record.ticket.rawValue])
    }

    public mutating func deleteStaff(namePrefix: String, createdBefore cutoff: Date) throws -> Int {
        // `substr` rather than LIKE, so that `_` and `%` in the prefix mean themselves.
        try db.execute(
            sql: "DELETE FROM staff_account WHERE substr(name, 1, ?) = ? AND created_at < ?",
            arguments: [namePrefix.count, namePrefix, TicketRow.millis(cutoff)])
        return db.changesCount
    }

    public mutating func deleteStaff(tokenHash: String) throws -> Int {
        try db.execute(sql: "DELETE FROM staff_account WHERE token_hash = ?", arguments: [tokenHash])
        return db.changesCount
    }

    public mutating func deleteStaff(name: String) throws -> Int {
        try db.execute(sql: "DELETE FROM staff_account WHERE name = ?", arguments: [name])
        return db.changesCount
    }

    public mutating func deleteUser(username: String) throws -> Int {
        try db.execute(sql: "DELETE FROM staff_user WHERE username = ?", arguments: [username])
        return db.changesCount
    }

    public mutating func insert(user: StaffUser) throws {
        try db.execute(
            sql: "INSERT INTO staff_user (username, password_hash, role, office, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [user.username, user.passwordHash, user.role.rawValue, user.office?.rawValue, TicketRow.millis(user.createdAt)])
    }

    public mutating func insert(staff account: StaffAccount) throws {
        try db.execute(
            sql: "INSERT INTO staff_account (token_hash, role, office, name, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                account.tokenHash, account.role.rawValue, account.office?.rawValue, account.name, TicketRow.millis(account.createdAt),
            ])
    }
}
