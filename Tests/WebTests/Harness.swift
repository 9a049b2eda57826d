import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import QueueCore
import QueueFixtures
import SQLiteStore

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// An in-process application on a real SQLite file with the demo city, and a staff token per office.
struct Harness {
    let store: any QueueStore
    let clock: ManualClock
    let staffChuo: String
    let staffNishi: String

    static func make(grace: Int = 60) async throws -> Harness {
        let clock = ManualClock(Fixtures.start)  // Mon 2026-03-30 10:00 JST
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("madoguchi-web-tests")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLiteStore(
            path: dir.appendingPathComponent("\(UUID().uuidString).sqlite").path,
            commands: QueueCommands(clock: clock, noShowGraceOverride: grace))
        _ = try await OfficesFile.demo().load(into: store)
        var tokens: [String] = []
        for office in ["chuo", "nishi"] {
            let token = StaffTokens.generate()
            try await store.createStaff(
                StaffAccount(
                    tokenHash: StaffTokens.hash(token), role: .staff, office: OfficeID(office), name: "desk", createdAt: clock.now()))
            tokens.append(token)
        }
        return Harness(store: store, clock: clock, staffChuo: tokens[0], staffNishi: tokens[1])
    }

    /// A console login (its password hashed as `user add` does).
    func addUser(_ username: String, password: String, role: StaffAccount.Role, office: OfficeID?) async throws {
        try await store.createUser(
            StaffUser(username: username, passwordHash: try Passwords.hash(password), role: role, office: office, createdAt: clock.now()))
    }

    /// Settings for tests: limits out of the way unless a test sets them.
    static func settings(
        lookups: (burst: Int, perSecond: Double) = (1_000_000, 1_000_000), alerts: AlertSettings = AlertSettings(),
        issuesPerHour: Int = 1_000_000
    ) -> ServerSettings {
        var settings = ServerSettings(lookupBurst: lookups.burst, lookupsPerSecond: lookups.perSecond)
        settings.alerts = alerts
        settings.issuesPerHour = issuesPerHour
        return settings
    }

    /// The routes as `serve` composes them (`Composition`), served in process. The hub's and the day closer's loops do
    /// not run: a test that needs the hub's estimates passes its own hub and steps it (`refreshDirtyOffices`).
    func test(
        limiter: RateLimiter? = nil, hub: OfficeHub? = nil, alerts: AlertSettings = AlertSettings(), issuesPerHour: Int = 1_000_000,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let composed = try Composition(
            settings: Self.settings(alerts: alerts, issuesPerHour: issuesPerHour), store: store, logger: Logger(label: "test"),
            hub: hub, limiter: limiter)
        try await Application(router: composed.routes.router).test(.router) { client in try await body(client) }
    }
}

extension TestClientProtocol {
    func json(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, token: String? = nil, key: String? = nil
    ) async throws -> (status: HTTPResponse.Status, json: JSONValue, text: String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
        return (response.status, value, text)
    }

    /// A web ticket, as the API answers it.
    func issue(_ service: String = "certificates", office: String = "chuo", key: String? = nil) async throws -> TicketBody {
        try await ticket(.post, "/api/v1/offices/\(office)/tickets", body: #"{"service":"\#(service)","channel":"web"}"#, key: key)
            .decoded()
    }
}

/// The code of the API's error shape, `{"error": {"code": …, "message": …}}`.
func errorCode(_ json: JSONValue) -> String? {
    guard case .object(let body) = json, case .object(let error)? = body["error"] else { return nil }
    return error["code"]?.stringValue
}
