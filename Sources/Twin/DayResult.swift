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
    /// One entry per stage that was called: its procedure, when it joined the line, how long it waited.
    public var waitProcedure: [Int] = []
    public var waitJoinedAt: [Double] = []
    public var waitSeconds: [Double] = []
    public var waitRemote: [Bool] = []
    /// Per visitor, time spent in the office before the first call (NaN if never called).
    public var onSiteWait: [Double]
    public var remote: [Bool]
    /// Counter seconds per `[group][hour]`; the last hour index is "after closing".
    public var busySeconds: [[Double]]
    public var openSeconds: [[Double]]
    /// When the last counter closed, in seconds after opening.
    public var endedAt: Double = 0
    let hourStarts: [Double]

    init(model: OfficeModel, visitors: Int) {
        outcomes = Array(repeating: .open, count: visitors)
        onSiteWait = Array(repeating: .nan, count: visitors)
        remote = Array(repeating: false, count: visitors)
        hourStarts = model.hours.map { model.periods[$0.lowerBound].start } + [model.dayLength]
        let buckets = hourStarts.count
        busySeconds = Array(repeating: Array(repeating: 0, count: buckets), count: model.groups.count)
        openSeconds = busySeconds
        waitProcedure.reserveCapacity(visitors + visitors / 2)
        waitJoinedAt.reserveCapacity(visitors + visitors / 2)
        waitSeconds.reserveCapacity(visitors + visitors / 2)
        waitRemote.reserveCapacity(visitors + visitors / 2)
    }

    public var maxWait: Double { waitSeconds.max() ?? 0 }

    /// The planning hour a time falls in; times after closing fall in the last bucket.
    @inline(__always)
    public func hour(of time: Double) -> Int {
        var h = 0
        while h + 1 < hourStarts.count && time >= hourStarts[h + 1] { h += 1 }
        return h
    }

    mutating func recordWait(procedure: Int, joinedAt: Double, calledAt: Double, remote: Bool) {
        waitProcedure.append(procedure)
        waitJoinedAt.append(joinedAt)
        waitSeconds.append(calledAt - joinedAt)
        waitRemote.append(remote)
    }

    mutating func recordFirstCall(_ v: Int, onSite: Double, calledAt: Double, remote: Bool) {
        onSiteWait[v] = max(0, calledAt - onSite)
        self.remote[v] = remote
    }

    mutating func addBusy(group: Int, from: Double, to: Double) { spread(&busySeconds[group], from, to) }
    mutating func addOpen(group: Int, from: Double, to: Double) { spread(&openSeconds[group], from, to) }

    private func spread(_ buckets: inout [Double], _ from: Double, _ to: Double) {
        var t = from
        while t < to {
            let h = hour(of: t)
            let end = h + 1 < hourStarts.count ? min(to, hourStarts[h + 1]) : to
            buckets[h] += end - t
            t = end
        }
    }
}
