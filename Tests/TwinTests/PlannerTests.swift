import Foundation
import Testing

@testable import Twin

@Suite struct PlannerTests {
    /// A small office over a short day whose load swings by the hour: one group of up to 9 desks.
    static func small(seed: UInt64 = 17) throws -> Scenario {
        try TwinFixtures.scenario(
            yaml: """
                name: small varying day
                seed: \(seed)
                offices:
                  - id: small
                    opens: "09:00"
                    closes: "13:00"
                    procedures:
                      - {id: cert, prefix: A, service: {lognormal: {median: 7, sigma: 0.5}}}
                      - {id: move, prefix: B, service: {lognormal: {median: 12, sigma: 0.5}}}
                    groups:
                      - {id: desk, services: [cert, move], counters: 9}
                    roster:
                      - {from: "09:00", to: "13:00", open: {desk: 5}}
                    arrivals:
                      rates: {cert: {"09:00": 30, "10:00": 40, "11:00": 25, "12:00": 15}, move: {"09:00": 10, "10:00": 14, "11:00": 8, "12:00": 5}}
                    behaviour:
                      noShowRate: 0.04
                """)
    }

    @Test func thePlanMeetsBothTargetsOnDaysItNeverSaw() throws {
        // setup
        let scenario = try Self.small()
        // act
        let result = OfficePlanResult.make(scenario, office: 0, seed: 17, days: 20, checkDays: 60)
        let unseen = TestBench(model: scenario.offices[0], office: 0, targets: scenario.targets, seed: 99_999, days: 200)
        let e = unseen.evaluate(result.plan.roster(for: scenario.offices[0]))
        // verify: within two standard errors of each target on 200 days no plan was built or repaired on
        print(
            "plan \(result.plan.counts) \(result.cost["plan"]!) counter-hours: P(max > 60) \(e.probabilityDayMaxOver), worst hour \(e.worstHourly)"
        )
        #expect(result.feasible)
        #expect(e.meets(scenario.targets, margin: -2))
    }

    @Test(arguments: [17, 23] as [UInt64])
    func sippIsNeverCheaperThanThePlanAtTheSameTargets(seed: UInt64) throws {
        let scenario = try Self.small(seed: seed)
        let result = OfficePlanResult.make(scenario, office: 0, seed: seed, days: 20, checkDays: 60)
        let sipp = try #require(result.check["SIPP"])
        print("seed \(seed): SIPP \(result.cost["SIPP"]!) counter-hours, MOL \(result.cost["MOL"]!), plan \(result.cost["plan"]!)")
        // SIPP meets the targets here, so the comparison is at the same targets…
        #expect(sipp.meets(scenario.targets, margin: -2))
        // …and the planner never needs more.
        #expect(result.cost["plan"]! <= result.cost["SIPP"]!)
    }

    @Test func anOfficeWithTooFewDesksIsReportedInfeasible() throws {
        var scenario = try Self.small()
        scenario.offices[0].groups[0].counters = Array(scenario.offices[0].groups[0].counters.prefix(3))
        let result = OfficePlanResult.make(scenario, office: 0, seed: 1, days: 10, checkDays: 10)
        #expect(!result.feasible)
        #expect(result.text(model: scenario.offices[0], targets: scenario.targets).contains("NO PLAN MEETS THE TARGETS"))
    }

    @Test func erlangCStaffingMatchesTheFormula() throws {
        // 40 an hour at 8 minutes is 5.33 Erlang; s = 7 gives P(W > 20 min) far below 0.2 and is the first s whose
        // P(W > 60 min) is below 0.10 / tickets a day.
        let s = Workload.counters(arrivalRate: 40.0 / 3600, holdSeconds: 480, targets: Targets(), ticketsPerDay: 300, cap: 20)
        let lambda = 40.0 / 3600
        let mu = 1 / 480.0
        #expect(ErlangC.probabilityWaitExceeds(3600, servers: s, arrivalRate: lambda, serviceRate: mu) <= 0.10 / 300)
        #expect(
            ErlangC.probabilityWaitExceeds(3600, servers: s - 1, arrivalRate: lambda, serviceRate: mu) > 0.10 / 300
                || ErlangC.probabilityWaitExceeds(1200, servers: s - 1, arrivalRate: lambda, serviceRate: mu) > 0.2)
    }
}
