import Foundation

/// The staffing planner: the fewest counter-hours per hour and group that keep P(day max wait > 60 min) ≤ 0.10 and,
/// in every hour, P(wait > 20 min) ≤ 0.20.
///
/// It starts from SIPP, repairs what the simulation shows SIPP misses, then removes counter-hours one at a time
/// (least-loaded first) and moves them between neighbouring hours, every candidate judged on the same simulated
/// days (common random numbers). The result is checked on fresh days it never saw.
public struct Planner: Sendable {
    public let model: OfficeModel
    public let targets: Targets
    public let bench: TestBench
    public private(set) var evaluations = 0

    public init(model: OfficeModel, office: Int, targets: Targets, seed: UInt64, days: Int) {
        self.model = model
        self.targets = targets
        bench = TestBench(model: model, office: office, targets: targets, seed: seed, days: days)
    }

    public mutating func evaluate(_ plan: StaffPlan) -> Evaluation {
        evaluations += 1
        return bench.evaluate(plan.roster(for: model))
    }

    public func feasible(_ e: Evaluation) -> Bool { e.meets(targets) }

    /// The refined plan, starting from `start` (SIPP by default).
    public mutating func refine(from start: StaffPlan, progress: ((String) -> Void)? = nil) -> StaffPlan {
        var plan = start
        var current = evaluate(plan)
        // Repair: add the counter-hour that brings the plan closest to both targets until it meets them.
        while !feasible(current) {
            progress?("repairing, \(evaluations) evaluations")
            var best: (StaffPlan, Evaluation)?
            for (g, h) in slots where plan.counts[g][h] < model.groups[g].counters.count {
                var candidate = plan
                candidate.counts[g][h] += 1
                let e = evaluate(candidate)
                if best.map({ e.excess(targets) < $0.1.excess(targets) }) ?? true { best = (candidate, e) }
            }
            guard let best else { break }
            (plan, current) = best
        }
        guard feasible(current) else { return plan }
        // Remove, then try moves that make room for another removal, until neither helps.
        while true {
            progress?("removing, \(evaluations) evaluations")
            if let smaller = firstFeasibleRemoval(from: plan) {
                plan = smaller
                continue
            }
            progress?("moving, \(evaluations) evaluations")
            guard let moved = moveThatFreesARemoval(from: plan) else { break }
            plan = moved
        }
        return plan
    }

    /// Every (group, hour) in which the group can serve.
    private var slots: [(Int, Int)] {
        model.groups.indices.flatMap { g in model.hours.indices.map { (g, $0) } }
    }

    private mutating func firstFeasibleRemoval(from plan: StaffPlan) -> StaffPlan? {
        let load = Workload(model: model)
        // Least loaded per counter first: the likeliest to be spare.
        let order = slots.filter { plan.counts[$0.0][$0.1] > 0 }.sorted { a, b in
            load.arrivalRate[a.0][a.1] * load.holdSeconds[a.0] / Double(plan.counts[a.0][a.1])
                < load.arrivalRate[b.0][b.1] * load.holdSeconds[b.0] / Double(plan.counts[b.0][b.1])
        }
        for (g, h) in order {
            var candidate = plan
            candidate.counts[g][h] -= 1
            if feasible(evaluate(candidate)) { return candidate }
        }
        return nil
    }

    /// A counter-hour moved to the next or previous hour of the same group, if that lets another one go.
    private mutating func moveThatFreesARemoval(from plan: StaffPlan) -> StaffPlan? {
        for (g, h) in slots where plan.counts[g][h] > 0 {
            for other in [h - 1, h + 1] where model.hours.indices.contains(other) && plan.counts[g][other] < model.groups[g].counters.count {
                var moved = plan
                moved.counts[g][h] -= 1
                moved.counts[g][other] += 1
                guard feasible(evaluate(moved)) else { continue }
                if let smaller = firstFeasibleRemoval(from: moved) { return smaller }
            }
        }
        return nil
    }

    /// Exhaustive search over every plan with each slot within `range` of `around` (SIPP by default), cheapest first:
    /// the yardstick for the planner on small cases. A plan below one already found infeasible in every slot is
    /// skipped, since removing counters never shortens waits on the same days.
    public mutating func bruteForce(around: StaffPlan, range: ClosedRange<Int>) -> StaffPlan? {
        let cells = slots
        let lows = cells.map { max(0, around.counts[$0.0][$0.1] + range.lowerBound) }
        let highs = cells.map { min(model.groups[$0.0].counters.count, around.counts[$0.0][$0.1] + range.upperBound) }
        var candidates: [[Int]] = [[]]
        for (lo, hi) in zip(lows, highs) {
            candidates = candidates.flatMap { prefix in (lo...max(lo, hi)).map { prefix + [$0] } }
        }
        let weights = cells.map { cell -> Double in
            let range = model.hours[cell.1]
            return (model.periods[range.upperBound - 1].end - model.periods[range.lowerBound].start) / 3600
        }
        func cost(_ x: [Int]) -> Double { zip(x, weights).reduce(0) { $0 + Double($1.0) * $1.1 } }
        candidates.sort { cost($0) < cost($1) }
        var infeasible: [[Int]] = []
        for x in candidates {
            if infeasible.contains(where: { bad in zip(x, bad).allSatisfy { $0 <= $1 } }) { continue }
            var plan = around
            for (i, cell) in cells.enumerated() { plan.counts[cell.0][cell.1] = x[i] }
            if feasible(evaluate(plan)) { return plan }
            infeasible.append(x)
        }
        return nil
    }
}
