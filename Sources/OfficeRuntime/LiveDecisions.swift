import Forecast
import Logging
import QueueCore

/// What a refresh of the live estimates decided, recorded in the store, where it becomes an event every node and
/// the notifier see:
/// - the 60-minute guard crossing its line: `alert.raised`, once per crossing, with what would help most;
/// - each remote ticket that just became "come now": `ticket.come_now` (which queues its alerts). A flip that could
///   not be recorded is forgotten, so that the next refresh decides it again rather than show an unrecorded one.
///
/// The events come back to the hub through the store's `Commits`, like any other change.
struct LiveDecisions: Sendable {
    let store: any OfficeRecords
    let estimates: LiveEstimates
    let logger: Logger

    func record(_ refreshed: LiveEstimates.Refreshed, office: OfficeID) async {
        if let raised = refreshed.raised {
            do {
                _ = try await store.raiseAlert(office: office, data: Self.alertData(raised))
            } catch {
                logger.warning("could not record the 60-minute alert of \(office): \(error)")
            }
        }
        for ticket in refreshed.due {
            do {
                _ = try await store.markComeNow(ticket: ticket)
            } catch {
                estimates.unmarkComeNow(ticket, office: office)
                logger.warning("could not record come-now for a ticket of \(office): \(error)")
            }
        }
    }

    /// `alert.raised`'s data: the projection, the procedure, and the best option with what it buys.
    static func alertData(_ g: WaitGuard) -> [String: JSONValue] {
        let recommendation = g.recommendations.first.map { best in
            let (action, counter): (Payload.WaitRecommendation.Action, CounterID) =
                switch best.action {
                case .openCounter(let c): (.openCounter, c)
                case .addSkill(let c): (.addSkill, c)
                }
            return Payload.WaitRecommendation(
                action: action, counter: counter, procedure: best.procedure, afterMinutes: Int((best.after / 60).rounded()))
        }
        return Payload.waitAlert(
            projectedMaxMinutes: Int((g.projectedMax / 60).rounded()), procedure: g.worst, recommendation: recommendation)
    }
}
