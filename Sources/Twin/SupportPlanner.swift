import Foundation

/// 応援: where a pool of movable staff should go, hour by hour, across offices.
///
/// Each office keeps its own roster; a support member adds one counter of a group they can staff, in an office
/// with a spare desk of that group. Hour by hour, each member goes where one more counter removes the most long
/// waits (over 20 minutes, and five times over for waits past 60), judged by simulating the whole day on the same
/// days (common random numbers), so that a morning placement counts for the afternoon queue it prevents. A member
/// stays where they were unless another place helps twice as much, since moving between offices takes time.
public struct SupportPlan: Sendable {
    /// For each hour, each member's place: (office, group), or nil when one more counter helps nowhere.
    public var assignments: [[(office: Int, group: Int)?]]
    public var before: [Evaluation]
    public var after: [Evaluation]
    public var rosters: [Roster]

    public static func make(_ scenario: Scenario, seed: UInt64, days: Int, progress: ((String) -> Void)? = nil) throws -> SupportPlan {
        guard let support = scenario.support else { throw ScenarioError(problems: ["support: the scenario has no support pool"]) }
        let hours = scenario.offices[0].hours.count
        guard scenario.offices.allSatisfy({ $0.hours.count == hours && $0.opens == scenario.offices[0].opens }) else {
            throw ScenarioError(problems: ["support: offices must share opening hours"])
        }
        let benches = scenario.offices.enumerated().map {
            TestBench(model: $1, office: $0, targets: scenario.targets, seed: seed, days: days)
        }
        var plans = scenario.offices.map { StaffPlan(roster: $0.roster, model: $0) }
        let before = zip(benches, plans).map { $0.evaluate($1.roster(for: $0.model)) }
        var current = before
        var placed: [[(office: Int, group: Int)?]] = []
        for h in 0..<hours {
            var thisHour: [(office: Int, group: Int)?] = []
            for member in 0..<support.staff {
                progress?("hour \(h + 1)/\(hours), member \(member + 1)/\(support.staff)")
                var options: [(office: Int, group: Int, evaluation: Evaluation, gain: Double)] = []
                for (o, model) in scenario.offices.enumerated() {
                    for (g, group) in model.groups.enumerated()
                    where support.groups.contains(group.id) && plans[o].counts[g][h] < group.counters.count {
                        var candidate = plans[o]
                        candidate.counts[g][h] += 1
                        let e = benches[o].evaluate(candidate.roster(for: model))
                        options.append((o, g, e, current[o].burden - e.burden))
                    }
                }
                // Moving between offices costs the trip: stay where the hour before was unless elsewhere helps
                // clearly more (twice as much).
                let previous = h > 0 ? placed[h - 1][member] : nil
                let best = options.max { $0.gain < $1.gain }
                let stay = options.first { $0.office == previous?.office && $0.group == previous?.group }
                let choice = stay.flatMap { s in best.map { s.gain * Self.moveFactor >= $0.gain ? s : $0 } } ?? best
                if let choice, choice.gain > 0 {
                    plans[choice.office].counts[choice.group][h] += 1
                    current[choice.office] = choice.evaluation
                    thisHour.append((choice.office, choice.group))
                } else {
                    thisHour.append(nil)
                }
            }
            placed.append(thisHour)
        }
        return SupportPlan(
            assignments: placed, before: before, after: current,
            rosters: zip(plans, scenario.offices).map { $0.roster(for: $1) })
    }

    /// How much more another place must help for a member to move there rather than stay.
    static let moveFactor = 2.0
}
