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
        try Row.fetchAll(db, sql: "SELECT id, config FROM office ORDER BY position").map {
            try officeCache.decode(id: $0["id"], text: $0["config"])
        }
    }

    public func office(_ id: OfficeID) throws -> Office? {
        guard let text = try String.fetchOne(db.cachedStatement(sql: "SELECT config FROM office WHERE id = ?"), arguments: [id.rawValue])
        else { return nil }
        return try officeCache.decode(id: id.rawValue, text: text)
    }

    public func counterState(_ office: OfficeID, _ counter: CounterID) throws -> CounterState? {
        let sql = "SELECT counter, open, current, priority_streak, skills, skills_date FROM counter_state WHERE office = ? AND counter = ?"
        return try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [office.rawValue, counter.rawValue]).map(Self.counterState)
    }

    public func counterStates(office: OfficeID) throws -> [CounterState] {
        let sql = "SELECT counter, open, current, priority_streak, skills, skills_date FROM counter_state WHERE office = ? ORDER BY counter"
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [office.rawValue]).map(Self.counterState)
    }

    static func counterState(_ row: Row) -> CounterState {
        CounterState(
            id: CounterID(row["counter"] as String), open: row["open"], current: (row["current"] as String?).map { TicketID($0) },
            priorityStreak: row["priority_streak"],
            // Procedure ids, comma-separated (ids are [a-z0-9-]).
            skills: (row["skills"] as String?).map { $0.split(separator: ",").map { ServiceID(String($0)) } },
            skillsDate: (row["skills_date"] as String?).flatMap(LocalDate.init(parsing:)))
    }

    public func ticket(_ id: TicketID) throws -> Ticket? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM ticket WHERE id = ?"), arguments: [id.rawValue]).map(TicketRow.decode)
    }

    public func ticket(office: OfficeID, date: LocalDate, number: TicketNumber) throws -> Ticket? {
        let sql = "SELECT * FROM ticket WHERE office = ? AND business_date = ? AND prefix = ? AND sequence = ?"
        return try Row.fetchOne(
            db.cachedStatement(sql: sql), arguments: [office.rawValue, date.description, number.prefix, number.sequence]
        ).map(TicketRow.decode)
    }

    public func lineHeads(office: OfficeID, date: LocalDate, services: Set<ServiceID>) throws -> [Ticket] {
        // One indexed probe per (procedure, priority) line, in `Line.precedes` order: O(lines · log n), however
        // long the lines are.
        let sql = """
            SELECT * FROM ticket WHERE office = ? AND business_date = ? AND status = 'waiting' AND service = ? AND priority = ?
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
            SELECT * FROM ticket WHERE office = ? AND business_date = ? AND status = 'waiting'
            ORDER BY service, priority DESC, queued_at, sequence, id
            """
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [office.rawValue, date.description]).map(TicketRow.decode)
    }

    public func openTickets(office: OfficeID, before date: LocalDate) throws -> [Ticket] {
        let sql = """
            SELECT * FROM ticket WHERE office = ? AND business_date < ? AND status IN ('waiting', 'called', 'serving')
            ORDER BY business_date, prefix, sequence
            """
        return try Row.fetchAll(db, sql: sql, arguments: [office.rawValue, date.description]).map(TicketRow.decode)
    }

    public func waitingAhead(of ticket: Ticket) throws -> Int {
        // The SQL form of `Line.callsBefore`.
        let sql = """
            SELECT COUNT(*) FROM ticket
            WHERE office = ? AND business_date = ? AND status = 'waiting' AND service = ? AND id <> ?
              AND (priority > ? OR (priority = ? AND (queued_at < ? OR (queued_at = ? AND (sequence < ? OR (sequence = ? AND id < ?))))))
            """
        let q = TicketRow.millis(ticket.queuedAt)
        let s = ticket.number.sequence
        return try Int.fetchOne(
            db.cachedStatement(sql: sql),
            arguments: [ticket.office.rawValue, ticket.businessDate.description, ticket.service.rawValue, ticket.id.rawValue,
                        ticket.priority, ticket.priority, q, q, s, s, ticket.id.rawValue]) ?? 0
    }

    public func idempotencyRecord(office: OfficeID, scope: String, key: String) throws -> IdempotencyRecord? {
        let sql = "SELECT fingerprint, ticket FROM idempotency WHERE office = ? AND scope = ? AND key = ?"
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [office.rawValue, scope, key]) else { return nil }
        return IdempotencyRecord(office: office, scope: scope, key: key, fingerprint: row["fingerprint"], ticket: TicketID(row["ticket"] as String))
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
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            var event = try EventLine.decode((row["body"] as String).utf8)
            event.seq = row["seq"]
            return event
        }
    }

    public func reforms(office: OfficeID) throws -> [Event] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT body, seq FROM event WHERE office = ? AND type = 'reform.recorded' ORDER BY seq"),
            arguments: [office.rawValue]
        ).map { row in
            var event = try EventLine.decode((row["body"] as String).utf8)
            event.seq = row["seq"]
            return event
        }
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
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM staff_account WHERE token_hash = ?", arguments: [tokenHash])
        else { return nil }
        guard let role = StaffAccount.Role(rawValue: row["role"]) else { return nil }
        return StaffAccount(
            tokenHash: tokenHash, role: role, office: (row["office"] as String?).map { OfficeID($0) }, name: row["name"],
            createdAt: TicketRow.date(row["created_at"]))
    }

    public func staffUser(username: String) throws -> StaffUser? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM staff_user WHERE username = ?", arguments: [username]),
            let role = StaffAccount.Role(rawValue: row["role"])
        else { return nil }
        return StaffUser(
            username: username, passwordHash: row["password_hash"], role: role,
            office: (row["office"] as String?).map { OfficeID($0) }, createdAt: TicketRow.date(row["created_at"]))
    }

    public func hasEvent(ticket: TicketID, type: EventType) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM event WHERE ticket = ? AND type = ? LIMIT 1"),
            arguments: [ticket.rawValue, type.rawValue]) ?? false
    }

    public func contacts(ticket: TicketID) throws -> [Contact] {
        let sql = "SELECT * FROM contact WHERE ticket = ? ORDER BY channel"
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [ticket.rawValue]).compactMap { row in
            guard let channel = AlertChannel(rawValue: row["channel"]), let date = LocalDate(parsing: row["business_date"]) else { return nil }
            return Contact(
                ticket: ticket, office: OfficeID(row["office"] as String), businessDate: date, channel: channel,
                address: row["address"], createdAt: TicketRow.date(row["created_at"]))
        }
    }

    public func contactUses(channel: AlertChannel, address: String, date: LocalDate) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM contact WHERE business_date = ? AND channel = ? AND address = ?"),
            arguments: [date.description, channel.rawValue, address]) ?? 0
    }

    public func dueAlerts(now: Date, limit: Int) throws -> [OutboxAlert] {
        let sql = "SELECT * FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [TicketRow.millis(now), limit]).compactMap(Self.alert)
    }

    public func alert(id: Int64) throws -> OutboxAlert? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ?"), arguments: [id]).flatMap(Self.alert)
    }

    static func alert(_ row: Row) -> OutboxAlert? {
        guard let kind = AlertKind(rawValue: row["kind"]), let channel = AlertChannel(rawValue: row["channel"]),
            let date = LocalDate(parsing: row["business_date"]), let number = TicketNumber(parsing: row["number"])
        else { return nil }
        return OutboxAlert(
            id: row["id"], ticket: TicketID(row["ticket"] as String), office: OfficeID(row["office"] as String), businessDate: date,
            kind: kind, round: row["round"], channel: channel, number: number, counterLabel: row["counter_label"],
            language: row["language"], createdAt: TicketRow.date(row["created_at"]), attempts: row["attempts"],
            nextAttemptAt: TicketRow.date(row["next_attempt_at"]), sentAt: (row["sent_at"] as Int64?).map(TicketRow.date),
            failedAt: (row["failed_at"] as Int64?).map(TicketRow.date), lastError: row["last_error"])
    }

    // MARK: QueueLedger

    public mutating func save(office: Office) throws {
        let text = String(decoding: try JSONEncoder().encode(office), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO office (id, position, config) VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM office), ?)
                ON CONFLICT (id) DO UPDATE SET config = excluded.config
                """,
            arguments: [office.id.rawValue, text])
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

    public mutating func save(counter: CounterState, office: OfficeID) throws {
        let sql = """
            INSERT INTO counter_state (office, counter, open, current, priority_streak, skills, skills_date) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (office, counter) DO UPDATE SET open = excluded.open, current = excluded.current,
                priority_streak = excluded.priority_streak, skills = excluded.skills, skills_date = excluded.skills_date
            """
        try db.cachedStatement(sql: sql).execute(
            arguments: [
                office.rawValue, counter.id.rawValue, counter.open, counter.current?.rawValue, counter.priorityStreak,
                counter.skills.map { $0.map(\.rawValue).joined(separator: ",") }, counter.skillsDate?.description,
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

    public mutating func insert(user: StaffUser) throws {
        try db.execute(
            sql: "INSERT INTO staff_user (username, password_hash, role, office, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [user.username, user.passwordHash, user.role.rawValue, user.office?.rawValue, TicketRow.millis(user.createdAt)])
    }

    public mutating func save(contact: Contact) throws {
        let sql = """
            INSERT INTO contact (ticket, channel, office, business_date, address, created_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (ticket, channel) DO UPDATE SET address = excluded.address, created_at = excluded.created_at
            """
        try db.cachedStatement(sql: sql).execute(arguments: [
            contact.ticket.rawValue, contact.channel.rawValue, contact.office.rawValue, contact.businessDate.description,
            contact.address, TicketRow.millis(contact.createdAt),
        ])
    }

    public mutating func deleteContact(ticket: TicketID, channel: AlertChannel) throws {
        try db.execute(sql: "DELETE FROM contact WHERE ticket = ? AND channel = ?", arguments: [ticket.rawValue, channel.rawValue])
    }

    public mutating func enqueue(_ alert: OutboxAlert) throws -> Bool {
        let sql = """
            INSERT INTO outbox (ticket, office, business_date, kind, round, channel, number, counter_label, language,
                created_at, attempts, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (ticket, kind, round, channel) DO NOTHING
            """
        try db.cachedStatement(sql: sql).execute(arguments: [
            alert.ticket.rawValue, alert.office.rawValue, alert.businessDate.description, alert.kind.rawValue, alert.round,
            alert.channel.rawValue, alert.number.description, alert.counterLabel, alert.language, TicketRow.millis(alert.createdAt),
            alert.attempts, TicketRow.millis(alert.nextAttemptAt),
        ])
        return db.changesCount == 1
    }

    public mutating func claimAlerts(now: Date, until: Date, limit: Int) throws -> [OutboxAlert] {
        let due = try dueAlerts(now: now, limit: limit)
        let statement = try db.cachedStatement(sql: "UPDATE outbox SET next_attempt_at = ? WHERE id = ?")
        return try due.map { alert in
            try statement.execute(arguments: [TicketRow.millis(until), alert.id])
            var claimed = alert
            claimed.nextAttemptAt = until
            return claimed
        }
    }

    public mutating func record(alert id: Int64, attempts: Int, outcome: AlertOutcome, at: Date) throws -> Bool {
        let pending = "WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL"
        switch outcome {
        case .sent:
            try db.execute(sql: "UPDATE outbox SET attempts = ?, sent_at = ? \(pending)", arguments: [attempts, TicketRow.millis(at), id])
        case .retry(let next, let error):
            try db.execute(
                sql: "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? \(pending)",
                arguments: [attempts, TicketRow.millis(next), error, id])
        case .failed(let error):
            try db.execute(
                sql: "UPDATE outbox SET attempts = ?, failed_at = ?, last_error = ? \(pending)",
                arguments: [attempts, TicketRow.millis(at), error, id])
        }
        return db.changesCount == 1
    }

    public mutating func purgeContacts(office: OfficeID, before date: LocalDate) throws -> Int {
        try db.execute(sql: "DELETE FROM contact WHERE office = ? AND business_date < ?", arguments: [office.rawValue, date.description])
        let gone = db.changesCount
        try db.execute(sql: "DELETE FROM outbox WHERE office = ? AND business_date < ?", arguments: [office.rawValue, date.description])
        return gone
    }

    public mutating func serverKey(_ name: String, candidate: String) throws -> String {
        try db.execute(sql: "INSERT INTO server_key (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", arguments: [name, candidate])
        guard let value = try String.fetchOne(db, sql: "SELECT value FROM server_key WHERE name = ?", arguments: [name]) else {
            throw QueueError.storageUnavailable("server key \(name) not kept")
        }
        return value
    }

    public mutating func save(linkCode: LinkCode) throws {
        try db.execute(
            sql: "INSERT INTO link_code (code, ticket, office, business_date, channel) VALUES (?, ?, ?, ?, ?)",
            arguments: [linkCode.code, linkCode.ticket.rawValue, linkCode.office.rawValue, linkCode.businessDate.description, linkCode.channel.rawValue])
    }

    public mutating func takeLinkCode(_ code: String) throws -> LinkCode? {
        guard let row = try Row.fetchOne(db, sql: "DELETE FROM link_code WHERE code = ? RETURNING *", arguments: [code]),
            let date = LocalDate(parsing: row["business_date"]), let channel = AlertChannel(rawValue: row["channel"])
        else { return nil }
        return LinkCode(
            code: code, ticket: TicketID(row["ticket"] as String), office: OfficeID(row["office"] as String), businessDate: date, channel: channel)
    }

    public mutating func firstSight(webhookEvent id: String, at: Date) throws -> Bool {
        try db.execute(
            sql: "INSERT INTO webhook_event (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", arguments: [id, TicketRow.millis(at)])
        return db.changesCount == 1
    }

    public mutating func purgeLinks(office: OfficeID, before date: LocalDate, webhookEventsBefore cutoff: Date) throws {
        try db.execute(sql: "DELETE FROM link_code WHERE office = ? AND business_date < ?", arguments: [office.rawValue, date.description])
        try db.execute(sql: "DELETE FROM webhook_event WHERE seen_at < ?", arguments: [TicketRow.millis(cutoff)])
    }

    public mutating func insert(staff account: StaffAccount) throws {
        try db.execute(
            sql: "INSERT INTO staff_account (token_hash, role, office, name, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [account.tokenHash, account.role.rawValue, account.office?.rawValue, account.name, TicketRow.millis(account.createdAt)])
    }
}

/// Decoded office configurations, keyed by their stored text: a command reads the office on every call, and
/// decoding the JSON each time would dominate the issue path. A changed row has other text, so the cache is
/// never stale.
final class OfficeCache: Sendable {
    private let entries = Mutex<[String: (text: String, office: Office)]>([:])

    func decode(id: String, text: String) throws -> Office {
        if let hit = entries.withLock({ $0[id] }), hit.text == text { return hit.office }
        let office = try JSONDecoder().decode(Office.self, from: Data(text.utf8))
        entries.withLock { $0[id] = (text, office) }
        return office
    }
}
