import Foundation
import QueueCore
import Testing

@testable import Forecast

/// Arrival check-in: a remote holder on the way keeps their place, but line heads pass over them until they check
/// in. The fold sees who is on the way and when they were told to come, learns how late after "come now" and their
/// travel time holders arrive, and the twin calls those behind first while the holder is still travelling.
@Suite struct OnTheWayTests {
    static let history = ProcedureHistory(service: .exponential(mean: 300), noShowRate: 0, noShowSeconds: 180)

    @Test func theFoldSeesWhoIsOnTheWayAndLearnsHowLateTheyCome() throws {
        let midnight = Date(timeIntervalSince1970: 1_774_796_400)  // 2026-03-30 00:00 JST
        func event(_ type: EventType, _ seconds: Double, data: [String: JSONValue] = [:]) -> Event {
            Event(
                at: midnight.addingTimeInterval(seconds), utcOffsetSeconds: 32_400, office: "o", type: type, ticket: "r1",
                service: "single", channel: .web, priority: 0, data: data)
        }
        var fold = OfficeFold(office: "o")
        var seen: [OfficeFold.Happening] = []
        func apply(_ e: Event) { seen += fold.apply(e).filter { if case .checkedIn = $0 { true } else { false } } }
        let date = try #require(LocalDate(parsing: "2026-03-30"))
        apply(
            event(.ticketIssued, 36_000, data: Payload.issued(businessDate: date, language: "ja", travelMinutes: 10, awaitsArrival: true)))
        #expect(fold.observation(at: midnight.addingTimeInterval(36_010)).waiting.first?.onTheWay == .init(toldAt: nil))
        apply(event(.ticketComeNow, 36_060))
        apply(event(.ticketComeNow, 36_300))  // told again: the first time counts
        #expect(fold.observation(at: midnight.addingTimeInterval(36_400)).waiting.first?.onTheWay == .init(toldAt: 36_060))
        apply(event(.ticketArrived, 36_060 + 600 + 45))
        #expect(seen == [.checkedIn(lateness: 45)])
        #expect(fold.observation(at: midnight.addingTimeInterval(36_800)).waiting.first?.onTheWay == nil)
        var learner = Learner()
        seen.forEach { learner.add($0) }
        #expect(learner.learned.checkInLateness == DelaySample([45]))
    }

    /// One counter, free now. A remote holder first in line was told to come at 10:00 with 20 minutes to travel;
    /// a paper ticket waits behind. At 10:05 the twin calls the paper ticket first, and the remote one when its
    /// holder arrives (10:20 plus the lateness holders showed before), not before.
    @Test func theTwinCallsThoseBehindAHolderStillOnTheWay() {
        var learned = Learned(procedures: ["single": Self.history], pooled: Self.history)
        let counter = ObservedCounter(counter: "c1", procedures: [0], isOpen: true, plan: [32_400..<61_200], since: 32_400)
        func observation(told: Double?) -> Observation {
            Observation(
                office: "o", now: 36_300, weekday: 1, procedures: ["single"],
                waiting: [
                    Waiter(
                        ticket: "remote", procedure: 0, priority: 0, queuedAt: 35_000, sequence: 1, remote: true, travelSeconds: 1_200,
                        onTheWay: told.map { .init(toldAt: $0) }),
                    Waiter(ticket: "paper", procedure: 0, priority: 0, queuedAt: 35_500, sequence: 2),
                ],
                counters: [counter], lastCalledWait: [nil, nil])
        }
        func waits(_ o: Observation) -> [Double] { Estimators(learned: learned, runs: 200).predict(.twin, o).map(\.mean) }
        // Here (or not yet told, so expected on time): first in line, called now; the paper ticket after one service.
        let here = waits(observation(told: nil))
        #expect(here[0] < 1 && abs(here[1] - 300) < 60, "\(here)")
        // On the way, nothing learned of lateness: due at 10:20, 15 minutes from now; the paper ticket goes first.
        let onTheWay = waits(observation(told: 36_000))
        #expect(onTheWay[1] < 1, "\(onTheWay)")
        #expect(onTheWay[0] >= 900 - 1, "\(onTheWay)")
        // Holders came two minutes after their travel time.
        learned.checkInLateness = DelaySample(Array(repeating: 120, count: 30))
        #expect(abs(waits(observation(told: 36_000))[0] - 1_020) < 60)
        // Told long ago, later than any holder ever was: not expected today, and no one behind waits for them.
        let lost = waits(observation(told: 30_000))
        #expect(lost[0] >= Estimators.horizon && lost[1] < 1, "\(lost)")
    }
}
