import Foundation
import PostgresNIO
import QueueCore

/// The alert side of the PostgreSQL ledger: contacts, the outbox and its claims, link codes, webhook ids, server
/// keys (docs/notifications.md). The queue side is in PostgresLedger.swift.
extension PostgresLedger {
    // MARK: Reads

    public func contacts(ticket: TicketID) throws -> [Contact] {
        try session.rows("SELECT * FROM contact WHERE ticket = $1 ORDER BY channel", [.text(ticket.rawValue)]).compactMap { row in
            guard let channel = AlertChannel(rawValue: try row.text("channel")),
                let date = LocalDate(parsing: try row.text("business_date"))
            else { return nil }
            return Contact(
                ticket: ticket, office: OfficeID(try row.text("office")), businessDate: date, channel: channel,
                address: try row.text("address"), createdAt: StoredForm.date(try row.int64("created_at")))
        }
    }

    public func guideAnswers(ticket: TicketID) throws -> GuideAnswers? {
        try session.rows("SELECT body FROM guide_answer WHERE ticket = $1", [.text(ticket.rawValue)]).first.map {
            try JSONDecoder().decode(GuideAnswers.self, from: Data(try $0.text("body").utf8))
        }
    }

    public func contactUses(channel: AlertChannel, address: String, date: LocalDate) throws -> Int {
        try session.rows(
            "SELECT COUNT(*) AS n FROM contact WHERE business_date = $1 AND channel = $2 AND address = $3",
            [.text(date.description), .text(channel.rawValue), .text(address)]
        ).first?.int("n") ?? 0
    }

    public func dueAlerts(now: Date, limit: Int) throws -> [OutboxAlert] {
        try session.rows(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
            [.int(StoredForm.millis(now)), .int(limit)]
        ).compactMap(Self.alert)
    }

    public func alert(id: Int64) throws -> OutboxAlert? {
        try session.rows("SELECT * FROM outbox WHERE id = $1", [.int(id)]).first.flatMap(Self.alert)
    }

    static func alert(_ row: PostgresRandomAccessRow) throws -> OutboxAlert? {
        guard let kind = AlertKind(rawValue: try row.text("kind")), let channel = AlertChannel(rawValue: try row.text("channel")),
            let date = LocalDate(parsing: try row.text("business_date")), let number = TicketNumber(parsing: try row.text("number"))
        else { return nil }
        return OutboxAlert(
            id: try row.int64("id"), ticket: TicketID(try row.text("ticket")), office: OfficeID(try row.text("office")), businessDate: date,
            kind: kind, round: try row.int64("round"), channel: channel, number: number,
            counterLabel: try row.optionalText("counter_label"),
            language: try row.text("language"), createdAt: StoredForm.date(try row.int64("created_at")), attempts: try row.int("attempts"),
            nextAttemptAt: StoredForm.date(try row.int64("next_attempt_at")), sentAt: try row.optionalInt64("sent_at").map(StoredForm.date),
            failedAt: try row.optionalInt64("failed_at").map(StoredForm.date), lastError: try row.optionalText("last_error"))
    }

    // MARK: Writes

    public mutating func save(contact: Contact) throws {
        try session.execute(
            """
            INSERT INTO contact (ticket, channel, office, business_date, address, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (ticket, channel) DO UPDATE SET address = excluded.address, created_at = excluded.created_at
            """,
            [
                .text(contact.ticket.rawValue), .text(contact.channel.rawValue), .text(contact.office.rawValue),
                .text(contact.businessDate.description), .text(contact.address), .int(StoredForm.millis(contact.createdAt)),
            ])
    }

    public mutating func deleteContact(ticket: TicketID, channel: AlertChannel) throws {
        try session.execute("DELETE FROM contact WHERE ticket = $1 AND channel = $2", [.text(ticket.rawValue), .text(channel.rawValue)])
    }

    public mutating func enqueue(_ alert: OutboxAlert) throws -> Bool {
        try session.execute(
            """
            INSERT INTO outbox (ticket, office, business_date, kind, round, channel, number, counter_label, language,
                created_at, attempts, next_attempt_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (ticket, kind, round, channel) DO NOTHING
            """,
            [
                .text(alert.ticket.rawValue), .text(alert.office.rawValue), .text(alert.businessDate.description),
                .text(alert.kind.rawValue),
                .int(alert.round), .text(alert.channel.rawValue), .text(alert.number.description), .text(alert.counterLabel),
                .text(alert.language), .int(StoredForm.millis(alert.createdAt)), .int(alert.attempts),
                .int(StoredForm.millis(alert.nextAttemptAt)),
            ]) == 1
    }

    public mutating func claimAlerts(now: Date, until: Date, limit: Int) throws -> [OutboxAlert] {
        // Senders on several nodes: each takes alerts no other sender holds at this moment.
        try session.rows(
            """
            UPDATE outbox SET next_attempt_at = $1 WHERE id IN (
                SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2
                ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING *
            """,
            [.int(StoredForm.millis(until)), .int(StoredForm.millis(now)), .int(limit)]
        ).compactMap(Self.alert).sorted { $0.id < $1.id }
    }

    public mutating func record(alert id: Int64, attempts: Int, outcome: AlertOutcome, at: Date) throws -> Bool {
        let pending = "WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL"
        switch outcome {
        case .sent:
            return try session.execute(
                "UPDATE outbox SET attempts = $2, sent_at = $3 \(pending)", [.int(id), .int(attempts), .int(StoredForm.millis(at))]) == 1
        case .retry(let next, let error):
            return try session.execute(
                "UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 \(pending)",
                [.int(id), .int(attempts), .int(StoredForm.millis(next)), .text(error)]) == 1
        case .failed(let error):
            return try session.execute(
                "UPDATE outbox SET attempts = $2, failed_at = $3, last_error = $4 \(pending)",
                [.int(id), .int(attempts), .int(StoredForm.millis(at)), .text(error)]) == 1
        }
    }

    public mutating func save(guideAnswers: GuideAnswers) throws {
        try session.execute(
            """
            INSERT INTO guide_answer (ticket, office, business_date, body) VALUES ($1, $2, $3, $4)
            ON CONFLICT (ticket) DO UPDATE SET body = excluded.body
            """,
            [
                .text(guideAnswers.ticket.rawValue), .text(guideAnswers.office.rawValue), .text(guideAnswers.businessDate.description),
                .text(String(decoding: try JSONEncoder().encode(guideAnswers), as: UTF8.self)),
            ])
    }

    public mutating func purgeContacts(office: OfficeID, before date: LocalDate) throws -> Int {
        let gone = try session.execute(
            "DELETE FROM contact WHERE office = $1 AND business_date < $2", [.text(office.rawValue), .text(date.description)])
        try session.execute(
            "DELETE FROM outbox WHERE office = $1 AND business_date < $2", [.text(office.rawValue), .text(date.description)])
        let guides = try session.execute(
            "DELETE FROM guide_answer WHERE office = $1 AND business_date < $2", [.text(office.rawValue), .text(date.description)])
        return gone + guides
    }

    public mutating func serverKey(_ name: String, candidate: String) throws -> String {
        try session.execute(
            "INSERT INTO server_key (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [.text(name), .text(candidate)])
        guard let row = try session.rows("SELECT value FROM server_key WHERE name = $1", [.text(name)]).first else {
            throw QueueError.storageUnavailable("server key \(name) not kept")
        }
        return try row.text("value")
    }

    public mutating func save(linkCode: LinkCode) throws {
        try session.execute(
            "INSERT INTO link_code (code, ticket, office, business_date, channel) VALUES ($1, $2, $3, $4, $5)",
            [
                .text(linkCode.code), .text(linkCode.ticket.rawValue), .text(linkCode.office.rawValue),
                .text(linkCode.businessDate.description),
                .text(linkCode.channel.rawValue),
            ])
    }

    public mutating func takeLinkCode(_ code: String) throws -> LinkCode? {
        guard let row = try session.rows("DELETE FROM link_code WHERE code = $1 RETURNING *", [.text(code)]).first,
            let date = LocalDate(parsing: try row.text("business_date")), let channel = AlertChannel(rawValue: try row.text("channel"))
        else { return nil }
        return LinkCode(
            code: code, ticket: TicketID(try row.text("ticket")), office: OfficeID(try row.text("office")), businessDate: date,
            channel: channel)
    }

    public mutating func firstSight(webhookEvent id: String, at: Date) throws -> Bool {
        try session.execute(
            "INSERT INTO webhook_event (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [.text(id), .int(StoredForm.millis(at))])
            == 1
    }

    public mutating func purgeLinks(office: OfficeID, before date: LocalDate, webhookEventsBefore cutoff: Date) throws {
        try session.execute(
            "DELETE FROM link_code WHERE office = $1 AND business_date < $2", [.text(office.rawValue), .text(date.description)])
        try session.execute(
            "DELETE FROM line_rank WHERE office = $1 AND business_date < $2 AND waiting = 0",
            [.text(office.rawValue), .text(date.description)])
        try session.execute("DELETE FROM webhook_event WHERE seen_at < $1", [.int(StoredForm.millis(cutoff))])
        try session.execute(
            "DELETE FROM idempotency WHERE office = $1 AND ticket IN (SELECT id FROM ticket WHERE office = $1 AND business_date < $2)",
            [.text(office.rawValue), .text(date.description)])
    }
}
