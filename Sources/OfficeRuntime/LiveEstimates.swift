import Forecast
import Foundation
import Logging
import QueueCore
import Synchronization

/// Live wait estimates: for each office, the day's events folded by the same `OfficeFold` that `madoguchi replay`
/// uses, and the twin run forward over every waiting ticket after each change, once per change however many
/// watch. What replay measures is what citizens see.
///
/// - The work is bounded: one forward simulation per office per refresh, with fewer runs when many wait (at most
///   `runBudget` ticket-runs, at least `minimumRuns` runs), and it runs in the hub's loop, off the request path.
/// - Knowledge of earlier days (`learn`) is built in the background at start and every six hours after; until
///   then, estimates use `Learned.empty` (10-minute services) without calibration.
/// - A remote ticket that carries `travelMinutes` turns "come now" when P(called within travel + buffer) exceeds
///   the risk; once due it stays due. The hub records the flip as a `ticket.come_now` event (which queues its
///   alerts); folding that event sets the flip time, so it survives a restart and agrees across nodes.
public final class LiveEstimates: Sendable {
    public struct Entry: Sendable, Equatable {
        public var prediction: Prediction
        /// When the ticket became "come now"; nil when it is not (or has no travel time).
        public var comeNowSince: Date?

        public var waitEstimate: WaitEstimate { LiveEstimates.minutes(prediction) }
    }

    struct OfficeState {
        var fold: OfficeFold
        var date: LocalDate
        var lastSeq: Int64 = 0
        var entries: [TicketID: Entry] = [:]
        var comeNow: [TicketID: Date] = [:]
        /// Per procedure: a ticket taken now, and the last ticket in line.
        var newTicket: [ServiceID: Prediction] = [:]
        var lastInLine: [ServiceID: Prediction] = [:]
        var guardState = WaitGuard()
    }

    /// What a refresh found: remote tickets that just became "come now", and the guard when it has just crossed the
    /// 60-minute line (for the caller to record `alert.raised`).
    struct Refreshed {
        var due: [TicketID] = []
        var raised: WaitGuard?
    }

    public let comeNow: ComeNow
    public let risk: Double
    let runBudget: Int
    let minimumRuns: Int
    let maximumRuns: Int
    let historyDays = 60
    private let offices = Mutex([OfficeID: OfficeState]())
    private let knowledge = Mutex([OfficeID: (learned: Learned, calibration: Calibration)]())

    /// `runs` bounds the twin's runs per refresh and `runBudget` the ticket-runs (runs × waiting tickets).
    public init(risk: Double = 0.1, bufferMinutes: Int = 5, runs: ClosedRange<Int> = 50...200, runBudget: Int = 20_000) {
        self.risk = risk
        minimumRuns = runs.lowerBound
        maximumRuns = runs.upperBound
        self.runBudget = runBudget
        comeNow = ComeNow(bufferSeconds: Double(bufferMinutes) * 60)
    }

    /// The latest estimate of a waiting ticket, when one was made.
    public func entry(_ ticket: TicketID, office: OfficeID) -> Entry? {
        offices.withLock { $0[office]?.entries[ticket] }
    }

    /// The office's public snapshot with the live estimates in place of the formula: per line, a ticket taken now
    /// and the last one in line.
    public func overlay(_ snapshot: OfficeSnapshot) -> OfficeSnapshot {
        guard let state = offices.withLock({ $0[snapshot.office] }) else { return snapshot }
        var result = snapshot
        for i in result.lines.indices {
            let service = result.lines[i].service
            if let p = state.newTicket[service] {
                result.lines[i].estimate = Self.minutes(p)
                result.lines[i].estimateMethod = "twin"
            }
            result.lines[i].lastInLine = state.lastInLine[service].map(Self.minutes)
        }
        return result
    }

    /// In whole minutes, as pages and the API show it: the mean, and the range rounded outwards.
    static func minutes(_ p: Prediction) -> WaitEstimate {
        WaitEstimate(minutes: Int((p.mean / 60).rounded()), low: Int((p.p10 / 60).rounded(.down)), high: Int((p.p90 / 60).rounded(.up)))
    }

    /// The office's 60-minute guard as of the last refresh.
    public func guardState(office: OfficeID) -> WaitGuard? { offices.withLock { $0[office]?.guardState } }

    /// Folds the office's new events and recomputes every waiting ticket's estimate. Returns the remote tickets
    /// that became "come now" with this refresh, for the caller to record (`QueueStore.markComeNow`), and the guard
    /// when it has just crossed the line.
    @discardableResult
    func refresh(_ office: Office, store: any OfficeLog, now: Date = Date()) async throws -> Refreshed {
        let zone = office.zone
        let today = LocalDate(now, in: zone)
        var state = offices.withLock { $0[office.id] }
        if state?.date != today {
            var fold = OfficeFold(office: office.id)
            let states = Dictionary(
                try await store.counterStates(office: office.id).map { ($0.id, $0.open) }, uniquingKeysWith: { a, _ in a })
            let midnight = today.interval(in: zone).start
            fold.start(
                day: CivilTime.localSeconds(midnight, offsetSeconds: zone.secondsFromGMT(for: midnight)).day,
                offset: zone.secondsFromGMT(for: now),
                counters: office.counters.map { ($0.id, $0.services, states[$0.id] ?? false) })
            state = OfficeState(fold: fold, date: today)
        }
        guard var state else { return Refreshed() }
        while true {
            let events = try await store.events(office: office.id, date: today, afterSeq: state.lastSeq, limit: 1000)
            for event in events {
                state.fold.apply(event)
                // The recorded flip time wins over the one this process decided (another node, or before a restart).
                if event.type == .ticketComeNow, let ticket = event.ticket { state.comeNow[ticket] = event.at }
            }
            state.lastSeq = events.last?.seq ?? state.lastSeq
            if events.count < 1000 { break }
        }
        var observation = state.fold.observation(at: now)
        let real = observation.waiting.count
        // One ticket taken now at the end of each open procedure's line, in the same run: it delays no real
        // ticket (every real one joined before it), and it answers "how long if I take a ticket now?".
        let open = office.procedures.filter(\.open).map(\.id)
        for (k, service) in open.enumerated() {
            guard let p = observation.procedures.firstIndex(of: service) else { continue }
            observation.waiting.append(
                Waiter(
                    ticket: TicketID("new:\(service.rawValue)"), procedure: p, priority: 0, queuedAt: observation.now, sequence: Int.max - k
                ))
        }
        let known = knowledge.withLock { $0[office.id] }
        let runs = max(minimumRuns, min(maximumRuns, runBudget / max(1, observation.waiting.count)))
        var estimators = Estimators(learned: known?.learned ?? .empty, policy: office.policy, runs: runs)
        estimators.risk = risk
        let calibrated = (observation.waiting.isEmpty ? [] : estimators.predict(.twin, observation)).map {
            ($0, known?.calibration.apply($0, .twin) ?? $0)
        }
        state.newTicket = [:]
        state.lastInLine = [:]
        for (w, (_, prediction)) in zip(observation.waiting.dropFirst(real), calibrated.dropFirst(real)) {
            state.newTicket[observation.procedures[w.procedure]] = prediction
        }
        for (w, (_, prediction)) in zip(observation.waiting.prefix(real), calibrated.prefix(real)) {
            let service = observation.procedures[w.procedure]
            if state.lastInLine[service].map({ $0.mean < prediction.mean }) ?? true { state.lastInLine[service] = prediction }
        }
        var entries: [TicketID: Entry] = [:]
        var due: [TicketID] = []
        for (w, (raw, prediction)) in zip(observation.waiting.prefix(real), calibrated.prefix(real)) {
            if let travel = w.travelSeconds, state.comeNow[w.ticket] == nil, comeNow.isDue(raw, travelSeconds: travel) {
                state.comeNow[w.ticket] = now
                due.append(w.ticket)
            }
            entries[w.ticket] = Entry(prediction: prediction, comeNowSince: state.comeNow[w.ticket])
        }
        state.entries = entries
        // The guard: the largest p90 of any real ticket against the line.
        var guardState = state.guardState
        let projection = WaitGuard.projection(calibrated.prefix(real).map(\.1))
        let worst = projection.ticket.map { observation.waiting[$0] }
        guardState.projectedMax = projection.seconds
        guardState.worst = worst.map { observation.procedures[$0.procedure] }
        var raised: WaitGuard?
        if guardState.isOver, let worst {
            // Options cost a few twin runs: again when the projection moved by more than 5 minutes since they were
            // worked out (their "before" must be the figure shown), else at most once a minute.
            let stale = guardState.recommendations.first.map { abs($0.before - guardState.projectedMax) > 300 } ?? true
            if stale || guardState.recommendedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
                var what = observation
                what.waiting = Array(observation.waiting.prefix(real))
                guardState.recommendations = WaitGuard.recommendations(
                    what, worst: worst.procedure, estimators: estimators, calibration: known?.calibration,
                    before: guardState.projectedMax)
                guardState.recommendedAt = now
            }
            if !guardState.raised {
                guardState.raised = true
                raised = guardState
            }
        } else {
            guardState.recommendations = []
            guardState.recommendedAt = nil
            if guardState.projectedMax < WaitGuard.rearmSeconds { guardState.raised = false }
        }
        state.guardState = guardState
        offices.withLock { $0[office.id] = state }
        return Refreshed(due: due, raised: raised)
    }

    /// Forgets a flip that could not be recorded, so that the next refresh decides it again.
    func unmarkComeNow(_ ticket: TicketID, office: OfficeID) {
        offices.withLock { offices in
            offices[office]?.comeNow[ticket] = nil
            offices[office]?.entries[ticket]?.comeNowSince = nil
        }
    }

    /// Learns from the office's last `historyDays` days before today, and calibrates the ranges on the last quarter
    /// of them as predicted by what the other days teach. Slow for a big office: run it off the request path.
    /// Each day read is also shown to `read` (the hub keeps it for reports).
    func learn(
        _ office: Office, store: any OfficeLog, now: Date = Date(), logger: Logger,
        read: (LocalDate, [Event]) -> Void = { _, _ in }
    ) async {
        let today = LocalDate(now, in: office.zone)
        var events: [Event] = []
        do {
            for back in stride(from: historyDays, through: 1, by: -1) {
                let day = try await store.events(office: office.id, date: today.adding(days: -back))
                read(today.adding(days: -back), day)
                events += day
            }
        } catch {
            logger.warning("wait estimates: could not read the history of \(office.id): \(error)")
            return
        }
        guard events.contains(where: { $0.type == .ticketCalled }) else { return }
        var replay = Replay(trainDays: 0, methods: [.twin], runs: 100)
        replay.calibrationFolds = 1
        let learned = replay.learn(from: events)
        guard let mine = learned.learned[office.id] else { return }
        knowledge.withLock { $0[office.id] = (mine, learned.calibration) }
        logger.info(
            "wait estimates for \(office.id): learned from \(learned.fitDays.count) days, ranges calibrated on \(learned.calibrationDays.count)"
        )
    }
}
