import Foundation
import QueueCore
import Testing

@testable import Forecast

@Suite struct TwinEstimatorTests {
    /// With the model known (M/M/s, every counter busy), the delay of the ticket with n ahead is Erlang(n+1, sμ):
    /// mean (n+1)/(sμ). The twin's mean over R runs must agree within 4 standard errors of an R-run mean
    /// (sd √(n+1)/(sμ)); its 10% and 90% points within 6% of the Erlang quantiles.
    @Test(arguments: [(servers: 4, meanService: 480.0), (servers: 1, meanService: 300.0), (servers: 10, meanService: 900.0)])
    func twinMeanAgreesWithErlangQL(servers: Int, meanService: Double) {
        let (o, learned) = ForecastFixtures.mmc(servers: servers, waiting: 40, meanService: meanService)
        let runs = 4000
        let estimators = Estimators(learned: learned, runs: runs, seed: 11)
        let positions = [0, 3, 10, 39]
        let predictions = estimators.predict(.twin, o, tickets: positions)
        let rate = Double(servers) / meanService
        for (n, p) in zip(positions, predictions) {
            let exact = Double(n + 1) / rate
            let standardError = Double(n + 1).squareRoot() / rate / Double(runs).squareRoot()
            #expect(abs(p.mean - exact) <= 4 * standardError, "n=\(n): twin \(p.mean) vs Erlang \(exact) ± \(4 * standardError)")
            let low = QueueLengthEstimator.erlangQuantile(0.1, shape: n + 1, rate: rate)
            let high = QueueLengthEstimator.erlangQuantile(0.9, shape: n + 1, rate: rate)
            #expect(abs(p.p10 - low) <= 0.06 * low + 2, "n=\(n): p10 \(p.p10) vs \(low)")
            #expect(abs(p.p90 - high) <= 0.06 * high, "n=\(n): p90 \(p.p90) vs \(high)")
        }
    }

    /// QL-sched in the same office is the formula itself: (n+1)·b/s.
    @Test func qlSchedIsTheFormulaWhenTheRosterIsFlat() {
        let (o, learned) = ForecastFixtures.mmc(servers: 4, waiting: 10, meanService: 480)
        let p = Estimators(learned: learned).predict(.qlSched, o, tickets: [0, 9])
        #expect(abs(p[0].mean - 120) < 1e-6)
        #expect(abs(p[1].mean - 1200) < 1e-6)
    }

    /// QL-sched reads the roster: with the only counter planned off for lunch, the work waits for it to return.
    @Test func qlSchedWaitsOutAPlannedGap() {
        var (o, learned) = ForecastFixtures.mmc(servers: 1, waiting: 1, meanService: 600)
        o.counters[0].busy = nil
        o.now = 11.5 * 3600
        o.counters[0].plan = [9 * 3600..<12 * 3600, 13 * 3600..<17 * 3600]
        // Nobody ahead and the counter free: one service of work, 600 s; the 30 min before lunch are enough.
        #expect(abs(Estimators(learned: learned).predict(.qlSched, o)[0].mean - 600) < 1e-6)
        o.waiting += (1..<4).map { k in Waiter(ticket: TicketID("x\(k)"), procedure: 0, priority: 0, queuedAt: o.now, sequence: 100 + k) }
        // The 4th in line needs 4 × 600 s = 40 min of counter time: 30 before lunch, 10 after it.
        let last = Estimators(learned: learned).predict(.qlSched, o, tickets: [3])[0]
        #expect(abs(last.mean - (1800 + 3600 + 600)) < 1e-6)
        // And the twin does not call anyone over lunch.
        let twin = Estimators(learned: learned, runs: 500).predict(.twin, o, tickets: [3])[0]
        #expect(twin.p90 > 1800 + 3600)
    }
}
