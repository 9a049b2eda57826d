import Foundation

/// Something that stands in a waiting line: a live `Ticket`, or the twin's compact entry. Routing reads only this,
/// so the live office and the digital twin call the same rule.
public protocol LineEntry {
    /// Which line it waits in, by procedure; the twin uses a procedure index, the live office the id.
    associatedtype Procedure: Hashable
    var lineProcedure: Procedure { get }
    /// 0 normal, 1 priority.
    var priority: Int { get }
    /// Waiting and its holder here: routing passes over the rest.
    var isWaiting: Bool { get }
    /// Its place in line; the one line order is `LineKey`'s.
    associatedtype Tiebreak: Comparable
    var lineKey: LineKey<Tiebreak> { get }
}

/// A place in a waiting line, and the one line order: who joined it first, then the lower number, then `tiebreak`
/// (the token in the live office, the order of issue in the twin), so that the order is total. The live office
/// (`Line`), the twin (`Floor`) and the wait estimators all order their lines by it.
public struct LineKey<Tiebreak: Comparable>: Comparable {
    /// When it joined its line, in the caller's seconds (issue, transfer, "running late"; a reactivated ticket
    /// keeps its old place).
    public var joined: Double
    /// Its number within its procedure and day.
    public var sequence: Int
    public var tiebreak: Tiebreak

    @inlinable
    public init(joined: Double, sequence: Int, tiebreak: Tiebreak) {
        self.joined = joined
        self.sequence = sequence
        self.tiebreak = tiebreak
    }

    @inlinable
    public static func < (a: Self, b: Self) -> Bool {
        if a.joined != b.joined { return a.joined < b.joined }
        if a.sequence != b.sequence { return a.sequence < b.sequence }
        return a.tiebreak < b.tiebreak
    }

    /// Within one procedure: a higher priority class first, then line order. What "position" counts.
    @inlinable
    public static func callsBefore(_ a: Self, class classA: Int, _ b: Self, class classB: Int) -> Bool {
        classA != classB ? classA > classB : a < b
    }
}

/// Who a counter calls next. This one function serves the live office and the digital twin alike.
public enum Routing {
    /// Picks the ticket `counter` should call from the heads of the lines it may serve.
    ///
    /// - Parameters:
    ///   - heads: the first waiting ticket of each (procedure, priority) line the counter serves; see `Line`.
    ///     Passing whole lines works too, only slower.
    ///   - priorityStreak: priority calls this counter made in a row.
    /// - Returns: nil when nothing waits that this counter can serve.
    ///
    /// Rules, in order:
    /// 1. Priority tickets go first, but after `policy.priorityStreakLimit` priority calls in a row the counter takes a
    ///    normal ticket if one waits (anti-starvation; NovoSGA's lesson).
    /// 2. Otherwise the ticket that has waited longest in its line goes first, across all procedures the counter
    ///    serves: first come, first served keeps the longest wait, the 60-minute measure, as short as it can be.
    public static func choose(
        from heads: [Ticket], for counter: Counter, priorityStreak: Int, policy: OfficePolicy
    ) -> Ticket? {
        let skills = Set(counter.services)
        return choose(from: heads, serves: { skills.contains($0) }, priorityStreak: priorityStreak, policy: policy)
    }

    /// The rule itself, for any kind of line entry. `serves` is the counter's skill set.
    @inlinable
    public static func choose<Entries: Sequence>(
        from heads: Entries, serves: (Entries.Element.Procedure) -> Bool, priorityStreak: Int, policy: OfficePolicy
    ) -> Entries.Element? where Entries.Element: LineEntry {
        typealias Entry = Entries.Element
        var firstPriority: Entry?
        var firstNormal: Entry?
        for entry in heads where entry.isWaiting && serves(entry.lineProcedure) {
            if entry.priority > 0 {
                if firstPriority.map({ entry.lineKey < $0.lineKey }) ?? true { firstPriority = entry }
            } else {
                if firstNormal.map({ entry.lineKey < $0.lineKey }) ?? true { firstNormal = entry }
            }
        }
        if let firstPriority, priorityStreak < policy.priorityStreakLimit || firstNormal == nil { return firstPriority }
        return firstNormal
    }
}

extension Ticket: LineEntry {
    public var lineProcedure: ServiceID { service }
    public var isWaiting: Bool { isCallable }
    public var lineKey: LineKey<TicketID> {
        LineKey(joined: queuedAt.timeIntervalSinceReferenceDate, sequence: number.sequence, tiebreak: id)
    }
}

/// A waiting line: the tickets of one procedure and priority class, in the order they will be called.
public enum Line {
    /// Order within a line (`LineKey`): when the ticket joined it, then its number, then its token.
    public static func precedes(_ a: Ticket, _ b: Ticket) -> Bool { a.lineKey < b.lineKey }

    /// Within one procedure: a higher priority class first, then line order. What "position" counts.
    public static func callsBefore(_ a: Ticket, _ b: Ticket) -> Bool {
        LineKey.callsBefore(a.lineKey, class: a.priority, b.lineKey, class: b.priority)
    }

    /// How waiting tickets are listed: by procedure id, then in call order.
    public static func listingOrder(_ a: Ticket, _ b: Ticket) -> Bool {
        if a.service != b.service { return a.service < b.service }
        return callsBefore(a, b)
    }

    /// The heads of the lines `services` form among `tickets`: one per (procedure, priority) pair, the first whose
    /// holder is here (holders on their way keep their place and are passed over).
    public static func heads<S: Sequence>(of tickets: S, services: Set<ServiceID>, date: LocalDate) -> [Ticket]
    where S.Element == Ticket {
        var best: [String: Ticket] = [:]
        for t in tickets where t.isCallable && t.businessDate == date && services.contains(t.service) {
            let key = "\(t.service.rawValue)#\(t.priority)"
            if let current = best[key], !precedes(t, current) { continue }
            best[key] = t
        }
        return Array(best.values)
    }
}
