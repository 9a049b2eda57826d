import Foundation
import QueueCore

/// The office floor inside the twin: tickets, lines and counters in flat arrays, moved by QueueCore's rules.
///
/// - Who a counter calls is `Routing.choose`, the function the live server calls.
/// - Every status change goes through `TicketLifecycle.next`, the table `TicketMachine` guards live commands with.
/// - Streaks follow `CounterState.streak`; numbering is per procedure per day from 1, as in the stores.
///
/// Only the representation differs: indices and seconds instead of tokens and dates, so that the engine simulates
/// millions of visits a second. Times are seconds after opening.
public struct Floor: Sendable {
    public let policy: OfficePolicy
    public let procedureCount: Int

    // Tickets, by index in order of issue.
    public private(set) var status: [TicketStatus] = []
    public private(set) var procedure: [Int] = []
    public private(set) var priority: [Int] = []
    public private(set) var sequence: [Int] = []
    public private(set) var queuedAt: [Double] = []
    public private(set) var counterOf: [Int] = []
    public private(set) var deferrals: [Int] = []

    /// One line per (procedure, class): `procedure * 2 + class`. A ticket leaves its line when it is called, or
    /// lazily when found cancelled at the front.
    var lines: [TicketLine]
    var nextSequence: [Int]

    // Counters.
    public private(set) var counterOpen: [Bool]
    public private(set) var current: [Int?]
    public private(set) var streak: [Int]
    let counterLines: [[Int]]
    let counterSkills: [UInt64]

    private var heads: [Entry] = []

    public init(policy: OfficePolicy, procedureCount: Int, counterProcedures: [[Int]]) {
        precondition(procedureCount <= 64, "the twin's skill sets hold up to 64 procedures")
        self.policy = policy
        self.procedureCount = procedureCount
        lines = Array(repeating: TicketLine(), count: procedureCount * 2)
        nextSequence = Array(repeating: 0, count: procedureCount)
        counterOpen = Array(repeating: false, count: counterProcedures.count)
        current = Array(repeating: nil, count: counterProcedures.count)
        streak = Array(repeating: 0, count: counterProcedures.count)
        counterLines = counterProcedures.map { ps in ps.flatMap { [$0 * 2 + 1, $0 * 2] } }
        counterSkills = counterProcedures.map { ps in ps.reduce(0) { $0 | (1 << UInt64($1)) } }
        heads.reserveCapacity(16)
    }

    /// A line head as routing sees it.
    struct Entry: LineEntry {
        var ticket: Int
        var lineProcedure: Int
        var priority: Int
        var queuedAt: Double
        var sequence: Int
        var isWaiting: Bool { true }

        /// `Line.precedes` on the twin's fields: joined first, then the lower number, then issued first.
        static func precedes(_ a: Entry, _ b: Entry) -> Bool {
            if a.queuedAt != b.queuedAt { return a.queuedAt < b.queuedAt }
            if a.sequence != b.sequence { return a.sequence < b.sequence }
            return a.ticket < b.ticket
        }
    }

    // MARK: Tickets

    /// Issues a ticket into its procedure's line; returns its index. Its number is `sequence[index]`.
    public mutating func issue(procedure p: Int, priority cls: Int, at time: Double) -> Int {
        let t = status.count
        nextSequence[p] += 1
        status.append(.waiting)
        procedure.append(p)
        priority.append(cls)
        sequence.append(nextSequence[p])
        queuedAt.append(time)
        counterOf.append(-1)
        deferrals.append(0)
        lines[line(of: t)].append(t)
        return t
    }

    /// The citizen cancels: out of the line (lazily) and done.
    public mutating func cancel(_ t: Int) {
        step(t, .cancel)
        if counterOf[t] >= 0 { release(counterOf[t], t) }
    }

    /// "Running late" or a staff hold: back to the end of its line, once by default.
    public mutating func postpone(_ t: Int, by actor: TicketAction.Actor, at time: Double) -> Bool {
        guard deferrals[t] < policy.maxDeferrals else { return false }
        if status[t] == .waiting { lines[line(of: t)].remove(t) }
        step(t, actor == .staff ? .hold : .runningLate)
        if counterOf[t] >= 0 { release(counterOf[t], t) }
        deferrals[t] += 1
        queuedAt[t] = time
        lines[line(of: t)].append(t)
        return true
    }

    /// A no-show brought back: to its old place in the line, since it keeps the time it joined.
    public mutating func reactivate(_ t: Int) {
        step(t, .reactivate)
        counterOf[t] = -1
        let (q, s) = (queuedAt, sequence)
        lines[line(of: t)].insert(t) { a, b in
            Entry.precedes(
                Entry(ticket: a, lineProcedure: 0, priority: 0, queuedAt: q[a], sequence: s[a]),
                Entry(ticket: b, lineProcedure: 0, priority: 0, queuedAt: q[b], sequence: s[b]))
        }
    }

    // MARK: Counters

    public mutating func setOpen(_ c: Int, _ open: Bool) { counterOpen[c] = open }

    /// Calls the next ticket at counter `c` by `Routing.choose`; nil when nothing waits that it serves.
    public mutating func callNext(counter c: Int) -> Int? {
        precondition(counterOpen[c] && current[c] == nil, "only an open, free counter calls")
        heads.removeAll(keepingCapacity: true)
        for l in counterLines[c] {
            if let t = lines[l].front(status: status) { heads.append(entry(t)) }
        }
        let skills = counterSkills[c]
        guard let chosen = Routing.choose(
            from: heads, serves: { skills & (1 << UInt64($0)) != 0 }, priorityStreak: streak[c], policy: policy)
        else { return nil }
        let t = chosen.ticket
        lines[line(of: t)].popFront()
        step(t, .call)
        counterOf[t] = c
        current[c] = t
        streak[c] = CounterState.streak(after: priority[t], from: streak[c])
        return t
    }

    public mutating func start(counter c: Int) { step(held(c), .start) }

    public mutating func complete(counter c: Int) {
        let t = held(c)
        step(t, .complete)
        release(c, t)
    }

    public mutating func noShow(counter c: Int) {
        let t = held(c)
        step(t, .noShow)
        current[c] = nil
    }

    /// A multi-stage visit: to the end of another procedure's line, keeping the number.
    public mutating func transfer(counter c: Int, to p: Int, at time: Double) {
        let t = held(c)
        step(t, .transfer)
        release(c, t)
        procedure[t] = p
        queuedAt[t] = time
        lines[line(of: t)].append(t)
    }

    // MARK: Reading

    /// Waiting tickets ahead of `t` in its procedure: the priority line first, then its own line.
    public func ahead(of t: Int, limit: Int = .max) -> Int {
        let p = procedure[t]
        var count = 0
        if priority[t] == 0 { count += lines[p * 2 + 1].countWaiting(before: nil, status: status, limit: limit) }
        return count + lines[line(of: t)].countWaiting(before: t, status: status, limit: limit - count)
    }

    /// The first `limit` waiting tickets of procedure `p`, in call order.
    public func front(of p: Int, limit: Int) -> [Int] {
        var result = lines[p * 2 + 1].firstWaiting(limit, status: status)
        if result.count < limit { result += lines[p * 2].firstWaiting(limit - result.count, status: status) }
        return result
    }

    public var ticketCount: Int { status.count }

    // MARK: Shared steps

    @inline(__always)
    private mutating func step(_ t: Int, _ step: TicketStep) {
        guard let next = TicketLifecycle.next(step, from: status[t]) else {
            preconditionFailure("twin: \(step) is not allowed from \(status[t])")
        }
        status[t] = next
    }

    private func held(_ c: Int) -> Int {
        guard let t = current[c] else { preconditionFailure("twin: counter \(c) holds no ticket") }
        return t
    }

    private mutating func release(_ c: Int, _ t: Int) {
        if current[c] == t { current[c] = nil }
        counterOf[t] = -1
    }

    @inline(__always)
    private func line(of t: Int) -> Int { procedure[t] * 2 + min(priority[t], 1) }

    @inline(__always)
    private func entry(_ t: Int) -> Entry {
        Entry(ticket: t, lineProcedure: procedure[t], priority: priority[t], queuedAt: queuedAt[t], sequence: sequence[t])
    }
}
