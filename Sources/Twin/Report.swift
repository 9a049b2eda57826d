import Foundation
import Mustache

/// The HTML reports of `simulate` and `plan`: view models here, markup in `Resources/report.mustache`.
public enum Report {
    struct Page { var title: String; var subtitle: String; var sections: [Section]; var generated: String }
    struct Section { var heading: String; var paragraphs: [String] = []; var tables: [Table] = []; var charts: [Chart] = [] }
    struct Table { var caption: String; var header: [String]; var rows: [Row] }
    struct Row { var cells: [Cell] }
    struct Cell { var text: String; var css: String? = nil }

    static let palette = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0d9488", "#db2777", "#4b5563", "#ca8a04"]

    public static func simulation(scenario: Scenario, summaries: [OfficeSummary], seed: UInt64) throws -> String {
        let sections = zip(scenario.offices, summaries).map { model, s -> Section in
            let hours = s.hours
            let byHour = hours.indices.map { WaitStats(s.waits(hour: $0)) }
            let hasWaits = byHour.map { $0.count > 0 }
            func minutes(_ f: (WaitStats) -> Double) -> [Double?] {
                byHour.enumerated().map { hasWaits[$0.offset] ? f($0.element) / 60 : nil }
            }
            let waitChart = Chart.lines(
                title: "Wait by hour joined",
                description:
                    "Median, 95th percentile and longest wait of tickets by the hour they joined a line, against the \(Int(s.targets.maxWaitSeconds / 60))-minute line.",
                yLabel: "minutes", categories: hours,
                series: [
                    ("p50", palette[0], minutes(\.p50), false), ("p95", palette[1], minutes(\.p95), false),
                    ("max", "#111827", minutes(\.max), true),
                ],
                rule: (s.targets.maxWaitSeconds / 60, "\(Int(s.targets.maxWaitSeconds / 60)) min"))
            let counterChart = Chart.lines(
                title: "Counters open by hour", description: "Mean counters open per group in each hour of opening.",
                yLabel: "counters", categories: Array(hours.prefix(model.hours.count)),
                series: s.groups.indices.map { g in
                    (
                        s.groups[g], palette[g % palette.count],
                        model.hours.indices.map { h -> Double? in
                            let length = model.periods[model.hours[h].upperBound - 1].end - model.periods[model.hours[h].lowerBound].start
                            return s.openSeconds[g][h] / length / Double(max(s.days, 1))
                        }, false
                    )
                })
            let all = s.allWaits.map { Double($0) / 60 }
            let histogram = Chart.histogram(
                title: "Wait distribution", description: "Share of tickets by wait, in 5-minute bins; red bars are past the target.",
                minutes: all, bin: 5, mark: s.targets.maxWaitSeconds / 60)
            let procedureRows = s.procedures.indices.map { p -> Row in
                let w = WaitStats(s.waits[p].flatMap { $0 })
                return Row(
                    cells: [Cell(text: s.procedures[p]), Cell(text: String(format: "%.1f", Double(w.count) / Double(max(s.days, 1))))]
                        + [w.mean, w.p50, w.p95, w.max].map { Cell(text: String(format: "%.1f", $0 / 60)) })
            }
            let remote = WaitStats(s.onSiteWaitRemote)
            let paper = WaitStats(s.onSiteWaitPaper)
            var paragraphs = [
                String(
                    format: "P(day max wait > %d min) = %.3f over %d days; %.1f counter-hours a day.", Int(s.targets.maxWaitSeconds / 60),
                    s.probabilityDayMaxOver, s.days, s.counterHoursPerDay),
                String(
                    format: "Time in the office before service: paper tickets %.1f min on average (p95 %.1f).", paper.mean / 60,
                    paper.p95 / 60),
            ]
            if remote.count > 0 {
                paragraphs.append(
                    String(format: "Remote tickets: %.1f min on average in the office (p95 %.1f).", remote.mean / 60, remote.p95 / 60))
            }
            return Section(
                heading: "\(model.office.name.en) (\(model.office.id))", paragraphs: paragraphs,
                tables: [
                    Table(
                        caption: "Waits by procedure (minutes)", header: ["procedure", "tickets/day", "mean", "p50", "p95", "max"],
                        rows: procedureRows)
                ],
                charts: [waitChart, counterChart, histogram])
        }
        return try render(
            Page(
                title: "Simulation: \(scenario.name)", subtitle: "\(summaries.first?.days ?? 0) simulated days, seed \(seed).",
                sections: sections, generated: generated()))
    }

    public static func plan(scenario: Scenario, results: [OfficePlanResult], support: SupportPlan?, seed: UInt64) throws -> String {
        let t = scenario.targets
        var sections = zip(scenario.offices, results).map { model, r -> Section in
            let hours = model.hours.indices.map { model.hourLabel($0) }
            let methods = ["SIPP", "MOL", "plan", "brute force"].filter { r.cost[$0] != nil }
            let plans = ["SIPP": r.sipp, "MOL": r.mol, "plan": r.plan].merging(r.bruteForce.map { ["brute force": $0] } ?? [:]) { a, _ in a
            }
            let counters = Chart.lines(
                title: "Counters by hour", description: "Counters open in each hour, all groups together, by method.",
                yLabel: "counters", categories: hours,
                series: methods.enumerated().map { i, m in
                    (m, palette[i], model.hours.indices.map { h in Double(plans[m]!.counts.reduce(0) { $0 + $1[h] }) }, m != "plan")
                })
            let hourly = Chart.lines(
                title: "P(wait > \(Int(t.hourlyWaitSeconds / 60)) min) by hour",
                description: "Worst counter group in each hour, on fresh days, by method; the dashed red line is the target.",
                yLabel: "probability", categories: hours,
                series: methods.enumerated().map { i, m in
                    (m, palette[i], model.hours.indices.map { h in r.check[m]!.probabilityOver.compactMap { $0[h] }.max() }, m != "plan")
                },
                rule: (t.hourlyWaitProbability, "target \(t.hourlyWaitProbability)"), format: { String(format: "%.2f", $0) })
            let summary = Table(
                caption: "Counter-hours and targets on \(r.checkDays) fresh days",
                header: [
                    "method", "counter-hours", "P(max > \(Int(t.maxWaitSeconds / 60)) min)",
                    "worst hour P(> \(Int(t.hourlyWaitSeconds / 60)) min)", "mean wait (min)", "meets both",
                ],
                rows: methods.map { m in
                    let e = r.check[m]!
                    let meets = e.meets(t) || e.meets(t, margin: -2)
                    return Row(cells: [
                        Cell(text: m), Cell(text: String(format: "%.1f", r.cost[m]!)),
                        Cell(text: String(format: "%.3f", e.probabilityDayMaxOver)),
                        Cell(text: String(format: "%.3f", e.worstHourly)),
                        Cell(text: String(format: "%.1f", e.meanWait / 60)),
                        Cell(text: e.meets(t) ? "yes" : meets ? "within sampling error" : "no", css: meets ? "yes" : "no"),
                    ])
                })
            let perGroup = Table(
                caption: "The plan: counters per group and hour", header: ["group"] + hours,
                rows: model.groups.enumerated().map { g, group in
                    Row(cells: [Cell(text: group.id)] + r.plan.counts[g].map { Cell(text: String($0)) })
                })
            return Section(
                heading: "\(model.office.name.en) (\(model.office.id))",
                paragraphs: [
                    String(format: "Planned in %.2f s with %d evaluations of %d simulated days.", r.seconds, r.evaluations, r.days)
                ],
                tables: [summary, perGroup], charts: [counters, hourly])
        }
        if let support { sections.append(supportSection(support, scenario: scenario)) }
        return try render(
            Page(
                title: "Staffing plan: \(scenario.name)",
                subtitle:
                    "Targets: P(day max wait > \(Int(t.maxWaitSeconds / 60)) min) ≤ \(t.maxWaitProbability) and, every hour, P(wait > \(Int(t.hourlyWaitSeconds / 60)) min) ≤ \(t.hourlyWaitProbability). Seed \(seed).",
                sections: sections, generated: generated()))
    }

    static func supportSection(_ support: SupportPlan, scenario: Scenario) -> Section {
        let model = scenario.offices[0]
        let hours = model.hours.indices.map { model.hourLabel($0) }
        func place(_ p: (office: Int, group: Int)?) -> String {
            guard let p else { return "–" }
            let office = scenario.offices[p.office]
            return "\(office.office.id)/\(office.groups[p.group].id)"
        }
        let members = support.assignments.first?.count ?? 0
        var placements: [Row] = []
        for m in 0..<members {
            let cells: [Cell] = support.assignments.map { Cell(text: place($0[m])) }
            placements.append(Row(cells: [Cell(text: String(m + 1))] + cells))
        }
        var effect: [Row] = []
        for o in scenario.offices.indices {
            let b = support.before[o]
            let a = support.after[o]
            effect.append(
                Row(cells: [
                    Cell(text: scenario.offices[o].office.id.rawValue),
                    Cell(text: String(format: "%.1f", b.longWaitsPerDay)), Cell(text: String(format: "%.1f", a.longWaitsPerDay)),
                    Cell(text: String(format: "%.3f", b.probabilityDayMaxOver)),
                    Cell(text: String(format: "%.3f", a.probabilityDayMaxOver)),
                ]))
        }
        return Section(
            heading: "Support staff (応援)",
            paragraphs: [
                "Where each member of the support pool goes, hour by hour (office/group; – where one more counter helps nowhere)."
            ],
            tables: [
                Table(caption: "Placements", header: ["member"] + hours, rows: placements),
                Table(
                    caption: "Effect", header: ["office", "long waits a day before", "after", "P(max > 60) before", "after"], rows: effect),
            ])
    }

    static func render(_ page: Page) throws -> String {
        var library = MustacheLibrary()
        try library.register(try template("report"), named: "report")
        try library.register(try template("chart"), named: "chart")
        return library.render(page, withTemplate: "report") ?? ""
    }

    /// A template of the twin's resources by name.
    public static func template(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Resources") else {
            throw ScenarioError(problems: ["\(name).mustache is missing from the build"])
        }
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    static func generated() -> String {
        let f = ISO8601DateFormatter()
        return "generated " + f.string(from: Date())
    }
}
