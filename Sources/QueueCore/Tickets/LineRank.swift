import Foundation

/// A waiting ticket's place without counting everyone ahead of it.
///
/// Each (procedure, priority class) line of a day keeps counts of its waiting tickets by the millisecond they joined
/// it, in a radix tree of `levels` levels: level `L` counts the tickets whose `millis >> (bitsPerLevel · L)` is a
/// given bucket. The tickets that joined before millisecond `q` are then, at each level, the buckets before `q`'s
/// among the same parent: at most 63 cells per level, seven index ranges in all, however long the line. Ties within
/// `q`'s own millisecond are few and counted directly. A ticket that joins, leaves, or moves (a transfer, "running
/// late") changes one cell per level, in the same transaction as the ticket itself (`record(from:to:in:)`, called
/// from the one path by which tickets change), so the counts always equal what a `COUNT` would find; the contract
/// suite checks that after random operations on every store.
public enum LineRank {
    /// One waiting line: what the cells of one tree are keyed by.
    public struct Line: Hashable, Sendable {
        public var office: OfficeID
        public var date: LocalDate
        public var service: ServiceID
        public var priority: Int

        public init(office: OfficeID, date: LocalDate, service: ServiceID, priority: Int) {
            self.office = office
            self.date = date
            self.service = service
            self.priority = priority
        }

        public init(of ticket: Ticket) {
            self.init(office: ticket.office, date: ticket.businessDate, service: ticket.service, priority: ticket.priority)
        }
    }

    /// One count: the waiting tickets of `line` whose join time falls in `bucket` at `level`.
    public struct Cell: Hashable, Sendable {
        public var line: Line
        public var level: Int
        public var bucket: Int64

        public init(line: Line, level: Int, bucket: Int64) {
            self.line = line
            self.level = level
            self.bucket = bucket
        }
    }

    /// The cells of `line` at `level` with `from <= bucket < to`.
    public struct Span: Hashable, Sendable {
        public var line: Line
        public var level: Int
        public var from: Int64
        public var to: Int64
    }

    public static let bitsPerLevel = 6
    /// Enough for any millisecond since 1970 below 2^42 (the year 2109): the top level has at most 64 buckets.
    public static let levels = 7

    /// The join time the tree is keyed by: the stored milliseconds (`StoredForm.millis`).
    public static func millis(_ ticket: Ticket) -> Int64 { StoredForm.millis(ticket.queuedAt) }

    /// The cells that count `ticket` while it waits: one per level.
    public static func cells(of ticket: Ticket) -> [Cell] {
        let line = Line(of: ticket)
        let q = millis(ticket)
        return (0..<levels).map { Cell(line: line, level: $0, bucket: q >> Int64(bitsPerLevel * $0)) }
    }

    /// The cells whose sum is the number of waiting tickets that will be called before `ticket` and joined before
    /// its millisecond: every ticket of a higher priority class, and those of its own line that joined earlier.
    public static func spansAhead(of ticket: Ticket) -> [Span] {
        let line = Line(of: ticket)
        let q = millis(ticket)
        var spans = (0..<levels).compactMap { level -> Span? in
            let bucket = q >> Int64(bitsPerLevel * level)
            let first = (bucket >> Int64(bitsPerLevel)) << Int64(bitsPerLevel)
            return first < bucket ? Span(line: line, level: level, from: first, to: bucket) : nil
        }
        for higher in Ticket.priorityClasses where higher > ticket.priority {
            var whole = line
            whole.priority = higher
            spans.append(Span(line: whole, level: levels - 1, from: 0, to: 1 << Int64(bitsPerLevel)))
        }
        return spans
    }

    /// Keeps the counts true across one change of one ticket: `old` as it was stored (nil for a new ticket) and
    /// `new` as it is now stored. Only a change of waiting, line or join time moves a count.
    public static func record(from old: Ticket?, to new: Ticket, in ledger: inout some QueueLedger) throws {
        let before = old.flatMap { $0.status == .waiting ? cells(of: $0) : nil } ?? []
        let after = new.status == .waiting ? cells(of: new) : []
        guard before != after else { return }
        if !before.isEmpty { try ledger.adjustLineRank(before, by: -1) }
        if !after.isEmpty { try ledger.adjustLineRank(after, by: 1) }
    }
}

extension QueueReader {
    /// How many waiting tickets of the same procedure and date will be called before `ticket`: those of a higher
    /// priority class, and those of its own class that precede it in `Line.precedes` order. From the line's counts
    /// (`LineRank`), not by counting: the same cost at the 3,000th place as at the 3rd.
    public func waitingAhead(of ticket: Ticket) throws -> Int {
        try lineRankSum(LineRank.spansAhead(of: ticket)) + waitingTied(with: ticket)
    }
}
