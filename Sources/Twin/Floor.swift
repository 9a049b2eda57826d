import Foundation
import QueueCore

/// One ticket on the twin's floor.
public struct FloorTicket: Sendable {
    public var status: TicketStatus
    /// The procedure of the current stage.
    public var procedure: Int
    public var priority: Int
    /// The number within its first procedure: A-0042 has sequence 42.
    public var sequence: Int
    /// Seconds after opening at which it joined its line.
    public var queuedAt: Double
    /// The counter that called it, or -1.
    public var counter: Int
    public var deferrals: Int
    /// The holder is in the office (false for a remote holder on their way under arrival check-in).
    public var present: Bool = true
}

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

    /// Tickets, by index in order of issue; one array of records, so that issuing one is one append.
    public private(set) var tickets: [FloorTicket] = []

    /// One line per (procedure, class): `procedure * 2 + class`. A ticket leaves its line when it is called, or
    /// lazily when found cancelled at the front.
    var lines: [TicketLine]
    var nextSequence: [Int]

    // Counters.
    public private(set) var counterOpen: [Bool]
    public private(set) var current: [Int?]
    public private(set) var streak: [Int]
    let counterLines: Jagged
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
        counterLines = Jagged(counterProcedures.map { ps in ps.flatMap { [$0 * 2 + 1, $0 * 2] } })
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
        /// The twin's place in line: joined first, then the lower number, then issued first.
        var lineKey: LineKey<Int> { LineKey(joined: queuedAt, sequence: sequence, tiebreak: ticket) }
    }

    // MARK: Tickets

    /// Issues a ticket into its procedure's line; returns its index. Its number is `tickets[index].sequence`. A
    /// ticket whose holder is not `present` keeps its place but is not called until `checkIn`.
    public mutating func issue(procedure p: Int, priority cls: Int, at time: Double, present: Bool = true) -> Int {
        let t = tickets.count
        nextSequence[p] += 1
        tickets.append(
            FloorTicket(
                status: .waiting, procedure: p, priority: cls, sequence: nextSequence[p], queuedAt: time, counter: -1, deferrals: 0,
                present: present))
        lines[line(of: t)].append(t)
        return t
    }

    /// The holder of `t` arrived: from now on it may be called, from the place it kept.
    public mutating func checkIn(_ t: Int) { tickets[t].present = true }

    /// The citizen cancels: out of the line (lazily) and done.
    public mutating func cancel(_ t: Int) {
        step(t, .cancel)
        if tickets[t].counter >= 0 { release(tickets[t].counter, t) }
    }

    /// "Running late" or a staff hold: back to the end of its line, once by default.
    public mutating func postpone(_ t: Int, by actor: TicketAction.Actor, at time: Double) -> Bool {
        guard tickets[t].deferrals < policy.maxDeferrals else { return false }
        if tickets[t].status == .waiting { lines[line(of: t)].remove(t) }
        step(t, actor == .staff ? .hold : .runningLate)
        if tickets[t].counter >= 0 { release(tickets[t].counter, t) }
        tickets[t].deferrals += 1
        tickets[t].queuedAt = time
        lines[line(of: t)].append(t)
        return true
    }

    /// A no-show brought back: to its old place in the line, since it keeps the time it joined.
    public mutating func reactivate(_ t: Int) {
        step(t, .reactivate)
        tickets[t].counter = -1
        let all = tickets
        lines[line(of: t)].insert(t) { a, b in
            LineKey(joined: all[a].queuedAt, sequence: all[a].sequence, tiebreak: a)
                < LineKey(joined: all[b].queuedAt, sequence: all[b].sequence, tiebreak: b)
        }
    }

    // MARK: Counters

    public mutating func setOpen(_ c: Int, _ open: Bool) { counterOpen[c] = open }

    /// Starts from a live counter's priority streak (the wait estimator copies the office as it stands).
    public mutating func setStreak(_ c: Int, _ n: Int) { streak[c] = n }

    /// Calls the next ticket at counter `c` by `Routing.choose`; nil when nothing waits that it serves.
    public mutating func callNext(counter c: Int) -> Int? {
        precondition(counterOpen[c] && current[c] == nil, "only an open, free counter calls")
        var count = 0
        for i in counterLines.range(c) {
            let l = counterLines.values[i]
            guard let t = lines[l].front(tickets: tickets) else { continue }
            if count < heads.count { heads[count] = entry(t) } else { heads.append(entry(t)) }
            count += 1
        }
        let skills = counterSkills[c]
        guard
            let chosen = Routing.choose(
                from: heads[0..<count], serves: { skills & (1 << UInt64($0)) != 0 }, priorityStreak: streak[c], policy: policy)
        else { return nil }
        let t = chosen.ticket
        lines[line(of: t)].take(t)
        step(t, .call)
        tickets[t].counter = c
        current[c] = t
        streak[c] = CounterState.streak(after: tickets[t].priority, from: streak[c])
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
        tickets[t].procedure = p
        tickets[t].queuedAt = time
        lines[line(of: t)].append(t)
    }

    // MARK: Reading

    /// The first `limit` waiting tickets of procedure `p`, in call order.
    public func front(of p: Int, limit: Int) -> [Int] {
        var result: [Int] = []
        forEachWaiting(procedure: p, limit: limit) { _, t in result.append(t) }
        return result
    }

    /// Calls `body(ahead, ticket)` for the first `limit` waiting tickets of procedure `p`, in call order.
    public func forEachWaiting(procedure p: Int, limit: Int, _ body: (Int, Int) -> Void) {
        var seen = 0
        for l in [p * 2 + 1, p * 2] {
            lines[l].forEachWaiting(tickets: tickets) { t in
                guard seen < limit else { return false }
                body(seen, t)
                seen += 1
                return true
            }
        }
    }

    // MARK: Shared steps

    @inline(__always)
    private mutating func step(_ t: Int, _ step: TicketStep) {
        guard let next = TicketLifecycle.next(step, from: tickets[t].status) else {
            preconditionFailure("twin: \(step) is not allowed from \(tickets[t].status)")
        }
        tickets[t].status = next
    }

    private func held(_ c: Int) -> Int {
        guard let t = current[c] else { preconditionFailure("twin: counter \(c) holds no ticket") }
        return t
    }

    private mutating func release(_ c: Int, _ t: Int) {
        if current[c] == t { current[c] = nil }
        tickets[t].counter = -1
    }

    @inline(__always)
    private func line(of t: Int) -> Int { tickets[t].procedure * 2 + min(tickets[t].priority, 1) }

    @inline(__always)
    private func entry(_ t: Int) -> Entry {
        Entry(
            ticket: t, lineProcedure: tickets[t].procedure, priority: tickets[t].priority, queuedAt: tickets[t].queuedAt,
            sequence: tickets[t].sequence)
    }
}
