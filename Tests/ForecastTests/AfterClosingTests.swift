import Foundation
import QueueCore
import Testing

@testable import Forecast

/// Staff serve everyone holding a ticket at closing. The fold learns, per procedure and day, when each counter
/// opened after closing first called it; the twin opens counters after closing as they were on a day of the
/// history, so the queue left at closing clears as fast as it did.
@Suite struct AfterClosingTests {
    static let history = ProcedureHistory(service: .exponential(mean: 600), noShowRate: 0, noShowSeconds: 180)

    @Test func theFoldLearnsWhenCountersOpenedAfterClosingServed() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let midnight = Date(timeIntervalSince1970: 1_774_796_400)  // 2026-03-30 00:00 JST
        func at(_ seconds: Double) -> Date { midnight.addingTimeInterval(seconds) }
        func event(_ type: EventType, _ seconds: Double, counter: CounterID? = nil, ticket: TicketID? = nil) -> Event {
            Event(
                at: at(seconds), utcOffsetSeconds: 32_400, office: "o", type: type, ticket: ticket, service: "single", counter: counter,
                channel: .kiosk, priority: 0)
        }
        var fold = OfficeFold(office: "o")
        var learner = Learner()
        var seen: [OfficeFold.Happening] = []
        func apply(_ e: Event) {
            let happened = fold.apply(e)
            happened.forEach { learner.add($0) }
            seen += happened.filter { if case .calledAfterClosing = $0 { true } else { false } }
        }
        for plan in [
            CounterPlan(counter: "c1", procedures: ["single"], open: [32_400..<57_600]),
            CounterPlan(counter: "c2", procedures: ["single"], open: [32_400..<43_200]),
        ] {
            apply(plan.event(office: "o", at: at(32_400), zone: zone))
        }
        apply(event(.counterOpened, 32_400, counter: "c1"))
        for (k, issued) in [57_000.0, 57_100, 57_200].enumerated() { apply(event(.ticketIssued, issued, ticket: TicketID("t\(k)"))) }
        apply(event(.ticketCalled, 57_720, counter: "c1", ticket: "t0"))  // open at closing: not one more
        apply(event(.counterOpened, 57_900, counter: "c2"))
        apply(event(.ticketCalled, 57_900, counter: "c2", ticket: "t1"))
        apply(event(.ticketCompleted, 58_000, counter: "c2", ticket: "t1"))
        apply(event(.ticketCalled, 58_010, counter: "c2", ticket: "t2"))
        #expect(
            seen == [
                .calledAfterClosing(procedure: "single", counter: "c2", seconds: 300),
                .calledAfterClosing(procedure: "single", counter: "c2", seconds: 410),
            ], "\(seen)")
        // A counter's first call after closing is when it began to serve the line.
        #expect(learner.learned.staffAfterClosing == ["single": [[300]]])
    }

    /// At 15:59 ten tickets wait and only c1 is on the roster to 16:00; c2 and c3 closed at noon. Staff always
    /// stay after closing. The more counters open after closing, and the sooner, the sooner the last is called.
    @Test func theTwinOpensCountersAfterClosingAsStaffDid() {
        let counters = Self.counters(c2ReopenedAt: nil)
        func lastWait(_ days: [[Double]]?) -> Double { Self.lastWait(now: 57_540, counters: counters, days: days) }
        let oneMore = lastWait(nil)  // no history of counters after closing: one more at closing
        #expect(abs(lastWait([[0]]) - oneMore) < 1)
        let twoMore = lastWait([[0, 0]])
        let secondLater = lastWait([[0, 1_800]])
        #expect(twoMore < secondLater && secondLater < oneMore, "\(twoMore) \(secondLater) \(oneMore)")
        // Ten tickets of ten minutes: the last called after about 40 minutes on two counters, under half an hour on three.
        #expect(oneMore - twoMore > 600, "\(twoMore) \(oneMore)")
    }

    /// 16:10, ten minutes after closing: c1 stayed on and c2 was reopened, c3 is closed. The history day's counters
    /// reopened by now are the ones open now; only those it reopened later come.
    @Test func afterClosingOnlyTheCountersStillToComeOpen() {
        let counters = Self.counters(c2ReopenedAt: 57_600)
        func lastWait(_ days: [[Double]]?) -> Double { Self.lastWait(now: 58_200, counters: counters, days: days) }
        let asNow = lastWait([[0]])
        #expect(abs(lastWait([[0, 300]]) - asNow) < 1, "both reopened by now: c1 and c2 serve on")
        #expect(lastWait([[0, 1_200]]) < asNow - 300, "c3 opens at 16:20")
    }

    /// The twin's mean wait at `now` for the last of ten tickets that joined at about 13:53, staff always staying
    /// after closing, with `days` the history of counters reopened after closing (nil: none).
    static func lastWait(now: Double, counters: [ObservedCounter], days: [[Double]]?) -> Double {
        let o = Observation(
            office: "o", now: now, weekday: 1, procedures: ["single"],
            waiting: (0..<10).map {
                Waiter(ticket: TicketID("t\($0)"), procedure: 0, priority: 0, queuedAt: 50_000 + Double($0), sequence: $0 + 1)
            },
            counters: counters, lastCalledWait: [nil])
        var learned = Learned(procedures: ["single": history], pooled: history, opensAfterClosing: 1)
        if let days { learned.staffAfterClosing = ["single": days] }
        return Estimators(learned: learned, runs: 200).predict(.twin, o)[9].mean
    }

    /// c1 on the roster to 16:00 and open since 09:00; c2 and c3 on it until noon, closed since, c2 reopened at
    /// `c2ReopenedAt` when given.
    static func counters(c2ReopenedAt: Double?) -> [ObservedCounter] {
        [
            ObservedCounter(counter: "c1", procedures: [0], isOpen: true, plan: [32_400..<57_600], since: 32_400),
            ObservedCounter(
                counter: "c2", procedures: [0], isOpen: c2ReopenedAt != nil, plan: [32_400..<43_200], since: c2ReopenedAt ?? 43_200),
            ObservedCounter(counter: "c3", procedures: [0], isOpen: false, plan: [32_400..<43_200], since: 43_200),
        ]
    }
}
