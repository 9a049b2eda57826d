import Foundation

extension OfficePlanResult {
    /// The plain-text comparison `madoguchi plan` prints.
    public func text(model: OfficeModel, targets: Targets) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        var out = "\(office): counters per hour (SIPP / MOL / plan)\n"
        if !feasible {
            out += "  NO PLAN MEETS THE TARGETS: even with every desk open all day, "
            out += String(format: "P(day max wait > %d min) = %.3f", Int(targets.maxWaitSeconds / 60), dayMaxWithEveryDesk)
            out += shortfalls.isEmpty ? ".\n" : ", and these miss the hourly target:\n"
            for s in shortfalls {
                out +=
                    "    group \(s.group) at \(s.hour): P(wait > \(Int(targets.hourlyWaitSeconds / 60)) min) = \(String(format: "%.2f", s.probability))\n"
            }
            out += "  Add desks (groups[].counters) to those groups, or relax the targets. The plan shown is every desk open.\n"
        }
        out += "  group        " + model.hours.indices.map { pad(model.hourLabel($0), 9) }.joined() + "\n"
        for (g, group) in model.groups.enumerated() {
            out += "  " + group.id.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
            out += model.hours.indices.map { pad("\(sipp.counts[g][$0])/\(mol.counts[g][$0])/\(plan.counts[g][$0])", 9) }.joined() + "\n"
        }
        out +=
            "  method        counter-hours  P(max>\(Int(targets.maxWaitSeconds / 60))m)  worst hour P(>\(Int(targets.hourlyWaitSeconds / 60))m)  mean wait  meets both\n"
        for name in ["SIPP", "MOL", "plan", "brute force"] {
            guard let c = cost[name], let e = check[name] else { continue }
            let worst = e.worstHourly
            out += "  " + name.padding(toLength: 13, withPad: " ", startingAt: 0)
            out += String(format: " %13.1f  %11.3f  %20.3f  %7.1f m  ", c, e.probabilityDayMaxOver, worst, e.meanWait / 60)
            out += (e.meets(targets) ? "yes" : e.meets(targets, margin: -2) ? "within sampling error" : "NO") + "\n"
        }
        if let b = cost["brute force"] {
            out += String(
                format: "  planner vs brute force on the same %d optimisation days: %.1f vs %.1f counter-hours (%+.1f%%)\n",
                days, optimisedCost, b, (optimisedCost - b) / b * 100)
        }
        if let s = cost["SIPP"], let p = cost["plan"] {
            out += String(format: "  planner vs SIPP: %+.1f%% counter-hours\n", (p - s) / s * 100)
        }
        out += String(
            format: "  planned in %.2f s (%d evaluations of %d days); checked on %d fresh days\n", seconds, evaluations, days, checkDays)
        return out
    }
}

extension SupportPlan {
    public func text(scenario: Scenario) -> String {
        let model = scenario.offices[0]
        var out = "support staff (応援), hour by hour:\n"
        out +=
            "  member  " + model.hours.indices.map { model.hourLabel($0).padding(toLength: 16, withPad: " ", startingAt: 0) }.joined()
            + "\n"
        let members = assignments.first?.count ?? 0
        for m in 0..<members {
            out += "  \(String(m + 1).padding(toLength: 6, withPad: " ", startingAt: 0))  "
            out +=
                assignments.map { hour -> String in
                    let place =
                        hour[m].map { "\(scenario.offices[$0.office].office.id)/\(scenario.offices[$0.office].groups[$0.group].id)" } ?? "-"
                    return place.padding(toLength: 16, withPad: " ", startingAt: 0)
                }.joined() + "\n"
        }
        for (o, office) in scenario.offices.enumerated() {
            out +=
                "  \(office.office.id): "
                + String(
                    format: "long waits (>20 min) a day %.1f → %.1f, P(max>60m) %.3f → %.3f\n",
                    before[o].longWaitsPerDay, after[o].longWaitsPerDay, before[o].probabilityDayMaxOver, after[o].probabilityDayMaxOver)
        }
        return out
    }
}
