import Foundation
import Testing

@testable import Twin

/// The engine against the M/M/s formulas. Each replication is one 24-hour day; waits of tickets that joined in
/// the first `warmUp` hours are dropped, because a day starts empty and the formulas describe the steady state.
/// The tolerance is the replications' own 95% interval (plus 2% for the residual start-up bias): with a fixed seed
/// the test is deterministic, and a wrong engine (a routing or service-time bug moves E[W] by far more) fails it.
@Suite struct ErlangCTests {
    static let warmUp = 3.0 * 3600

    @Test(arguments: [(6, 36.0, 8.0), (3, 20.0, 6.0), (2, 10.0, 9.0)])
    func engineMatchesErlangC(servers: Int, arrivalsPerHour: Double, meanServiceMinutes: Double) throws {
        let scenario = try TwinFixtures.mmc(servers: servers, arrivalsPerHour: arrivalsPerHour, meanServiceMinutes: meanServiceMinutes)
        let model = scenario.offices[0]
        let lambda = arrivalsPerHour / 3600
        let mu = 1 / (meanServiceMinutes * 60)
        let threshold = 5.0 * 60
        let expectedMean = ErlangC.meanWait(servers: servers, arrivalRate: lambda, serviceRate: mu)
        let expectedTail = ErlangC.probabilityWaitExceeds(threshold, servers: servers, arrivalRate: lambda, serviceRate: mu)
        var means = Replications()
        var tails = Replications()
        for day in 0..<300 {
            var engine = DayEngine(model: model, visitors: Visitors.draw(model, seed: 12, office: 0, day: day))
            let result = engine.run()
            let kept = result.waits.filter { $0.joinedAt >= Self.warmUp }.map(\.seconds)
            means.values.append(kept.reduce(0, +) / Double(kept.count))
            tails.values.append(Double(kept.filter { $0 > threshold }.count) / Double(kept.count))
        }
        print(
            "M/M/\(servers): E[W] simulated \(means.mean) ± \(means.halfWidth) s, Erlang C \(expectedMean) s; "
                + "P(W > 5 min) \(tails.mean) ± \(tails.halfWidth), Erlang C \(expectedTail)")
        #expect(abs(means.mean - expectedMean) <= means.halfWidth + 0.02 * expectedMean)
        #expect(abs(tails.mean - expectedTail) <= tails.halfWidth + 0.02 * expectedTail)
    }

    @Test func erlangCFormulaKnownValues() {
        // a = 5 Erlang on s = 6: C = 0.5875 (standard tables), and on s = 1 the M/M/1 value ρ.
        #expect(abs(ErlangC.probabilityOfWaiting(servers: 6, load: 5) - 0.5875) < 0.0005)
        #expect(abs(ErlangC.probabilityOfWaiting(servers: 1, load: 0.7) - 0.7) < 1e-12)
        #expect(ErlangC.probabilityOfWaiting(servers: 3, load: 3) == 1)
    }
}
