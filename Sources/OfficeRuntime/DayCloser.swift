import Foundation
import Logging
import QueueCore
import ServiceLifecycle

/// Closes each office's earlier business days and plans the new one: at start-up, then every `intervalSeconds`.
/// Tickets still open from an earlier day expire (`ticket.expired`) and their counters are freed; watchers hear of
/// it through the store's `Commits`. The day's `roster.planned` events are written once a day. The contacts and
/// outbox alerts of earlier days are deleted, and console sessions past their working day removed, on the same round.
public final class DayCloser: Service {
    let store: any QueueStore
    let intervalSeconds: Double
    /// How long a console session lasts; older ones are removed on each round.
    let sessionLifetimeSeconds: Double
    let logger: Logger

    public init(store: any QueueStore, sessionLifetimeSeconds: Double, intervalSeconds: Double = 60, logger: Logger) {
        self.sessionLifetimeSeconds = sessionLifetimeSeconds
        self.store = store
        self.intervalSeconds = intervalSeconds
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await closeAll()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.intervalSeconds)) }
            } catch {
                return  // cancelled or shutting down: nothing is left half done
            }
        }
    }

    func closeAll() async {
        do {
            for office in try await store.offices() {
                let result = try await store.closeEarlierDays(office: office.id)
                if result.value > 0 {
                    logger.info("closed earlier days at \(office.id): \(result.value) open tickets expired")
                }
                _ = try await store.planDay(office: office.id)
                // Contacts live as long as their ticket's day (SECURITY-NOTES: privacy by default).
                let purged = try await store.purgeContacts(office: office.id)
                if purged > 0 { logger.info("purged \(purged) contacts of earlier days at \(office.id)") }
            }
            let removed = try await store.removeSessions(olderThan: sessionLifetimeSeconds)
            if removed > 0 { logger.info("removed \(removed) expired console sessions") }
        } catch {
            logger.warning("could not close earlier days: \(error)")
        }
    }
}
