import Foundation

/// How a visit ended. Every arrival ends in exactly one of these (the conservation check).
public enum Outcome: UInt8, Sendable, CaseIterable {
    case open
    case completed
    /// Called and never came: the no-show rate, or a remote holder too late for the reactivation window.
    case noShow
    /// Left the office unseen when their patience ran out; the counter found out at the call (a no-show in the log).
    case abandoned
    case cancelled
}

/// One office-day's raw results: a wait per call of a stage, an outcome per visitor, counter time per hour.
public struct DayResult: Sendable {
    public var outcomes: [Outcome]
    /// One entry per stage that was called.
    public var waits: [Wait] = []

    public struct Wait: Sendable {
        public var procedure: Int
        /// Seconds after opening at which it joined the line.
        public var joinedAt: Double
        /// In the office before the call: from joining the line, or, for a holder held until check-in, from arriving
        /// (their time at home and on the way is not a wait in the office), as the live reports count it.
        public var seconds: Double
        public var remote: Bool
    }
    /// Per visitor, time spent in the office before their first service began (NaN if never served).
    public var onSiteWait: [Double]
    public var remote: [Bool]
    public var remoteVisitors = 0
    /// Counter seconds per group and hour, flat: `[group * buckets + hour]`; the last hour is "after closing".
    public var busySeconds: [Double]
    public var openSeconds: [Double]
    public var buckets: Int { hourStarts.count }
    /// Remote holders who came after their call and the reactivation window, and took a new ticket.
    public var remoteMissed = 0
    /// Remote tickets' first calls: how many, how many came before the holder was in the office, and the holders'
    /// seconds in the office before the call (0 for those not there yet).
    public var remoteCalls = 0
    public var remoteCalledBeforeArrival = 0
    public var remoteOnSiteBeforeCall = 0.0
    /// The same for those the rule told to come later than at issue (the line was long enough for the journey when
    /// they took the ticket) and before their call: how often the rule was too late.
    public var remoteToldCalls = 0
    public var remoteToldCalledBeforeArrival = 0
    /// Paper tickets' first calls (kiosk, reception, a missed remote call's new ticket), and their holders' seconds
    /// in the office before the call.
    public var paperCalls = 0
    public var paperOnSiteBeforeCall = 0.0
    let hourStarts: [Double]

    init(model: OfficeModel, visitors: Int) {
        outcomes = Array(repeating: .open, count: visitors)
        onSiteWait = Array(repeating: .nan, count: visitors)
        remote = Array(repeating: false, count: visitors)
        hourStarts = model.hours.map { model.periods[$0.lowerBound].start } + [model.dayLength]
        busySeconds = Array(repeating: 0, count: hourStarts.count * model.groups.count)
        openSeconds = busySeconds
        waits.reserveCapacity(visitors + visitors / 2)
    }

    public var maxWait: Double { waits.reduce(0) { max($0, $1.seconds) } }

    /// The planning hour a time falls in; times after closing fall in the last bucket.
    @inline(__always)
    public func hour(of time: Double) -> Int { Self.bucket(of: time, in: hourStarts) }

    /// The last index whose start is ≤ `time` (0 before the first), by binary search.
    @inline(__always)
    static func bucket(of time: Double, in starts: [Double]) -> Int {
        var lo = 0
        var hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= time { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// A call's wait: from `waitingSince` (joining the line; for a holder held until check-in, arriving) to the call.
    mutating func recordWait(procedure: Int, joinedAt: Double, waitingSince: Double, calledAt: Double, remote: Bool) {
        waits.append(Wait(procedure: procedure, joinedAt: joinedAt, seconds: calledAt - waitingSince, remote: remote))
    }

    mutating func recordRemoteCall(calledAt: Double, onSiteAt: Double, alerted: Bool, dueAtIssue: Bool) {
        remoteCalls += 1
        if !alerted || onSiteAt > calledAt { remoteCalledBeforeArrival += 1 } else { remoteOnSiteBeforeCall += calledAt - onSiteAt }
        if alerted && !dueAtIssue {
            remoteToldCalls += 1
            if onSiteAt > calledAt { remoteToldCalledBeforeArrival += 1 }
        }
    }

    mutating func recordPaperCall(calledAt: Double, onSiteAt: Double) {
        paperCalls += 1
        paperOnSiteBeforeCall += max(0, calledAt - onSiteAt)
    }

    mutating func recordTimeOnSite(_ v: Int, onSite: Double, servedAt: Double, remote: Bool) {
        onSiteWait[v] = max(0, servedAt - onSite)
        self.remote[v] = remote
    }

    /// The hour the engine's clock is in; it only moves forward, so most intervals fall in it whole.
    private var currentHour = 0

    mutating func addBusy(group: Int, from: Double, to: Double) {
        while currentHour + 1 < hourStarts.count && to >= hourStarts[currentHour + 1] { currentHour += 1 }
        if from >= hourStarts[currentHour] {
            busySeconds[group * hourStarts.count + currentHour] += to - from
        } else {
            Self.spread(&busySeconds, base: group * hourStarts.count, from, to, hourStarts)
        }
    }

    mutating func addOpen(group: Int, from: Double, to: Double) {
        Self.spread(&openSeconds, base: group * hourStarts.count, from, to, hourStarts)
    }

    /// Static, so that adding to one array does not copy the whole result (and retain every array in it).
    private static func spread(_ buckets: inout [Double], base: Int, _ from: Double, _ to: Double, _ hourStarts: [Double]) {
        var t = from
        while t < to {
            let h = bucket(of: t, in: hourStarts)
            let end = h + 1 < hourStarts.count ? min(to, hourStarts[h + 1]) : to
            buckets[base + h] += end - t
            t = end
        }
    }
}
