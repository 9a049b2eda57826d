import Foundation

/// One office's plan next to the formulas, each judged on fresh days none of them was built on.
public struct OfficePlanResult: Sendable {
    public var office: String
    public var sipp: StaffPlan
    public var mol: StaffPlan
    public var plan: StaffPlan
    public var bruteForce: StaffPlan?
    public var cost: [String: Double]
    public var check: [String: Evaluation]
    public var evaluations: Int
    public var seconds: Double
    public var days: Int
    public var checkDays: Int

    /// Plans office `index` of `scenario`: optimise on `days` simulated days from `seed`, check on `checkDays`
    /// other days (seed + 1).
    public static func make(
        _ scenario: Scenario, office index: Int, seed: UInt64, days: Int, checkDays: Int, bruteForce: Bool = false,
        progress: ((String) -> Void)? = nil
    ) -> OfficePlanResult {
        let model = scenario.offices[index]
        let started = Date()
        var planner = Planner(model: model, office: index, targets: scenario.targets, seed: seed, days: days)
        let sipp = StaffingFormula.sipp(model, targets: scenario.targets)
        let mol = StaffingFormula.mol(model, targets: scenario.targets)
        let plan = planner.refine(from: sipp, progress: progress)
        let seconds = Date().timeIntervalSince(started)
        var brute: StaffPlan?
        if bruteForce {
            progress?("brute force")
            brute = planner.bruteForce(around: sipp, range: -3...1)
        }
        progress?("checking on fresh days")
        let fresh = TestBench(model: model, office: index, targets: scenario.targets, seed: seed &+ 1, days: checkDays)
        var plans = ["SIPP": sipp, "MOL": mol, "plan": plan]
        if let brute { plans["brute force"] = brute }
        return OfficePlanResult(
            office: model.office.id.rawValue, sipp: sipp, mol: mol, plan: plan, bruteForce: brute,
            cost: plans.mapValues { $0.counterHours(for: model) },
            check: plans.mapValues { fresh.evaluate($0.roster(for: model)) },
            evaluations: planner.evaluations, seconds: seconds, days: days, checkDays: checkDays)
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
