import Foundation
import QueueCore
import Synchronization

/// Runs a scenario's offices over many days.
public enum Simulation {
    /// Simulates `days` business days of every office. `log` receives every event in order; `progress` the number
    /// of days done. Rosters default to the scenario's.
    ///
    /// Days are independent (each draws its own visitors from the seed), so without a log they run on every core,
    /// in batches whose results are added in day order: the figures are the same on one core or many.
    public static func run(
        _ scenario: Scenario, days: Int, seed: UInt64, rosters: [Roster]? = nil,
        advisor: (@Sendable (_ office: Int, _ day: Int) -> (any ComeNowAdvisor)?)? = nil,
        log: ((Event) -> Void)? = nil, progress: ((Int) -> Void)? = nil
    ) -> [OfficeSummary] {
        var summaries = scenario.offices.map { OfficeSummary(model: $0, targets: scenario.targets) }
        if let log {
            var seq: Int64 = 1
            for day in 0..<days {
                for (o, model) in scenario.offices.enumerated() {
                    var builder = EventLogBuilder(
                        model: model, date: scenario.startDate.weekday(day), seed: seed, office: o, day: day, firstSeq: seq)
                    for event in builder.rosterPlanned(rosters?[o] ?? model.roster) { log(event) }
                    var engine = DayEngine(
                        model: model, roster: rosters?[o], visitors: Visitors.draw(model, seed: seed, office: o, day: day),
                        advisor: advisor?(o, day)
                    ) { log(builder.event(for: $0)) }
                    summaries[o].add(engine.run())
                    seq = builder.seq
                }
                progress?(day + 1)
            }
            return summaries
        }
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount * 4)
        for start in stride(from: 0, to: days, by: batch) {
            let count = min(batch, days - start)
            let results = Mutex([Int: [DayResult]]())
            DispatchQueue.concurrentPerform(iterations: count) { i in
                let day = start + i
                let dayResults = scenario.offices.enumerated().map { o, model in
                    var engine = DayEngine(
                        model: model, roster: rosters?[o], visitors: Visitors.draw(model, seed: seed, office: o, day: day),
                        advisor: advisor?(o, day))
                    return engine.run()
                }
                results.withLock { $0[day] = dayResults }
            }
            let done = results.withLock { $0 }
            for day in start..<(start + count) {
                for (o, result) in done[day]!.enumerated() { summaries[o].add(result) }
                progress?(day + 1)
            }
        }
        return summaries
    }
}
