import Foundation

/// One day's demand for one office, drawn before the day is run: who arrives when, for what, and how they behave;
/// and how late the staff open counters. Every plan the planner compares runs on the same `Visitors` (common
/// random numbers), so a difference between two plans is the plans' doing, not the dice's.
public struct Visitors: Sendable {
    public struct Visitor: Sendable {
        /// Seconds after opening.
        public var arrival: Double
        public var priority: Int
        /// Took the ticket remotely (phone, LINE) and is not in the office yet.
        public var remote: Bool
        /// Seconds from the "come now" alert to the counter.
        public var travel: Double
        /// Never comes when called (the no-show rate).
        public var absent: Bool
        /// How long they wait in the office before leaving unseen.
        public var patience: Double
        /// Their stages: `stages[firstStage ..< endStage]`.
        public var firstStage: Int
        public var endStage: Int
    }

    public struct Stage: Sendable {
        public var procedure: Int
        /// Seconds at a counter of speed 1.
        public var work: Double
    }

    public var people: [Visitor] = []
    public var stages: [Stage] = []
    /// Seconds after the plan that counter `c` opens when a period `p` opens it: `openingDelay[c][p]`; empty when
    /// counters open on the minute.
    public var openingDelay: [[Double]] = []
    /// Seconds later still at counter `c`'s first opening of the day; empty when no day starts late.
    public var lateStart: [Double] = []

    public var count: Int { people.count }

    /// Draws a day: a non-homogeneous Poisson process, constant within each period (exponential gaps, restarted at
    /// each period's start, which the memoryless property allows), split among procedures by their rates.
    public static func draw(_ model: OfficeModel, seed: UInt64, office: Int, day: Int) -> Visitors {
        var rng = SeededRandom(seed: seed, stream: UInt64(office), UInt64(day))
        var v = Visitors()
        let b = model.behaviour
        let expected = zip(model.periods, model.arrivalRates).reduce(0.0) { $0 + $1.0.length * $1.1.reduce(0, +) }
        v.people.reserveCapacity(Int(expected * 1.2) + 16)
        v.stages.reserveCapacity(Int(expected * 1.5) + 16)
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
                let priority = rng.chance(procedure.priorityShare) ? 1 : 0
                let remote = rng.chance(b.remoteShare)
                var person = Visitor(
                    arrival: t, priority: priority, remote: remote, travel: 0, absent: false, patience: .infinity,
                    firstStage: v.stages.count, endStage: 0)
                person.travel = remote ? b.travel.sample(&rng, scale: 60) : 0
                person.absent = rng.chance(b.noShowRate)
                person.patience = remote ? .infinity : b.patience?.sample(&rng, scale: 60) ?? .infinity
                var stage = p
                while true {
                    let s = model.procedures[stage]
                    v.stages.append(
                        Stage(
                            procedure: stage,
                            work: s.service.sample(&rng, scale: 60) + (rng.chance(s.extraProbability) ? s.extraSeconds : 0)))
                    guard !s.next.isEmpty else { break }
                    var u = rng.unit()
                    guard
                        let next = s.next.first(where: {
                            u -= $0.probability; return u < 0
                        })
                    else { break }
                    stage = next.procedure
                }
                person.endStage = v.stages.count
                v.people.append(person)
            }
        }
        v.drawStaffDelays(model, seed: seed, office: office, day: day)
        return v
    }

    /// The staff's lateness, from a stream of its own: the visitors of a day are the same with or without it.
    private mutating func drawStaffDelays(_ model: OfficeModel, seed: UInt64, office: Int, day: Int) {
        let b = model.behaviour
        var rng = SeededRandom(seed: seed, stream: UInt64(office), UInt64(day), 0x1A7E)
        if let delay = b.openingDelay {
            openingDelay = model.counters.map { _ in model.periods.map { _ in delay.sample(&rng, scale: 60) } }
        }
        if b.lateStartShare > 0 {
            lateStart = model.counters.map { _ in rng.chance(b.lateStartShare) ? b.lateStartSeconds : 0 }
        }
    }
}
