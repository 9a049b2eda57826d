import Foundation
import QueueCore
import Testing

@testable import Twin

/// Staff who open counters later than the roster says (`behaviour.openingDelay`, `lateStart`): the log shows the
/// plan as planned and the openings as they happened, and the visitors of a day stay the same.
@Suite struct LatenessTests {
    static func office(_ behaviour: String) -> String {
        """
        name: late staff
        offices:
          - id: late
            opens: "09:00"
            closes: "16:00"
            procedures:
              - {id: certificates, prefix: A, service: {exponential: {mean: 6}}}
            groups:
              - {id: early, services: [certificates], counters: 1}
              - {id: lunch, services: [certificates], counters: 2}
            roster:
              - {from: "09:00", to: "12:00", open: {early: 1, lunch: 2}}
              - {from: "12:00", to: "13:00", open: {early: 1}}
              - {from: "13:00", to: "16:00", open: {early: 1, lunch: 2}}
            arrivals:
              rates: {certificates: {"09:00": 20}}
            behaviour:
              noShowRate: 0.02
        \(behaviour)
        """
    }

    /// Seconds after opening of each `counter.opened`, by counter and day.
    static func openings(_ yaml: String, days: Int = 5) throws -> [CounterID: [[Double]]] {
        let scenario = try TwinFixtures.scenario(yaml: yaml)
        var byDay: [CounterID: [Int: [Double]]] = [:]
        _ = Simulation.run(
            scenario, days: days, seed: 7,
            log: { e in
                guard e.type == .counterOpened, let c = e.counter else { return }
                let (day, seconds) = CivilTime.localSeconds(e.at, offsetSeconds: e.utcOffsetSeconds)
                byDay[c, default: [:]][day, default: []].append(seconds - 9 * 3600)
            })
        return byDay.mapValues { days in days.keys.sorted().map { days[$0]! } }
    }

    @Test func onTimeStaffOpenOnThePlansMinute() throws {
        let opened = try Self.openings(Self.office(""))
        #expect(opened["early-1"]?.allSatisfy { $0 == [0] } == true)
        #expect(opened["lunch-1"]?.allSatisfy { $0 == [0, 4 * 3600] } == true)
    }

    @Test func everyPlannedOpeningIsAsLateAsDrawnAndALateStartLaterStill() throws {
        let fixed = try Self.openings(Self.office("      openingDelay: {fixed: 3}\n      lateStart: {share: 1, minutes: 30}"))
        // Every counter-day starts 33 minutes late; back from lunch 3 minutes late.
        #expect(fixed["early-1"]?.allSatisfy { $0 == [33 * 60] } == true, "\(fixed["early-1"] ?? [])")
        #expect(fixed["lunch-2"]?.allSatisfy { $0 == [33 * 60, 4 * 3600 + 180] } == true, "\(fixed["lunch-2"] ?? [])")
        // Drawn delays differ between openings, and some counter-days (about one in five) start late.
        let drawn = try Self.openings(
            Self.office("      openingDelay: {exponential: {mean: 2}}\n      lateStart: {share: 0.2, minutes: 30}"), days: 20)
        let firsts = drawn.values.flatMap { $0.compactMap(\.first) }
        #expect(firsts.count == 60)
        #expect(Set(firsts).count == 60)
        #expect(firsts.allSatisfy { $0 > 0 })
        let lateStarts = firsts.filter { $0 >= 30 * 60 }.count
        #expect((4...24).contains(lateStarts), "\(lateStarts) late starts in 60 counter-days")
    }

    /// The staff's lateness is drawn on a stream of its own: the same seed brings the same visitors, late staff
    /// or not.
    @Test func latenessLeavesTheVisitorsAlone() throws {
        let onTime = try TwinFixtures.scenario(yaml: Self.office("")).offices[0]
        let late = try TwinFixtures.scenario(yaml: Self.office("      openingDelay: {fixed: 3}")).offices[0]
        let a = Visitors.draw(onTime, seed: 3, office: 0, day: 1)
        let b = Visitors.draw(late, seed: 3, office: 0, day: 1)
        #expect(a.people.map(\.arrival) == b.people.map(\.arrival))
        #expect(a.stages.map(\.work) == b.stages.map(\.work))
        #expect(a.openingDelay.isEmpty && b.openingDelay.count == 3)
    }

    @Test func badLatenessIsRefused() throws {
        #expect(throws: ScenarioError.self) {
            try TwinFixtures.scenario(yaml: Self.office("      lateStart: {share: 1.5, minutes: 30}"))
        }
        #expect(throws: ScenarioError.self) {
            try TwinFixtures.scenario(yaml: Self.office("      openingDelay: {fixed: -1}"))
        }
    }
}
