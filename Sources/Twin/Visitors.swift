import Foundation

/// One day's demand for one office, drawn before the day is run: who arrives when, for what, and how they behave.
/// Every plan the planner compares runs on the same `Visitors` (common random numbers), so a difference between
/// two plans is the plans' doing, not the dice's.
public struct Visitors: Sendable {
    public var arrival: [Double] = []
    public var priority: [Int] = []
    public var remote: [Bool] = []
    /// Minutes, in seconds, from the "come now" alert to the counter.
    public var travel: [Double] = []
    /// Never comes when called (the no-show rate).
    public var absent: [Bool] = []
    /// How long they wait in the office before leaving unseen.
    public var patience: [Double] = []
    /// Stages of visitor i: `stageStart[i] ..< stageStart[i + 1]`.
    public var stageStart: [Int] = [0]
    public var stageProcedure: [Int] = []
    /// Seconds at a counter of speed 1.
    public var stageWork: [Double] = []

    public var count: Int { arrival.count }

    /// Draws a day: a non-homogeneous Poisson process, constant within each period (exponential gaps, restarted at
    /// each period's start, which the memoryless property allows), split among procedures by their rates.
    public static func draw(_ model: OfficeModel, seed: UInt64, office: Int, day: Int) -> Visitors {
        var rng = SeededRandom(seed: seed, stream: UInt64(office), UInt64(day))
        var v = Visitors()
        let b = model.behaviour
        let expected = zip(model.periods, model.arrivalRates).reduce(0.0) { $0 + $1.0.length * $1.1.reduce(0, +) }
        v.reserve(Int(expected * 1.2) + 16)
        for (period, rates) in zip(model.periods, model.arrivalRates) {
            let total = rates.reduce(0, +)
            guard total > 0 else { continue }
            var t = period.start
            while true {
                t += rng.exponential(mean: 1 / total)
                guard t < period.end else { break }
                var pick = rng.unit() * total
                var p = 0
                while p < rates.count - 1 && pick >= rates[p] { pick -= rates[p]; p += 1 }
                let procedure = model.procedures[p]
                v.arrival.append(t)
                v.priority.append(rng.chance(procedure.priorityShare) ? 1 : 0)
                let remote = rng.chance(b.remoteShare)
                v.remote.append(remote)
                v.travel.append(remote ? b.travel.sample(&rng, scale: 60) : 0)
                v.absent.append(rng.chance(b.noShowRate))
                v.patience.append(remote ? .infinity : b.patience?.sample(&rng, scale: 60) ?? .infinity)
                var stage = p
                while true {
                    let s = model.procedures[stage]
                    v.stageProcedure.append(stage)
                    v.stageWork.append(s.service.sample(&rng, scale: 60) + (rng.chance(s.extraProbability) ? s.extraSeconds : 0))
                    guard !s.next.isEmpty else { break }
                    var u = rng.unit()
                    guard let next = s.next.first(where: { u -= $0.probability; return u < 0 }) else { break }
                    stage = next.procedure
                }
                v.stageStart.append(v.stageProcedure.count)
            }
        }
        return v
    }

    private mutating func reserve(_ n: Int) {
        arrival.reserveCapacity(n); priority.reserveCapacity(n); remote.reserveCapacity(n); travel.reserveCapacity(n)
        absent.reserveCapacity(n); patience.reserveCapacity(n); stageStart.reserveCapacity(n + 1)
        stageProcedure.reserveCapacity(n * 2); stageWork.reserveCapacity(n * 2)
    }
}
