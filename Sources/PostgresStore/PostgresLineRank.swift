import QueueCore

/// The line counts behind positions (`LineRank`) in PostgreSQL: the `line_rank` table, changed in the ticket's own
/// transaction.
extension PostgresLedger {
    public func lineRankSum(_ spans: [LineRank.Span]) throws -> Int {
        guard !spans.isEmpty else { return 0 }
        // One indexed range per span, summed in one statement.
        var binds: [Bind] = []
        let parts = spans.map { span -> String in
            let n = binds.count
            binds += [
                .text(span.line.office.rawValue), .text(span.line.date.description), .text(span.line.service.rawValue),
                .int(span.line.priority), .int(span.level), .int(span.from), .int(span.to),
            ]
            return """
                (SELECT COALESCE(SUM(waiting), 0) FROM line_rank WHERE office = $\(n + 1) AND business_date = $\(n + 2)
                 AND service = $\(n + 3) AND priority = $\(n + 4) AND level = $\(n + 5) AND bucket >= $\(n + 6) AND bucket < $\(n + 7))
                """
        }
        return try session.rows("SELECT (" + parts.joined(separator: " + ") + ")::bigint AS n", binds).first?.int("n") ?? 0
    }

    public func waitingTied(with ticket: Ticket) throws -> Int {
        // `Line.precedes` among tickets of one line that joined in the same millisecond.
        let sql = """
            SELECT COUNT(*) AS n FROM ticket
            WHERE office = $1 AND business_date = $2 AND status = 'waiting' AND service = $3 AND priority = $4 AND queued_at = $5
              AND id <> $6 AND (sequence < $7 OR (sequence = $7 AND id < $6))
            """
        return try session.rows(
            sql,
            [
                .text(ticket.office.rawValue), .text(ticket.businessDate.description), .text(ticket.service.rawValue),
                .int(ticket.priority), .int(LineRank.millis(ticket)), .text(ticket.id.rawValue), .int(ticket.number.sequence),
            ]
        ).first?.int("n") ?? 0
    }

    public mutating func adjustLineRank(_ cells: [LineRank.Cell], by delta: Int) throws {
        guard !cells.isEmpty else { return }
        try session.lockOffice(cells[0].line.office)
        var binds: [Bind] = []
        let rows = cells.map { cell -> String in
            let n = binds.count
            binds += [
                .text(cell.line.office.rawValue), .text(cell.line.date.description), .text(cell.line.service.rawValue),
                .int(cell.line.priority), .int(cell.level), .int(cell.bucket), .int(delta),
            ]
            return "(" + (1...7).map { "$\(n + $0)" }.joined(separator: ", ") + ")"
        }
        try session.execute(
            """
            INSERT INTO line_rank (office, business_date, service, priority, level, bucket, waiting) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (office, business_date, service, priority, level, bucket) DO UPDATE SET waiting = line_rank.waiting + excluded.waiting
            """, binds)
    }
}
