import ArgumentParser
import Foundation
import Twin

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan counters per hour for the 60-minute target, next to SIPP and MOL; place support staff (応援).")

    @Argument(help: "Scenario YAML.") var scenario: String
    @Option(help: "Simulated days the planner optimises on.") var days = 40
    @Option(help: "Fresh days every plan is checked on.") var checkDays = 200
    @Option(help: "Random seed (default: the scenario's).") var seed: UInt64?
    @Flag(help: "Also search every plan exhaustively (small cases only: (desks + 1)^(groups × hours) candidates) and report the gap.")
    var bruteForce = false
    @Option(help: "Write an HTML report with SVG plots to this file.") var report: String?

    func validate() throws {
        if bruteForce, let scenario = try? loadScenario(self.scenario) {
            let candidates =
                scenario.offices.map { o in o.groups.reduce(1.0) { $0 * pow(Double($1.counters.count + 1), Double(o.hours.count)) } }.max()
                ?? 0
            if candidates > 2e6 {
                throw ValidationError("--brute-force: \(Int(candidates)) candidate plans is too many; it is for small cases")
            }
        }
        if !(5...10_000).contains(days) || !(5...100_000).contains(checkDays) {
            throw ValidationError("--days must be 5-10000 and --check-days 5-100000")
        }
    }

    func run() throws {
        let scenario = try loadScenario(self.scenario)
        let seed = seed ?? scenario.seed
        let t = scenario.targets
        print(
            "targets: P(day max wait > \(Int(t.maxWaitSeconds / 60)) min) ≤ \(t.maxWaitProbability), "
                + "every hour P(wait > \(Int(t.hourlyWaitSeconds / 60)) min) ≤ \(t.hourlyWaitProbability)")
        var results: [OfficePlanResult] = []
        for (index, model) in scenario.offices.enumerated() {
            let progress = Progress(label: "planning \(model.office.id)", total: 1)
            let result = OfficePlanResult.make(
                scenario, office: index, seed: seed, days: days, checkDays: checkDays, bruteForce: bruteForce,
                progress: { progress.note($0) })
            progress.finish()
            print(result.text(model: model, targets: t))
            results.append(result)
        }
        var support: SupportPlan?
        if scenario.support != nil {
            let progress = Progress(label: "placing support staff", total: 1)
            support = try SupportPlan.make(scenario, seed: seed, days: days) { progress.note($0) }
            progress.finish()
            print(support!.text(scenario: scenario))
        }
        if let report {
            try Report.plan(scenario: scenario, results: results, support: support, seed: seed)
                .write(toFile: report, atomically: true, encoding: .utf8)
            print("report: \(report)")
        }
    }
}
