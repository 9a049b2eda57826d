import Foundation
import QueueCore

extension Scenario {
    /// Checks a scenario file and builds the model; throws one `ScenarioError` listing every problem.
    public static func compile(_ file: ScenarioFile) throws -> Scenario {
        var problems: [String] = []
        if file.offices.isEmpty { problems.append("offices: at least one office is needed") }
        if let days = file.days, !(1...100_000).contains(days) { problems.append("days: 1 to 100000") }
        let start = file.startDate.map { LocalDate(parsing: $0) } ?? LocalDate(year: 2027, month: 1, day: 4)
        if start == nil { problems.append("startDate: YYYY-MM-DD") }
        let t = file.targets
        let targets = Targets(
            maxWaitSeconds: (t?.maxWaitMinutes ?? 60) * 60, maxWaitProbability: t?.maxWaitProbability ?? 0.10,
            hourlyWaitSeconds: (t?.hourlyWaitMinutes ?? 20) * 60, hourlyWaitProbability: t?.hourlyWaitProbability ?? 0.20)
        if targets.maxWaitSeconds <= 0 || targets.hourlyWaitSeconds <= 0 { problems.append("targets: minutes must be positive") }
        for p in [targets.maxWaitProbability, targets.hourlyWaitProbability] where !(0...1).contains(p) {
            problems.append("targets: probabilities are between 0 and 1")
        }
        var offices: [OfficeModel] = []
        for (i, entry) in file.offices.enumerated() {
            var found: [String] = []
            if let model = compileOffice(entry, problems: &found) { offices.append(model) }
            problems += found.map { "offices[\(i)] (\(entry.id)).\($0)" }
        }
        if Set(file.offices.map(\.id)).count != file.offices.count { problems.append("offices: an id appears twice") }
        if let support = file.support {
            if support.staff < 0 { problems.append("support.staff: must be ≥ 0") }
            for g in support.groups where !file.offices.contains(where: { $0.groups.contains { $0.id == g } }) {
                problems.append("support.groups: no office has a group '\(g)'")
            }
        }
        guard problems.isEmpty, let start else { throw ScenarioError(problems: problems) }
        return Scenario(
            name: file.name, seed: file.seed ?? 1, days: file.days ?? 20, startDate: start, targets: targets,
            offices: offices, support: file.support.map { Support(staff: $0.staff, groups: $0.groups) })
    }

    static func compileOffice(_ entry: ScenarioFile.OfficeEntry, problems: inout [String]) -> OfficeModel? {
        guard let opens = Clock.seconds(entry.opens ?? "09:00"), let closes = Clock.seconds(entry.closes ?? "16:30"), opens < closes else {
            problems.append("opens/closes: HH:MM, opening before closing")
            return nil
        }
        func offset(_ hhmm: String, _ field: String) -> Double? {
            guard let s = Clock.seconds(hhmm), s >= opens, s <= closes else {
                problems.append("\(field): '\(hhmm)' is not a time between opening and closing")
                return nil
            }
            return Double(s - opens)
        }
        // Procedures.
        let procedureIndex = Dictionary(entry.procedures.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var procedures: [ProcedureModel] = []
        for (i, p) in entry.procedures.enumerated() {
            if let issue = p.service.problem { problems.append("procedures[\(i)].service: \(issue)") }
            var next: [(Int, Double)] = []
            for n in p.next ?? [] {
                guard let to = procedureIndex[n.to], to != i else {
                    problems.append("procedures[\(i)].next: '\(n.to)' is not another procedure")
                    continue
                }
                next.append((to, n.probability))
            }
            if next.map(\.1).contains(where: { !(0...1).contains($0) }) || next.map(\.1).reduce(0, +) > 1 {
                problems.append("procedures[\(i)].next: probabilities in 0…1 summing to at most 1")
            }
            if let e = p.extra, !(0...1).contains(e.probability) || e.minutes < 0 {
                problems.append("procedures[\(i)].extra: probability in 0…1 and minutes ≥ 0")
            }
            if let s = p.priorityShare, !(0...1).contains(s) { problems.append("procedures[\(i)].priorityShare: 0…1") }
            procedures.append(
                ProcedureModel(
                    service: p.service, extraProbability: p.extra?.probability ?? 0, extraSeconds: (p.extra?.minutes ?? 0) * 60,
                    next: next, priorityShare: p.priorityShare ?? 0))
        }
        // Multi-stage visits must end: a cycle of transfers would send a visitor round for ever.
        for start in procedures.indices {
            var seen: Set<Int> = [start]
            var frontier = [start]
            while let p = frontier.popLast() {
                for (to, _) in procedures[p].next {
                    if to == start { problems.append("procedures: transfers from \(entry.procedures[start].id) come back to it") }
                    if seen.insert(to).inserted { frontier.append(to) }
                }
            }
        }
        // Groups and their counters.
        var groups: [GroupModel] = []
        var counters: [CounterModel] = []
        var officeCounters: [Counter] = []
        for (g, group) in entry.groups.enumerated() {
            let served = group.services.compactMap { id -> Int? in
                if procedureIndex[id] == nil { problems.append("groups[\(g)].services: unknown procedure '\(id)'") }
                return procedureIndex[id]
            }
            if served.isEmpty { problems.append("groups[\(g)].services: at least one procedure") }
            if !(0...200).contains(group.counters) { problems.append("groups[\(g)].counters: 0 to 200") }
            if let speeds = group.speeds, speeds.count != group.counters || speeds.contains(where: { $0 <= 0 }) {
                problems.append("groups[\(g)].speeds: one positive factor per counter")
            }
            var members: [Int] = []
            for n in 0..<max(0, min(group.counters, 200)) {
                members.append(counters.count)
                let speeds = group.speeds ?? []
                counters.append(CounterModel(group: g, speed: n < speeds.count ? speeds[n] : 1, procedures: served))
                officeCounters.append(
                    Counter(
                        id: CounterID("\(group.id)-\(n + 1)"), label: "\(group.id) \(n + 1)",
                        services: served.map { ServiceID(entry.procedures[$0].id) }))
            }
            groups.append(GroupModel(id: group.id, procedures: served, counters: members))
        }
        let groupIndex = Dictionary(entry.groups.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        if groupIndex.count != entry.groups.count { problems.append("groups: an id appears twice") }
        for (i, p) in entry.procedures.enumerated() where !groups.contains(where: { $0.procedures.contains(i) }) {
            problems.append("procedures[\(i)]: no group serves \(p.id)")
        }
        // The period grid: every hour, and every time the roster or the arrival rates change.
        var cuts: Set<Double> = [0, Double(closes - opens)]
        var hour = (opens / 3600 + 1) * 3600
        while hour < closes { cuts.insert(Double(hour - opens)); hour += 3600 }
        var spans: [(Double, Double, [String: Int])] = []
        for (i, r) in entry.roster.enumerated() {
            guard let from = offset(r.from, "roster[\(i)].from"), let to = offset(r.to, "roster[\(i)].to") else { continue }
            if from >= to { problems.append("roster[\(i)]: from must be before to") }
            for (g, n) in r.open {
                if let gi = groupIndex[g] {
                    if n < 0 || n > groups[gi].counters.count {
                        problems.append("roster[\(i)].open.\(g): 0 to \(groups[gi].counters.count) (the group's counters)")
                    }
                } else {
                    problems.append("roster[\(i)].open: unknown group '\(g)'")
                }
            }
            spans.append((from, to, r.open))
            cuts.insert(from); cuts.insert(to)
        }
        var arrivalProblems: [String] = []
        let (hourlyShares, rateKeys) = arrivalKeys(entry.arrivals, offset: offset, problems: &arrivalProblems)
        problems += arrivalProblems
        for key in hourlyShares.map(\.0) + rateKeys { cuts.insert(key) }
        let sorted = cuts.sorted()
        let periods = zip(sorted, sorted.dropFirst()).map { Period(start: $0, end: $1) }
        var roster = Roster(open: Array(repeating: Array(repeating: 0, count: groups.count), count: periods.count))
        for (p, period) in periods.enumerated() {
            let covering = spans.filter { $0.0 <= period.start && period.end <= $0.1 }
            if covering.count > 1 { problems.append("roster: spans overlap at \(Clock.label(opens + Int(period.start)))") }
            for (g, n) in covering.first?.2 ?? [:] { if let gi = groupIndex[g] { roster.open[p][gi] = n } }
        }
        let rates = arrivalRates(
            entry.arrivals, periods: periods, procedures: entry.procedures.map(\.id), shares: hourlyShares,
            opens: opens, problems: &problems)
        let behaviour = compileBehaviour(entry.behaviour, problems: &problems)
        let policy = OfficePolicy(entry.policy)
        let office = Office(
            id: OfficeID(entry.id), name: entry.name ?? LocalizedText(ja: entry.id, en: entry.id),
            timeZone: entry.timeZone ?? "Asia/Tokyo",
            openingHours: OpeningHours(weekdays: [1, 2, 3, 4, 5], opens: Clock.label(opens), closes: Clock.label(closes), enforced: true),
            procedures: entry.procedures.enumerated().map { i, p in
                Procedure(
                    id: ServiceID(p.id), prefix: p.prefix, color: p.color ?? "#555555",
                    name: p.name ?? LocalizedText(ja: p.id, en: p.id),
                    typicalServiceSeconds: max(1, Int(procedures[i].meanServiceSeconds.rounded())))
            },
            counters: officeCounters, policy: policy)
        problems += office.problems()
        guard problems.isEmpty else { return nil }
        return OfficeModel(
            office: office, opens: opens, closes: closes, procedures: procedures, groups: groups, counters: counters,
            periods: periods, roster: roster, arrivalRates: rates, behaviour: behaviour)
    }
}
