import Forecast
import Foundation
import QueueCore
import Twin

/// The wait estimator's "come now" rule for `simulate`: offices whose scenario asks for it (`comeNow: {risk,
/// bufferMinutes}`) get a `TwinComeNow` that learned from 20 simulated days; and the comparison of that rule with
/// "alert at N ahead" for N = 3, 5, 10 on the same days.
struct ComeNowAdvisors: Sendable {
    static let historyDays = 20
    static let defaultRisk = 0.1
    static let defaultBufferSeconds = 600.0
    let scenario: Scenario
    let seed: UInt64
    let learned: [Learned]

    init(scenario: Scenario, seed: UInt64, progress: Progress) {
        self.scenario = scenario
        self.seed = seed
        let needed = scenario.offices.contains { $0.behaviour.remoteShare > 0 }
        if needed { progress.note("learning from \(Self.historyDays) simulated days for the \"come now\" rule") }
        learned = needed ? TwinComeNow.history(scenario, days: Self.historyDays, seed: seed) : []
    }

    /// Advisors for the offices whose rule is the estimator's, as `scenario` says (or all remote offices with
    /// `override`: risk and buffer).
    func factory(
        for scenario: Scenario? = nil, override: (risk: Double, buffer: Double)? = nil
    )
        -> (@Sendable (Int, Int) -> (any ComeNowAdvisor)?)?
    {
        let scenario = scenario ?? self.scenario
        guard !learned.isEmpty else { return nil }
        let learned = learned
        let seed = seed
        return { office, day in
            let model = scenario.offices[office]
            guard model.behaviour.remoteShare > 0 else { return nil }
            guard let risk = override?.risk ?? model.behaviour.comeNowRisk else { return nil }
            var estimators = Estimators(learned: learned[office], policy: model.office.policy, runs: 100, seed: seed &+ UInt64(day))
            estimators.risk = risk
            let midnight = scenario.startDate.weekday(day).interval(in: model.office.zone).start
            let localDay = CivilTime.localSeconds(midnight, offsetSeconds: model.office.zone.secondsFromGMT(for: midnight)).day
            return TwinComeNow(
                estimators: estimators,
                rule: ComeNow(bufferSeconds: override?.buffer ?? model.behaviour.comeNowBufferSeconds ?? Self.defaultBufferSeconds),
                weekday: CivilTime.isoWeekday(localDay))
        }
    }

    /// Every rule on the same days (common random numbers): P(called before arrival) and minutes in the office
    /// before the call, for remote holders.
    func comparison(days: Int, progress: Progress) -> String {
        var rows: [(String, [OfficeSummary])] = []
        let risk = scenario.offices.compactMap(\.behaviour.comeNowRisk).first ?? Self.defaultRisk
        let buffer = scenario.offices.compactMap(\.behaviour.comeNowBufferSeconds).first ?? Self.defaultBufferSeconds
        progress.note("comparing \"come now\" rules")
        rows.append(
            (
                String(format: "estimator: P(called within travel + %.0f min) > %.2f", buffer / 60, risk),
                Simulation.run(scenario, days: days, seed: seed, advisor: factory(override: (risk, buffer)))
            ))
        for n in [3, 5, 10] {
            var variant = scenario
            for o in variant.offices.indices {
                variant.offices[o].behaviour.comeNowPeopleAhead = n
                variant.offices[o].behaviour.comeNowBufferSeconds = nil
                variant.offices[o].behaviour.comeNowRisk = nil
            }
            rows.append(("alert at \(n) ahead", Simulation.run(variant, days: days, seed: seed)))
        }
        progress.finish()
        var out = "\"come now\" rules for remote holders, same \(days) days (seed \(seed)):\n"
        for (o, model) in scenario.offices.enumerated() where model.behaviour.remoteShare > 0 {
            out += "  \(model.office.id.rawValue): rule" + String(repeating: " ", count: max(1, 52 - model.office.id.rawValue.count))
            out += "P(called before arrival)   told later, still late   minutes in the office before the call   missed (new ticket)\n"
            for (label, summaries) in rows {
                let s = summaries[o]
                out += "    " + label.padding(toLength: 56, withPad: " ", startingAt: 0)
                out += String(
                    format: "%12.3f %24.3f %34.1f %21d\n", s.remoteCalledBeforeArrivalShare, s.toldTooLateShare,
                    s.remoteMinutesOnSiteBeforeCall, s.remoteMissed)
            }
        }
        return out
    }

    /// Arrival check-in on and off, on the same days with the scenario's own "come now" rule: what holding a remote
    /// holder's place until they arrive buys them, and what it costs paper-ticket holders.
    func checkInComparison(days: Int, progress: Progress) -> String {
        progress.note("comparing arrival check-in on and off")
        var rows: [(String, [OfficeSummary])] = []
        for on in [true, false] {
            var variant = scenario
            for o in variant.offices.indices { variant.offices[o].office.policy.arrivalCheckIn = on }
            rows.append(
                (on ? "check-in on" : "check-in off", Simulation.run(variant, days: days, seed: seed, advisor: factory(for: variant))))
        }
        progress.finish()
        var out = "arrival check-in for remote holders, same \(days) days (seed \(seed)):\n"
        for (o, model) in scenario.offices.enumerated() where model.behaviour.remoteShare > 0 {
            out += "  \(model.office.id.rawValue): " + String(repeating: " ", count: max(1, 14 - model.office.id.rawValue.count))
            out += "remote called before arrival   new tickets   remote min in office before call   paper min in office before call"
            out += "   paper mean wait (min)\n"
            for (label, summaries) in rows {
                let s = summaries[o]
                out += "    " + label.padding(toLength: 14, withPad: " ", startingAt: 0)
                out += String(
                    format: "%28.3f %13d %34.1f %33.1f %23.1f\n", s.remoteCalledBeforeArrivalShare, s.remoteMissed,
                    s.remoteMinutesOnSiteBeforeCall, s.paperMinutesOnSiteBeforeCall, s.paperMeanWaitMinutes)
            }
        }
        return out
    }
}
