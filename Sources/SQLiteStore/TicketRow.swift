import Foundation
import GRDB
import QueueCore

/// The mapping between `Ticket` and its row. Times are whole milliseconds since 1970, as `QueueCommands.now()` makes them.
enum TicketRow {
    /// The columns in the order `arguments` writes them and `decode` reads them. Every query that decodes a ticket
    /// selects these (not `*`): `decode` reads by position, because GRDB finds a column by name by lowercasing
    /// every column's name (`String.lowercased` was 1.8% of the writer's samples when issuing).
    static let columns = """
        id, office, service, prefix, sequence, business_date, channel, priority, language, status, \
        issued_at, queued_at, called_at, serving_at, finished_at, counter, deferrals, recalls, stage, on_the_way
        """

    static let insertSQL = "INSERT INTO ticket (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

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
            id: TicketID(row[0] as String), office: OfficeID(row[1] as String), service: ServiceID(row[2] as String),
            number: TicketNumber(prefix: row[3], sequence: row[4]),
            businessDate: LocalDate(parsing: row[5]) ?? LocalDate(year: 1970, month: 1, day: 1)!,
            channel: Channel(rawValue: row[6]) ?? .staff, priority: row[7], language: row[8],
            status: TicketStatus(rawValue: row[9]) ?? .cancelled, issuedAt: date(row[10]), queuedAt: date(row[11]),
            calledAt: (row[12] as Int64?).map(date), servingAt: (row[13] as Int64?).map(date),
            finishedAt: (row[14] as Int64?).map(date), counter: (row[15] as String?).map { CounterID($0) },
            deferrals: row[16], recalls: row[17], stage: row[18], onTheWay: row[19])
    }

    static func millis(_ date: Date) -> Int64 { StoredForm.millis(date) }
    static func date(_ millis: Int64) -> Date { StoredForm.date(millis) }
}
