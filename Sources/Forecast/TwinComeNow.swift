import Foundation
import QueueCore
import Twin

/// The estimator's "come now" rule inside the twin: every two simulated minutes it copies the engine's office into
/// an `Observation`, as the live hub copies the real one, runs the twin estimator over the remote holders still
/// at home, and tells those whose P(called within travel + buffer) exceeds the risk to set out.
public struct TwinComeNow: ComeNowAdvisor {
    public var estimators: Estimators
    public var rule: ComeNow
    /// 1 = Monday … 7 = Sunday, for the learned priority arrivals.
    public var weekday: Int
    public var interval: Double = 120

    public init(estimators: Estimators, rule: ComeNow, weekday: Int) {
        self.estimators = estimators
        self.rule = rule
        self.weekday = weekday
    }

    /// A candidate is run forward only if its queue-length estimate, with every counter that serves its procedure
    /// on duty, is within this many times its travel plus buffer: far back in a long line, P(called in time) is
    /// nowhere near the risk, and skipping it keeps the run short (it stops once the candidates are called).
    static let reach = 4.0

    public func due(_ s: EngineState, candidates: [Int]) -> [Int] {
        let (o, index) = Self.observation(s, weekday: weekday)
        let ahead = Estimators.ahead(o)
        let servers = o.procedures.indices.map { p in max(1, o.counters.count { $0.procedures.contains(p) }) }
        let targets = candidates.compactMap { index[$0] }.filter { i in
            let w = o.waiting[i]
            let work = estimators.learned.procedure(o.procedures[w.procedure]).meanWork
            let optimistic = Double(ahead[i] + 1) * work / Double(servers[w.procedure])
            return optimistic <= Self.reach * ((w.travelSeconds ?? 0) + rule.bufferSeconds)
        }
        let predictions = estimators.predict(.twin, o, tickets: targets)
        return zip(targets, predictions).compactMap { i, p in
            guard let travel = o.waiting[i].travelSeconds, rule.isDue(p, travelSeconds: travel) else { return nil }
            return Int(o.waiting[i].ticket.rawValue)
        }
    }

    /// What the live office would show of the engine's: waiting tickets (by floor index), counters with what they
    /// hold and since when, the roster as planned; and the waiting index of each floor ticket.
    public static func observation(_ s: EngineState, weekday: Int) -> (Observation, [Int: Int]) {
        let opens = Double(s.model.opens)
        var waiting: [Waiter] = []
        var index: [Int: Int] = [:]
        for (t, ticket) in s.floor.tickets.enumerated() where ticket.status == .waiting {
            index[t] = waiting.count
            waiting.append(
                Waiter(
                    ticket: TicketID(String(t)), procedure: ticket.procedure, priority: ticket.priority, queuedAt: opens + ticket.queuedAt,
                    sequence: ticket.sequence, remote: s.remote[t], travelSeconds: s.remote[t] ? s.travel[t] : nil,
                    onTheWay: ticket.present ? nil : .init(toldAt: s.toldAt[t].map { opens + $0 })))
        }
        let counters = s.model.counters.indices.map { c in
            let busy = s.floor.current[c].map { t in
                ObservedCounter.Busy(
                    ticket: TicketID(String(t)), procedure: s.floor.tickets[t].procedure, since: opens + s.busySince[c],
                    waited: s.calledWait[c], remote: s.remote[t], calledOnly: s.floor.tickets[t].status == .called)
            }
            return ObservedCounter(
                counter: s.model.office.counters[c].id, procedures: s.model.counters[c].procedures,
                isOpen: s.floor.counterOpen[c] && !s.closing[c], priorityStreak: s.floor.streak[c], busy: busy,
                plan: s.model.plannedOpen(counter: c, roster: s.roster).map { Double($0.lowerBound)..<Double($0.upperBound) })
        }
        let observation = Observation(
            office: s.model.office.id, now: opens + s.now, weekday: weekday, procedures: s.model.office.procedures.map(\.id),
            waiting: waiting, counters: counters, lastCalledWait: s.model.office.procedures.map { _ in nil })
        return (observation, index)
    }

    /// What the estimator knows in the twin: learned, as the live server learns, from `days` simulated days of the
    /// scenario (on their own seed, under the scenario's queue-length rule), one `Learned` per office.
    public static func history(_ scenario: Scenario, days: Int, seed: UInt64) -> [Learned] {
        var folds = scenario.offices.map { OfficeFold(office: $0.office.id) }
        var learners = scenario.offices.map { _ in Learner() }
        let position = Dictionary(uniqueKeysWithValues: scenario.offices.enumerated().map { ($1.office.id, $0) })
        _ = Simulation.run(
            scenario, days: days, seed: seed ^ 0x4157_0A1E,
            log: { event in
                guard let o = position[event.office] else { return }
                for h in folds[o].apply(event) { learners[o].add(h) }
            })
        return learners.map(\.learned)
    }
}
