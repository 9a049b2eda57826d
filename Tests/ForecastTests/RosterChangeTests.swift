import Foundation
import QueueCore
import Testing

@testable import Forecast
@testable import Twin

/// Around a roster change the estimators read the plan and what staff did together: a counter still open after
/// its interval ended is finishing its last ticket; one not yet open since its interval began is late, and the
/// twin expects it as late as staff were on earlier days.
@Suite struct RosterChangeTests {
    // 09:00-12:00 and 13:00-16:00, closing at 16:00.
    static let plan: [Range<Double>] = [32_400..<43_200, 46_800..<57_600]
    static let closing = 57_600.0

    static func counter(open: Bool, since: Double?, busy: ObservedCounter.Busy? = nil) -> ObservedCounter {
        ObservedCounter(counter: "c1", procedures: [0], isOpen: open, busy: busy, plan: plan, since: since)
    }

    @Test func aCounterNotYetBackIsLateNotGone() {
        // Closed at 12:01 for lunch, 13:01 now.
        let late = Self.counter(open: false, since: 43_260).openings(from: 46_860, closing: Self.closing)
        #expect(late == [.init(range: 46_860..<Double.infinity, late: .init(already: 60, first: false))])
        // An estimator that learns no lateness keeps it closed until the plan's next change (here: the day's end).
        #expect(Self.counter(open: false, since: 43_260).availability(from: 46_860, closing: Self.closing) == [])
        // Never opened today, 09:05 now: late for the day's first interval.
        let morning = Self.counter(open: false, since: nil).openings(from: 32_700, closing: Self.closing)
        #expect(morning.first?.late == .init(already: 300, first: true))
        // Closed by staff at 10:00 in the middle of its interval: closed until the plan's next change, then back.
        let closedByStaff = Self.counter(open: false, since: 36_000).openings(from: 36_100, closing: Self.closing)
        #expect(closedByStaff == [.init(range: 46_800..<Double.infinity, late: .init(already: 0, first: false))])
    }

    @Test func aCounterOpenPastItsIntervalIsFinishingNotStaying() {
        // Open since the morning, 12:02 now: it finishes what it holds and comes back after lunch.
        let finishing = Self.counter(open: true, since: nil).openings(from: 43_320, closing: Self.closing)
        #expect(finishing == [.init(range: 46_800..<Double.infinity, late: .init(already: 0, first: false))])
        // Opened at 12:05, during lunch: extra help, open until the plan has it open anyway.
        let extra = Self.counter(open: true, since: 43_500).openings(from: 43_600, closing: Self.closing)
        #expect(extra == [.init(range: 43_600..<Double.infinity)])
        // Open at closing: on until everyone holding a ticket is served.
        let overtime = Self.counter(open: true, since: nil).openings(from: 58_000, closing: Self.closing)
        #expect(overtime == [.init(range: 58_000..<Double.infinity)])
    }

    /// One ticket waits. The only counter is a minute late back from lunch and staff have always come two
    /// minutes late: the twin expects the call in about a minute. Without lateness learned, the counter is
    /// closed for the rest of the day (the horizon); if staff never came back after lunch on earlier days, too.
    @Test func theTwinExpectsALateCounterAsLateAsStaffWere() {
        let history = ProcedureHistory(service: .exponential(mean: 300), noShowRate: 0, noShowSeconds: 180)
        var learned = Learned(procedures: ["single": history], pooled: history)
        let o = Observation(
            office: "o", now: 46_860, weekday: 1, procedures: ["single"],
            waiting: [Waiter(ticket: "t0", procedure: 0, priority: 0, queuedAt: 46_000, sequence: 1)],
            counters: [Self.counter(open: false, since: 43_260)], lastCalledWait: [nil])
        func wait() -> Double { Estimators(learned: learned, runs: 100).predict(.twin, o)[0].mean }
        #expect(wait() >= Estimators.horizon)
        learned.openingDelays = OpeningDelays(later: Array(repeating: 120, count: 30))
        #expect(abs(wait() - 60) < 1, "\(wait())")
        learned.openingDelays = OpeningDelays(later: Array(repeating: .infinity, count: 30))
        #expect(wait() >= Estimators.horizon)
    }

    /// The counter holds a ticket past its interval's end: the one waiting goes after lunch, not after that
    /// service.
    @Test func theTwinKeepsAFinishingCounterToItsPlan() {
        let history = ProcedureHistory(service: .exponential(mean: 300), noShowRate: 0, noShowSeconds: 180)
        let learned = Learned(procedures: ["single": history], pooled: history)
        let busy = ObservedCounter.Busy(ticket: "b", procedure: 0, since: 43_100, calledOnly: false)
        let o = Observation(
            office: "o", now: 43_320, weekday: 1, procedures: ["single"],
            waiting: [Waiter(ticket: "t0", procedure: 0, priority: 0, queuedAt: 43_000, sequence: 1)],
            counters: [Self.counter(open: true, since: nil, busy: busy)], lastCalledWait: [nil])
        let p = Estimators(learned: learned, runs: 100).predict(.twin, o)[0]
        #expect(p.p10 >= 46_800 - 43_320, "called before lunch ends: \(p)")
    }

    /// The fold learns how late each planned interval was met: on time, late, or never.
    @Test func theFoldLearnsHowLateStaffOpen() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let midnight = Date(timeIntervalSince1970: 1_774_796_400)  // 2026-03-30 00:00 JST
        func at(_ seconds: Double) -> Date { midnight.addingTimeInterval(seconds) }
        func event(_ type: EventType, _ seconds: Double, _ counter: CounterID) -> Event {
            Event(at: at(seconds), utcOffsetSeconds: 32_400, office: "o", type: type, counter: counter)
        }
        var fold = OfficeFold(office: "o")
        let day = CivilTime.localSeconds(at(0), offsetSeconds: 32_400).day
        fold.start(
            day: day, offset: 32_400,
            counters: [(id: "c1", services: ["single"], open: false), (id: "c2", services: ["single"], open: true)])
        var seen: [Forecast.OfficeFold.Happening] = []
        func apply(_ e: Event) { seen += fold.apply(e).filter { if case .plannedOpening = $0 { true } else { false } } }
        let plans = [
            CounterPlan(counter: "c1", procedures: ["single"], open: [32_400..<43_200, 46_800..<57_600]),
            CounterPlan(counter: "c2", procedures: ["single"], open: [32_400..<57_600]),
            CounterPlan(counter: "c3", procedures: ["single"], open: [36_000..<39_600]),
        ]
        for plan in plans { apply(plan.event(office: "o", at: at(32_400), zone: zone)) }
        apply(event(.counterOpened, 32_580, "c1"))  // three minutes late
        apply(event(.counterClosed, 43_260, "c1"))
        apply(event(.counterOpened, 47_400, "c1"))  // ten minutes late back
        #expect(
            seen == [
                .plannedOpening(delay: 0, first: true),  // c2, open all along (seen at 09:00, by the next event)
                .plannedOpening(delay: 180, first: true),  // c1
                .plannedOpening(delay: .infinity, first: true),  // c3 never came (seen at 12:01)
                .plannedOpening(delay: 600, first: false),  // c1 back from lunch
            ], "\(seen)")
        var learner = Learner()
        seen.forEach { learner.add($0) }
        #expect(learner.learned.openingDelays == OpeningDelays(first: [0, 180, .infinity], later: [600]))
    }
}
