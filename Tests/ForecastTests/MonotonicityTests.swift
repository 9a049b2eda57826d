import Foundation
import QueueCore
import Testing

@testable import Forecast
@testable import Twin

/// Property: a ticket's estimate never rises when nothing happens but calls of tickets ahead of it.
@Suite struct MonotonicityTests {
    /// A random multi-skill office at 10:30: 3 procedures, 5 counters with random skills (some busy, some free,
    /// one closed), 10–40 tickets waiting (a few priority), services lognormal, no-shows rising with the wait,
    /// priority arrivals on the way.
    static func randomState(_ rng: inout SeededRandom) -> (Observation, Learned) {
        let now = 10.5 * 3600
        let procedures: [ServiceID] = ["a", "b", "c"]
        let counters = (0..<5).map { c in
            var skills = (0..<3).filter { _ in rng.chance(0.5) }
            if skills.isEmpty { skills = [c % 3] }
            let busy: ObservedCounter.Busy? =
                c > 0 && rng.chance(0.5)
                ? .init(
                    ticket: TicketID("busy\(c)"), procedure: skills[0], since: now - rng.unit() * 900, waited: rng.unit() * 1800,
                    calledOnly: rng.chance(0.3))
                : nil
            return ObservedCounter(
                counter: CounterID("c\(c)"), procedures: skills, isOpen: c != 4, priorityStreak: Int(rng.next() % 3), busy: busy,
                plan: [9 * 3600..<12 * 3600, 13 * 3600..<17 * 3600])
        }
        let waiting = (0..<(10 + Int(rng.next() % 31))).map { k in
            Waiter(
                ticket: TicketID("w\(k)"), procedure: Int(rng.next() % 3), priority: rng.chance(0.1) ? 1 : 0,
                queuedAt: now - 3600 + Double(k) * 60, sequence: k + 1, remote: rng.chance(0.2))
        }
        var history = ProcedureHistory(
            service: .lognormal(mu: log(420), sigma: 0.6), noShowRate: 0.05, noShowSeconds: 180, releaseRate: 0.02, releaseSeconds: 5)
        history.noShowByWait = (0..<(2 * (Learned.waitBins.count + 1))).map { 0.02 + 0.01 * Double($0) }
        var priority = Array(repeating: Array(repeating: 0.0, count: 24), count: 8)
        priority[1] = Array(repeating: 2.0 / 3600, count: 24)
        let learned = Learned(
            procedures: Dictionary(uniqueKeysWithValues: procedures.map { ($0, history) }), pooled: history,
            counterFactor: ["c1": 1.3], priorityArrivals: ["a": priority])
        return (
            Observation(
                office: "o", now: now, weekday: 1, procedures: procedures, waiting: waiting, counters: counters,
                lastCalledWait: [nil, nil, nil]),
            learned
        )
    }

    /// The call the office would make next at `now`: the first free open counter calls by `Routing`, through the
    /// twin's own `Floor`. Returns the state after it, or nil when no free counter has anything to call.
    static func afterNextCall(_ o: Observation) -> Observation? {
        guard let c = o.counters.indices.first(where: { o.counters[$0].isOpen && o.counters[$0].busy == nil }) else { return nil }
        var floor = Floor(policy: OfficePolicy(), procedureCount: o.procedures.count, counterProcedures: o.counters.map(\.procedures))
        let order = o.lineOrder
        for i in order { _ = floor.issue(procedure: o.waiting[i].procedure, priority: o.waiting[i].priority, at: o.waiting[i].queuedAt) }
        for j in o.counters.indices {
            floor.setOpen(j, true)
            floor.setStreak(j, o.counters[j].priorityStreak)
        }
        guard let k = floor.callNext(counter: c) else { return nil }
        let j = order[k]
        let called = o.waiting[j]
        var after = o
        after.waiting.remove(at: j)
        after.counters[c].busy = .init(
            ticket: called.ticket, procedure: called.procedure, since: o.now, waited: o.now - called.queuedAt,
            remote: called.remote, calledOnly: true)
        after.counters[c].priorityStreak = CounterState.streak(after: called.priority, from: o.counters[c].priorityStreak)
        return after
    }

    @Test(arguments: 1...60)
    func estimatesNeverRiseWhenOnlyCallsHappen(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let (start, learned) = Self.randomState(&rng)
        let estimators = Estimators(learned: learned, runs: 100, seed: seed)
        var state = start
        var calls = 0
        while let next = Self.afterNextCall(state), calls < 4 {
            for method in [Method.twin, .qlSched] {
                let before = Dictionary(uniqueKeysWithValues: zip(state.waiting.map(\.ticket), estimators.predict(method, state)))
                let after = estimators.predict(method, next)
                for (w, p) in zip(next.waiting, after) {
                    let b = try #require(before[w.ticket])
                    #expect(p.mean <= b.mean + 1e-6, "seed \(seed) \(method) \(w.ticket): mean \(b.mean) → \(p.mean)")
                    #expect(p.p90 <= b.p90 + 1e-6, "seed \(seed) \(method) \(w.ticket): p90 \(b.p90) → \(p.p90)")
                }
            }
            state = next
            calls += 1
        }
        #expect(calls > 0)
    }
}
