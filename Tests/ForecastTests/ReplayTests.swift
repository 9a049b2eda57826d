import Foundation
import QueueCore
import Testing

@testable import Forecast
@testable import Twin

@Suite struct ReplayTests {
    static func rows(_ events: [Event], trainDays: Int, methods: [Method] = Method.allCases, runs: Int = 40) throws -> [ReplayRow] {
        var rows: [ReplayRow] = []
        _ = try Replay(trainDays: trainDays, methods: methods, runs: runs).run(events: events) { rows.append($0) }
        return rows
    }

    /// A poisoned event after a prediction's moment (a crowd of priority tickets and two counters closing, as
    /// if the future were known) must not change any prediction made before it, and must change later ones (so
    /// that the test could fail).
    @Test func replayNeverReadsTheFuture() throws {
        let events = try ForecastFixtures.simulatedLog(days: 3)
        let clean = try Self.rows(events, trainDays: 2)
        #expect(clean.count > 500)
        // The poison: at 11:00:00.5 on the predicted day.
        let lastDay = try #require(events.last)
        let (day, _) = CivilTime.localSeconds(lastDay.at, offsetSeconds: lastDay.utcOffsetSeconds)
        let poisonAt = Date(timeIntervalSince1970: Double(day) * 86_400 + 11 * 3600 + 0.5 - Double(lastDay.utcOffsetSeconds))
        var poison: [Event] = (0..<30).map { k in
            Event(
                at: poisonAt, utcOffsetSeconds: lastDay.utcOffsetSeconds, office: "small", type: .ticketIssued,
                ticket: TicketID("poison\(k)"), number: TicketNumber(prefix: "A", sequence: 900 + k), service: "certificates",
                channel: .kiosk, priority: 1, data: ["businessDate": .string("x")])
        }
        poison += ["front-1", "back-1"].map {
            Event(at: poisonAt, utcOffsetSeconds: lastDay.utcOffsetSeconds, office: "small", type: .counterClosed, counter: CounterID($0))
        }
        let cut = try #require(events.firstIndex { $0.at > poisonAt })
        let poisoned = Array(events[..<cut]) + poison + Array(events[cut...])
        let dirty = try Self.rows(poisoned, trainDays: 2)

        func key(_ r: ReplayRow) -> String { "\(r.ticket.rawValue)@\(r.at.timeIntervalSince1970)/\(r.method.rawValue)" }
        let before = { (rows: [ReplayRow]) in rows.filter { $0.at < poisonAt }.map { "\(key($0)) \($0.prediction)" } }
        let (cleanBefore, dirtyBefore) = (before(clean), before(dirty))
        #expect(cleanBefore.count > 100)
        #expect(cleanBefore.count == dirtyBefore.count)
        let differing = zip(cleanBefore, dirtyBefore).filter { $0 != $1 }
        #expect(
            differing.isEmpty,
            "\(differing.count) predictions made before the poison changed, first: \(differing.first.map { "\($0.0) → \($0.1)" } ?? "")")
        let after = Dictionary(clean.filter { $0.at > poisonAt }.map { (key($0), $0.prediction) }, uniquingKeysWith: { a, _ in a })
        let changed = dirty.filter { $0.at > poisonAt }.filter { r in after[key(r)].map { $0 != r.prediction } ?? false }
        #expect(changed.count > 50, "the poison should change later predictions")
    }

    /// Split-conformal ranges hold about 80% of outcomes on days neither learning nor calibration saw: 60
    /// simulated days of the small office, 30 to learn, 10 to calibrate, 20 predicted. Tolerance 0.80 ± 0.06:
    /// predictions of one day are correlated, so the few thousand here are worth far fewer independent draws (the
    /// benchmark reports the reference scenarios). In this office, whose counters share procedures, the twin also
    /// beats QL-sched clearly.
    @Test func theEightyPercentRangeHoldsOnHeldOutDays() throws {
        let events = try ForecastFixtures.simulatedLog(days: 60, seed: 21)
        let rows = try Self.rows(events, trainDays: 40, methods: [.twin, .qlSched], runs: 60)
        var scorer = Scorer(truth: Truth(events: events))
        rows.forEach { scorer.add($0) }
        let twin = try #require(scorer.overall[.twin])
        let ql = try #require(scorer.overall[.qlSched])
        #expect(twin.n > 3000)
        #expect(abs(twin.coverage - 0.8) <= 0.06, "twin: coverage \(twin.coverage) over \(twin.n)")
        #expect(twin.rrase < 0.9 * ql.rrase, "twin RRASE \(twin.rrase), QL-sched \(ql.rrase)")
    }

    /// Issue 21's office (bench/forecast/staggered-lunch.yaml): eight counters on staggered lunches, staff a few
    /// minutes late back and on some days half an hour late in the morning. Learning 30 days, calibrating on 10,
    /// predicting 20: the twin beats QL-sched by a quarter overall and in every hour with 200 predictions, where
    /// its range also holds 70–90% of outcomes. Before the twin knew that staff come late, it lost to QL-sched
    /// at 09:00 and 14:00.
    @Test func aroundStaggeredLunchesTheTwinBeatsTheScheduleInEveryHour() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scenario = try Scenario.load(path: root.appendingPathComponent("bench/forecast/staggered-lunch.yaml").path)
        var events: [Event] = []
        _ = Simulation.run(scenario, days: 60, seed: scenario.seed, log: { events.append($0) })
        let rows = try Self.rows(events, trainDays: 40, methods: [.twin, .qlSched], runs: 100)
        var scorer = Scorer(truth: Truth(events: events))
        rows.forEach { scorer.add($0) }
        let twin = try #require(scorer.overall[.twin])
        let ql = try #require(scorer.overall[.qlSched])
        #expect(twin.rrase <= 0.75 * ql.rrase, "twin RRASE \(twin.rrase), QL-sched \(ql.rrase)")
        #expect(abs(twin.coverage - 0.8) <= 0.04, "twin: coverage \(twin.coverage) over \(twin.n)")
        let hours = scorer.byHour.filter { ($0.value[.twin]?.n ?? 0) >= 200 }
        #expect(hours.count >= 6)
        for (hour, tallies) in hours.sorted(by: { $0.key < $1.key }) {
            let (t, q) = (tallies[.twin]!, tallies[.qlSched]!)
            #expect(t.rrase <= q.rrase, "\(hour):00: twin RRASE \(t.rrase), QL-sched \(q.rrase)")
            #expect((0.7...0.9).contains(t.coverage), "\(hour):00: twin coverage \(t.coverage) over \(t.n)")
        }
    }
}
