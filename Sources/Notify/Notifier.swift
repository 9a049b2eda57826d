import Foundation
import Logging
import QueueCore
import ServiceLifecycle
import Synchronization

/// What a citizen is told, in their language: generic words, the office, the number and the counter's label; never a
/// name, never the procedure. `url` is the ticket page, for channels that open it on the same device (Web Push).
public struct AlertMessage: Sendable, Equatable {
    public var title: String
    public var body: String
    public var url: String?

    public init(title: String, body: String, url: String? = nil) {
        self.title = title
        self.body = body
        self.url = url
    }

    /// Title and body in one line, for channels with a single text (LINE, SMS).
    public var text: String { "\(title)\n\(body)" }
}

/// Why a send did not go through: `transient` is worth another attempt later (a timeout, a 5xx, a 429), `permanent`
/// is not (an expired subscription, a refused address, a bad configuration).
public enum DeliveryError: Error, Sendable, Equatable {
    case transient(String)
    case permanent(String)
}

/// One channel's sender. `key` is the alert's stable `deliveryKey`, for the provider's own de-duplication, so that
/// a retry after a crash between sending and recording is not delivered twice where the provider supports it.
public protocol AlertTransport: Sendable {
    var channel: AlertChannel { get }
    func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError)
}

/// When to try again: exponential backoff with full jitter (a uniform delay up to `base · 2^(attempt-1)`, at most
/// `cap`), and no more than `maxAttempts` attempts in all.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseSeconds: Double
    public var capSeconds: Double
    /// How long one attempt may take before it counts as a transient failure.
    public var timeoutSeconds: Double

    public init(maxAttempts: Int = 6, baseSeconds: Double = 2, capSeconds: Double = 300, timeoutSeconds: Double = 10) {
        self.maxAttempts = maxAttempts
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
        self.timeoutSeconds = timeoutSeconds
    }

    /// The delay before attempt `attempts + 1`, given a uniform draw `u` in [0, 1).
    public func delay(afterAttempts attempts: Int, u: Double) -> Double {
        let ceiling = min(capSeconds, baseSeconds * pow(2, Double(max(0, attempts - 1))))
        return max(0.05, u * ceiling)
    }
}

/// Counts of what the notifier did, per channel, for `/metrics` and the logs.
public struct NotifierCounts: Sendable, Equatable {
    public var sent: [AlertChannel: Int] = [:]
    public var retried: [AlertChannel: Int] = [:]
    public var failed: [AlertChannel: Int] = [:]
    /// Seconds from the alert's creation to its delivery, summed, for the mean.
    public var sentLatencySeconds: [AlertChannel: Double] = [:]

    public init() {}
}

/// Sends the outbox after commit. It is woken when a change may have queued alerts, and polls every
/// `pollSeconds` for retries that came due and for alerts another process queued.
///
/// - Each due alert is sent once through its channel's transport, at most `concurrency` at a time, each bounded by
///   the retry policy's timeout: a slow channel delays its own alerts, never the queue's endpoints, which only
///   write the outbox row.
/// - Due alerts are claimed (their next attempt moved past the longest an attempt takes), so two senders (two
///   processes, two nodes) do not take the same one; a sender that dies leaves them due again after the lease.
/// - An alert is marked sent only after the transport succeeded; a crash in between sends it again on restart,
///   with the same delivery key, which LINE, the gateway and mail recipients use to drop the repeat.
/// - A channel without a transport (switched off) or a ticket without a contact on that channel fails the alert
///   at once: nothing is left to retry for ever.
public final class Notifier: Service {
    let store: any AlertOutbox
    let transports: [AlertChannel: any AlertTransport]
    let compose: @Sendable (OutboxAlert) async -> AlertMessage
    let policy: RetryPolicy
    let pollSeconds: Double
    let concurrency: Int
    let logger: Logger
    /// The HTTP client the transports share, shut down when the notifier stops.
    let http: AlertHTTP?
    private let counts = Mutex(NotifierCounts())
    private let wakes: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let random = Mutex(SystemRandomNumberGenerator())

    public init(
        store: any AlertOutbox, transports: [any AlertTransport], policy: RetryPolicy = RetryPolicy(), pollSeconds: Double = 1,
        concurrency: Int = 8, http: AlertHTTP? = nil, logger: Logger = Logger(label: "madoguchi.notify"),
        compose: @escaping @Sendable (OutboxAlert) async -> AlertMessage
    ) {
        self.store = store
        self.http = http
        self.transports = Dictionary(transports.map { ($0.channel, $0) }, uniquingKeysWith: { a, _ in a })
        self.policy = policy
        self.pollSeconds = pollSeconds
        self.concurrency = concurrency
        self.logger = logger
        self.compose = compose
        (wakes, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The channels that are switched on.
    public var channels: Set<AlertChannel> { Set(transports.keys) }

    public var snapshot: NotifierCounts { counts.withLock { $0 } }

    /// Something may have been queued: look at the outbox now rather than at the next poll.
    public func wake() { wakeContinuation.yield() }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            // One loop reads the wakes for the server's life; a ticker wakes it every poll interval. (Iterating the
            // stream anew after each wait was wrong: cancelling a waiting iteration finishes the stream, and every
            // later wait then returned at once, a busy loop that kept a core ~85% busy on an idle server.)
            group.addTask {
                await self.drain()
                for await _ in self.wakes.cancelOnGracefulShutdown() { await self.drain() }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    do { try await Task.sleep(for: .seconds(self.pollSeconds)) } catch { break }
                    self.wakeContinuation.yield()
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await http?.shutdown()
    }

    /// Sends every alert that is due now, in batches; returns how many attempts were made.
    @discardableResult
    public func drain() async -> Int {
        var attempts = 0
        while !Task.isCancelled {
            let due: [OutboxAlert]
            do {
                // Claimed a little longer than an attempt can take: another sender leaves them alone meanwhile, and
                // after a crash they come due again soon.
                due = try await store.claimAlerts(limit: concurrency * 4, leaseSeconds: policy.timeoutSeconds + 5)
            } catch {
                logger.warning("notify: could not read the outbox: \(error)")
                // The store is away (restarting, unreachable): look again in a second, not at every wake.
                try? await Task.sleep(for: .seconds(1))
                return attempts
            }
            if due.isEmpty { return attempts }
            let recorded = await withTaskGroup(of: Bool.self) { group in
                var running = 0
                var recorded = 0
                for alert in due {
                    if running == concurrency, let done = await group.next() {
                        running -= 1
                        recorded += done ? 1 : 0
                    }
                    group.addTask { await self.attempt(alert) }
                    running += 1
                }
                for await done in group { recorded += done ? 1 : 0 }
                return recorded
            }
            attempts += due.count
            // Nothing could be recorded (the database is away): stop here rather than send the same alerts again at
            // once; the next poll tries again.
            if recorded == 0 { return attempts }
        }
        return attempts
    }

    /// One attempt at one alert, and its outcome recorded; false when the outcome could not be recorded.
    func attempt(_ alert: OutboxAlert) async -> Bool {
        let made = alert.attempts + 1
        let outcome: AlertOutcome
        switch await deliver(alert) {
        case .success:
            outcome = .sent
        case .failure(.permanent(let reason)):
            outcome = .failed(error: reason)
        case .failure(.transient(let reason)):
            if made >= policy.maxAttempts {
                outcome = .failed(error: "gave up after \(made) attempts: \(reason)")
            } else {
                let u = random.withLock { Double.random(in: 0..<1, using: &$0) }
                outcome = .retry(at: store.clock.now().addingTimeInterval(policy.delay(afterAttempts: made, u: u)), error: reason)
            }
        }
        do {
            // false: another sender finished it first; nothing more to count.
            guard try await store.recordAlert(id: alert.id, attempts: made, outcome: outcome) else { return true }
        } catch {
            // Not recorded: the alert stays due and is tried again (with the same delivery key).
            logger.warning("notify: could not record alert \(alert.id): \(error)")
            return false
        }
        let now = store.clock.now()
        counts.withLock { counts in
            switch outcome {
            case .sent:
                counts.sent[alert.channel, default: 0] += 1
                counts.sentLatencySeconds[alert.channel, default: 0] += now.timeIntervalSince(alert.createdAt)
            case .retry: counts.retried[alert.channel, default: 0] += 1
            case .failed: counts.failed[alert.channel, default: 0] += 1
            }
        }
        switch outcome {
        case .sent:
            logger.debug("notify: \(alert.kind.rawValue) for \(alert.number) sent by \(alert.channel.rawValue)")
        case .retry(let at, let error):
            logger.warning(
                "notify: \(alert.kind.rawValue) for \(alert.number) by \(alert.channel.rawValue) failed (attempt \(made)): \(error); next try at \(at)"
            )
        case .failed(let error):
            logger.error("notify: \(alert.kind.rawValue) for \(alert.number) by \(alert.channel.rawValue) given up: \(error)")
        }
        return true
    }

    private func deliver(_ alert: OutboxAlert) async -> Result<Void, DeliveryError> {
        guard let transport = transports[alert.channel] else {
            return .failure(.permanent("the \(alert.channel.rawValue) channel is switched off"))
        }
        let address: String
        do {
            guard let contact = try await store.contacts(ticket: alert.ticket).first(where: { $0.channel == alert.channel }) else {
                return .failure(.permanent("no \(alert.channel.rawValue) contact left for the ticket"))
            }
            address = contact.address
        } catch {
            return .failure(.transient("could not read the contact: \(error)"))
        }
        let message = await compose(alert)
        let timeout = policy.timeoutSeconds
        return await withTaskGroup(of: Result<Void, DeliveryError>?.self) { group in
            group.addTask {
                do throws(DeliveryError) {
                    try await transport.send(message, to: address, key: alert.deliveryKey)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return Task.isCancelled ? nil : .failure(.transient("no answer within \(timeout) s"))
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let result = next { return result }
            }
            return .failure(.transient("cancelled"))
        }
    }
}
