import Foundation
import QueueCore

/// Runs a scenario's offices over many days.
public enum Simulation {
    /// Simulates `days` business days of every office. `log` receives every event in order; `progress` the number
    /// of days done. Rosters default to the scenario's.
    public static func run(
        _ scenario: Scenario, days: Int, seed: UInt64, rosters: [Roster]? = nil,
        log: ((Event) -> Void)? = nil, progress: ((Int) -> Void)? = nil
    ) -> [OfficeSummary] {
        var summaries = scenario.offices.map { OfficeSummary(model: $0, targets: scenario.targets) }
        var seq: Int64 = 1
        for day in 0..<days {
            for (o, model) in scenario.offices.enumerated() {
                let visitors = Visitors.draw(model, seed: seed, office: o, day: day)
                let result: DayResult
                if let log {
                    var builder = EventLogBuilder(
                        model: model, date: scenario.startDate.weekday(day), seed: seed, office: o, day: day, firstSeq: seq)
                    var engine = DayEngine(model: model, roster: rosters?[o], visitors: visitors) { log(builder.event(for: $0)) }
                    result = engine.run()
                    seq = builder.seq
                } else {
                    var engine = DayEngine(model: model, roster: rosters?[o], visitors: visitors)
                    result = engine.run()
                }
                summaries[o].add(result)
            }
            progress?(day + 1)
        }
        return summaries
    }
}
