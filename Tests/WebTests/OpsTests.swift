import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// What an operator sees: Prometheus metrics through swift-metrics, request ids.
@Suite struct OpsTests {
    @Test func metricsCountRequestsByRouteAndStatusAndShowTheQueues() async throws {
        let h = try await Harness.make()
        let admin = StaffTokens.generate()
        try await h.store.createStaff(
            StaffAccount(tokenHash: StaffTokens.hash(admin), role: .admin, office: nil, name: "it", createdAt: h.clock.now()))
        let connections = ClientCounts(cap: 10)
        let streams = ClientCounts(cap: 10)
        _ = connections.open("192.0.2.1")
        _ = streams.open("192.0.2.1")
        let routes = buildRoutes(
            store: h.store, hub: OfficeHub(store: h.store), limiter: RateLimiter(burst: 1000, perSecond: 1000), pages: try Pages.load(),
            streams: streams, connections: connections)
        try await Application(router: routes.router).test(.router) { client in
            _ = try await client.issue()
            h.clock.advance(seconds: 600)
            _ = try await client.issue()
            #expect(try await client.json(.get, "/api/v1/tickets/not-a-token").status == .notFound)
            let response = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(admin)"])
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            func value(_ prefix: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect(
                (value(
                    #"hb_requests{http_route="/api/v1/offices/{office}/tickets",http_request_method="POST",http_response_status_code="201"}"#
                ) ?? 0) >= 2, "\(text.prefix(3000))")
            #expect(
                (value(#"hb_requests{http_route="/api/v1/tickets/{token}",http_request_method="GET",http_response_status_code="404"}"#) ?? 0)
                    >= 1)
            #expect(text.contains(#"http_server_request_duration_bucket{http_route="/api/v1/offices/{office}/tickets""#))
            #expect(value(#"madoguchi_queue_waiting{office="chuo"}"#) == 2)
            #expect(value(#"madoguchi_queue_oldest_wait_seconds{office="chuo"}"#) == 600)
            #expect(value("madoguchi_connections_open") == 1 && value("madoguchi_streams_open") == 1)
            #expect(value("madoguchi_outbox_due") == 0)
            #expect(text.contains(#"madoguchi_alerts_sent_total{channel="line"} 0"#))
            // Every response names its request, as the log lines of that request do.
            #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
        }
    }

    /// The application `serve` runs, as `buildApplication` composes it, with its services running: the hub
    /// estimates a new ticket with the twin on its own, and the day closer writes today's roster.
    @Test func theServedApplicationRunsTheHubAndTheDayCloser() async throws {
        let h = try await Harness.make()
        let app = try buildApplication(settings: Harness.settings(), store: h.store, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let token = try await client.ticket(
                .post, "/api/v1/offices/chuo/tickets", body: #"{"service":"moving-in","channel":"web","travelMinutes":23}"#
            ).decoded().token
            var method: String?
            var planned = 0
            for _ in 0..<400 {
                method = try await client.ticket(.get, "/api/v1/tickets/\(token)").value?.estimateMethod
                planned = try await h.store.events(office: "chuo", date: LocalDate(h.clock.now(), in: TimeZone(identifier: "Asia/Tokyo")!))
                    .filter { $0.type == .rosterPlanned }.count
                if method == "twin" && planned > 0 { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(method == "twin", "the hub's loop refreshed the office after the ticket committed")
            let counters = try #require(try await h.store.offices().first { $0.id == "chuo" }).counters.count
            #expect(planned == counters, "one roster.planned per counter")
        }
    }

}
