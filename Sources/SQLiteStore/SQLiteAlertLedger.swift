import Foundation
import GRDB
import QueueCore

/// The alert side of the SQLite ledger: contacts, the outbox and its claims, link codes, webhook ids, server keys
/// (docs/notifications.md). The queue side is in SQLiteLedger.swift.
extension SQLiteLedger {
    // MARK: Reads

    public func contacts(ticket: TicketID) throws -> [Contact] {
        let sql = "SELECT * FROM contact WHERE ticket = ? ORDER BY channel"
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [ticket.rawValue]).compactMap { row in
            guard let channel = AlertChannel(rawValue: row["channel"]), let date = LocalDate(parsing: row["business_date"]) else {
                return nil
            }
            return Contact(
                ticket: ticket, office: OfficeID(row["office"] as String), businessDate: date, channel: channel,
                address: row["address"], createdAt: TicketRow.date(row["created_at"]))
        }
    }

    public func guideAnswers(ticket: TicketID) throws -> GuideAnswers? {
        let body = try String.fetchOne(
            db.cachedStatement(sql: "SELECT body FROM guide_answer WHERE ticket = ?"), arguments: [ticket.rawValue])
        return try body.map { try JSONDecoder().decode(GuideAnswers.self, from: Data($0.utf8)) }
    }

    public func contactUses(channel: AlertChannel, address: String, date: LocalDate) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM contact WHERE business_date = ? AND channel = ? AND address = ?"),
            arguments: [date.description, channel.rawValue, address]) ?? 0
    }

    public func dueAlerts(now: Date, limit: Int) throws -> [OutboxAlert] {
        let sql =
            "SELECT * FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"
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

    // MARK: Writes

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

    public mutating func save(guideAnswers: GuideAnswers) throws {
        try db.execute(
            sql: """
                INSERT INTO guide_answer (ticket, office, business_date, body) VALUES (?, ?, ?, ?)
                ON CONFLICT (ticket) DO UPDATE SET body = excluded.body
                """,
            arguments: [
                guideAnswers.ticket.rawValue, guideAnswers.office.rawValue, guideAnswers.businessDate.description,
                String(decoding: try JSONEncoder().encode(guideAnswers), as: UTF8.self),
            ])
    }

    public mutating func purgeContacts(office: OfficeID, before date: LocalDate) throws -> Int {
        try db.execute(sql: "DELETE FROM contact WHERE office = ? AND business_date < ?", arguments: [office.rawValue, date.description])
        let gone = db.changesCount
        try db.execute(sql: "DELETE FROM outbox WHERE office = ? AND business_date < ?", arguments: [office.rawValue, date.description])
        try db.execute(
            sql: "DELETE FROM guide_answer WHERE office = ? AND business_date < ?", arguments: [office.rawValue, date.description])
        return gone + db.changesCount
    }

    public mutating func serverKey(_ name: String, candidate: String) throws -> String {
        try db.execute(
            sql: "INSERT INTO server_key (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", arguments: [name, candidate])
        guard let value = try String.fetchOne(db, sql: "SELECT value FROM server_key WHERE name = ?", arguments: [name]) else {
            throw QueueError.storageUnavailable("server key \(name) not kept")
        }
        return value
    }

    public mutating func save(linkCode: LinkCode) throws {
        try db.execute(
            sql: "INSERT INTO link_code (code, ticket, office, business_date, channel) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                linkCode.code, linkCode.ticket.rawValue, linkCode.office.rawValue, linkCode.businessDate.description,
                linkCode.channel.rawValue,
            ])
    }

    public mutating func takeLinkCode(_ code: String) throws -> LinkCode? {
        guard let row = try Row.fetchOne(db, sql: "DELETE FROM link_code WHERE code = ? RETURNING *", arguments: [code]),
            let date = LocalDate(parsing: row["business_date"]), let channel = AlertChannel(rawValue: row["channel"])
        else { return nil }
        return LinkCode(
            code: code, ticket: TicketID(row["ticket"] as String), office: OfficeID(row["office"] as String), businessDate: date,
            channel: channel)
    }

    public mutating func firstSight(webhookEvent id: String, at: Date) throws -> Bool {
        try db.execute(
            sql: "INSERT INTO webhook_event (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", arguments: [id, TicketRow.millis(at)])
        return db.changesCount == 1
    }

    public mutating func purgeLinks(office: OfficeID, before date: LocalDate, webhookEventsBefore cutoff: Date) throws {
        try db.execute(sql: "DELETE FROM link_code WHERE office = ? AND business_date < ?", arguments: [office.rawValue, date.description])
        try db.execute(
            sql: "DELETE FROM line_rank WHERE office = ? AND business_date < ? AND waiting = 0",
            arguments: [office.rawValue, date.description])
        try db.execute(sql: "DELETE FROM webhook_event WHERE seen_at < ?", arguments: [TicketRow.millis(cutoff)])
        try db.execute(
            sql: "DELETE FROM idempotency WHERE office = ? AND ticket IN (SELECT id FROM ticket WHERE office = ? AND business_date < ?)",
            arguments: [office.rawValue, office.rawValue, date.description])
    }
}
