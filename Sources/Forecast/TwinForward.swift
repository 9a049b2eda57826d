import Foundation
import QueueCore
import Twin

/// The twin estimator: the office as observed, run forward on QueueCore's routing.
extension Estimators {
    /// Copies what can be seen into the twin's `Floor` and runs QueueCore's routing forward `runs` times: residual
    /// service times drawn given the time already spent, no-shows at the learned rate (a no-show holds the counter
    /// for the learned grace), priority arrivals at the learned rate for the weekday and hour (they may jump
    /// ahead), holders on the way (arrival check-in) passed over until they check in, as late after "come now" as
    /// holders were on earlier days, counters calling only when the roster has them on, and counters reopened
    /// after closing as they were on a day of the history. Each ticket's remaining wait is read from the runs.
    ///
    /// Common random numbers: in run r, a ticket's no-show coin and service draw come from a stream of its own
    /// (r, ticket), whichever counter calls it and whether it is still waiting or already at a counter. Two states
    /// that differ only by a call already made therefore see the same futures, and estimates move with the state,
    /// not with the noise.
    func twin(_ o: Observation, targets: [Int]) -> [Prediction] {
        guard !targets.isEmpty else { return [] }
        let order = o.lineOrder
        let n = order.count
        let procedureCount = max(o.procedures.count, 1)
        var base = Floor(policy: policy, procedureCount: procedureCount, counterProcedures: o.counters.map(\.procedures))
        // Floor index k is the k-th ticket in line order.
        var floorIndex = Array(repeating: 0, count: n)
        var streamKey = Array(repeating: UInt64(0), count: n)
        var remote = Array(repeating: false, count: n)
        // Holders told to come and not here yet (arrival check-in): when they were due, for each one's floor index.
        var due: [(k: Int, at: Double)] = []
        for (k, i) in order.enumerated() {
            let w = o.waiting[i]
            let told = w.onTheWay?.toldAt
            floorIndex[i] = base.issue(procedure: w.procedure, priority: min(w.priority, 1), at: w.queuedAt, present: told == nil)
            precondition(floorIndex[i] == k)
            streamKey[k] = ticketStream(w.ticket)
            remote[k] = w.remote
            if let told { due.append((k, told + (w.travelSeconds ?? 0))) }
        }
        var checkIns: [(at: Double, k: Int)] = []
        var staffing: [(at: Double, q: Int, n: Int)] = []
        for c in o.counters.indices {
            base.setOpen(c, true)
            base.setStreak(c, o.counters[c].priorityStreak)
        }
        var isTarget = Array(repeating: false, count: n)
        for i in targets { isTarget[floorIndex[i]] = true }
        let targetCount = isTarget.reduce(0) { $0 + ($1 ? 1 : 0) }

        let closing = Self.closing(o)
        let openings = o.counters.map { $0.openings(from: o.now, closing: closing) }
        let counterKeys = o.counters.map { ticketStream(TicketID($0.counter.rawValue)) }
        var availability = o.counters.map { $0.availability(from: o.now, closing: closing) }
        let histories = o.procedures.map { learned.procedure($0) }
        let factors = o.counters.map { learned.factor($0.counter) }
        let priorityRates: [[Double]] = o.procedures.map { p in
            (0..<24).map { learned.priorityRate(p, weekday: o.weekday, hour: $0) }
        }
        let arrivingProcedures = o.procedures.indices.filter { p in priorityRates[p].contains { $0 > 0 } }
        let afterClosing = o.procedures.map { learned.staffAfterClosing[$0] ?? [] }
        let servedBy: [[Int]] = (0..<procedureCount).map { p in o.counters.indices.filter { o.counters[$0].procedures.contains(p) } }
        let busyKeys = o.counters.map { $0.busy.map { ticketStream($0.ticket) } ?? 0 }

        let counterCount = o.counters.count
        // Call times by (run, ticket); a ticket not called within the horizon keeps infinity.
        var called = Array(repeating: Double.infinity, count: n * runs)
        var nextCall = Array(repeating: Double.infinity, count: counterCount)
        var nextArrival = Array(repeating: Double.infinity, count: procedureCount)
        // Counters whose availability runs to the end of the day, and those reopened after closing in this run.
        var runsOn = availability.map { $0.last?.upperBound == .infinity }
        var reopened = Array(repeating: false, count: counterCount)

        /// An idle counter that serves `q` calls at `when` (or as soon as its roster has it on).
        func wake(_ q: Int, at when: Double) {
            for j in servedBy[q] where nextCall[j] == .infinity {
                let next = Self.available(availability[j], at: when)
                if next < .infinity { nextCall[j] = next; break }
            }
        }

        for r in 0..<runs {
            if !learned.openingDelays.isEmpty {
                // Staff come when they come: each planned opening in this run is as late as one drawn from history.
                for c in 0..<counterCount {
                    availability[c] = Self.drawnAvailability(openings[c], delays: learned.openingDelays, key: counterKeys[c], run: r)
                    runsOn[c] = availability[c].last?.upperBound == .infinity
                }
            }
            var floor = base
            var arrivals = SeededRandom(seed: seed, stream: UInt64(r), Self.arrivalStream)
            /// The (coin, u) pair of a ticket in this run, from its own stream: the ticket's key mixed with the
            /// run (a plain seed, so no allocation in the loop).
            func draws(_ key: UInt64) -> (Double, Double) {
                var rng = SeededRandom(seed: key &+ UInt64(r) &* 0x9E37_79B9_7F4A_7C15)
                return (rng.unit(), rng.unit())
            }
            for c in 0..<counterCount {
                var free = o.now
                if let busy = o.counters[c].busy {
                    let (coin, u) = draws(busyKeys[c])
                    free =
                        busy.since
                        + histories[busy.procedure].hold(
                            coin: coin, u: u, factor: factors[c], waited: busy.waited, remote: busy.remote,
                            elapsed: max(0, o.now - busy.since),
                            calledOnly: busy.calledOnly)
                }
                nextCall[c] = Self.available(availability[c], at: free)
            }
            checkIns = due.compactMap { d in
                // Each holder checks in as late after "come now" and their travel time as one drawn from history,
                // given that they are not here yet; one later than ever seen is not expected today.
                var rng = SeededRandom(seed: streamKey[d.k] ^ Self.checkInStream, stream: UInt64(r))
                guard !learned.checkInLateness.isEmpty else { return (max(o.now, d.at), d.k) }
                guard let lateness = learned.checkInLateness.draw(longerThan: o.now - d.at, u: rng.unit()) else { return nil }
                return (max(o.now, d.at + lateness), d.k)
            }
            checkIns.sort { $0.at < $1.at }
            var nextCheckIn = 0
            for p in 0..<procedureCount { nextArrival[p] = .infinity }
            for p in arrivingProcedures { nextArrival[p] = Self.nextArrival(after: o.now, rates: priorityRates[p], rng: &arrivals) }
            var remaining = targetCount
            // Staff after closing in this run: whether they stay (as often as the history says they did), and
            // then, for each line, the moments counters opened after closing began to serve it on one day of the history
            // (the same day for every line: a busy day keeps more staff on everywhere). A line never served after
            // closing before gets one more counter at closing (the twin's own rule for serving everyone).
            var dayRng = SeededRandom(seed: seed ^ 0xC105_E000 &+ UInt64(r))
            let staysOn = closing.isFinite && learned.opensAfterClosing > 0 && dayRng.unit() < learned.opensAfterClosing
            let day = dayRng.unit()
            staffing.removeAll(keepingCapacity: true)
            if staysOn {
                for q in 0..<procedureCount {
                    let days = q < afterClosing.count ? afterClosing[q] : []
                    if days.isEmpty {
                        if closing > o.now { staffing.append((closing, q, 0)) }
                        continue
                    }
                    // Counters that day reopened by now are the ones open now (the observation has them); only
                    // those it reopened later are to come, counted from there.
                    let offsets = days[min(days.count - 1, Int(day * Double(days.count)))]
                    let past = offsets.prefix { closing + $0 <= o.now }.count
                    for (i, offset) in offsets.enumerated() where i >= past { staffing.append((closing + offset, q, i + 1 - past)) }
                }
                staffing.sort { $0.at < $1.at }
            }
            var nextStaffing = 0
            for j in 0..<counterCount { reopened[j] = false }
            while remaining > 0 {
                var c = -1
                var t = Double.infinity
                for j in 0..<counterCount where nextCall[j] < t { t = nextCall[j]; c = j }
                var p = -1
                var a = Double.infinity
                for q in arrivingProcedures where nextArrival[q] < a { a = nextArrival[q]; p = q }
                let arrive = nextCheckIn < checkIns.count ? checkIns[nextCheckIn].at : .infinity
                if nextStaffing < staffing.count, staffing[nextStaffing].at < min(t, a, arrive) {
                    // After closing, a line with tickets gets its n-th counter reopened (0: one more), one the roster
                    // had closed, once the counters free at that moment have called.
                    let (at, q, n) = staffing[nextStaffing]
                    nextStaffing += 1
                    guard !floor.front(of: q, limit: 1).isEmpty else { continue }
                    var on = servedBy[q].reduce(0) { $0 + (reopened[$1] ? 1 : 0) }
                    let wanted = n == 0 ? on + 1 : n
                    for j in servedBy[q] where on < wanted && !runsOn[j] && !reopened[j] && nextCall[j] == .infinity {
                        reopened[j] = true
                        nextCall[j] = at
                        on += 1
                    }
                    continue
                }
                if arrive < t && arrive <= a {
                    // A holder on the way checks in: called from the place they kept, by an idle counter too.
                    let k = checkIns[nextCheckIn].k
                    nextCheckIn += 1
                    floor.checkIn(k)
                    wake(floor.tickets[k].procedure, at: arrive)
                    continue
                }
                if p >= 0 && a < t {
                    // A priority visitor arrives: into the line, and an idle counter that serves it takes it.
                    _ = floor.issue(procedure: p, priority: 1, at: a)
                    nextArrival[p] = Self.nextArrival(after: a, rates: priorityRates[p], rng: &arrivals)
                    wake(p, at: a)
                    continue
                }
                guard c >= 0, t - o.now < Self.horizon else { break }
                guard let k = floor.callNext(counter: c) else {
                    nextCall[c] = .infinity  // idle until a priority arrival or a check-in wakes it
                    continue
                }
                if k < n && isTarget[k] {
                    called[r * n + k] = t
                    remaining -= 1
                }
                floor.complete(counter: c)
                let h = histories[floor.tickets[k].procedure]
                let (coin, u) = draws(k < n ? streamKey[k] : seed ^ Self.arrivalStream &+ UInt64(k - n) &+ 1)
                let work = h.hold(
                    coin: coin, u: u, factor: factors[c], waited: t - floor.tickets[k].queuedAt, remote: k < n && remote[k])
                nextCall[c] = reopened[c] ? t + work : Self.available(availability[c], at: t + work)
            }
        }

        var sample = Array(repeating: 0.0, count: runs)
        return targets.map { i in
            let k = floorIndex[i]
            for r in 0..<runs { sample[r] = min(max(called[r * n + k] - o.now, 0), Self.horizon) }
            sample.sort()
            let mean = sample.reduce(0, +) / Double(runs)
            return Prediction(
                mean: mean, p10: Self.quantile(sample, 0.1), p50: Self.quantile(sample, 0.5), p90: Self.quantile(sample, 0.9),
                early: Self.quantile(sample, risk))
        }
    }

    static let arrivalStream: UInt64 = 0xA770_0000_0000_0000
    static let checkInStream: UInt64 = 0xC4EC_1000_0000_0000

    /// A counter's openings with a delay drawn for each one its staff may be late to, on a stream of its own per
    /// (counter, run, planned time), so that successive estimates see the same lateness. An opening the draw says
    /// the counter misses (or one it is later for than ever seen) is left out.
    static func drawnAvailability(
        _ openings: [ObservedCounter.Opening], delays: OpeningDelays, key: UInt64, run: Int
    )
        -> [Range<Double>]
    {
        var result: [Range<Double>] = []
        for opening in openings {
            guard let late = opening.late else {
                result.append(opening.range)
                continue
            }
            let planned = opening.range.lowerBound - late.already
            var rng = SeededRandom(seed: key, stream: UInt64(run), UInt64(max(0, planned)))
            guard let delay = delays.draw(already: late.already, first: late.first, u: rng.unit()), delay.isFinite else { continue }
            let start = planned + delay
            if start < opening.range.upperBound { result.append(start..<opening.range.upperBound) }
        }
        return result
    }

    /// A ticket's own random stream label: FNV-1a of its token, after the estimator's seed.
    func ticketStream(_ ticket: TicketID) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for byte in ticket.rawValue.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }

    /// The first moment at or after `t` within the intervals; infinity when there is none.
    @inline(__always)
    static func available(_ intervals: [Range<Double>], at t: Double) -> Double {
        for interval in intervals where interval.upperBound > t { return max(t, interval.lowerBound) }
        return .infinity
    }

    /// The next arrival of a Poisson process whose rate is constant within each hour (memoryless, so a draw that
    /// crosses an hour's end restarts there at the next hour's rate).
    static func nextArrival(after t: Double, rates: [Double], rng: inout SeededRandom) -> Double {
        var now = t
        while true {
            let hour = Int(now / 3600)
            guard hour < 24 else { return .infinity }
            let end = Double(hour + 1) * 3600
            let rate = rates[hour]
            if rate > 0 {
                let next = now + rng.exponential(mean: 1 / rate)
                if next < end { return next }
            }
            now = end
        }
    }
}
