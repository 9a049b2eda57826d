import Foundation
import QueueCore
import Testing

@testable import Forecast
@testable import Twin

/// In the twin, remote holders follow the estimator's rule: told to set out once P(called within travel + buffer)
/// exceeds 10%. Of those told later than at issue, few may still be on the way when called (the rule's promise,
/// about 10% at most; 0.15 allowed for 10 days of noise), where "alert at 3 ahead" leaves many late. Arrival
/// check-in is off here: with it on nobody is called before arriving, and the rules' timing would not show.
@Suite struct ComeNowTests {
    static func scenario(rule: String) throws -> Scenario {
        let yaml = ForecastFixtures.smallOffice
            .replacingOccurrences(of: "perDay: 160", with: "perDay: 200")
            .replacingOccurrences(
                of: "      noShowRate: 0.05",
                with: """
                          noShowRate: 0.05
                          remoteShare: 0.3
                          travel: {fixed: 15}
                          comeNow: \(rule)
                        policy: {arrivalCheckIn: false}
                    """)
        return try Scenario.compile(ScenarioFile.parse(yaml))
    }

    @Test func remoteHoldersToldByTheEstimatorAreRarelyLate() throws {
        let estimated = try Self.scenario(rule: "{risk: 0.1, bufferMinutes: 5}")
        let learned = TwinComeNow.history(estimated, days: 10, seed: 3)
        let summary = Simulation.run(
            estimated, days: 10, seed: 4,
            advisor: { _, day in
                var estimators = Estimators(learned: learned[0], runs: 60, seed: UInt64(day))
                estimators.risk = 0.1
                return TwinComeNow(estimators: estimators, rule: ComeNow(bufferSeconds: 300), weekday: 1)
            })[0]
        let ahead = Simulation.run(try Self.scenario(rule: "{peopleAhead: 3}"), days: 10, seed: 4)[0]
        #expect(summary.remoteToldCalls > 100)
        #expect(summary.toldTooLateShare <= 0.15, "estimator: \(summary.toldTooLateShare) of \(summary.remoteToldCalls)")
        #expect(ahead.toldTooLateShare > 0.3, "3 ahead: \(ahead.toldTooLateShare) of \(ahead.remoteToldCalls)")
    }
}
