import Foundation
import QueueCore
import Testing

@testable import Forecast
@testable import Twin

/// The 60-minute guard in a twin scenario that drifts into overload: two of five counters open, and arrivals that
/// grow past what two can serve. Every five minutes the office is folded from the day's log as the live hub would
/// and the twin projects each waiting ticket's remaining wait. The guard must stay quiet in the morning, cross
/// during the day, and recommend opening a closed counter with a projection under 60 minutes; the same day run
/// again (the same visitors) with that counter opened from the next quarter hour must bear the projection out.
@Suite struct GuardTwinTests {
    static func scenario() throws -> Scenario {
        // The roster in quarter hours, so that the replay can open a counter at any quarter hour.
        var spans: [String] = []
        for q in 0..<28 {
            let from = 9 * 60 + 15 * q
            let to = from + 15
            spans.append(
                #"      - {from: "\#(String(format: "%02d:%02d", from / 60, from % 60))", to: "\#(String(format: "%02d:%02d", to / 60, to % 60))", open: {front: 2}}"#
            )
        }
        return try Scenario.compile(
            ScenarioFile.parse(
                """
                name: drifting into overload
                offices:
                  - id: drift
                    opens: "09:00"
                    closes: "16:00"
                    procedures:
                      - {id: certificates, prefix: A, service: {lognormal: {median: 8, sigma: 0.4}}}
                    groups:
                      - {id: front, services: [certificates], counters: 5}
                    roster:
                \(spans.joined(separator: "\n"))
                    arrivals:
                      rates: {certificates: {"09:00": 6, "10:00": 10, "11:00": 16, "12:00": 22, "13:00": 22, "14:00": 18, "15:00": 8}}
                    behaviour:
                      noShowRate: 0.02
                """))
    }

    /// One day's log with `roster`, and each ticket's first call by its number.
    static func day(_ model: OfficeModel, roster: Roster, visitors: Visitors, date: LocalDate) -> (events: [Event], called: [Int: Date]) {
        var builder = EventLogBuilder(model: model, date: date, seed: 1, office: 0, day: 0)
        var events = builder.rosterPlanned(roster)
        var engine = DayEngine(model: model, roster: roster, visitors: visitors) { events.append(builder.event(for: $0)) }
        _ = engine.run()
        var called: [Int: Date] = [:]
        for e in events where e.type == .ticketCalled {
            if let n = e.number?.sequence, called[n] == nil { called[n] = e.at }
        }
        return (events, called)
    }

    struct Outcome {
        var waiting = 0, overAsIs = 0, overWith = 0
        var fired = false
    }

    /// Eight simulated days: on each the guard fires, its best option's projection is under the line, and the replay
    /// with the counter leaves few of the tickets waiting at the crossing over 60 more minutes (pooled), far fewer
    /// than without it.
    @Test func theGuardFiresAndItsRecommendationHoldsInTheTwin() throws {
        let scenario = try Self.scenario()
        let learned = TwinComeNow.history(scenario, days: 10, seed: 5)[0]
        var pooled = Outcome()
        for day in 0..<8 {
            let o = try Self.check(scenario, learned: learned, seed: UInt64(100 + day))
            #expect(o.fired, "day \(day): the guard never fired")
            pooled.waiting += o.waiting
            pooled.overAsIs += o.overAsIs
            pooled.overWith += o.overWith
        }
        print(
            "guard in the twin, 8 days pooled: \(pooled.waiting) waiting at the crossings; over 60 more minutes: \(pooled.overAsIs) as is, \(pooled.overWith) with the recommended counter"
        )
        #expect(Double(pooled.overWith) <= 0.1 * Double(pooled.waiting))
        #expect(pooled.overWith < pooled.overAsIs)
    }

    static func check(_ scenario: Scenario, learned: Learned, seed: UInt64) throws -> Outcome {
        let model = scenario.offices[0]
        let visitors = Visitors.draw(model, seed: seed, office: 0, day: 0)
        let date = scenario.startDate
        let (events, calledAsIs) = Self.day(model, roster: model.roster, visitors: visitors, date: date)
        let opening = date.interval(in: model.office.zone).start.addingTimeInterval(Double(model.opens))

        // Every five minutes, the office as the log shows it, projected by the twin.
        var fold = OfficeFold(office: model.office.id)
        var next = 0
        var crossing: (at: Date, observation: Observation, projection: Double, worst: Int)?
        var quietChecks = 0
        let estimators = Estimators(learned: learned, policy: model.office.policy, runs: 400)
        for step in 1...(7 * 12) {
            let now = opening.addingTimeInterval(Double(step * 300))
            while next < events.count, events[next].at <= now {
                fold.apply(events[next])
                next += 1
            }
            let observation = fold.observation(at: now)
            guard !observation.waiting.isEmpty else { quietChecks += 1; continue }
            let projection = WaitGuard.projection(estimators.predict(.twin, observation))
            if projection.seconds > WaitGuard.limitSeconds, let ticket = projection.ticket {
                crossing = (now, observation, projection.seconds, observation.waiting[ticket].procedure)
                break
            }
            quietChecks += 1
        }
        guard let over = crossing else { return Outcome() }
        #expect(quietChecks >= 24, "quiet for the first two hours at least: \(quietChecks) checks")

        let options = WaitGuard.recommendations(
            over.observation, worst: over.worst, estimators: estimators, calibration: nil, before: over.projection)
        let best = try #require(options.first)
        guard case .openCounter(let counter) = best.action else { Issue.record("not an open-counter option"); return Outcome() }
        #expect(best.after < WaitGuard.limitSeconds, "the option's projection: \(best.before / 60) → \(best.after / 60) min")

        // The same day again (the same visitors), with the counter open from the next quarter hour.
        // The twin opens the first n desks of a group; its closed desks are alike, so one more open is that one.
        let c = try #require(model.office.counters.firstIndex { $0.id == counter })
        let from = over.at.timeIntervalSince(opening)
        var roster = model.roster
        for p in model.periods.indices where model.periods[p].start >= from { roster.open[p][model.counters[c].group] += 1 }
        let (_, calledWithAction) = Self.day(model, roster: roster, visitors: visitors, date: date)
        let waiting = over.observation.waiting.map(\.sequence)
        /// Minutes from the crossing to each waiting ticket's call.
        func remaining(_ called: [Int: Date]) -> [Double] {
            waiting.map { n in (called[n] ?? .distantFuture).timeIntervalSince(over.at) / 60 }
        }
        let asIs = remaining(calledAsIs)
        let withAction = remaining(calledWithAction)
        let overAsIs = asIs.filter { $0 > 60 }.count
        let overWith = withAction.filter { $0 > 60 }.count
        print(
            "guard in the twin: fired at \(EventTime.format(over.at, offsetSeconds: 32_400).dropFirst(11).prefix(5)) with \(waiting.count) waiting, projection \(Int(over.projection / 60)) min; open \(counter): \(Int(best.after / 60)) min; replayed, the longest of them waited \(Int(asIs.max() ?? 0)) more minutes as is and \(Int(withAction.max() ?? 0)) with the counter (over 60: \(overAsIs) and \(overWith))"
        )
        #expect((withAction.max() ?? 0) < (asIs.max() ?? 0), "the counter must shorten the longest wait")
        return Outcome(waiting: waiting.count, overAsIs: overAsIs, overWith: overWith, fired: true)
    }
}
