import Foundation
import QueueCore
import Synchronization

/// One prediction made during a replay.
public struct ReplayRow: Sendable {
    public var ticket: TicketID
    public var office: OfficeID
    public var service: ServiceID
    public var at: Date
    public var utcOffsetSeconds: Int
    public var method: Method
    public var prediction: Prediction

    public static let csvHeader = "ticket,office,service,at,method,mean,p10,p50,p90"

    /// Seconds with one decimal.
    public var csv: String {
        func s(_ v: Double) -> String { String(format: "%.1f", v) }
        let p = prediction
        return "\(ticket.rawValue),\(office.rawValue),\(service.rawValue),\(EventTime.format(at, offsetSeconds: utcOffsetSeconds)),"
            + "\(method.rawValue),\(s(p.mean)),\(s(p.p10)),\(s(p.p50)),\(s(p.p90))"
    }
}

/// Replays an event log as if live: learns from the first days and calibrates the ranges on them, then predicts every
/// later ticket at its issue and every five minutes while it waits, each time from the events before that moment
/// only.
public struct Replay: Sendable {
    public var trainDays: Int
    public var methods: [Method]
    public var runs: Int
    public var seed: UInt64
    /// The prediction clock: every `tick` seconds on the office's local clock (09:00, 09:05, …).
    public var tick: Double = 300
    /// How many of the `folds` runs of training days calibrate the ranges, the latest first: all of them by
    /// default; fewer costs less (the live server, which learns every office at start, takes one).
    public var calibrationFolds = Self.folds

    public init(trainDays: Int, methods: [Method] = Method.allCases, runs: Int = 200, seed: UInt64 = 0x5EED) {
        self.trainDays = trainDays
        self.methods = methods
        self.runs = runs
        self.seed = seed
    }

    /// What a replay learned and how it split the days.
    public struct Outcome: Sendable {
        public var fitDays: [Int]
        public var calibrationDays: [Int]
        public var testDays: [Int]
        public var calibration: Calibration
        public var learned: [OfficeID: Learned]
        public var rows: Int
    }

    public enum Problem: Error, CustomStringConvertible {
        case tooFewDays(found: Int, train: Int)
        public var description: String {
            switch self {
            case .tooFewDays(let found, let train):
                "the log holds \(found) business days; --train-days \(train) leaves none to predict"
            }
        }
    }

    /// One office's events of one business day, in log order.
    struct OfficeDay {
        var office: OfficeID
        var day: Int
        var events: [Event]
    }

    static func split(_ events: [Event]) -> [OfficeDay] {
        var index: [String: Int] = [:]
        var result: [OfficeDay] = []
        for e in events {
            let day = CivilTime.localSeconds(e.at, offsetSeconds: e.utcOffsetSeconds).day
            let key = "\(e.office.rawValue)#\(day)"
            if let i = index[key] {
                result[i].events.append(e)
            } else if e.type == .ticketExpired, let previous = index["\(e.office.rawValue)#\(day - 1)"] {
                // Closed after midnight: it belongs to the day it closes.
                result[previous].events.append(e)
            } else {
                index[key] = result.count
                result.append(OfficeDay(office: e.office, day: day, events: [e]))
            }
        }
        return result
    }

    /// What earlier days teach: `Learned` per office from all of them, and the range calibration from predictions
    /// of each run of days by what the other days teach (cross-conformal; `calibrationFolds`).
    public struct Knowledge: Sendable {
        public var learned: [OfficeID: Learned]
        public var calibration: Calibration
        public var fitDays: [Int]
        public var calibrationDays: [Int]
    }

    /// Learns and calibrates from whole business days of a log.
    public func learn(from events: [Event]) -> Knowledge { learn(Self.split(events)) }

    func learn(_ officeDays: [OfficeDay]) -> Knowledge {
        let days = Array(Set(officeDays.map(\.day))).sorted()
        // Cross-conformal: the days in `folds` runs of consecutive days; each run is predicted with what the other
        // days teach, so that no day is predicted by what it taught.
        let folds = days.count >= 2 ? min(Self.folds, days.count) : 0
        var scores: [Method: [Double]] = [:]
        var calibrationDays: [Int] = []
        for k in stride(from: folds - 1, through: max(0, folds - calibrationFolds), by: -1) {
            let held = Set(days.indices.filter { $0 * folds / days.count == k }.map { days[$0] })
            calibrationDays += held
            let heldOut = officeDays.filter { held.contains($0.day) }
            let actual = Truth(events: heldOut.flatMap(\.events))
            let teaching = Self.learned(from: officeDays.filter { !held.contains($0.day) })
            for row in predictAll(heldOut, learned: teaching, calibration: Calibration()).joined() {
                // The population `score` measures: tickets that had to wait.
                guard actual.hadToWait(row.ticket), let y = actual.remainingWait(row.ticket, from: row.at) else { continue }
                scores[row.method, default: []].append(Calibration.score(row.prediction, actual: y))
            }
        }
        return Knowledge(
            learned: Self.learned(from: officeDays), calibration: Calibration.fit(scores: scores), fitDays: days,
            calibrationDays: calibrationDays.sorted())
    }

    /// Runs of days the calibration holds out in turn.
    static let folds = 4

    static func learned(from officeDays: [OfficeDay]) -> [OfficeID: Learned] {
        var learners: [OfficeID: Learner] = [:]
        for od in officeDays {
            var fold = OfficeFold(office: od.office)
            for e in od.events {
                for h in fold.apply(e) { learners[od.office, default: Learner()].add(h) }
            }
        }
        return learners.mapValues(\.learned)
    }

    /// Runs the replay; `emit` receives the test days' rows in day order.
    public func run(events: [Event], emit: (ReplayRow) -> Void) throws -> Outcome {
        let officeDays = Self.split(events)
        let days = Array(Set(officeDays.map(\.day))).sorted()
        guard days.count > trainDays, trainDays >= 1 else { throw Problem.tooFewDays(found: days.count, train: trainDays) }
        let training = Set(days.prefix(trainDays))
        let knowledge = learn(officeDays.filter { training.contains($0.day) })
        let testDays = Array(days.dropFirst(trainDays))
        let testSet = Set(testDays)
        var count = 0
        for dayRows in predictAll(
            officeDays.filter { testSet.contains($0.day) }, learned: knowledge.learned, calibration: knowledge.calibration)
        {
            for row in dayRows { emit(row) }
            count += dayRows.count
        }
        return Outcome(
            fitDays: knowledge.fitDays, calibrationDays: knowledge.calibrationDays, testDays: testDays,
            calibration: knowledge.calibration, learned: knowledge.learned, rows: count)
    }

    /// Predicts every office-day on all cores; rows per office-day, in the given order.
    func predictAll(_ officeDays: [OfficeDay], learned: [OfficeID: Learned], calibration: Calibration) -> [[ReplayRow]] {
        let results = Mutex([[ReplayRow]](repeating: [], count: officeDays.count))
        DispatchQueue.concurrentPerform(iterations: officeDays.count) { i in
            let od = officeDays[i]
            let estimators = Estimators(learned: learned[od.office] ?? .empty, runs: runs, seed: seed)
            let rows = predict(od, estimators: estimators, calibration: calibration)
            results.withLock { $0[i] = rows }
        }
        return results.withLock { $0 }
    }

    /// One office-day: every ticket at its issue, and every waiting ticket at each tick.
    func predict(_ od: OfficeDay, estimators: Estimators, calibration: Calibration) -> [ReplayRow] {
        var fold = OfficeFold(office: od.office)
        var rows: [ReplayRow] = []
        var nextTick: Double?
        func predictNow(at: Date, offset: Int, only ticket: TicketID?) {
            let o = fold.observation(at: at)
            let targets = ticket.map { id in o.waiting.indices.filter { o.waiting[$0].ticket == id } } ?? Array(o.waiting.indices)
            guard !targets.isEmpty else { return }
            for method in methods {
                let predictions = estimators.predict(method, o, tickets: targets)
                for (k, i) in targets.enumerated() {
                    rows.append(
                        ReplayRow(
                            ticket: o.waiting[i].ticket, office: od.office, service: o.procedures[o.waiting[i].procedure], at: at,
                            utcOffsetSeconds: offset, method: method, prediction: calibration.apply(predictions[k], method)))
                }
            }
        }
        for e in od.events {
            let (day, seconds) = CivilTime.localSeconds(e.at, offsetSeconds: e.utcOffsetSeconds)
            if nextTick == nil { nextTick = ((seconds / tick).rounded(.down) + 1) * tick }
            // Ticks before this event: the state as it stood, without it.
            while let t = nextTick, t <= seconds {
                if fold.waitingCount > 0 {
                    let at = Date(timeIntervalSince1970: Double(day) * 86_400 + t - Double(e.utcOffsetSeconds))
                    predictNow(at: at, offset: e.utcOffsetSeconds, only: nil)
                }
                nextTick = t + tick
            }
            fold.apply(e)
            if e.type == .ticketIssued, let id = e.ticket, fold.isWaiting(id) {
                predictNow(at: e.at, offset: e.utcOffsetSeconds, only: id)
            }
        }
        return rows
    }
}

/// What actually happened to each ticket, for scoring: when it was issued and every time it was called.
public struct Truth: Sendable {
    var issued: [TicketID: Date] = [:]
    var calls: [TicketID: [Date]] = [:]
    /// Tickets held until their holder checked in (arrival check-in): when they are called depends on when the
    /// holder arrives, not on the line, so no estimate of the line is scored on them.
    var heldForArrival: Set<TicketID> = []

    public init(events: [Event]) {
        for e in events {
            guard let id = e.ticket else { continue }
            switch e.type {
            case .ticketIssued:
                issued[id] = e.at
                if e.awaitsArrival { heldForArrival.insert(id) }
            case .ticketCalled: calls[id, default: []].append(e.at)
            default: break
            }
        }
    }

    /// Seconds from `at` to the ticket's next call; nil when it was never called after `at`.
    public func remainingWait(_ id: TicketID, from at: Date) -> Double? {
        guard let next = calls[id]?.first(where: { $0 >= at }) else { return nil }
        return next.timeIntervalSince(at)
    }

    /// Did the ticket have to wait for the line: was its first call a minute or more after its issue, with its holder
    /// not held until they arrived?
    public func hadToWait(_ id: TicketID) -> Bool {
        guard !heldForArrival.contains(id), let issuedAt = issued[id], let first = calls[id]?.first else { return false }
        return first.timeIntervalSince(issuedAt) >= 60
    }
}
