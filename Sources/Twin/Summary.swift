import Foundation
import QueueCore

/// What many simulated days of one office add up to: the figures `simulate` prints and the report draws.
public struct OfficeSummary: Sendable {
    public let hours: [String]
    public let procedures: [String]
    public let groups: [String]
    public let targets: Targets
    public private(set) var days = 0
    /// Waits in seconds by `[procedure][hour joined]`.
    public private(set) var waits: [[[Float]]]
    public private(set) var dayMaxWaits: [Double] = []
    public private(set) var outcomes: [Outcome: Int] = [:]
    public private(set) var busySeconds: [[Double]]
    public private(set) var openSeconds: [[Double]]
    public private(set) var onSiteWaitRemote: [Float] = []
    public private(set) var onSiteWaitPaper: [Float] = []
    public private(set) var visitors = 0
    public private(set) var remoteVisitors = 0
    public private(set) var remoteMissed = 0
    public private(set) var remoteCalls = 0
    public private(set) var remoteCalledBeforeArrival = 0
    public private(set) var remoteOnSiteBeforeCall = 0.0
    public private(set) var remoteToldCalls = 0
    public private(set) var remoteToldCalledBeforeArrival = 0
    public private(set) var paperCalls = 0
    public private(set) var paperOnSiteBeforeCall = 0.0
    public private(set) var paperWaitSeconds = 0.0
    public private(set) var paperWaits = 0
    /// Whether the office held remote holders' places until they checked in.
    public let arrivalCheckIn: Bool

    public init(model: OfficeModel, targets: Targets) {
        hours = model.hours.indices.map { model.hourLabel($0) } + ["after"]
        procedures = model.office.procedures.map(\.id.rawValue)
        groups = model.groups.map(\.id)
        self.targets = targets
        waits = Array(repeating: Array(repeating: [], count: hours.count), count: procedures.count)
        busySeconds = Array(repeating: Array(repeating: 0, count: hours.count), count: groups.count)
        openSeconds = busySeconds
        arrivalCheckIn = model.office.policy.arrivalCheckIn
    }

    public mutating func add(_ day: DayResult) {
        days += 1
        visitors += day.outcomes.count
        remoteVisitors += day.remoteVisitors
        remoteMissed += day.remoteMissed
        remoteCalls += day.remoteCalls
        remoteCalledBeforeArrival += day.remoteCalledBeforeArrival
        remoteOnSiteBeforeCall += day.remoteOnSiteBeforeCall
        remoteToldCalls += day.remoteToldCalls
        remoteToldCalledBeforeArrival += day.remoteToldCalledBeforeArrival
        paperCalls += day.paperCalls
        paperOnSiteBeforeCall += day.paperOnSiteBeforeCall
        for w in day.waits {
            waits[w.procedure][day.hour(of: w.joinedAt)].append(Float(w.seconds))
            if !w.remote {
                paperWaitSeconds += w.seconds
                paperWaits += 1
            }
        }
        dayMaxWaits.append(day.maxWait)
        for o in day.outcomes { outcomes[o, default: 0] += 1 }
        for g in groups.indices {
            for h in hours.indices {
                busySeconds[g][h] += day.busySeconds[g * day.buckets + h]
                openSeconds[g][h] += day.openSeconds[g * day.buckets + h]
            }
        }
        for v in day.onSiteWait.indices where !day.onSiteWait[v].isNaN {
            if day.remote[v] { onSiteWaitRemote.append(Float(day.onSiteWait[v])) } else { onSiteWaitPaper.append(Float(day.onSiteWait[v])) }
        }
    }

    /// P(a day's longest wait > the target), the 60-minute measure.
    public var probabilityDayMaxOver: Double {
        days == 0 ? 0 : Double(dayMaxWaits.filter { $0 > targets.maxWaitSeconds }.count) / Double(days)
    }

    /// Remote holders: the share whose ticket was called before they were in the office, and their mean minutes in
    /// the office before the call (0 for those not there yet): the two sides of a "come now" rule.
    public var remoteCalledBeforeArrivalShare: Double {
        remoteCalls > 0 ? Double(remoteCalledBeforeArrival) / Double(remoteCalls) : .nan
    }
    /// Of the remote holders told to come after they took their ticket (not at once) and before their call, the
    /// share still on the way when called: how often the rule was too late (a rule at risk r aims at r or less).
    public var toldTooLateShare: Double {
        remoteToldCalls > 0 ? Double(remoteToldCalledBeforeArrival) / Double(remoteToldCalls) : .nan
    }
    public var remoteMinutesOnSiteBeforeCall: Double { remoteCalls > 0 ? remoteOnSiteBeforeCall / Double(remoteCalls) / 60 : .nan }
    /// Paper-ticket holders' mean minutes in the office before their first call.
    public var paperMinutesOnSiteBeforeCall: Double { paperCalls > 0 ? paperOnSiteBeforeCall / Double(paperCalls) / 60 : .nan }
    /// Paper tickets' mean wait per call, in minutes (every stage).
    public var paperMeanWaitMinutes: Double { paperWaits > 0 ? paperWaitSeconds / Double(paperWaits) / 60 : .nan }

    public var allWaits: [Float] { waits.flatMap { $0.flatMap { $0 } } }

    /// Counter-hours open per day, on average (overtime after closing included).
    public var counterHoursPerDay: Double {
        days == 0 ? 0 : openSeconds.flatMap { $0 }.reduce(0, +) / 3600 / Double(days)
    }

    public func utilisation(group g: Int, hour h: Int) -> Double? {
        openSeconds[g][h] > 0 ? busySeconds[g][h] / openSeconds[g][h] : nil
    }

    /// Waits of every procedure that joined in hour `h`.
    public func waits(hour h: Int) -> [Float] { waits.flatMap { $0[h] } }
}

/// Order statistics of a sample of seconds.
public struct WaitStats: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var p50: Double
    public var p95: Double
    public var max: Double

    public init(_ sample: [Float]) {
        count = sample.count
        guard !sample.isEmpty else {
            mean = 0; p50 = 0; p95 = 0; max = 0
            return
        }
        let sorted = sample.sorted()
        mean = Double(sorted.reduce(0, +)) / Double(sorted.count)
        p50 = Double(NearestRank.quantile(sorted, 0.5))
        p95 = Double(NearestRank.quantile(sorted, 0.95))
        max = Double(sorted.last!)
    }
}
