import Foundation

extension Scenario {
    /// The times (seconds after opening) at which `hourly` shares and `rates` change, checked.
    static func arrivalKeys(
        _ a: ScenarioFile.ArrivalsEntry, offset: (String, String) -> Double?, problems: inout [String]
    ) -> (shares: [(Double, Double)], rateKeys: [Double]) {
        var shares: [(Double, Double)] = []
        for (key, share) in a.hourly ?? [:] {
            if share < 0 { problems.append("arrivals.hourly.\(key): a share is ≥ 0") }
            if let at = offset(key, "arrivals.hourly.\(key)") { shares.append((at, share)) }
        }
        shares.sort { $0.0 < $1.0 }
        var rateKeys: [Double] = []
        for (procedure, byTime) in a.rates ?? [:] {
            for (key, rate) in byTime {
                if rate < 0 { problems.append("arrivals.rates.\(procedure).\(key): a rate is ≥ 0") }
                if let at = offset(key, "arrivals.rates.\(procedure).\(key)") { rateKeys.append(at) }
            }
        }
        return (shares, rateKeys)
    }

    /// Arrivals per second, `[period][procedure]`: a non-homogeneous Poisson process, constant within each period.
    static func arrivalRates(
        _ a: ScenarioFile.ArrivalsEntry, periods: [Period], procedures: [String], shares: [(Double, Double)],
        opens: Int, problems: inout [String]
    ) -> [[Double]] {
        var rates = Array(repeating: Array(repeating: 0.0, count: procedures.count), count: periods.count)
        let index = Dictionary(procedures.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        /// The value in force at `time` among (start, value) pairs sorted by start.
        func inForce(_ steps: [(Double, Double)], at time: Double) -> (value: Double, span: Double)? {
            guard let i = steps.lastIndex(where: { $0.0 <= time }) else { return nil }
            let end = i + 1 < steps.count ? steps[i + 1].0 : (periods.last?.end ?? 0)
            return (steps[i].1, end - steps[i].0)
        }
        switch (a.rates, a.perDay, a.hourly, a.mix) {
        case (let byProcedure?, nil, nil, nil):
            for (procedure, byTime) in byProcedure {
                guard let p = index[procedure] else {
                    problems.append("arrivals.rates: unknown procedure '\(procedure)'")
                    continue
                }
                let steps = byTime.compactMap { key, rate in Clock.seconds(key).map { (Double($0 - opens), rate) } }
                    .sorted { $0.0 < $1.0 }
                for (i, period) in periods.enumerated() {
                    rates[i][p] = (inForce(steps, at: period.start)?.value ?? 0) / 3600
                }
            }
        case (nil, let perDay?, _?, let mix?):
            if perDay < 0 { problems.append("arrivals.perDay: must be ≥ 0") }
            let shareSum = shares.map(\.1).reduce(0, +)
            if abs(shareSum - 1) > 0.01 { problems.append("arrivals.hourly: shares sum to \(shareSum), not 1") }
            let mixSum = mix.values.reduce(0, +)
            if abs(mixSum - 1) > 0.01 { problems.append("arrivals.mix: shares sum to \(mixSum), not 1") }
            if shares.first.map({ $0.0 > 0 }) ?? true { problems.append("arrivals.hourly: the first key must be the opening time") }
            for (procedure, share) in mix {
                guard let p = index[procedure] else {
                    problems.append("arrivals.mix: unknown procedure '\(procedure)'")
                    continue
                }
                if share < 0 { problems.append("arrivals.mix.\(procedure): a share is ≥ 0") }
                for (i, period) in periods.enumerated() {
                    guard let (hourShare, span) = inForce(shares, at: period.start), span > 0 else { continue }
                    rates[i][p] = perDay * hourShare * share / span
                }
            }
        default:
            problems.append("arrivals: give either rates, or perDay with hourly and mix")
        }
        return rates
    }

    static func compileBehaviour(_ b: ScenarioFile.BehaviourEntry?, problems: inout [String]) -> Behaviour {
        var behaviour = Behaviour()
        guard let b else { return behaviour }
        func share(_ value: Double?, _ field: String) -> Double {
            guard let value else { return 0 }
            if !(0...1).contains(value) { problems.append("behaviour.\(field): 0…1") }
            return value
        }
        behaviour.remoteShare = share(b.remoteShare, "remoteShare")
        behaviour.noShowRate = share(b.noShowRate, "noShowRate")
        if let travel = b.travel {
            if let issue = travel.problem { problems.append("behaviour.travel: \(issue)") }
            behaviour.travel = travel
        }
        if let patience = b.patience {
            if let issue = patience.problem { problems.append("behaviour.patience: \(issue)") }
            behaviour.patience = patience
        }
        if let delay = b.openingDelay {
            if let issue = delay.problem { problems.append("behaviour.openingDelay: \(issue)") }
            behaviour.openingDelay = delay
        }
        if let late = b.lateStart {
            behaviour.lateStartShare = share(late.share, "lateStart.share")
            if !(0...240).contains(late.minutes) { problems.append("behaviour.lateStart.minutes: 0…240") }
            behaviour.lateStartSeconds = late.minutes * 60
        }
        if let risk = b.comeNow?.risk {
            if !(risk > 0 && risk < 1) { problems.append("behaviour.comeNow.risk: between 0 and 1") }
            if b.comeNow?.bufferMinutes == nil { problems.append("behaviour.comeNow.risk: needs bufferMinutes") }
            behaviour.comeNowRisk = risk
        }
        switch (b.comeNow?.peopleAhead, b.comeNow?.bufferMinutes) {
        case (let n?, nil):
            if n < 0 { problems.append("behaviour.comeNow.peopleAhead: ≥ 0") }
            behaviour.comeNowPeopleAhead = n
        case (nil, let minutes?):
            if minutes < 0 { problems.append("behaviour.comeNow.bufferMinutes: ≥ 0") }
            behaviour.comeNowBufferSeconds = minutes * 60
        case (nil, nil):
            behaviour.comeNowPeopleAhead = behaviour.remoteShare > 0 ? 5 : nil
        case (_?, _?):
            problems.append("behaviour.comeNow: peopleAhead or bufferMinutes, not both")
        }
        return behaviour
    }
}
