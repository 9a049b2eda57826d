import Foundation

/// Counters open per group per planning hour: `counts[group][hour]`.
public struct StaffPlan: Sendable, Equatable {
    public var counts: [[Int]]

    /// The roster this plan gives, on the model's period grid.
    public func roster(for model: OfficeModel) -> Roster {
        var open = Array(repeating: Array(repeating: 0, count: model.groups.count), count: model.periods.count)
        for (h, range) in model.hours.enumerated() {
            for p in range { for g in model.groups.indices { open[p][g] = counts[g][h] } }
        }
        return Roster(open: open)
    }

    public func counterHours(for model: OfficeModel) -> Double {
        model.hours.enumerated().reduce(0) { sum, hour in
            let length = model.periods[hour.element.upperBound - 1].end - model.periods[hour.element.lowerBound].start
            return sum + Double(model.groups.indices.reduce(0) { $0 + counts[$1][hour.offset] }) * length / 3600
        }
    }

    /// The scenario's own roster read per planning hour (the most counters open at any time in the hour).
    public init(roster: Roster, model: OfficeModel) {
        counts = model.groups.indices.map { g in model.hours.map { range in range.map { roster.open[$0][g] }.max() ?? 0 } }
    }

    public init(counts: [[Int]]) { self.counts = counts }
}

/// The offered load each group faces, hour by hour, from the scenario's arrival rates and service times.
public struct Workload: Sendable {
    /// Arrivals per second `[group][hour]`, transfers included, split evenly among the groups that serve a procedure.
    public var arrivalRate: [[Double]]
    /// Mean seconds a ticket holds a counter of the group, a no-show's grace included.
    public var holdSeconds: [Double]
    /// Tickets a day, for the union bound that turns the day-max target into a per-ticket one.
    public var ticketsPerDay: Double

    public init(model: OfficeModel) {
        let procedures = model.procedures.count
        // Arrivals per procedure per hour, then the transfers they feed (procedures form no cycle).
        var rate = model.hours.map { range -> [Double] in
            let length = range.reduce(0.0) { $0 + model.periods[$1].length }
            return (0..<procedures).map { p in range.reduce(0.0) { $0 + model.arrivalRates[$1][p] * model.periods[$1].length } / length }
        }
        for h in rate.indices {
            var flow = rate[h]
            for _ in 0..<procedures {
                var next = rate[h]
                for p in 0..<procedures { for (to, prob) in model.procedures[p].next { next[to] += flow[p] * prob } }
                flow = next
            }
            rate[h] = flow
        }
        let q = model.behaviour.noShowRate
        let grace = Double(model.office.policy.noShowGraceSeconds)
        let servedBy = (0..<procedures).map { p in model.groups.indices.filter { model.groups[$0].procedures.contains(p) } }
        arrivalRate = model.groups.indices.map { g in
            model.hours.indices.map { h in
                (0..<procedures).reduce(0.0) { sum, p in
                    servedBy[p].contains(g) ? sum + rate[h][p] / Double(servedBy[p].count) : sum
                }
            }
        }
        holdSeconds = model.groups.map { group in
            let speed =
                group.counters.isEmpty ? 1 : group.counters.reduce(0.0) { $0 + model.counters[$1].speed } / Double(group.counters.count)
            let total = model.hours.indices.reduce(0.0) { s, h in s + group.procedures.reduce(0.0) { $0 + rate[h][$1] } }
            guard total > 0 else { return 1 }
            let weighted = model.hours.indices.reduce(0.0) { s, h in
                s + group.procedures.reduce(0.0) { $0 + rate[h][$1] * model.procedures[$1].meanServiceSeconds }
            }
            return (1 - q) * weighted / total * speed + q * grace
        }
        ticketsPerDay = zip(model.periods, model.arrivalRates).reduce(0.0) { $0 + $1.0.length * $1.1.reduce(0, +) }
    }

    /// The fewest counters for which the stationary M/M/s model meets both targets at this load: the hourly one
    /// directly, the day-max one through the union bound P(W > 60) ≤ 0.10 / tickets a day.
    static func counters(arrivalRate lambda: Double, holdSeconds: Double, targets: Targets, ticketsPerDay: Double, cap: Int) -> Int {
        guard lambda > 0 else { return 0 }
        let mu = 1 / holdSeconds
        let perTicket = targets.maxWaitProbability / max(ticketsPerDay, 1)
        var s = max(1, Int((lambda / mu).rounded(.up)))
        while s < cap {
            if ErlangC.probabilityWaitExceeds(targets.hourlyWaitSeconds, servers: s, arrivalRate: lambda, serviceRate: mu)
                <= targets.hourlyWaitProbability,
                ErlangC.probabilityWaitExceeds(targets.maxWaitSeconds, servers: s, arrivalRate: lambda, serviceRate: mu) <= perTicket
            {
                return s
            }
            s += 1
        }
        return cap
    }
}

/// The formula plans the planner starts from and is compared with.
public enum StaffingFormula {
    /// SIPP: each hour as its own stationary M/M/s queue.
    public static func sipp(_ model: OfficeModel, targets: Targets) -> StaffPlan {
        let load = Workload(model: model)
        return StaffPlan(
            counts: model.groups.indices.map { g in
                model.hours.indices.map { h in
                    Workload.counters(
                        arrivalRate: load.arrivalRate[g][h], holdSeconds: load.holdSeconds[g], targets: targets,
                        ticketsPerDay: load.ticketsPerDay, cap: model.groups[g].counters.count)
                }
            })
    }

    /// MOL (Jennings, Mandelbaum, Massey & Whitt 1996): the load is the mean number busy in an infinite-server
    /// queue, m(t) = ∫ λ(u) P(S > t − u) du, which lags the arrivals by the service time. Each hour gets the most
    /// counters any minute of it needs.
    public static func mol(_ model: OfficeModel, targets: Targets) -> StaffPlan {
        let load = Workload(model: model)
        let step = 60.0
        let minutes = Int((model.dayLength / step).rounded(.up))
        let servedBy = model.procedures.indices.map { p in model.groups.indices.filter { model.groups[$0].procedures.contains(p) } }
        let q = model.behaviour.noShowRate
        let grace = Double(model.office.policy.noShowGraceSeconds)
        // λ_p per minute, arrivals only: transfers enter where their first stage ends, approximated by adding them
        // at the same minute with the next stage's service time.
        var lambda = Array(repeating: Array(repeating: 0.0, count: model.procedures.count), count: minutes)
        for i in 0..<minutes {
            let t = (Double(i) + 0.5) * step
            guard let period = model.periods.firstIndex(where: { $0.start <= t && t < $0.end }) else { continue }
            var flow = model.arrivalRates[period]
            var total = flow
            for _ in model.procedures.indices {
                var next = Array(repeating: 0.0, count: flow.count)
                for p in flow.indices { for (to, prob) in model.procedures[p].next { next[to] += flow[p] * prob } }
                flow = next
                for p in total.indices { total[p] += next[p] }
            }
            lambda[i] = total
        }
        func survival(_ p: Int, _ x: Double) -> Double {
            let proc = model.procedures[p]
            func base(_ y: Double) -> Double {
                guard y > 0 else { return 1 }
                switch proc.service {
                case .lognormal(let m, let s): return s == 0 ? (y < m * 60 ? 1 : 0) : 0.5 * erfc(log(y / (m * 60)) / (s * 2.0.squareRoot()))
                case .exponential(let mean): return exp(-y / (mean * 60))
                case .fixed(let v): return y < v * 60 ? 1 : 0
                }
            }
            let service = (1 - proc.extraProbability) * base(x) + proc.extraProbability * base(x - proc.extraSeconds)
            return (1 - q) * service + q * (x < grace ? 1 : 0)
        }
        let tail = (0..<minutes).map { Double($0) * step }
        var counts = Array(repeating: Array(repeating: 0, count: model.hours.count), count: model.groups.count)
        for g in model.groups.indices {
            for i in 0..<minutes {
                var busy = 0.0
                var arrivals = 0.0
                for p in model.groups[g].procedures {
                    let share = 1 / Double(servedBy[p].count)
                    arrivals += lambda[i][p] * share
                    for u in 0...i { busy += lambda[u][p] * share * step * survival(p, tail[i - u]) }
                }
                let h =
                    model.hours.firstIndex { range in
                        model.periods[range.lowerBound].start <= Double(i) * step
                            && Double(i) * step < model.periods[range.upperBound - 1].end
                    } ?? model.hours.count - 1
                // M/M/s at offered load m(t): λ = m(t)·μ.
                let need = Workload.counters(
                    arrivalRate: busy / load.holdSeconds[g], holdSeconds: load.holdSeconds[g], targets: targets,
                    ticketsPerDay: load.ticketsPerDay, cap: model.groups[g].counters.count)
                if arrivals > 0 || busy > 0.01 { counts[g][h] = max(counts[g][h], need) }
            }
        }
        return StaffPlan(counts: counts)
    }
}
