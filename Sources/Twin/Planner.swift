import Foundation

/// The staffing planner: the fewest counter-hours per hour and group that keep P(day max wait > 60 min) ≤ 0.10 and,
/// in every hour, P(wait > 20 min) ≤ 0.20.
///
/// It starts from SIPP and judges every candidate on the same simulated days (common random numbers):
/// 1. repair: while the plan misses a target, add a counter where the misses are (the worst group and hour);
/// 2. descent: take counters away slot by slot, least loaded first, keeping each removal that still meets both
///    targets, until a whole pass removes nothing;
/// 3. moves: shift a counter-hour to the neighbouring hour of its group when that lets another one go.
/// `OfficePlanResult` then checks the plan on fresh days and repairs it there if the optimisation days flattered it.
public struct Planner: Sendable {
    public let model: OfficeModel
    public let targets: Targets
    public let bench: TestBench
    /// The offered load per group and hour, which orders the removals; it depends on the scenario only.
    let load: Workload
    public var evaluations = 0
    /// Most evaluations the move phase may spend, over the whole refinement.
    public var moveBudget = 48

    public init(model: OfficeModel, office: Int, targets: Targets, seed: UInt64, days: Int) {
        self.model = model
        self.targets = targets
        bench = TestBench(model: model, office: office, targets: targets, seed: seed, days: days)
        load = Workload(model: model)
    }

    public mutating func evaluate(_ plan: StaffPlan) -> Evaluation {
        evaluations += 1
        return bench.evaluate(plan.roster(for: model))
    }

    /// Standard errors of margin a plan must keep (0 on the optimisation days; see `OfficePlanResult`).
    public var margin = 0.0

    public func feasible(_ e: Evaluation) -> Bool { e.meets(targets, margin: margin) }

    /// Every desk open all day: if this misses the targets, no plan can meet them.
    public var everyDesk: StaffPlan {
        StaffPlan(counts: model.groups.map { group in model.hours.map { _ in group.counters.count } })
    }

    /// The refined plan, starting from `start`; nil when even every desk open misses the targets.
    public mutating func refine(from start: StaffPlan, progress: ((String) -> Void)? = nil) -> StaffPlan? {
        guard feasible(evaluate(everyDesk)) else { return nil }
        progress?("repairing")
        guard var plan = repair(start) else { return nil }
        while true {
            progress?("removing, \(evaluations) evaluations")
            plan = descend(plan)
            progress?("moving, \(evaluations) evaluations")
            guard let better = move(plan) else { return plan }
            plan = better
        }
    }

    /// Adds counters where the plan misses most until it meets both targets; nil if no desk is left to add.
    public mutating func repair(_ start: StaffPlan) -> StaffPlan? {
        var plan = start
        var e = evaluate(plan)
        while !feasible(e) {
            guard let (g, h) = worstSlot(e, plan: plan) else { return nil }
            plan.counts[g][h] += 1
            e = evaluate(plan)
        }
        return plan
    }

    /// The (group, hour) with a spare desk where the targets are missed most: the hourly target's worst cell, or,
    /// for the day-max target, the cell with the most waits past it.
    private func worstSlot(_ e: Evaluation, plan: StaffPlan) -> (Int, Int)? {
        let lastHour = model.hours.count - 1
        let scores = e.hourlyScore(targets, margin: margin)
        let dailyMissed =
            Evaluation.adjusted(e.probabilityDayMaxOver, e.days, targets.maxWaitProbability, margin) > targets.maxWaitProbability
        var best: (g: Int, h: Int, score: Double)?
        for g in model.groups.indices {
            for h in 0...lastHour {
                let slot = h
                guard plan.counts[g][slot] < model.groups[g].counters.count else { continue }
                let hourly = scores[g][h]
                let daily = dailyMissed ? Double(e.overMax[g][h]) : 0
                let score = max(hourly > 1 ? hourly : 0, daily)
                if score > (best?.score ?? 0) { best = (g, slot, score) }
            }
        }
        if best == nil {
            // Misses with no spare desk in their own cell: open one in the hour before, if any.
            for g in model.groups.indices {
                for h in stride(from: lastHour, through: 0, by: -1)
                where plan.counts[g][h] < model.groups[g].counters.count
                    && (scores[g][min(h + 1, lastHour)] > 1 || e.overMax[g][min(h + 1, lastHour)] > 0)
                { return (g, h) }
            }
        }
        return best.map { ($0.g, $0.h) }
    }

    /// Slots in the order removals are tried: the least load per open counter first.
    private func removalOrder(_ plan: StaffPlan) -> [(Int, Int)] {
        slots.filter { plan.counts[$0.0][$0.1] > 0 }.sorted { a, b in
            load.arrivalRate[a.0][a.1] * load.holdSeconds[a.0] / Double(plan.counts[a.0][a.1])
                < load.arrivalRate[b.0][b.1] * load.holdSeconds[b.0] / Double(plan.counts[b.0][b.1])
        }
    }

    private var slots: [(Int, Int)] { model.groups.indices.flatMap { g in model.hours.indices.map { (g, $0) } } }

    /// Coordinate descent: in each slot find the fewest counters that keep both targets. One pass is enough: taking
    /// counters elsewhere never shortens waits, so a slot that could not give one up cannot later.
    private mutating func descend(_ start: StaffPlan) -> StaffPlan {
        var plan = start
        for (g, h) in removalOrder(plan) { plan.counts[g][h] = fewest(plan, g, h) }
        return plan
    }

    /// The fewest counters slot (g, h) can have with the rest of `plan` fixed: one fewer first (most slots stop
    /// there), then galloping down 2, 4, 8, … and bisecting the last step, since feasibility is monotone.
    private mutating func fewest(_ plan: StaffPlan, _ g: Int, _ h: Int) -> Int {
        func works(_ n: Int) -> Bool {
            var candidate = plan
            candidate.counts[g][h] = n
            return feasible(evaluate(candidate))
        }
        var good = plan.counts[g][h]
        guard good > 0, works(good - 1) else { return good }
        good -= 1
        var step = 2
        var bad = -1
        while good > 0 {
            let next = max(0, good - step)
            if works(next) { good = next; step *= 2 } else { bad = next; break }
        }
        while good - bad > 1 {
            let mid = (good + bad) / 2
            if works(mid) { good = mid } else { bad = mid }
        }
        return good
    }

    /// A counter-hour moved to the neighbouring hour of its group that lets another counter-hour go; nil if none
    /// does within the budget.
    private mutating func move(_ plan: StaffPlan) -> StaffPlan? {
        let budgetEnd = evaluations + moveBudget
        defer { moveBudget = max(0, budgetEnd - evaluations) }
        for (g, h) in removalOrder(plan).reversed() {
            for other in [h - 1, h + 1] where model.hours.indices.contains(other) && plan.counts[g][other] > 0 {
                // Take one from `other`, give one to `h`, then see whether some other slot can now give one up.
                guard evaluations < budgetEnd, plan.counts[g][h] < model.groups[g].counters.count else { return nil }
                var moved = plan
                moved.counts[g][other] -= 1
                moved.counts[g][h] += 1
                guard feasible(evaluate(moved)) else { continue }
                for (g2, h2) in removalOrder(moved) where !(g2 == g && h2 == h) && evaluations < budgetEnd {
                    var smaller = moved
                    smaller.counts[g2][h2] -= 1
                    if feasible(evaluate(smaller)) { return smaller }
                }
            }
        }
        return nil
    }

    /// Exhaustive search over every plan from no counter to every desk in each slot, cheapest first: the yardstick
    /// for the planner on small cases (the candidates grow as (desks + 1)^slots). A plan at or below one already
    /// found infeasible in every slot is skipped, since fewer counters never shorten waits on the same days.
    public mutating func bruteForce() -> StaffPlan? {
        let cells = slots
        let lows = cells.map { _ in 0 }
        let highs = cells.map { model.groups[$0.0].counters.count }
        let around = everyDesk
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
            // Keep only the maximal infeasible plans: any plan below x is covered by x.
            infeasible.removeAll { bad in zip(bad, x).allSatisfy { $0 <= $1 } }
            infeasible.append(x)
        }
        return nil
    }
}
