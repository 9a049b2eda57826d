import Foundation
import GRDB
import QueueCore

/// The mapping between `Ticket` and its row. Times are whole milliseconds since 1970, as `QueueCommands.now()` makes them.
enum TicketRow {
    static let insertSQL = """
        INSERT INTO ticket (id, office, service, prefix, sequence, business_date, channel, priority, language, status,
            issued_at, queued_at, called_at, serving_at, finished_at, counter, deferrals, recalls, stage, on_the_way)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let updateSQL = """
        UPDATE ticket SET service = ?, status = ?, queued_at = ?, called_at = ?, serving_at = ?, finished_at = ?,
            counter = ?, deferrals = ?, recalls = ?, stage = ?, on_the_way = ?
        WHERE id = ? AND status = ?
        """

    static func arguments(_ t: Ticket) -> StatementArguments {
        [
            t.id.rawValue, t.office.rawValue, t.service.rawValue, t.number.prefix, t.number.sequence, t.businessDate.description,
            t.channel.rawValue, t.priority, t.language, t.status.rawValue, millis(t.issuedAt), millis(t.queuedAt),
            t.calledAt.map(millis), t.servingAt.map(millis), t.finishedAt.map(millis), t.counter?.rawValue, t.deferrals,
            t.recalls, t.stage, t.onTheWay,
        ]
    }

    static func updateArguments(_ t: Ticket, expected: TicketStatus) -> StatementArguments {
        [
            t.service.rawValue, t.status.rawValue, millis(t.queuedAt), t.calledAt.map(millis), t.servingAt.map(millis),
            t.finishedAt.map(millis), t.counter?.rawValue, t.deferrals, t.recalls, t.stage, t.onTheWay, t.id.rawValue, expected.rawValue,
        ]
    }

    static func decode(_ row: Row) -> Ticket {
        Ticket(
            id: TicketID(row["id"] as String), office: OfficeID(row["office"] as String),
            service: ServiceID(row["service"] as String),
            number: TicketNumber(prefix: row["prefix"], sequence: row["sequence"]),
            businessDate: LocalDate(parsing: row["business_date"]) ?? LocalDate(year: 1970, month: 1, day: 1)!,
            channel: Channel(rawValue: row["channel"]) ?? .staff, priority: row["priority"], language: row["language"],
            status: TicketStatus(rawValue: row["status"]) ?? .cancelled, issuedAt: date(row["issued_at"]),
            queuedAt: date(row["queued_at"]), calledAt: (row["called_at"] as Int64?).map(date),
            servingAt: (row["serving_at"] as Int64?).map(date), finishedAt: (row["finished_at"] as Int64?).map(date),
            counter: (row["counter"] as String?).map { CounterID($0) }, deferrals: row["deferrals"], recalls: row["recalls"],
            stage: row["stage"], onTheWay: row["on_the_way"])
    }

    static func millis(_ date: Date) -> Int64 { StoredForm.millis(date) }
    static func date(_ millis: Int64) -> Date { StoredForm.date(millis) }
}
