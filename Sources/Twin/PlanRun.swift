import Foundation

/// One office's plan next to the formulas, each judged on fresh days none of them was built on.
public struct OfficePlanResult: Sendable {
    public var office: String
    public var sipp: StaffPlan
    public var mol: StaffPlan
    /// The planner's plan; when even every desk open misses the targets, every desk open, and `feasible` is false.
    public var plan: StaffPlan
    public var feasible: Bool
    /// Where every desk open still misses the hourly target: (procedure, hour, P(wait > target)).
    public var shortfalls: [(group: String, hour: String, probability: Double)]
    /// P(day max wait > target) with every desk open, on the optimisation days, when no plan is feasible.
    public var dayMaxWithEveryDesk: Double
    public var bruteForce: StaffPlan?
    public var cost: [String: Double]
    public var check: [String: Evaluation]
    /// Counter-hours of the planner's plan on the optimisation days, before the repair on fresh days: what the
    /// brute-force search, run on the same days, is compared with.
    public var optimisedCost: Double
    public var evaluations: Int
    public var seconds: Double
    public var days: Int
    public var checkDays: Int

    /// Plans office `index` of `scenario`: optimise on `days` simulated days from `seed`, repair on `checkDays`
    /// fresh days (seed + 1), and report every plan on another `checkDays` days none of them was built on (seed + 2).
    public static func make(
        _ scenario: Scenario, office index: Int, seed: UInt64, days: Int, checkDays: Int, bruteForce: Bool = false,
        progress: ((String) -> Void)? = nil
    ) -> OfficePlanResult {
        let model = scenario.offices[index]
        let started = Date()
        var planner = Planner(model: model, office: index, targets: scenario.targets, seed: seed, days: days)
        let sipp = StaffingFormula.sipp(model, targets: scenario.targets)
        let mol = StaffingFormula.mol(model, targets: scenario.targets)
        let refined = planner.refine(from: sipp, progress: progress)
        let optimisedCost = (refined ?? planner.everyDesk).counterHours(for: model)
        var plan = refined ?? planner.everyDesk
        var shortfalls: [(group: String, hour: String, probability: Double)] = []
        var dayMax = 0.0
        if refined == nil {
            let e = planner.evaluate(plan)
            dayMax = e.probabilityDayMaxOver
            for (g, row) in e.probabilityOver.enumerated() {
                for (h, value) in row.enumerated() where (value ?? 0) > scenario.targets.hourlyWaitProbability {
                    shortfalls.append((model.groups[g].id, h < model.hours.count ? model.hourLabel(h) : "after closing", value ?? 0))
                }
            }
        } else {
            // The optimisation days flatter the plan that only just meets the targets on them (the winner's curse):
            // repair it on fresh days with a margin of 1.5 standard errors, so that it holds beyond any one sample.
            progress?("repairing on fresh days")
            var check = Planner(model: model, office: index, targets: scenario.targets, seed: seed &+ 1, days: checkDays)
            check.margin = 1.5
            plan = check.repair(plan) ?? planner.everyDesk
            planner.evaluations += check.evaluations
        }
        let seconds = Date().timeIntervalSince(started)
        let evaluations = planner.evaluations
        var brute: StaffPlan?
        if bruteForce {
            progress?("brute force")
            brute = planner.bruteForce()
        }
        progress?("checking on fresh days")
        let fresh = TestBench(model: model, office: index, targets: scenario.targets, seed: seed &+ 2, days: checkDays)
        var plans = ["SIPP": sipp, "MOL": mol, "plan": plan]
        if let brute { plans["brute force"] = brute }
        return OfficePlanResult(
            office: model.office.id.rawValue, sipp: sipp, mol: mol, plan: plan, feasible: refined != nil, shortfalls: shortfalls,
            dayMaxWithEveryDesk: dayMax,
            bruteForce: brute,
            cost: plans.mapValues { $0.counterHours(for: model) },
            check: plans.mapValues { fresh.evaluate($0.roster(for: model)) },
            optimisedCost: optimisedCost, evaluations: evaluations, seconds: seconds, days: days, checkDays: checkDays)
    }

    /// The plan as roster lines for a scenario file.
    public func rosterYAML(model: OfficeModel) -> String {
        var out = "roster:\n"
        for (h, range) in model.hours.enumerated() {
            let from = Clock.label(model.opens + Int(model.periods[range.lowerBound].start))
            let to = Clock.label(model.opens + Int(model.periods[range.upperBound - 1].end))
            let open = model.groups.indices.map { "\(model.groups[$0].id): \(plan.counts[$0][h])" }.joined(separator: ", ")
            out += "  - {from: \"\(from)\", to: \"\(to)\", open: {\(open)}}\n"
        }
        return out
    }
}
