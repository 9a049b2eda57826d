import Foundation
import Hummingbird
import Notify
import OfficeRuntime
import QueueCore

/// `GET /metrics`: Prometheus text for an admin's or city-wide supervisor's token (Prometheus sends it as
/// `authorization: bearer`): requests by route and status with their latency histograms, open connections and
/// live streams, each office's waiting tickets and oldest wait, the outbox's due alerts (`Telemetry`); and alert
/// deliveries by channel: sent, retried, given up, and the time from the change to delivery.
struct MetricsRoute: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    var connections: ClientCounts?
    var streams: ClientCounts?

    func register(on routes: Routes) {
        routes.get("/metrics") { request, _ in
            _ = try await StaffAuth(store: store).requireCityWide(request)
            let text =
                try await Telemetry.scrape(store: store, connections: connections, streams: streams) + Self.render(hub.notifier?.snapshot)
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    static func render(_ counts: NotifierCounts?) -> String {
        let counts = counts ?? NotifierCounts()
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ values: [AlertChannel: Double]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for channel in AlertChannel.allCases {
                out += "\(name){channel=\"\(channel.rawValue)\"} \(Self.number(values[channel] ?? 0))\n"
            }
        }
        family("madoguchi_alerts_sent_total", "counter", "Alerts delivered.", counts.sent.mapValues(Double.init))
        family(
            "madoguchi_alerts_retried_total", "counter", "Send attempts that failed and were scheduled again.",
            counts.retried.mapValues(Double.init))
        family(
            "madoguchi_alerts_failed_total", "counter", "Alerts given up (too many attempts or a permanent refusal).",
            counts.failed.mapValues(Double.init))
        family(
            "madoguchi_alerts_delivery_seconds_sum", "counter", "Seconds from the causing change to delivery, summed over sent alerts.",
            counts.sentLatencySeconds)
        return out
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.3f", value)
    }
}
