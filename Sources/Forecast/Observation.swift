import Foundation
import QueueCore

/// What can be seen of one office at one moment: the input of every estimator. Times are seconds after the business
/// day's local midnight, so that they line up with the roster.
public struct Observation: Sendable {
    public var office: OfficeID
    public var now: Double
    /// 1 = Monday … 7 = Sunday, for the learned arrival rates.
    public var weekday: Int
    /// The procedures the waiting tickets and counters refer to, by index.
    public var procedures: [ServiceID]
    /// The waiting tickets, in any order.
    public var waiting: [Waiter]
    public var counters: [ObservedCounter]
    /// Per procedure: the wait (joined to called) of the last ticket called, for the LES baseline.
    public var lastCalledWait: [Double?]

    public init(
        office: OfficeID, now: Double, weekday: Int, procedures: [ServiceID], waiting: [Waiter], counters: [ObservedCounter],
        lastCalledWait: [Double?]
    ) {
        self.office = office
        self.now = now
        self.weekday = weekday
        self.procedures = procedures
        self.waiting = waiting
        self.counters = counters
        self.lastCalledWait = lastCalledWait
    }

    /// The waiting tickets in the order a line keeps them: by the time they joined, then number, then position.
    public var lineOrder: [Int] {
        waiting.indices.sorted { a, b in waiting[a].lineKey(a) < waiting[b].lineKey(b) }
    }
}

/// A waiting ticket as the estimators see it.
public struct Waiter: Sendable, Equatable {
    public var ticket: TicketID
    public var procedure: Int
    public var priority: Int
    /// When it joined its line (issue, transfer, "running late"; a reactivated ticket keeps its old place).
    public var queuedAt: Double
    public var sequence: Int
    /// Taken remotely (web, LINE): its holder waits elsewhere and rarely gives up unseen.
    public var remote: Bool
    /// What its holder said they need to reach the office, for the "come now" decision.
    public var travelSeconds: Double?
    /// Held until its holder checks in (arrival check-in): line heads pass over it until then.
    public var onTheWay: OnTheWay?

    public struct OnTheWay: Sendable, Equatable {
        /// When the holder was told to come now; nil while they have not been.
        public var toldAt: Double?
        public init(toldAt: Double? = nil) { self.toldAt = toldAt }
    }

    public init(
        ticket: TicketID, procedure: Int, priority: Int, queuedAt: Double, sequence: Int, remote: Bool = false,
        travelSeconds: Double? = nil, onTheWay: OnTheWay? = nil
    ) {
        self.travelSeconds = travelSeconds
        self.onTheWay = onTheWay
        self.ticket = ticket
        self.procedure = procedure
        self.priority = priority
        self.queuedAt = queuedAt
        self.sequence = sequence
        self.remote = remote
    }

    /// Its place in line (`LineKey`), the last tie broken by `tiebreak` (the caller's).
    func lineKey<T: Comparable>(_ tiebreak: T) -> LineKey<T> { LineKey(joined: queuedAt, sequence: sequence, tiebreak: tiebreak) }

    /// `Line.callsBefore` on these fields: a higher class first, then who joined first.
    func callsBefore(_ other: Waiter) -> Bool {
        LineKey.callsBefore(lineKey(0), class: priority, other.lineKey(0), class: other.priority)
    }
}

/// A counter as the estimators see it.
public struct ObservedCounter: Sendable, Equatable {
    public var counter: CounterID
    /// Procedure indices it serves.
    public var procedures: [Int]
    public var isOpen: Bool
    /// Priority calls it made in a row (`CounterState.streak`), for the anti-starvation rule.
    public var priorityStreak: Int
    /// The ticket it holds: its procedure and when it was called; nil when free.
    public var busy: Busy?
    /// The rest of the day's plan (seconds after midnight); nil when no roster was published.
    public var plan: [Range<Double>]?
    /// Paused (a break, a meeting): closed until then, then as its plan says (open without a plan).
    public var pausedUntil: Double?
    /// When it last opened or closed today; nil when it has not changed since the day began.
    public var since: Double?

    public struct Busy: Sendable, Equatable {
        public var ticket: TicketID
        public var procedure: Int
        public var since: Double
        /// How long it had waited when called: the no-show rate depends on it.
        public var waited: Double
        public var remote: Bool
        /// Still called (not yet serving): it may turn out a no-show.
        public var calledOnly: Bool

        public init(ticket: TicketID, procedure: Int, since: Double, waited: Double = 0, remote: Bool = false, calledOnly: Bool) {
            self.remote = remote
            self.ticket = ticket
            self.procedure = procedure
            self.since = since
            self.waited = waited
            self.calledOnly = calledOnly
        }
    }

    public init(
        counter: CounterID, procedures: [Int], isOpen: Bool, priorityStreak: Int = 0, busy: Busy? = nil,
        plan: [Range<Double>]? = nil, pausedUntil: Double? = nil, since: Double? = nil
    ) {
        self.since = since
        self.counter = counter
        self.procedures = procedures
        self.isOpen = isOpen
        self.priorityStreak = priorityStreak
        self.busy = busy
        self.plan = plan
        self.pausedUntil = pausedUntil
    }

    /// When the counter may call from `now` on, as intervals, for an estimator that does not learn how late staff
    /// are: `openings` with a counter that is late for its planned interval closed until the plan's next change.
    public func availability(from now: Double, closing: Double) -> [Range<Double>] {
        openings(from: now, closing: closing).compactMap { ($0.late?.already ?? 0) > 0 ? nil : $0.range }
    }

    /// One stretch in which the counter may call. `late` is set where it starts when its staff come as the plan
    /// says, which they may do late: a planned opening still to come (`already` 0), or one the counter has missed
    /// so far (the stretch starts now, `already` after the plan's time).
    public struct Opening: Sendable, Equatable {
        public var range: Range<Double>
        public var late: Lateness?

        public struct Lateness: Sendable, Equatable {
            /// How long after the plan's time it is already.
            public var already: Double
            /// The plan's first interval of the day (staff arriving, rather than coming back).
            public var first: Bool
        }
    }

    /// When the counter may call from `now` on. What staff did overrides the plan until its next change: a counter
    /// opened outside the plan stays open until then; one closed during a planned interval stays closed until then.
    /// Two cases follow the plan instead: a counter still open after its interval ended is finishing its last
    /// ticket and calls no more; a counter not yet open since its interval began is late, not gone. The last
    /// planned interval of the day runs on (`closing`): counters open at closing serve everyone holding a ticket.
    /// Without a plan, an open counter stays open, a closed one closed. A paused counter is closed until its pause
    /// is expected to end, then follows its plan (open without one).
    public func openings(from now: Double, closing: Double) -> [Opening] {
        // A pause is a temporary closure: from its expected end on, the counter does what its plan says.
        if !isOpen, let back = pausedUntil, back > now {
            var resumed = self
            resumed.pausedUntil = nil
            resumed.isOpen = plan?.contains { $0.contains(back) } ?? true
            return resumed.openings(from: back, closing: closing)
        }
        guard let plan else { return isOpen ? [Opening(range: now..<Double.infinity)] : [] }
        func end(_ t: Double) -> Double { t >= closing ? .infinity : t }
        var result: [Opening] = []
        let boundary = plan.flatMap { [$0.lowerBound, $0.upperBound] }.first { $0 > now } ?? .infinity
        let current = plan.firstIndex { $0.contains(now) }
        let changed = since ?? -.infinity
        if isOpen {
            let lastEnd = plan.last { $0.upperBound <= now }?.upperBound
            let finishing = current == nil && lastEnd.map { changed < $0 && $0 < closing } == true
            if !finishing { result.append(Opening(range: now..<(current == nil ? boundary : end(boundary)))) }
        } else if let k = current, changed < plan[k].lowerBound {
            result.append(
                Opening(range: now..<end(boundary), late: .init(already: now - plan[k].lowerBound, first: k == 0)))
        }
        for (k, interval) in plan.enumerated() where interval.upperBound > boundary {
            let start = max(interval.lowerBound, boundary)
            let stop = end(interval.upperBound)
            guard start < stop else { continue }
            if let last = result.last, last.range.upperBound >= start {
                result[result.count - 1].range = last.range.lowerBound..<max(last.range.upperBound, stop)
            } else {
                result.append(Opening(range: start..<stop, late: .init(already: 0, first: k == 0)))
            }
        }
        return result
    }
}
