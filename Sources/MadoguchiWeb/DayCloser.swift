import Foundation
import Logging
import QueueCore
import ServiceLifecycle

/// Closes each office's earlier business days and plans the new one: at start-up, then every `intervalSeconds`.
/// Tickets still open from an earlier day expire (`ticket.expired`) and their counters are freed; watchers hear of
/// it. The day's `roster.planned` events are written once a day. The contacts and outbox alerts of earlier days are
/// deleted, and console sessions past their working day removed, on the same round.
final class DayCloser: Service {
    let store: any QueueStore
    let hub: OfficeHub
    let intervalSeconds: Double
    let logger: Logger

    init(store: any QueueStore, hub: OfficeHub, intervalSeconds: Double = 60, logger: Logger) {
        self.store = store
        self.hub = hub
        self.intervalSeconds = intervalSeconds
        self.logger = logger
    }

    func run() async throws {
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
                    hub.published(result.events)
                }
                let planned = try await store.planDay(office: office.id)
                if planned.value > 0 { hub.published(planned.events) }
                // Contacts live as long as their ticket's day (SECURITY-NOTES: privacy by default).
                let purged = try await store.purgeContacts(office: office.id)
                if purged > 0 { logger.info("purged \(purged) contacts of earlier days at \(office.id)") }
            }
            let removed = try await store.removeSessions(olderThan: Sessions.lifetimeSeconds)
            if removed > 0 { logger.info("removed \(removed) expired console sessions") }
        } catch {
            logger.warning("could not close earlier days: \(error)")
        }
    }
}
