import Foundation
import QueueCore
import Testing

@testable import Forecast

/// The estimators' view of the office counts a paused counter (a break, a meeting) as closed until it opens again.
@Suite struct PauseFoldTests {
    @Test func aPausedCounterIsClosedToTheEstimators() {
        let start = Date(timeIntervalSince1970: 1_774_832_400)  // 2026-03-30 10:00 JST
        var fold = OfficeFold(office: "small")
        let day = CivilTime.localSeconds(start, offsetSeconds: 32_400).day
        fold.start(day: day, offset: 32_400, counters: [(id: "c1", services: ["certificates"], open: true)])
        func event(_ type: EventType, _ seconds: Double, _ data: [String: JSONValue] = [:]) -> Event {
            Event(
                at: start.addingTimeInterval(seconds), utcOffsetSeconds: 32_400, office: "small", type: type, counter: "c1", data: data)
        }
        #expect(fold.observation(at: start).counters.first?.isOpen == true)
        fold.apply(event(.counterPaused, 60, ["reason": .string("break")]))
        #expect(fold.observation(at: start.addingTimeInterval(61)).counters.first?.isOpen == false)
        fold.apply(event(.counterOpened, 900))
        #expect(fold.observation(at: start.addingTimeInterval(901)).counters.first?.isOpen == true)
    }

    /// A pause is temporary: the estimators see the counter serving again once the reason's usual length has
    /// passed (then as its plan says), not closed for the rest of the day as a closed counter is.
    @Test func aPauseEndsInTheEstimatesAfterItsUsualLength() {
        let start = Date(timeIntervalSince1970: 1_774_832_400)  // 10:00 JST
        var fold = OfficeFold(office: "small")
        let day = CivilTime.localSeconds(start, offsetSeconds: 32_400).day
        fold.start(day: day, offset: 32_400, counters: [(id: "c1", services: ["certificates"], open: true)])
        fold.apply(
            Event(
                at: start, utcOffsetSeconds: 32_400, office: "small", type: .counterPaused, counter: "c1",
                data: ["reason": .string("meeting")]))
        let ten = 36_000.0
        let counter = fold.observation(at: start.addingTimeInterval(60)).counters[0]
        #expect(counter.pausedUntil == ten + 1800)
        #expect(counter.availability(from: ten + 60, closing: 59_400) == [(ten + 1800)..<Double.infinity])
        // With a plan: back at 10:30 into a plan that closes it for lunch 12:00-13:00.
        var planned = counter
        planned.plan = [32_400..<43_200, 46_800..<59_400]
        #expect(planned.availability(from: ten + 60, closing: 59_400) == [(ten + 1800)..<43_200, 46_800..<Double.infinity])
        // A counter closed (not paused) stays closed until its plan's next change.
        planned.pausedUntil = nil
        #expect(planned.availability(from: ten + 60, closing: 59_400) == [46_800..<Double.infinity])
    }
}
