import Foundation
import QueueCore

extension Scenario {
    /// A plausible past for offices that have none, for demos: every counter open all day with its configured skills
    /// (every third one away for the lunch hour),
    /// services lognormal around each procedure's typical time, demand that loads the counters to `load` on average
    /// with a morning peak and a lunch-hour dip, 20% of tickets from phones. The model's offices are `offices`
    /// themselves (same counter and procedure ids), so the log reads like theirs. Its days are marked simulated in the
    /// log, as every day the twin writes.
    public static func demoHistory(offices: [Office], start: LocalDate, load: Double = 0.85, seed: UInt64 = 20_260_401) throws -> Scenario {
        let entries = offices.map { office -> ScenarioFile.OfficeEntry in
            let opens = Clock.seconds(office.openingHours.opens) ?? 9 * 3600
            let closes = max(opens + 3600, Clock.seconds(office.openingHours.closes) ?? 17 * 3600)
            let minutes = office.procedures.map { max(1, Double($0.typicalServiceSeconds) / 60) }
            // Each counter's time is shared evenly among its skills; a procedure's tickets follow the time it gets.
            var time = Array(repeating: 0.0, count: office.procedures.count)
            for counter in office.counters {
                for service in counter.services {
                    if let p = office.procedures.firstIndex(where: { $0.id == service }) { time[p] += 1 / Double(counter.services.count) }
                }
            }
            let weights = time.indices.map { time[$0] / minutes[$0] }
            let total = weights.reduce(0, +)
            let mix = total > 0 ? weights.map { $0 / total } : weights.map { _ in 1 / Double(weights.count) }
            let meanMinutes = zip(mix, minutes).map(*).reduce(0, +)
            let perDay = load * Double(office.counters.count) * Double(closes - opens) / 60 / meanMinutes
            // A morning peak and a lunch-hour dip, in shares per hour from opening.
            var keys: [(String, Double)] = []
            var t = opens
            while t < closes {
                let next = min(closes, (t / 3600 + 1) * 3600)
                let hour = t / 3600
                let shape = hour == 10 ? 1.35 : hour == 9 || hour == 11 ? 1.15 : hour == 12 ? 0.75 : hour >= 16 ? 0.8 : 1
                keys.append((Clock.label(t), shape * Double(next - t)))
                t = next
            }
            let keysTotal = keys.map(\.1).reduce(0, +)
            return ScenarioFile.OfficeEntry(
                id: office.id.rawValue, name: office.name, timeZone: office.timeZone, opens: Clock.label(opens),
                closes: Clock.label(closes), policy: nil,
                procedures: office.procedures.indices.map { p in
                    ScenarioFile.ProcedureEntry(
                        id: office.procedures[p].id.rawValue, prefix: office.procedures[p].prefix, color: office.procedures[p].color,
                        name: office.procedures[p].name, service: .lognormal(median: minutes[p] * 0.9, sigma: 0.45),
                        priorityShare: 0.02)
                },
                groups: office.counters.map { c in
                    ScenarioFile.GroupEntry(id: c.id.rawValue, services: c.services.map(\.rawValue), counters: 1)
                },
                roster: roster(office, opens: opens, closes: closes),
                arrivals: .init(
                    perDay: perDay, hourly: Dictionary(uniqueKeysWithValues: keys.map { ($0.0, $0.1 / keysTotal) }),
                    mix: Dictionary(uniqueKeysWithValues: office.procedures.indices.map { (office.procedures[$0].id.rawValue, mix[$0]) })),
                behaviour: .init(
                    remoteShare: 0.2, travel: .lognormal(median: 15, sigma: 0.5), comeNow: .init(bufferMinutes: 10), noShowRate: 0.04,
                    patience: .lognormal(median: 150, sigma: 0.5)))
        }
        var scenario = try compile(
            ScenarioFile(
                name: "demo history", seed: seed, days: 1, startDate: start.description, targets: nil, offices: entries, support: nil))
        // The compiled counters are named after their one-counter groups; give the model the offices as they are.
        for i in scenario.offices.indices { scenario.offices[i].office = offices[i] }
        return scenario
    }

    /// Every counter open from opening to closing, but every third one closed from 12:00 to 13:00.
    static func roster(_ office: Office, opens: Int, closes: Int) -> [ScenarioFile.RosterEntry] {
        let all = Dictionary(uniqueKeysWithValues: office.counters.map { ($0.id.rawValue, 1) })
        guard opens < 12 * 3600, closes > 13 * 3600 else { return [.init(from: Clock.label(opens), to: Clock.label(closes), open: all)] }
        let lunch = Dictionary(uniqueKeysWithValues: office.counters.enumerated().map { ($1.id.rawValue, $0 % 3 == 2 ? 0 : 1) })
        return [
            .init(from: Clock.label(opens), to: "12:00", open: all), .init(from: "12:00", to: "13:00", open: lunch),
            .init(from: "13:00", to: Clock.label(closes), open: all),
        ]
    }
}
