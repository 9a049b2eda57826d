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
}
