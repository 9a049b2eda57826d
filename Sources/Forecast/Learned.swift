import Foundation
import QueueCore

/// How long a counter is taken by one ticket it calls and serves (call to completion or transfer), at speed 1.
public enum ServiceTime: Sendable, Equatable {
    /// `log S ~ Normal(mu, sigma)`, seconds.
    case lognormal(mu: Double, sigma: Double)
    case exponential(mean: Double)

    public var mean: Double {
        switch self {
        case .lognormal(let mu, let sigma): exp(mu + sigma * sigma / 2)
        case .exponential(let mean): mean
        }
    }

    /// A draw of the total time given that `elapsed` seconds have passed, from a uniform `u` in (0, 1), by
    /// inversion: the same `u` gives the same draw for an untouched ticket (`elapsed` 0), so estimates made before
    /// and after a call line up (common random numbers).
    @inline(__always)
    public func total(given elapsed: Double, u: Double, factor: Double) -> Double {
        switch self {
        case .exponential(let mean):
            // Memoryless: what is left does not depend on what has passed.
            return elapsed - mean * factor * log(u)
        case .lognormal(let mu, let sigma):
            guard sigma > 0 else { return max(elapsed, factor * exp(mu)) }
            let floor = elapsed > 0 ? Normal.cdf((log(elapsed / factor) - mu) / sigma) : 0
            let v = min(floor + u * (1 - floor), 1 - 1e-12)
            return max(elapsed, factor * exp(mu + sigma * QueueLengthEstimator.standardNormalQuantile(v)))
        }
    }
}

enum Normal {
    @inline(__always)
    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
}

/// What one procedure's past says.
public struct ProcedureHistory: Sendable, Equatable {
    public var service: ServiceTime
    /// Share of calls that ended in a no-show.
    public var noShowRate: Double
    /// The same by where the holder waited (on site, or remotely: index + bins) and how long the ticket had
    /// waited when called (`Learned.waitBins`): people who leave without telling anyone are found at the call, the
    /// longer the wait the more have left, and those waiting at home hardly ever do. Nil: `noShowRate` always.
    public var noShowByWait: [Double]?
    /// How long a no-show held the counter (the call-out grace as staff used it).
    public var noShowSeconds: Double
    /// Share of calls the holder answered by going back to the line ("running late" on the way, a staff hold) or
    /// by cancelling, and how long that held the counter: calls that cost almost nothing.
    public var releaseRate: Double
    public var releaseSeconds: Double
    /// Services seen.
    public var count: Int

    public init(
        service: ServiceTime, noShowRate: Double, noShowSeconds: Double, releaseRate: Double = 0, releaseSeconds: Double = 0,
        count: Int = 0
    ) {
        self.service = service
        self.noShowRate = noShowRate
        self.noShowByWait = nil
        self.noShowSeconds = noShowSeconds
        self.releaseRate = releaseRate
        self.releaseSeconds = releaseSeconds
        self.count = count
    }

    /// Mean counter time per call, b = (1 − q − r)·E[S] + q·g + r·d: the QL baseline's work per ticket (Ibrahim &
    /// Whitt's hidden abandonment as a no-show costing the grace, plus calls released at once).
    public var meanWork: Double {
        (1 - noShowRate - releaseRate) * service.mean + noShowRate * noShowSeconds + releaseRate * releaseSeconds
    }

    /// The no-show rate of a ticket called after waiting `waited` seconds.
    @inline(__always)
    public func noShowRate(waited: Double, remote: Bool) -> Double {
        guard let noShowByWait else { return noShowRate }
        return noShowByWait[(remote ? Learned.waitBins.count + 1 : 0) + Learned.waitBin(waited)]
    }

    /// How long a call holds the counter, in total from the call, from a uniform `coin` (which outcome: no-show,
    /// released, served) and `u` (the service draw). For a ticket already at a counter, `elapsed` has passed and
    /// outcomes that would have ended by now are ruled out; `calledOnly` is false once service has started.
    @inline(__always)
    func hold(
        coin: Double, u: Double, factor: Double, waited: Double, remote: Bool, elapsed: Double = 0, calledOnly: Bool = true
    ) -> Double {
        if calledOnly {
            let q = noShowRate(waited: waited, remote: remote)
            if coin < q && elapsed < noShowSeconds { return noShowSeconds }
            if coin >= q && coin < q + releaseRate && elapsed < releaseSeconds { return releaseSeconds }
        }
        return service.total(given: elapsed, u: u, factor: factor)
    }
}

/// What an office's earlier days teach: service times per procedure and per counter, no-show rates, and arrival
/// rates by weekday and hour. Every estimator reads its knowledge of the past from here.
public struct Learned: Sendable {
    public var procedures: [ServiceID: ProcedureHistory]
    /// Used for a procedure never seen.
    public var pooled: ProcedureHistory
    /// A counter's speed relative to others on the same procedures (1 = average); shrunk towards 1 when it has
    /// served few tickets.
    public var counterFactor: [CounterID: Double]
    /// Arrivals per second, all and priority only, by procedure, `[weekday 1…7][hour 0…23]` (index 0 unused).
    public var arrivals: [ServiceID: [[Double]]]
    public var priorityArrivals: [ServiceID: [[Double]]]
    public var days: Int
    /// Share of days on which staff opened a counter after the roster's end to serve the queue left at closing.
    public var opensAfterClosing: Double
    /// Per procedure, for each day on which counters opened after the roster's end called it: the seconds after
    /// closing at which each of them first did, sorted. How many more staff served the queue left at closing,
    /// and how soon.
    public var staffAfterClosing: [ServiceID: [[Double]]] = [:]
    /// How late counters open after their planned time.
    public var openingDelays = OpeningDelays()
    /// How long after "come now" plus their travel time held holders checked in (arrival check-in).
    public var checkInLateness = DelaySample()

    public init(
        procedures: [ServiceID: ProcedureHistory], pooled: ProcedureHistory, counterFactor: [CounterID: Double] = [:],
        arrivals: [ServiceID: [[Double]]] = [:], priorityArrivals: [ServiceID: [[Double]]] = [:], days: Int = 0,
        opensAfterClosing: Double = 0
    ) {
        self.opensAfterClosing = opensAfterClosing
        self.procedures = procedures
        self.pooled = pooled
        self.counterFactor = counterFactor
        self.arrivals = arrivals
        self.priorityArrivals = priorityArrivals
        self.days = days
    }

    /// Nothing learned yet: 10-minute services, no no-shows, no priority arrivals.
    public static let empty = Learned(
        procedures: [:], pooled: ProcedureHistory(service: .exponential(mean: 600), noShowRate: 0, noShowSeconds: 180))

    public func procedure(_ id: ServiceID) -> ProcedureHistory { procedures[id] ?? pooled }

    /// Upper edges, in seconds, of the waits the no-show rate is learned by: 10, 20, 30, 45, 60, then every 15
    /// minutes to 3 hours, 3½, 4 and 5 hours, and more. On a peak day most calls come after two hours, where the
    /// share who gave up climbs from one half towards all, so the bins stay fine there.
    public static let waitBins: [Double] = [10, 20, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165, 180, 210, 240, 300].map { $0 * 60 }

    @inline(__always)
    public static func waitBin(_ waited: Double) -> Int {
        var i = 0
        while i < waitBins.count && waited >= waitBins[i] { i += 1 }
        return i
    }
    public func factor(_ c: CounterID) -> Double { counterFactor[c] ?? 1 }

    /// Priority arrivals per second of `id` on `weekday` in `hour`.
    public func priorityRate(_ id: ServiceID, weekday: Int, hour: Int) -> Double {
        guard let table = priorityArrivals[id], (1...7).contains(weekday), (0..<24).contains(hour) else { return 0 }
        return table[weekday][hour]
    }
}

/// Accumulates `Learned` from `OfficeFold.Happening`s.
public struct Learner: Sendable {
    /// Prior weight, in services, that pulls a counter's speed factor towards 1.
    static let factorPrior = 20.0

    private var logs: [ServiceID: [Double]] = [:]
    private var perCounter: [CounterID: [(ServiceID, Double)]] = [:]
    private var calls: [ServiceID: Int] = [:]
    /// Calls and no-shows by wait bin.
    private var callsByWait: [ServiceID: [Double]] = [:]
    private var noShowsByWait: [ServiceID: [Double]] = [:]
    /// Prior weight, in calls, that pulls a procedure's no-show rate in a wait bin towards the office's.
    static let noShowPrior = 20.0
    private var noShows: [ServiceID: (count: Int, seconds: Double)] = [:]
    private var releases: [ServiceID: (count: Int, seconds: Double)] = [:]
    private var issued: [ServiceID: [[Double]]] = [:]
    private var priorityIssued: [ServiceID: [[Double]]] = [:]
    private var daysByWeekday = Array(repeating: 0, count: 8)
    private var daysOpenedAfterClosing = 0
    private var firstDelays: [Double] = []
    private var laterDelays: [Double] = []
    private var checkInLateness: [Double] = []
    /// When each counter first called each procedure after closing: on the current day, and on each day before.
    private var todayAfterClosing: [ServiceID: [CounterID: Double]] = [:]
    private var afterClosing: [ServiceID: [[Double]]] = [:]

    public init() {}

    public mutating func add(_ happening: OfficeFold.Happening) {
        switch happening {
        case .dayStarted(let weekday):
            daysByWeekday[weekday] += 1
            afterClosing = Self.adding(todayAfterClosing, to: afterClosing)
            todayAfterClosing = [:]
        case .calledAfterClosing(let p, let c, let seconds):
            if todayAfterClosing[p]?[c] == nil { todayAfterClosing[p, default: [:]][c] = seconds }
        case .openedAfterClosing:
            daysOpenedAfterClosing += 1
        case .plannedOpening(let delay, let first):
            if first { firstDelays.append(delay) } else { laterDelays.append(delay) }
        case .checkedIn(let lateness):
            checkInLateness.append(lateness)
        case .issued(let p, let priority, let hour, let weekday):
            guard (0..<24).contains(hour) else { return }
            Self.count(&issued, p, weekday, hour)
            if priority > 0 { Self.count(&priorityIssued, p, weekday, hour) }
        case .called(let p, let waited, let remote):
            calls[p, default: 0] += 1
            callsByWait[p, default: Self.noShowTable][Self.noShowIndex(waited, remote)] += 1
        case .served(let p, let c, let seconds):
            let l = log(max(seconds, 1))
            logs[p, default: []].append(l)
            perCounter[c, default: []].append((p, l))
        case .noShow(let p, let seconds, let waited, let remote):
            noShowsByWait[p, default: Self.noShowTable][Self.noShowIndex(waited, remote)] += 1
            noShows[p, default: (0, 0)].count += 1
            noShows[p, default: (0, 0)].seconds += seconds
        case .released(let p, let seconds):
            releases[p, default: (0, 0)].count += 1
            releases[p, default: (0, 0)].seconds += seconds
        }
    }

    /// Bins of the on-site holders, then of the remote ones.
    static var noShowTable: [Double] { Array(repeating: 0, count: 2 * (Learned.waitBins.count + 1)) }
    static func noShowIndex(_ waited: Double, _ remote: Bool) -> Int {
        (remote ? Learned.waitBins.count + 1 : 0) + Learned.waitBin(waited)
    }

    private static func adding(_ day: [ServiceID: [CounterID: Double]], to days: [ServiceID: [[Double]]]) -> [ServiceID: [[Double]]] {
        var days = days
        for (p, counters) in day { days[p, default: []].append(counters.values.sorted()) }
        return days
    }

    private static func count(_ table: inout [ServiceID: [[Double]]], _ p: ServiceID, _ weekday: Int, _ hour: Int) {
        if table[p] == nil { table[p] = Array(repeating: Array(repeating: 0, count: 24), count: 8) }
        table[p]![weekday][hour] += 1
    }

    public var learned: Learned {
        /// Lognormal by the method of moments on the durations themselves (σ² = ln(1 + var/mean²)), so that the
        /// fitted mean is the observed mean: a maximum-likelihood fit on the logs overstates the mean by a
        /// quarter when the times are in fact exponential, and every wait estimate with it.
        func fit(_ logs: [Double]) -> ServiceTime? {
            guard logs.count >= 2 else { return nil }
            let values = logs.map { exp($0) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            let sigma2 = log(1 + variance / (mean * mean))
            return .lognormal(mu: log(mean) - sigma2 / 2, sigma: sigma2.squareRoot())
        }
        let allLogs = logs.values.flatMap { $0 }
        let totalNoShows = noShows.values.reduce((0, 0.0)) { ($0.0 + $1.count, $0.1 + $1.seconds) }
        let totalCalls = calls.values.reduce(0, +)
        let pooledGrace = totalNoShows.0 > 0 ? totalNoShows.1 / Double(totalNoShows.0) : 180
        let pooled = ProcedureHistory(
            service: fit(allLogs) ?? Learned.empty.pooled.service,
            noShowRate: totalCalls > 0 ? Double(totalNoShows.0) / Double(totalCalls) : 0, noShowSeconds: pooledGrace,
            count: allLogs.count)
        // No-shows by wait: the office's rate per bin, each bin shrunk towards the bin before it (the first towards
        // the overall rate), so that the long waits few tickets reach keep the rate of the waits just below them
        // rather than falling back to the day's average; then each procedure's, shrunk towards the office's bin.
        let bins = Learned.waitBins.count + 1
        let officeCalls = (0..<(2 * bins)).map { b in callsByWait.values.reduce(0) { $0 + $1[b] } }
        let officeNoShows = (0..<(2 * bins)).map { b in noShowsByWait.values.reduce(0) { $0 + $1[b] } }
        let k = Self.noShowPrior
        var officeByWait: [Double] = []
        for b in 0..<(2 * bins) {
            let prior = b % bins == 0 ? pooled.noShowRate : officeByWait[b - 1]
            officeByWait.append((officeNoShows[b] + k * prior) / (officeCalls[b] + k))
        }
        var procedures: [ServiceID: ProcedureHistory] = [:]
        for p in Set(logs.keys).union(calls.keys) {
            let n = noShows[p] ?? (0, 0)
            let r = releases[p] ?? (0, 0)
            let c = calls[p] ?? 0
            procedures[p] = ProcedureHistory(
                service: fit(logs[p] ?? []) ?? pooled.service, noShowRate: c > 0 ? Double(n.count) / Double(c) : pooled.noShowRate,
                noShowSeconds: n.count > 0 ? n.seconds / Double(n.count) : pooledGrace,
                releaseRate: c > 0 ? Double(r.count) / Double(c) : 0, releaseSeconds: r.count > 0 ? r.seconds / Double(r.count) : 0,
                count: logs[p]?.count ?? 0)
            let pc = callsByWait[p] ?? Self.noShowTable
            let pn = noShowsByWait[p] ?? Self.noShowTable
            procedures[p]?.noShowByWait = (0..<(2 * bins)).map { b in (pn[b] + k * officeByWait[b]) / (pc[b] + k) }
        }
        // A counter's factor: how its log-times sit against its procedures' mean log-times.
        let meanLog = logs.mapValues { $0.reduce(0, +) / Double($0.count) }
        var factors: [CounterID: Double] = [:]
        for (c, services) in perCounter {
            var sum = 0.0
            for (p, l) in services where (logs[p]?.count ?? 0) >= 2 { sum += l - meanLog[p]! }
            factors[c] = exp(sum / (Double(services.count) + Self.factorPrior))
        }
        func rates(_ table: [ServiceID: [[Double]]]) -> [ServiceID: [[Double]]] {
            table.mapValues { byWeekday in
                byWeekday.enumerated().map { w, hours in
                    hours.map { daysByWeekday[w] > 0 ? $0 / Double(daysByWeekday[w]) / 3600 : 0 }
                }
            }
        }
        var learned = Learned(
            procedures: procedures, pooled: pooled, counterFactor: factors, arrivals: rates(issued),
            priorityArrivals: rates(priorityIssued), days: daysByWeekday.reduce(0, +),
            opensAfterClosing: Double(daysOpenedAfterClosing) / Double(max(1, daysByWeekday.reduce(0, +))))
        learned.openingDelays = OpeningDelays(first: firstDelays, later: laterDelays)
        learned.checkInLateness = DelaySample(checkInLateness)
        learned.staffAfterClosing = Self.adding(todayAfterClosing, to: afterClosing)
        return learned
    }
}
