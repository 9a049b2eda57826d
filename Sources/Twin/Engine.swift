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
}

/// Runs one office for one day: the discrete-event engine.
///
/// Visitors arrive (paper tickets in the office; remote tickets from home, who set out on the "come now" alert),
/// counters call by `Routing` through `Floor`, serve for the visitor's drawn work times their speed, transfer
/// multi-stage visits, wait the policy's grace on an empty counter, and follow the roster. After closing no one new
/// arrives and everyone holding a ticket is served: open counters stay until their lines are empty.
public struct DayEngine {
    let model: OfficeModel
    let roster: Roster
    let visitors: Visitors
    var trace: ((FloorEvent) -> Void)?

    var floor: Floor
    var heap = EventHeap()
    var result: DayResult
    // Per visitor (= ticket index).
    var stage: [Int]
    var onSiteAt: [Double]
    var alerted: [Bool]
    var calledThisStage: [Bool]
    // Per counter.
    var closing: [Bool]
    var openSince: [Double]
    var busySince: [Double]
    let countersServing: [[Int]]
    let grace: Double
    var afterClosing = false

    public init(model: OfficeModel, roster: Roster? = nil, visitors: Visitors, trace: ((FloorEvent) -> Void)? = nil) {
        self.model = model
        self.roster = roster ?? model.roster
        self.visitors = visitors
        self.trace = trace
        floor = Floor(
            policy: model.office.policy, procedureCount: model.procedures.count,
            counterProcedures: model.counters.map(\.procedures))
        let n = visitors.count
        result = DayResult(model: model, visitors: n)
        stage = visitors.stageStart.dropLast().map { $0 }
        onSiteAt = zip(visitors.arrival, visitors.remote).map { $1 ? .infinity : $0 }
        alerted = Array(repeating: false, count: n)
        calledThisStage = Array(repeating: false, count: n)
        closing = Array(repeating: false, count: model.counters.count)
        openSince = Array(repeating: 0, count: model.counters.count)
        busySince = Array(repeating: 0, count: model.counters.count)
        countersServing = model.procedures.indices.map { p in model.counters.indices.filter { model.counters[$0].procedures.contains(p) } }
        grace = Double(model.office.policy.noShowGraceSeconds)
    }

    /// Runs the day to its end and returns what happened.
    public mutating func run() -> DayResult {
        for p in model.periods.indices { heap.push(model.periods[p].start, .period, p) }
        heap.push(model.dayLength, .period, model.periods.count)
        var next = 0
        let arrivals = visitors.arrival
        while true {
            let arrivalTime = next < arrivals.count ? arrivals[next] : .infinity
            if heap.nextTime <= arrivalTime {
                if heap.isEmpty { break }
                let item = heap.pop()
                handle(item.kind, item.index, at: item.time)
            } else {
                arrive(next, at: arrivalTime)
                next += 1
            }
        }
        result.endedAt = max(result.endedAt, model.dayLength)
        return result
    }

    // MARK: Events

    private mutating func arrive(_ v: Int, at now: Double) {
        let p = visitors.stageProcedure[stage[v]]
        let t = floor.issue(procedure: p, priority: visitors.priority[v], at: now)
        assert(t == v, "tickets are issued in arrival order")
        emit(.ticketIssued, t, -1, now)
        if visitors.remote[v] { alertIfNear(procedure: p, at: now) }
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
            let v = t
            if !visitors.absent[v] && visitors.remote[v] && onSiteAt[v] <= now + Double(floor.policy.reactivateWindowSeconds) {
                heap.push(max(onSiteAt[v], now), .reactivate, t)
            } else {
                result.outcomes[v] = visitors.absent[v] || visitors.remote[v] ? .noShow : .abandoned
            }
            freed(c, at: now)
        case .reactivate:
            floor.reactivate(index)
            emit(.ticketReactivated, index, -1, now)
            joined(procedure: floor.procedure[index], at: now)
        case .period:
            applyRoster(period: index, at: now)
        }
    }

    private mutating func call(_ c: Int, at now: Double) {
        guard floor.counterOpen[c], floor.current[c] == nil, !closing[c], let t = floor.callNext(counter: c) else {
            if afterClosing, floor.counterOpen[c], floor.current[c] == nil { close(c, at: now) }
            return
        }
        busySince[c] = now
        emit(.ticketCalled, t, c, now)
        let v = t
        if !calledThisStage[v] {
            calledThisStage[v] = true
            result.recordWait(procedure: floor.procedure[t], joinedAt: floor.queuedAt[t], calledAt: now, remote: visitors.remote[v])
            if stage[v] == visitors.stageStart[v] {
                result.recordFirstCall(v, onSite: onSiteAt[v], calledAt: now, remote: visitors.remote[v])
            }
        }
        if visitors.remote[v] && !alerted[v] { alert(v, at: now) }
        let present = onSiteAt[v] <= now && now - onSiteAt[v] <= visitors.patience[v]
        if visitors.absent[v] {
            heap.push(now + grace, .noShow, c)
        } else if present {
            startService(at: c, now: now)
        } else if visitors.remote[v] && onSiteAt[v] <= now + grace {
            heap.push(onSiteAt[v], .serviceStart, c)
        } else {
            heap.push(now + grace, .noShow, c)
        }
        if model.behaviour.remoteShare > 0 { alertIfNear(procedure: floor.procedure[t], at: now) }
    }

    private mutating func startService(at c: Int, now: Double) {
        guard let t = floor.current[c] else { return }
        floor.start(counter: c)
        emit(.ticketServing, t, c, now)
        heap.push(now + visitors.stageWork[stage[t]] * model.counters[c].speed, .serviceEnd, c)
    }

    private mutating func endService(at c: Int, now: Double) {
        guard let t = floor.current[c] else { return }
        let v = t
        if stage[v] + 1 < visitors.stageStart[v + 1] {
            stage[v] += 1
            calledThisStage[v] = false
            let from = floor.procedure[t]
            let to = visitors.stageProcedure[stage[v]]
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
        for c in countersServing[p] where floor.counterOpen[c] && floor.current[c] == nil && !closing[c] {
            call(c, at: now)
            return
        }
        if afterClosing && !countersServing[p].contains(where: { floor.counterOpen[$0] }) {
            // Past closing with no counter left for this line: the first one that serves it stays on.
            open(countersServing[p][0], at: now)
        }
    }

    private mutating func freed(_ c: Int, at now: Double) {
        result.addBusy(group: model.counters[c].group, from: busySince[c], to: now)
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
                    if !floor.counterOpen[c] { open(c, at: now) }
                } else if floor.counterOpen[c] {
                    if floor.current[c] == nil { close(c, at: now) } else { closing[c] = true }
                }
            }
        }
    }

    private mutating func open(_ c: Int, at now: Double) {
        floor.setOpen(c, true)
        openSince[c] = now
        emit(.counterOpened, -1, c, now)
        call(c, at: now)
    }

    private mutating func close(_ c: Int, at now: Double) {
        floor.setOpen(c, false)
        closing[c] = false
        result.addOpen(group: model.counters[c].group, from: openSince[c], to: now)
        result.endedAt = max(result.endedAt, now)
        emit(.counterClosed, -1, c, now)
    }

    @inline(__always)
    private func emit(_ type: EventType, _ t: Int, _ c: Int, _ now: Double, from: Int = -1) {
        guard let trace else { return }
        var event = FloorEvent(type: type, ticket: t, counter: c, at: now, from: from)
        if t >= 0 {
            event.procedure = floor.procedure[t]
            event.sequence = floor.sequence[t]
            event.priority = floor.priority[t]
            event.remote = visitors.remote[t]
        }
        trace(event)
    }

    // MARK: "Come now"

    private mutating func alert(_ v: Int, at now: Double) {
        alerted[v] = true
        onSiteAt[v] = now + visitors.travel[v]
    }

    /// The scenario's "come now" rule for remote holders of procedure `p`: alert when few enough people are ahead,
    /// or when the queue-length estimate of the wait is within their travel time plus a buffer. Only the first
    /// `scanLimit` of a line are looked at.
    private mutating func alertIfNear(procedure p: Int, at now: Double) {
        let behaviour = model.behaviour
        let scanLimit = 200
        let front = floor.front(of: p, limit: scanLimit)
        let servers = Double(countersServing[p].filter { floor.counterOpen[$0] }.count)
        let perTicket = model.procedures[p].meanServiceSeconds
        for (ahead, t) in front.enumerated() where visitors.remote[t] && !alerted[t] {
            if let n = behaviour.comeNowPeopleAhead {
                guard ahead <= n else { break }
                alert(t, at: now)
            } else if let buffer = behaviour.comeNowBufferSeconds, servers > 0,
                Double(ahead + 1) * perTicket / servers <= visitors.travel[t] + buffer
            {
                alert(t, at: now)
            }
        }
    }
}
