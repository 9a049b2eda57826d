import Forecast
import Foundation
import Logging
import Notify
import QueueCore
import ServiceLifecycle
import Synchronization

/// Live views for watchers. The store tells the hub what it committed (`Commits`); the hub marks those offices dirty
/// and a single loop recomputes each dirty office once, however many watch it: one office snapshot, and one view per
/// watched ticket. A burst of changes coalesces into one recomputation.
///
/// Each watcher has a bounded buffer that keeps only the newest frames, so a slow phone gets the latest state
/// instead of growing the server's memory; an office's watchers keep one frame, the newest snapshot. Watchers
/// are kept by topic, so a frame costs only its own topic's watchers. The last snapshot sent to an office's
/// watchers opens the streams of those who join until the office next changes: thousands joining at once (a
/// board's reconnect, a crowd) cost one snapshot.
public final class OfficeHub: Service, CommitListener {
    public enum Topic: Hashable, Sendable {
        case office(OfficeID)
        case ticket(TicketID, office: OfficeID)
        /// The supervisor dashboard: one stream for several offices (a browser holds six connections to a site, so
        /// one stream per office would starve the page); each frame names the office that changed.
        case offices(Set<OfficeID>)
    }

    struct State {
        var watchers: [Topic: [UUID: AsyncStream<LiveFrame>.Continuation]] = [:]
        var topics: [UUID: Topic] = [:]
        var dirty: Set<OfficeID> = []
        /// Per office, the snapshot frame last sent, while nothing changed since (`officeFrame`), and a count of
        /// changes, so that a frame made before a change is never kept after it.
        var officeFrames: [OfficeID: LiveFrame] = [:]
        var changes: [OfficeID: UInt64] = [:]
        /// Each ticket's events since the last refresh, one frame each, so that a quick call-then-start still
        /// shows the phone its `ticket.called`.
        var ticketEvents: [TicketID: [Event]] = [:]
        /// Per office, when its next paced refresh may start (`refreshDirtyOffices(paced:)`).
        var notBefore: [OfficeID: ContinuousClock.Instant] = [:]
        var lastRefresh: [OfficeID: ContinuousClock.Instant] = [:]
        /// With a shared store (`ChangeFeed`): per office, the `seq` up to which the log has been read here, and
        /// the events above it already shown because this node committed them, so that each is shown once.
        var following = false
        var readUpTo: [OfficeID: Int64] = [:]
        var shownAbove: [OfficeID: Set<Int64>] = [:]
        /// Offices another node changed, to read; `all` after the feed (re)connected.
        var toRead: Set<OfficeID> = []
        var readAll = false

        /// The office changed: a snapshot made before now is not to open anyone's stream.
        mutating func forgetFrame(of office: OfficeID) {
            officeFrames[office] = nil
            changes[office, default: 0] &+= 1
        }

        /// Keeps `frame` to open new streams, if the office has not changed since `seen` changes, when it was made.
        mutating func keep(_ frame: LiveFrame, of office: OfficeID, madeAfter seen: UInt64) {
            if changes[office, default: 0] == seen { officeFrames[office] = frame }
        }
    }

    static let bufferedFrames = 8
    public let store: any QueueStore
    public let estimates: LiveEstimates
    /// Visits of earlier days for reports, warmed by the learning pass (one read of the history serves both).
    public let reports: ReportSource
    /// Woken when a committed change queued alerts.
    public let notifier: Notifier?
    /// A watched ticket's frame data: the ticket as its holder's API shows it, with its live estimate.
    public typealias TicketRendering = @Sendable (TicketView, LiveEstimates.Entry?) -> String
    let renderTicket: TicketRendering
    let decisions: LiveDecisions
    let heartbeatSeconds: Double
    let pacing: Pacing
    let logger: Logger
    private let state = Mutex(State())
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    private let readWake: AsyncStream<Void>.Continuation
    private let readWakes: AsyncStream<Void>

    public init(
        store: any QueueStore, estimates: LiveEstimates = LiveEstimates(), notifier: Notifier? = nil,
        heartbeatSeconds: Double = 15, pacing: Pacing = Pacing(), logger: Logger = Logger(label: "madoguchi.hub"),
        renderTicket: @escaping TicketRendering
    ) {
        self.store = store
        self.estimates = estimates
        self.renderTicket = renderTicket
        self.decisions = LiveDecisions(store: store, estimates: estimates, logger: logger)
        self.reports = ReportSource(store: store)
        self.notifier = notifier
        self.heartbeatSeconds = heartbeatSeconds
        self.pacing = pacing
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (readWakes, readWake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        store.commits.listen(self)
    }

    /// Events the store has committed on this node (`Commits`): no route tells the hub by hand.
    public func committed(_ events: [Event]) { show(events, readFromLog: false) }

    /// Marks the events' offices for recomputation. With a shared store, events come both from this node's commands
    /// and from reading the log after another node's NOTIFY (or this node's own): each is shown once, whichever
    /// way arrives first. Events read from the log are one office's, in `seq` order.
    private func show(_ events: [Event], readFromLog: Bool) {
        guard !events.isEmpty else { return }
        let fresh = state.withLock { state -> [Event] in
            var fresh: [Event] = []
            for event in events {
                if state.following {
                    let office = event.office
                    if event.seq <= state.readUpTo[office] ?? 0 { continue }
                    if readFromLog {
                        state.readUpTo[office] = event.seq
                        if state.shownAbove[office]?.remove(event.seq) != nil { continue }
                    } else if state.shownAbove[office, default: []].insert(event.seq).inserted == false {
                        continue
                    }
                }
                fresh.append(event)
                state.dirty.insert(event.office)
                state.forgetFrame(of: event.office)
                if let ticket = event.ticket { state.ticketEvents[ticket, default: []].append(event) }
            }
            if readFromLog, let office = events.first?.office, let upTo = state.readUpTo[office] {
                state.shownAbove[office] = state.shownAbove[office]?.filter { $0 > upTo }
            }
            return fresh
        }
        guard !fresh.isEmpty else { return }
        wake.yield()
        if fresh.contains(where: { AlertKind(causedBy: $0) != nil }) { notifier?.wake() }
    }

    /// Another node (or this one) changed `office`; nil: any office may have changed (the feed reconnected).
    func changedElsewhere(_ office: OfficeID?) {
        state.withLock { state in
            if let office { state.toRead.insert(office) } else { state.readAll = true }
        }
        readWake.yield()
    }

    /// Reads what the shared log holds beyond what this node has seen, for the offices the feed named.
    func readChanges() async {
        let (offices, all) = state.withLock { state in
            defer {
                state.toRead.removeAll()
                state.readAll = false
            }
            return (state.toRead, state.readAll)
        }
        var names = offices
        if all {
            do {
                names.formUnion(try await store.offices().map(\.id))
            } catch {
                // Read everything again when the feed next reconnects (it does when the store is back).
                state.withLock { $0.readAll = true }
                return
            }
        }
        for office in names {
            do {
                guard var after = state.withLock({ $0.readUpTo[office] }) else {
                    // An office this node has not followed yet: from now on.
                    let last = try await store.lastEventSeq(office: office)
                    state.withLock { state in if state.readUpTo[office] == nil { state.readUpTo[office] = last } }
                    continue
                }
                while true {
                    let page = try await store.events(office: office, date: nil, afterSeq: after, limit: 1000)
                    show(page, readFromLog: true)
                    guard page.count == 1000, let last = page.last else { break }
                    after = last.seq
                }
            } catch {
                _ = state.withLock { $0.toRead.insert(office) }
                logger.warning("could not read the changes of office \(office): \(error)")
            }
        }
    }

    public func subscribe(_ topic: Topic) -> (UUID, AsyncStream<LiveFrame>) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: LiveFrame.self, bufferingPolicy: .bufferingNewest(Self.keepsOne(topic) ? 1 : Self.bufferedFrames))
        let id = UUID()
        state.withLock { state in
            state.watchers[topic, default: [:]][id] = continuation
            state.topics[id] = topic
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return (id, stream)
    }

    public func unsubscribe(_ id: UUID) {
        let continuation = state.withLock { state -> AsyncStream<LiveFrame>.Continuation? in
            guard let topic = state.topics.removeValue(forKey: id) else { return nil }
            defer { if state.watchers[topic]?.isEmpty == true { state.watchers[topic] = nil } }
            return state.watchers[topic]?.removeValue(forKey: id)
        }
        continuation?.finish()
    }

    /// How many watch `topic` here (a node's office streams share one: `OfficeStreams` in the web module).
    public func watchers(of topic: Topic) -> Int { state.withLock { $0.watchers[topic]?.count ?? 0 } }

    /// The office's snapshot frame: the one last sent to its watchers if nothing changed since, else made now
    /// (and kept, unless the office changed meanwhile).
    public func officeFrame(_ office: OfficeID) async throws -> LiveFrame? {
        let (kept, changes) = state.withLock { ($0.officeFrames[office], $0.changes[office, default: 0]) }
        if let kept { return kept }
        guard let snapshot = try await snapshot(office: office) else { return nil }
        let frame = Self.frame(snapshot)
        state.withLock { $0.keep(frame, of: office, madeAfter: changes) }
        return frame
    }

    static func frame(_ snapshot: OfficeSnapshot) -> LiveFrame {
        LiveFrame(id: snapshot.seq, event: "snapshot", data: json(snapshot))
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                // An office deferred by the pacing is refreshed when its time comes, or at the next change if earlier.
                var timer: Task<Void, Never>?
                for await _ in self.wakes.cancelOnGracefulShutdown() {
                    timer?.cancel()
                    guard let due = await self.refreshDirtyOffices(paced: true) else { continue }
                    timer = Task { [wake = self.wake] in
                        do { try await Task.sleep(until: due, clock: .continuous) } catch { return }
                        wake.yield()
                    }
                }
                timer?.cancel()
            }
            if let feed = self.store as? any ChangeFeed {
                // Several nodes on one store: what any of them commits is read here and shown to this node's watchers.
                await self.startFollowing()
                group.addTask {
                    await feed.followChanges { office in self.changedElsewhere(office) }
                }
                group.addTask {
                    for await _ in self.readWakes.cancelOnGracefulShutdown() { await self.readChanges() }
                }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    do { try await Task.sleep(for: .seconds(self.heartbeatSeconds)) } catch { break }
                    self.broadcast(.heartbeat) { _ in true }
                }
            }
            group.addTask {
                // What earlier days teach the wait estimates: at start, then every six hours (a new day's history).
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    for office in (try? await self.store.offices()) ?? [] {
                        await self.estimates.learn(office, store: self.store, now: self.store.clock.now(), logger: self.logger) {
                            self.reports.keep(office: office.id, date: $0, events: $1)
                        }
                        // Its estimates may have moved: the next watcher to join gets a new snapshot.
                        self.state.withLock { $0.forgetFrame(of: office.id) }
                    }
                    do { try await Task.sleep(for: .seconds(6 * 3600)) } catch { break }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        let all = state.withLock { state in
            defer {
                state.watchers.removeAll()
                state.topics.removeAll()
            }
            return state.watchers.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
    }

    /// Where each office's log stands as this node starts following it: what came before is not news.
    private func startFollowing() async {
        var marks: [OfficeID: Int64] = [:]
        for office in (try? await store.offices()) ?? [] {
            if let last = try? await store.lastEventSeq(office: office.id) { marks[office.id] = last }
        }
        state.withLock { state in
            state.following = true
            state.readUpTo.merge(marks) { old, _ in old }
        }
    }

    /// Recomputes the dirty offices and sends their frames. `paced` (`Pacing`): an office refreshed moments ago
    /// waits a multiple of what that refresh took, and the changes meanwhile are shown together; a change to an
    /// office that has been quiet that long is shown at once. Returns when the first office put off is due.
    @discardableResult
    func refreshDirtyOffices(paced: Bool = false) async -> ContinuousClock.Instant? {
        let clock = ContinuousClock()
        let start = clock.now
        let (offices, ticketEvents, watched, changes, later) = state.withLock { state in
            let due = paced ? state.dirty.filter { state.notBefore[$0].map { $0 <= start } ?? true } : state.dirty
            state.dirty.subtract(due)
            var ticketEvents: [TicketID: [Event]] = [:]
            for (ticket, events) in state.ticketEvents where due.contains(events[0].office) {
                ticketEvents[ticket] = events
                state.ticketEvents[ticket] = nil
            }
            let later = state.dirty.compactMap { state.notBefore[$0] }.min()
            return (due, ticketEvents, Set(state.watchers.keys), state.changes, later)
        }
        guard !offices.isEmpty else { return later }
        let configured = Dictionary(((try? await store.offices()) ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for office in offices {
            let began = clock.now
            defer {
                let end = clock.now
                state.withLock { state in
                    state.lastRefresh[office] = end
                    let busy = state.lastRefresh.values.count { end - $0 < .seconds(1) }
                    state.notBefore[office] = end + pacing.pause(after: end - began, busyOffices: busy)
                }
            }
            do {
                // Every waiting ticket's estimate, once per change, before anyone is shown the new state; what the
                // refresh decided (come now, the 60-minute guard) is recorded in the store.
                if let config = configured[office] {
                    await decisions.record(try await estimates.refresh(config, store: store, now: store.clock.now()), office: office)
                }
                if watched.contains(where: { if case .offices(let set) = $0 { set.contains(office) } else { false } }) {
                    let frame = LiveFrame(id: nil, event: "changed", data: Self.json(["office": office.rawValue]))
                    broadcast(frame) { if case .offices(let set) = $0 { set.contains(office) } else { false } }
                }
                if watched.contains(.office(office)), let snapshot = try await snapshot(office: office) {
                    let frame = Self.frame(snapshot)
                    let targets = state.withLock { state in
                        // Those who join from now on open with this frame, unless the office changed meanwhile.
                        state.keep(frame, of: office, madeAfter: changes[office, default: 0])
                        return state.watchers[.office(office)].map { Array($0.values) } ?? []
                    }
                    for continuation in targets { continuation.yield(frame) }
                }
                for case .ticket(let ticket, let of) in watched where of == office {
                    guard let view = try await store.ticketView(ticket) else { continue }
                    let data = renderTicket(view, liveEntry(view))
                    let causes = ticketEvents[ticket] ?? []
                    let frames =
                        causes.isEmpty
                        ? [LiveFrame(id: nil, event: "update", data: data)]
                        : causes.map { LiveFrame(id: $0.seq, event: $0.type.rawValue, data: data) }
                    for frame in frames { broadcast(frame) { $0 == .ticket(ticket, office: office) } }
                }
            } catch {
                logger.warning("could not refresh office \(office): \(error)")
            }
        }
        return later
    }

    /// The office's public snapshot with the live estimates (`LiveEstimates.overlay`).
    public func snapshot(office: OfficeID) async throws -> OfficeSnapshot? {
        try await store.snapshot(office: office).map(estimates.overlay)
    }

    /// The live estimate of a waiting ticket, when the hub has made one.
    public func liveEntry(_ view: TicketView) -> LiveEstimates.Entry? {
        view.ticket.status == .waiting ? estimates.entry(view.ticket.id, office: view.ticket.office) : nil
    }

    func broadcast(_ frame: LiveFrame, to matches: (Topic) -> Bool) {
        let targets = state.withLock { state in
            state.watchers.filter { matches($0.key) }.map { (keepsOne: Self.keepsOne($0.key), $0.value.values) }
        }
        let ping = frame == .heartbeat
        for (keepsOne, continuations) in targets {
            for continuation in continuations {
                // A watcher keeping one frame must not lose its snapshot to a ping: the snapshot goes back in.
                if case .dropped(let older) = continuation.yield(frame), keepsOne, ping, older != .heartbeat { continuation.yield(older) }
            }
        }
    }

    /// An office's frames are whole snapshots: a watcher behind needs only the newest.
    static func keepsOne(_ topic: Topic) -> Bool {
        if case .office = topic { true } else { false }
    }

    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
