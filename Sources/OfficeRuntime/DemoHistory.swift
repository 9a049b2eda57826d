import Foundation
import Logging
import QueueCore
import Reports
import Twin

/// The demo's past: weeks of weekdays before today simulated by the twin for every office (`Scenario.demoHistory`),
/// so that a first look at reports, open data and the dashboard shows real charts, and a recorded reform at the first
/// office whose effect the evaluation can find. Every simulated ticket says so (`data.simulated`), and every page
/// and file that shows it labels it.
public enum DemoHistory {
    /// Appends `weeks` weeks of simulated weekdays, up to yesterday, one day per transaction; returns the events
    /// written.
    public static func fill(store: any OfficeLog, weeks: Int, logger: Logger) async throws -> Int {
        let offices = try await store.offices()
        guard weeks > 0, let zone = offices.first?.zone else { return 0 }
        let today = LocalDate(store.clock.now(), in: zone)
        let start = today.adding(days: 1 - today.isoWeekday - 7 * weeks)
        let base = try Scenario.demoHistory(offices: offices, start: start)
        // A reform to find: three weeks before this one, the first office set out a form-writing guide, and its
        // services got 15% shorter. The reform is recorded as a supervisor would have.
        let reformDay = weeks >= 4 ? start.adding(days: 7 * (weeks - 3)) : nil
        var total = 0
        var days = 0
        if let reformDay, let office = offices.first {
            let at = reformDay.interval(in: office.zone).start.addingTimeInterval(8 * 3600)
            total += try await store.importHistory([
                Event(
                    at: at, utcOffsetSeconds: office.zone.secondsFromGMT(for: at), office: office.id, type: .reformRecorded,
                    data: Payload.reform(effective: reformDay, kind: .formGuide, description: "記載台に記入例（デモ）", staff: "demo", simulated: true)
                )
            ])
        }
        while case let date = start.weekday(days), date < today {
            // Mondays and the days after a holiday weekend are busier, mid-week quieter, and no two days alike.
            var scenario = base
            scenario.startDate = date
            let factor = [1.18, 0.97, 0.9, 0.95, 1.06][date.isoWeekday - 1] * (0.92 + 0.16 * Double((days * 7_919) % 101) / 100)
            for o in scenario.offices.indices {
                scenario.offices[o].arrivalRates = scenario.offices[o].arrivalRates.map { $0.map { $0 * factor } }
            }
            if let reformDay, date >= reformDay {
                scenario.offices[0].procedures = scenario.offices[0].procedures.map { p in
                    var faster = p
                    if case .lognormal(let median, let sigma) = p.service {
                        faster.service = .lognormal(median: median * 0.85, sigma: sigma)
                    }
                    return faster
                }
            }
            var events: [Event] = []
            _ = Simulation.run(scenario, days: 1, seed: scenario.seed &+ UInt64(days), log: { events.append($0) })
            total += try await store.importHistory(events + ratings(for: events, day: days, offices: offices))
            days += 1
        }
        logger.info("demo history: \(days) simulated days before today, \(total) events, marked simulated")
        return total
    }

    /// Simulated ratings: about one visit in six is rated two minutes after it ends, the score falling with the wait
    /// (4.5 for none, one point less per 25 minutes, give or take one). Marked simulated like the rest.
    static func ratings(for events: [Event], day: Int, offices: [Office]) -> [Event] {
        let zones = Dictionary(offices.map { ($0.id, $0.zone) }, uniquingKeysWith: { a, _ in a })
        var random = SplitMix64(seed: UInt64(truncatingIfNeeded: day))
        func uniform() -> Double { Double.random(in: 0..<1, using: &random) }
        var out: [Event] = []
        for visit in VisitLog.visits(events).visits where visit.outcome == .completed {
            guard uniform() < 0.16, let wait = visit.waitSeconds, let ended = visit.endedAt else { continue }
            let score = min(5, max(1, Int((4.5 - wait / 60 / 25 + (uniform() * 2 - 1)).rounded())))
            let at = ended.addingTimeInterval(120)
            out.append(
                Event(
                    at: at, utcOffsetSeconds: zones[visit.office]?.secondsFromGMT(for: at) ?? 0, office: visit.office, type: .feedbackGiven,
                    ticket: visit.ticket, service: visit.procedure, channel: visit.channel,
                    data: Payload.feedback(rating: score, waitSeconds: Int(wait), simulated: true)))
        }
        return out
    }
}
