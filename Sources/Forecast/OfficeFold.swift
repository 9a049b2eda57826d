import Foundation
import QueueCore

/// Follows one office's event log and knows, at every moment, what could be seen: who waits, what each counter
/// does, the day's roster. Replay and learning read the log through it, so both see the log the same way; a new
/// business day (by the office-local date of the events) starts from nothing.
public struct OfficeFold: Sendable {
    public let office: OfficeID
    /// Days since 1970-01-01 of the current business day, local.
    public private(set) var day: Int?
    private var offset = 0
    public private(set) var procedures: [ServiceID] = []
    private var procedureIndex: [ServiceID: Int] = [:]
    private var plans: [CounterID: CounterPlan] = [:]
    private var counterOrder: [CounterID] = []
    private var counters: [CounterID: CounterNow] = [:]
    private var tickets: [TicketID: TicketNow] = [:]
    private var lastCalledWait: [Int: Double] = [:]
    private var openedAfterClosing = false

    /// The end of the day's roster (seconds after midnight), when one was published.
    public var closing: Double? { plans.values.compactMap { $0.open.last.map { Double($0.upperBound) } }.max() }

    struct CounterNow {
        var isOpen = false
        var streak = 0
        var ticket: TicketID?
        /// Procedures seen called here today, for a counter the roster did not describe.
        var seen: Set<Int> = []
        /// Its skill set as the office is configured, when known.
        var configured: [Int]?
        /// Its skill set as a supervisor changed it today (`counter.skills_changed`): above the plan and the
        /// configuration.
        var changed: [Int]?
        /// Paused (`counter.paused`): when the pause is expected to end (`PauseReason.expectedSeconds`).
        var pausedUntil: Double?
        /// When it last opened or closed today.
        var since: Double?
        /// Planned intervals whose opening has been learned from (on time, late, or never).
        var settled = 0
    }

    struct TicketNow {
        var procedure: Int
        var priority: Int
        var sequence: Int
        var queuedAt: Double
        var status: TicketStatus
        var remote: Bool
        var travelSeconds: Double?
        /// Held until its holder checks in (arrival check-in): line heads pass over it meanwhile.
        var held = false
        /// When its holder was told to come now (the first time).
        var toldAt: Double?
        var counter: CounterID?
        var calledAt: Double?
        /// Joined to called, for the current call.
        var waited = 0.0

        /// The status `type` leaves, from the lifecycle's one table (`TicketLifecycle.status(after:)`).
        mutating func evolve(by type: EventType) {
            if let next = TicketLifecycle.status(after: type) { status = next }
        }
    }

    /// What an event meant, for learning.
    public enum Happening: Sendable, Equatable {
        case issued(procedure: ServiceID, priority: Int, hour: Int, weekday: Int)
        /// A counter finished with a ticket it had called: `seconds` from the call.
        case served(procedure: ServiceID, counter: CounterID, seconds: Double)
        /// `waited`: joined to called.
        case noShow(procedure: ServiceID, seconds: Double, waited: Double, remote: Bool)
        /// A called ticket went back to its line or was cancelled at the counter.
        case released(procedure: ServiceID, seconds: Double)
        case called(procedure: ServiceID, waited: Double, remote: Bool)
        case dayStarted(weekday: Int)
        /// A counter opened at or after the end of the day's roster, while tickets waited: staff came back to serve
        /// the queue left at closing (at most once a day).
        case openedAfterClosing
        /// A planned interval began and its staff opened the counter `delay` seconds later (0: already open;
        /// infinity: not at all while it lasted). `first`: the plan's first interval of the day.
        case plannedOpening(delay: Double, first: Bool)
        /// A counter opened after the end of the day's roster called a ticket of `procedure`, `seconds` after it.
        case calledAfterClosing(procedure: ServiceID, counter: CounterID, seconds: Double)
        /// A held holder checked in `lateness` seconds after "come now" plus the travel time they gave (negative:
        /// sooner).
        case checkedIn(lateness: Double)
    }

    public init(office: OfficeID) { self.office = office }

    public var weekday: Int { day.map(CivilTime.isoWeekday) ?? 1 }

    /// Seconds after the current day's local midnight for an instant.
    public func seconds(_ at: Date) -> Double { CivilTime.localSeconds(at, offsetSeconds: offset).seconds }

    /// Applies one event of this office; returns what it meant, when that is something learning uses.
    @discardableResult
    public mutating func apply(_ e: Event) -> [Happening] {
        precondition(e.office == office, "one fold per office")
        let (eventDay, now) = CivilTime.localSeconds(e.at, offsetSeconds: e.utcOffsetSeconds)
        var happened: [Happening] = []
        if day != eventDay {
            // A day-close event stamped after midnight belongs to the day it closes, which is gone: skip it.
            if e.type == .ticketExpired { return [] }
            startDay(eventDay, offset: e.utcOffsetSeconds)
            happened.append(.dayStarted(weekday: weekday))
        }
        let opens = (e.type == .counterOpened || e.type == .ticketCalled) ? e.counter : nil
        settleOpenings(at: now, opening: opens, into: &happened)
        switch e.type {
        case .rosterPlanned:
            if let plan = CounterPlan(event: e) {
                plans[plan.counter] = plan
                plan.procedures.forEach { _ = index($0) }
                touch(plan.counter)
                // Only openings still to come are learned from: an interval already begun says nothing of lateness.
                counters[plan.counter]?.settled = plan.open.firstIndex { Double($0.lowerBound) >= now } ?? plan.open.count
            }
        case .counterSkillsChanged:
            if let c = e.counter, let procedures = e.procedures {
                touch(c)
                var skills: [Int] = []
                for procedure in procedures { skills.append(index(procedure)) }
                counters[c]?.changed = skills
            }
        case .counterOpened, .counterClosed, .counterPaused:
            if let c = e.counter {
                touch(c)
                if counters[c]?.isOpen != (e.type == .counterOpened) { counters[c]?.since = now }
                counters[c]?.isOpen = e.type == .counterOpened
                counters[c]?.pausedUntil = e.type == .counterPaused ? now + (e.pauseReason ?? .break).expectedSeconds : nil
                if e.type == .counterOpened, !openedAfterClosing, let closing, now >= closing, waitingCount > 0 {
                    openedAfterClosing = true
                    happened.append(.openedAfterClosing)
                }
            }
        case .ticketIssued:
            guard let id = e.ticket, let service = e.service else { break }
            let p = index(service)
            tickets[id] = TicketNow(
                procedure: p, priority: e.priority ?? 0, sequence: e.number?.sequence ?? 0, queuedAt: now,
                status: .waiting, remote: e.channel?.isRemote == true,
                travelSeconds: e.travelMinutes.map { Double($0) * 60 }, held: e.awaitsArrival)
            happened.append(.issued(procedure: service, priority: e.priority ?? 0, hour: Int(now / 3600), weekday: weekday))
        case .ticketCalled:
            guard let id = e.ticket, var t = tickets[id], let c = e.counter else { break }
            touch(c)
            if let held = counters[c]?.ticket, held != id { free(c) }
            lastCalledWait[t.procedure] = now - t.queuedAt
            t.waited = now - t.queuedAt
            t.evolve(by: e.type)
            t.counter = c
            t.calledAt = now
            tickets[id] = t
            counters[c]?.ticket = id
            if counters[c]?.isOpen == false { counters[c]?.since = now }
            counters[c]?.isOpen = true
            counters[c]?.seen.insert(t.procedure)
            let streak = counters[c]?.streak ?? 0
            counters[c]?.streak = CounterState.streak(after: t.priority, from: streak)
            happened.append(.called(procedure: procedures[t.procedure], waited: now - t.queuedAt, remote: t.remote))
            if let closing, now >= closing, (counters[c]?.since ?? -.infinity) >= closing {
                happened.append(.calledAfterClosing(procedure: procedures[t.procedure], counter: c, seconds: now - closing))
            }
        case .ticketServing:
            if let id = e.ticket { tickets[id]?.evolve(by: e.type) }
        case .ticketCompleted, .ticketTransferred, .ticketNoShow, .ticketCancelled, .ticketPostponed, .ticketExpired:
            guard let id = e.ticket, var t = tickets[id] else { break }
            if let c = t.counter, let calledAt = t.calledAt {
                let seconds = now - calledAt
                switch e.type {
                case .ticketCompleted, .ticketTransferred:
                    happened.append(.served(procedure: procedures[t.procedure], counter: c, seconds: seconds))
                case .ticketNoShow:
                    happened.append(.noShow(procedure: procedures[t.procedure], seconds: seconds, waited: t.waited, remote: t.remote))
                case .ticketPostponed, .ticketCancelled:
                    happened.append(.released(procedure: procedures[t.procedure], seconds: seconds))
                default: break
                }
                if counters[c]?.ticket == id { counters[c]?.ticket = nil }
            }
            t.counter = nil
            t.calledAt = nil
            t.evolve(by: e.type)
            // Back in a line: at its end, in the new procedure's line after a transfer.
            if e.type == .ticketTransferred { t.procedure = index(e.service ?? procedures[t.procedure]) }
            if e.type == .ticketTransferred || e.type == .ticketPostponed { t.queuedAt = now }
            tickets[id] = t
        case .ticketReactivated:
            // Back at its old place: it keeps the time it joined.
            if let id = e.ticket { tickets[id]?.evolve(by: e.type) }
        case .ticketTravelChanged:
            if let id = e.ticket, let minutes = e.travelMinutes { tickets[id]?.travelSeconds = Double(minutes) * 60 }
        case .ticketComeNow:
            if let id = e.ticket, tickets[id]?.toldAt == nil { tickets[id]?.toldAt = now }
        case .ticketArrived:
            guard let id = e.ticket, let t = tickets[id], t.held else { break }
            tickets[id]?.held = false
            if let told = t.toldAt, let travel = t.travelSeconds { happened.append(.checkedIn(lateness: now - told - travel)) }
        case .ticketRecalled, .feedbackGiven, .alertRaised, .reformRecorded, .issuingStopped, .issuingResumed:
            break
        }
        return happened
    }

    /// What an estimator may see at `at` (which must not be before the last event applied).
    public func observation(at: Date) -> Observation {
        let now = seconds(at)
        var waiting: [Waiter] = []
        waiting.reserveCapacity(tickets.count)
        for (id, t) in tickets where t.status == .waiting {
            waiting.append(
                Waiter(
                    ticket: id, procedure: t.procedure, priority: t.priority, queuedAt: t.queuedAt, sequence: t.sequence, remote: t.remote,
                    travelSeconds: t.travelSeconds, onTheWay: t.held ? .init(toldAt: t.toldAt) : nil))
        }
        // In line order, whatever order the dictionary keeps: the same log gives the same observation.
        waiting.sort { a, b in a.lineKey(a.ticket) < b.lineKey(b.ticket) }
        let observed: [ObservedCounter] = counterOrder.map { c in
            let state = counters[c] ?? CounterNow()
            let plan = plans[c]
            var busy: ObservedCounter.Busy?
            if let id = state.ticket, let t = tickets[id], let calledAt = t.calledAt {
                busy = .init(
                    ticket: id, procedure: t.procedure, since: calledAt, waited: t.waited, remote: t.remote, calledOnly: t.status == .called
                )
            }
            let skills =
                state.changed ?? plan.map { $0.procedures.compactMap { procedureIndex[$0] } } ?? state.configured ?? state.seen.sorted()
            return ObservedCounter(
                counter: c, procedures: skills, isOpen: state.isOpen, priorityStreak: state.streak, busy: busy,
                plan: plan.map { $0.open.map { Double($0.lowerBound)..<Double($0.upperBound) } }, pausedUntil: state.pausedUntil,
                since: state.since)
        }
        return Observation(
            office: office, now: now, weekday: weekday, procedures: procedures, waiting: waiting, counters: observed,
            lastCalledWait: procedures.indices.map { lastCalledWait[$0] })
    }

    /// Starts the business day `day` (days since 1970, local) from what the store knows before reading its events:
    /// the office's counters with their configured skills and whether each is open (a counter opened on an earlier
    /// day and never closed is open today without an event saying so).
    public mutating func start(day: Int, offset: Int, counters: [(id: CounterID, services: [ServiceID], open: Bool)]) {
        startDay(day, offset: offset)
        for c in counters {
            touch(c.id)
            let skills = c.services.map { index($0) }
            self.counters[c.id]?.isOpen = c.open
            self.counters[c.id]?.configured = skills
        }
    }

    /// Is this ticket waiting now?
    public func isWaiting(_ id: TicketID) -> Bool { tickets[id]?.status == .waiting }

    /// How many tickets wait now.
    public var waitingCount: Int { tickets.values.reduce(0) { $1.status == .waiting ? $0 + 1 : $0 } }

    private mutating func startDay(_ newDay: Int, offset: Int) {
        day = newDay
        self.offset = offset
        plans = [:]
        counters = [:]
        counterOrder = []
        tickets = [:]
        lastCalledWait = [:]
        openedAfterClosing = false
    }

    /// How each planned interval that began by `now` was met, for the intervals not yet settled: the counter was
    /// open when it began (no delay), it opens now (`opening`), or the interval ended without it.
    private mutating func settleOpenings(at now: Double, opening: CounterID?, into happened: inout [Happening]) {
        for c in counterOrder {
            guard let plan = plans[c], var state = counters[c] else { continue }
            while state.settled < plan.open.count, Double(plan.open[state.settled].lowerBound) <= now {
                let start = Double(plan.open[state.settled].lowerBound)
                let delay: Double
                if state.isOpen && (state.since ?? -.infinity) <= start {
                    delay = 0
                } else if c == opening && now < Double(plan.open[state.settled].upperBound) {
                    delay = now - start
                } else if now >= Double(plan.open[state.settled].upperBound) {
                    delay = .infinity
                } else {
                    break  // not here yet
                }
                happened.append(.plannedOpening(delay: delay, first: state.settled == 0))
                state.settled += 1
            }
            counters[c] = state
        }
    }

    private mutating func index(_ s: ServiceID) -> Int {
        if let i = procedureIndex[s] { return i }
        procedures.append(s)
        procedureIndex[s] = procedures.count - 1
        return procedures.count - 1
    }

    private mutating func touch(_ c: CounterID) {
        if counters[c] == nil {
            counters[c] = CounterNow()
            counterOrder.append(c)
        }
    }

    private mutating func free(_ c: CounterID) {
        if let id = counters[c]?.ticket {
            tickets[id]?.counter = nil
            tickets[id]?.calledAt = nil
        }
        counters[c]?.ticket = nil
    }
}
