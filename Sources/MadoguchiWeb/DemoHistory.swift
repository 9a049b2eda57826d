import Foundation
import Logging
import QueueCore
import Twin

/// The demo's past: weeks of weekdays before today simulated by the twin for every office (`Scenario.demoHistory`),
/// so that a first look at reports, open data and the dashboard shows real charts. Every simulated ticket says so
/// (`data.simulated`), and every page and file that shows it labels it.
public enum DemoHistory {
    /// Appends `weeks` weeks of simulated weekdays, up to yesterday, one day per transaction; returns the events
    /// written.
    public static func fill(store: any QueueStore, weeks: Int, logger: Logger) async throws -> Int {
        let offices = try await store.offices()
        guard weeks > 0, let zone = offices.first?.zone else { return 0 }
        let today = LocalDate(store.clock.now(), in: zone)
        let start = today.adding(days: 1 - today.isoWeekday - 7 * weeks)
        let base = try Scenario.demoHistory(offices: offices, start: start)
        var total = 0, days = 0
        while case let date = start.weekday(days), date < today {
            // Mondays and the days after a holiday weekend are busier, mid-week quieter, and no two days alike.
            var scenario = base
            scenario.startDate = date
            let factor = [1.18, 0.97, 0.9, 0.95, 1.06][date.isoWeekday - 1] * (0.92 + 0.16 * Double((days * 7_919) % 101) / 100)
            for o in scenario.offices.indices {
                scenario.offices[o].arrivalRates = scenario.offices[o].arrivalRates.map { $0.map { $0 * factor } }
            }
            var events: [Event] = []
            _ = Simulation.run(scenario, days: 1, seed: scenario.seed &+ UInt64(days), log: { events.append($0) })
            total += try await store.importHistory(events)
            days += 1
        }
        logger.info("demo history: \(days) simulated days before today, \(total) events, marked simulated")
        return total
    }
}
