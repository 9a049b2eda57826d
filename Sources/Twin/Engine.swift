import Foundation
import QueueCore

/// What happened on the floor, for the event log: the twin's side of the one event language.
public struct FloorEvent: Sendable {
    public var type: EventType
    public var ticket: Int
    public var counter: Int
    /// Seconds after opening.
    public var at: Double
    /// For a transfer, the procedure it came from.
    public var from: Int = -1
    /// The ticket's procedure (after a transfer, the new one), number in its procedure, class and channel.
    public var procedure: Int = -1
    public var sequence: Int = 0
    public var priority: Int = 0
    public var remote = false
    /// For a remote ticket's issue: the holder's journey to the office, seconds.
    public var travel = 0.0
}

/// Runs one office for one day: the discrete-event engine.
///
/// Visitors arrive (paper tickets in the office; remote tickets from home, who set out on the "come now" alert),
/// counters call by `Routing` through `Floor`, serve for the visitor's drawn work times their speed, transfer
/// multi-stage visits, wait the policy's grace on an empty counter, and follow the roster. After closing no one new
/// arrives and everyone holding a ticket is served: counters stay open while their lines have tickets, and a
/// closed one reopens when a ticket (a transfer) finds no free counter.
public struct DayEngine {
    let model: OfficeModel
    let roster: Roster
    let visitors: Visitors
    var trace: ((FloorEvent) -> Void)?
    /// When set, remote holders set out when it says so, instead of the scenario's rule.
    let advisor: (any ComeNowAdvisor)?
    /// Remote holders with a waiting ticket not yet told to come.
    var unalerted = 0
    var calledWait: [Double]

    var floor: Floor
    var heap = EventHeap()
    var result: DayResult
    // Per ticket. A visitor usually holds one ticket; a remote holder who arrives after their call and the
    // reactivation window takes a new one at the kiosk, as they would at a real counter.
    var holders: [Holder] = []

    /// Who holds ticket `t` and where they are.
    struct Holder {
        var visitor: Int
        /// Index into the visitor's stages.
        var stage: Int
        var remote: Bool
        /// When they are (or will be) in the office; infinity for a remote holder not yet alerted.
        var onSiteAt: Double
        var alerted: Bool
        var calledThisStage: Bool
        /// Called at least once (for the "come now" figures, which count each remote ticket's first call).
        var calledBefore = false
        /// Told to come as soon as the ticket was taken.
        var dueAtIssue = false
    }
    // Per counter.
    var closing: [Bool]
    /// When staff will reach a counter the roster has opened (they are late); nil when none is awaited.
    var lateOpening: [Double?]
    var openedToday: [Bool]
    var openSince: [Double]
    var busySince: [Double]
    /// Counters that serve each procedure, in counter order.
    let countersServing: Jagged
    let speed: [Double]
    let groupOf: [Int]
    let grace: Double
    /// The longest travel time among the day's remote visitors, which bounds the "come now" scan.
    let longestTravel: Double
    var afterClosing = false
    /// The office's arrival check-in: remote holders on their way are not called until they arrive.
    let checkIn: Bool

    public init(
        model: OfficeModel, roster: Roster? = nil, visitors: Visitors, advisor: (any ComeNowAdvisor)? = nil,
        trace: ((FloorEvent) -> Void)? = nil
    ) {
        self.model = model
        self.advisor = advisor
        calledWait = Array(repeating: 0, count: model.counters.count)
        self.roster = roster ?? model.roster
        self.visitors = visitors
        self.trace = trace
        floor = Floor(
            policy: model.office.policy, procedureCount: model.procedures.count,
            counterProcedures: model.counters.map(\.procedures))
        let n = visitors.count
        result = DayResult(model: model, visitors: n)
        result.remote = visitors.people.map(\.remote)
        result.remoteVisitors = visitors.people.filter(\.remote).count
        holders.reserveCapacity(n)
        closing = Array(repeating: false, count: model.counters.count)
        lateOpening = Array(repeating: nil, count: model.counters.count)
        openedToday = Array(repeating: false, count: model.counters.count)
        openSince = Array(repeating: 0, count: model.counters.count)
        busySince = Array(repeating: 0, count: model.counters.count)
        countersServing = Jagged(
            model.procedures.indices.map { p in model.counters.indices.filter { model.counters[$0].procedures.contains(p) } })
        speed = model.counters.map(\.speed)
        groupOf = model.counters.map(\.group)
        grace = Double(model.office.policy.noShowGraceSeconds)
        longestTravel = visitors.people.reduce(0) { max($0, $1.travel) }
        checkIn = model.office.policy.arrivalCheckIn
    }

    /// Visitors of the day (not counting new tickets taken by those who missed their call).
    public var visitorCount: Int { visitors.count }

    /// Runs the day to its end and returns what happened.
    public mutating func run() -> DayResult {
        // Roster changes and arrivals are known in advance, so they stay out of the heap; at equal times a roster
        // change goes first, then what the heap holds, then an arrival.
        let boundaries = model.periods.map(\.start) + [model.dayLength]
        var period = 0
        var next = 0
        if let advisor { heap.push(advisor.interval, .comeNowCheck, 0) }
        while true {
            let arrivalTime = next < visitors.people.count ? visitors.people[next].arrival : .infinity
            if period < boundaries.count && boundaries[period] <= heap.nextTime && boundaries[period] <= arrivalTime {
                applyRoster(period: period, at: boundaries[period])
                period += 1
            } else if heap.nextTime <= arrivalTime {
                if heap.isEmpty { break }
                let item = heap.pop()
                if item.kind == .comeNowCheck {
                    adviseComeNow(at: item.time)
                    // Checks go on while remote holders wait to be told or may still arrive.
                    if unalerted > 0 || next < visitors.people.count, let advisor {
                        heap.push(item.time + advisor.interval, .comeNowCheck, 0)
                    }
                    continue
                }
                handle(item.kind, item.index, at: item.time)
            } else {
                arrive(next, at: arrivalTime)
                next += 1
            }
        }
        return result
    }

    // MARK: Events

    private mutating func arrive(_ v: Int, at now: Double) {
        let remote = visitors.people[v].remote
        issue(visitor: v, stage: visitors.people[v].firstStage, remote: remote, onSite: remote ? .infinity : now, at: now)
    }

    private mutating func issue(visitor v: Int, stage s: Int, remote isRemote: Bool, onSite: Double, at now: Double) {
        let p = visitors.stages[s].procedure
        // Under arrival check-in a remote holder on their way keeps a place that is not called until they are here.
        let t = floor.issue(procedure: p, priority: visitors.people[v].priority, at: now, present: !(isRemote && checkIn))
        holders.append(Holder(visitor: v, stage: s, remote: isRemote, onSiteAt: onSite, alerted: !isRemote, calledThisStage: false))
        emit(.ticketIssued, t, -1, now)
        if isRemote {
            unalerted += 1
            if advisor == nil { alertIfNear(procedure: p, at: now) } else { adviseComeNow(at: now, only: t) }
            // Due from the start: the line was already too short for the journey; no rule could have helped.
            holders[t].dueAtIssue = holders[t].alerted
        }
        joined(procedure: p, at: now)
    }

    private mutating func handle(_ kind: EngineEvent, _ index: Int, at now: Double) {
        switch kind {
        case .serviceStart:
            startService(at: index, now: now)
        case .serviceEnd:
            endService(at: index, now: now)
        case .noShow:
            let c = index
            guard let t = floor.current[c] else { return }
            floor.noShow(counter: c)
            emit(.ticketNoShow, t, c, now)
            let v = holders[t].visitor
            if visitors.people[v].absent {
                result.outcomes[v] = .noShow
            } else if !holders[t].remote {
                result.outcomes[v] = .abandoned
            } else if holders[t].onSiteAt <= now + Double(floor.policy.reactivateWindowSeconds) {
                heap.push(max(holders[t].onSiteAt, now), .reactivate, t)
            } else {
                heap.push(holders[t].onSiteAt, .newTicket, t)
            }
            freed(c, at: now)
        case .reactivate:
            floor.reactivate(index)
            emit(.ticketReactivated, index, -1, now)
            joined(procedure: floor.tickets[index].procedure, at: now)
        case .newTicket:
            // Too late even for reactivation: a new ticket at the kiosk, for the stage they came for.
            result.remoteMissed += 1
            issue(visitor: holders[index].visitor, stage: holders[index].stage, remote: false, onSite: now, at: now)
        case .comeNowCheck:
            break
        case .lateOpening:
            let c = index
            // Still awaited (the roster did not close the counter again before its staff came).
            guard lateOpening[c] == now else { return }
            lateOpening[c] = nil
            if !floor.counterOpen[c] { open(c, at: now) }
        case .checkIn:
            let t = index
            guard floor.tickets[t].status == .waiting, !floor.tickets[t].present else { return }
            floor.checkIn(t)
            emit(.ticketArrived, t, -1, now)
            joined(procedure: floor.tickets[t].procedure, at: now)
        }
    }

    private mutating func call(_ c: Int, at now: Double) {
        guard floor.counterOpen[c], floor.current[c] == nil, !closing[c], let t = floor.callNext(counter: c) else {
            if checkIn, floor.counterOpen[c], floor.current[c] == nil, !closing[c] { summonPassedOver(counter: c, at: now) }
            if afterClosing, floor.counterOpen[c], floor.current[c] == nil { close(c, at: now) }
            return
        }
        busySince[c] = now
        calledWait[c] = now - floor.tickets[t].queuedAt
        if checkIn { summonPassedOver(counter: c, at: now) }
        emit(.ticketCalled, t, c, now)
        let v = holders[t].visitor
        if !holders[t].calledThisStage {
            holders[t].calledThisStage = true
            let joined = floor.tickets[t].queuedAt
            // Under arrival check-in a remote holder waits in the office from arriving.
            let since = checkIn && holders[t].remote ? max(joined, holders[t].onSiteAt) : joined
            result.recordWait(
                procedure: floor.tickets[t].procedure, joinedAt: joined, waitingSince: since, calledAt: now, remote: holders[t].remote)
        }
        if holders[t].stage == visitors.people[v].firstStage && !holders[t].calledBefore {
            holders[t].calledBefore = true
            if holders[t].remote {
                result.recordRemoteCall(
                    calledAt: now, onSiteAt: holders[t].onSiteAt, alerted: holders[t].alerted, dueAtIssue: holders[t].dueAtIssue)
            } else {
                result.recordPaperCall(calledAt: now, onSiteAt: holders[t].onSiteAt)
            }
        }
        if !holders[t].alerted { alert(t, at: now, comeNow: false) }
        let present = holders[t].onSiteAt <= now && now - holders[t].onSiteAt <= visitors.people[v].patience
        if visitors.people[v].absent {
            heap.push(now + grace, .noShow, c)
        } else if holders[t].remote && !present && holders[t].onSiteAt > now + grace
            && floor.postpone(t, by: .citizen, at: now)
        {
            // Still on the way when the "you're called" alert comes: the holder taps "running late" and goes to the
            // end of the line, once; the counter calls the next ticket at once.
            emit(.ticketPostponed, t, c, now)
            result.addBusy(group: groupOf[c], from: busySince[c], to: now)
            call(c, at: now)
            joined(procedure: floor.tickets[t].procedure, at: now)
            return
        } else if present {
            startService(at: c, now: now)
        } else if holders[t].remote && holders[t].onSiteAt <= now + grace {
            heap.push(holders[t].onSiteAt, .serviceStart, c)
        } else {
            heap.push(now + grace, .noShow, c)
        }
        if model.behaviour.remoteShare > 0 && advisor == nil { alertIfNear(procedure: floor.tickets[t].procedure, at: now) }
    }

    private mutating func startService(at c: Int, now: Double) {
        guard let t = floor.current[c] else { return }
        floor.start(counter: c)
        emit(.ticketServing, t, c, now)
        let v = holders[t].visitor
        if holders[t].stage == visitors.people[v].firstStage {
            result.recordTimeOnSite(v, onSite: holders[t].onSiteAt, servedAt: now, remote: visitors.people[v].remote)
        }
        heap.push(now + visitors.stages[holders[t].stage].work * speed[c], .serviceEnd, c)
    }

    private mutating func endService(at c: Int, now: Double) {
        guard let t = floor.current[c] else { return }
        let v = holders[t].visitor
        if holders[t].stage + 1 < visitors.people[v].endStage {
            holders[t].stage += 1
            holders[t].calledThisStage = false
            let from = floor.tickets[t].procedure
            let to = visitors.stages[holders[t].stage].procedure
            floor.transfer(counter: c, to: to, at: now)
            emit(.ticketTransferred, t, c, now, from: from)
            freed(c, at: now)
            joined(procedure: to, at: now)
        } else {
            floor.complete(counter: c)
            emit(.ticketCompleted, t, c, now)
            result.outcomes[v] = .completed
            freed(c, at: now)
        }
    }

    // MARK: Counters

    /// A ticket joined a line: a free counter that serves it calls now. Free open counters have nothing waiting
    /// that they serve, so the first free one calls this ticket or one that ties with it.
    private mutating func joined(procedure p: Int, at now: Double) {
        let serving = countersServing.range(p)
        for i in serving {
            let c = countersServing.values[i]
            if floor.counterOpen[c] && floor.current[c] == nil && !closing[c] {
                call(c, at: now)
                return
            }
        }
        // Past closing, staff stay until everyone holding a ticket is served: with no free counter for this line,
        // one that closed (or never opened) opens again.
        if afterClosing, let i = serving.first(where: { !floor.counterOpen[countersServing.values[$0]] }) {
            open(countersServing.values[i], at: now)
        }
    }

    private mutating func freed(_ c: Int, at now: Double) {
        result.addBusy(group: groupOf[c], from: busySince[c], to: now)
        if closing[c] { close(c, at: now) } else { call(c, at: now) }
    }

    private mutating func applyRoster(period: Int, at now: Double) {
        if period == model.periods.count {
            // Closing time: counters open now stay on until their lines are empty.
            afterClosing = true
            for c in model.counters.indices { closing[c] = false }
            for c in model.counters.indices where floor.counterOpen[c] && floor.current[c] == nil { call(c, at: now) }
            for p in model.procedures.indices where !floor.front(of: p, limit: 1).isEmpty { joined(procedure: p, at: now) }
            return
        }
        for (g, group) in model.groups.enumerated() {
            let wanted = roster.open[period][g]
            for (k, c) in group.counters.enumerated() {
                if k < wanted {
                    closing[c] = false
                    guard !floor.counterOpen[c], lateOpening[c] == nil else { continue }
                    let late = lateness(counter: c, period: period)
                    if late > 0 {
                        lateOpening[c] = now + late
                        heap.push(now + late, .lateOpening, c)
                    } else {
                        open(c, at: now)
                    }
                } else {
                    lateOpening[c] = nil
                    if floor.counterOpen[c] {
                        if floor.current[c] == nil { close(c, at: now) } else { closing[c] = true }
                    }
                }
            }
        }
    }

    /// How long after the plan's time the staff of counter `c` open it at `period`: the drawn delay, and the day's
    /// late start at its first opening.
    private func lateness(counter c: Int, period: Int) -> Double {
        (visitors.openingDelay.isEmpty ? 0 : visitors.openingDelay[c][period])
            + (visitors.lateStart.isEmpty || openedToday[c] ? 0 : visitors.lateStart[c])
    }

    private mutating func open(_ c: Int, at now: Double) {
        openedToday[c] = true
        floor.setOpen(c, true)
        openSince[c] = now
        emit(.counterOpened, -1, c, now)
        call(c, at: now)
    }

    private mutating func close(_ c: Int, at now: Double) {
        floor.setOpen(c, false)
        closing[c] = false
        result.addOpen(group: groupOf[c], from: openSince[c], to: now)
        emit(.counterClosed, -1, c, now)
    }

    @inline(__always)
    func emit(_ type: EventType, _ t: Int, _ c: Int, _ now: Double, from: Int = -1) {
        guard let trace else { return }
        var event = FloorEvent(type: type, ticket: t, counter: c, at: now, from: from)
        if t >= 0 {
            event.procedure = floor.tickets[t].procedure
            event.sequence = floor.tickets[t].sequence
            event.priority = floor.tickets[t].priority
            event.remote = holders[t].remote
            if type == .ticketIssued && event.remote { event.travel = visitors.people[holders[t].visitor].travel }
        }
        trace(event)
    }
}
