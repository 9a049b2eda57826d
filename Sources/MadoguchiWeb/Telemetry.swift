import Foundation
import Hummingbird
import Metrics
import Prometheus
import QueueCore

/// The process's metrics, through swift-metrics into one Prometheus registry: Hummingbird's `MetricsMiddleware`
/// counts requests by route and status and times them (histograms), and the gauges below are read at each scrape.
/// swift-metrics has one global backend, so the registry is made and bootstrapped once per process, on first use.
enum Telemetry {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Request latencies from a millisecond to ten seconds.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Sets the gauges that describe the server as it is now, then writes every metric in the text format.
    static func scrape(store: any QueueStore, connections: ClientCounts?, streams: ClientCounts?) async throws -> String {
        _ = registry
        Gauge(label: "madoguchi_connections_open").record(connections?.total ?? 0)
        Gauge(label: "madoguchi_streams_open").record(streams?.total ?? 0)
        for office in try await store.offices() {
            let entries = try await store.queue(office: office.id) ?? []
            Gauge(label: "madoguchi_queue_waiting", dimensions: [("office", office.id.rawValue)]).record(entries.count)
            Gauge(label: "madoguchi_queue_oldest_wait_seconds", dimensions: [("office", office.id.rawValue)])
                .record(entries.map(\.waitedSeconds).max() ?? 0)
        }
        let due = try await store.dueAlerts(now: store.clock.now(), limit: outboxScrapeLimit).count
        Gauge(label: "madoguchi_outbox_due").record(due)
        return registry.emitToString()
    }

    /// Past this many due alerts the gauge stops counting (a scrape must stay cheap).
    static let outboxScrapeLimit = 10_000
}
