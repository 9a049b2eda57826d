import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// Every route the server registers × every kind of caller. Each route says who it is for; a caller it is not for
/// never gets a 2xx and changes nothing, and a caller it is for is never turned away with 401, 403 or the sign-in
/// page. A route registered without a line here fails the test, so a new route cannot skip the question.
@Suite struct AuthorisationMatrixTests {
    enum Audience {
        /// Citizens and the public: no credentials needed.
        case anyone
        /// A registered kiosk or board of the office.
        case device
        /// Any signed-in staff member, of whichever office (the console's chooser lists only their own counters).
        case anyStaff
        /// Staff of the office, its supervisors, admins.
        case staff
        /// Supervisors and admins.
        case supervisor
        /// Admins and city-wide supervisors.
        case cityWide
        /// Admins.
        case admin
        /// Only a caller holding a secret none of these has (the LINE webhook's signature).
        case nobody
    }

    enum Caller: String, CaseIterable {
        case none, badToken, device, otherOfficeStaff, staff, supervisor, admin

        /// Whether `audience` must admit this caller. A public route may still refuse credentials that are wrong
        /// (an unknown token, another office's): those are not checked there.
        func admitted(_ audience: Audience) -> Bool? {
            if audience == .anyone { return self == .badToken || self == .otherOfficeStaff ? nil : true }
            return allowed(audience)
        }

        func allowed(_ audience: Audience) -> Bool {
            switch audience {
            case .anyone: true
            case .device: self == .device
            case .anyStaff: self == .otherOfficeStaff || self == .staff || self == .supervisor || self == .admin
            case .staff: self == .staff || self == .supervisor || self == .admin
            case .supervisor: self == .supervisor || self == .admin
            case .cityWide, .admin: self == .admin
            case .nobody: false
            }
        }
    }

    static let matrix: [String: Audience] = [
        "GET /health": .anyone, "GET /health/live": .anyone, "GET /openapi.json": .anyone, "GET /api/v1/offices": .anyone,
        "POST /api/v1/offices/{office}/tickets": .anyone, "GET /api/v1/offices/{office}/events": .anyone,
        "GET /api/v1/offices/{office}/queue": .staff, "GET /api/v1/offices/{office}/forecast": .anyone,
        "GET /api/v1/tickets/{token}": .anyone, "POST /api/v1/tickets/{token}/cancel": .anyone,
        "POST /api/v1/tickets/{token}/postpone": .anyone, "GET /api/v1/tickets/{token}/events": .anyone,
        "POST /api/v1/tickets/{token}/feedback": .anyone, "GET /api/v1/tickets/{token}/contacts": .anyone,
        "POST /api/v1/tickets/{token}/contacts": .anyone, "DELETE /api/v1/tickets/{token}/contacts/{channel}": .anyone,
        "POST /api/v1/tickets/{token}/line-link": .anyone, "POST /api/v1/tickets/{token}/check-in": .anyone,
        "POST /api/v1/tickets/{token}/travel": .anyone, "POST /api/v1/line/session": .anyone,
        "GET /api/v1/tickets/{token}/guide": .anyone, "PUT /api/v1/tickets/{token}/guide": .anyone, "POST /t/{token}/guide": .anyone,
        "POST /api/v1/offices/{office}/counters/{counter}/call-next": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/recall": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/start": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/complete": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/no-show": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/hold": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/transfer": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/open": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/close": .staff,
        "POST /api/v1/offices/{office}/counters/{counter}/pause": .staff,
        "POST /api/v1/offices/{office}/tickets/{number}/reactivate": .staff,
        "POST /api/v1/offices/{office}/tickets/{number}/cancel": .staff,
        "GET /api/v1/reports/waits": .supervisor, "GET /api/v1/offices/{office}/reforms": .supervisor,
        "POST /api/v1/offices/{office}/reforms": .supervisor,
        "GET /opendata/waits.csv": .anyone, "GET /opendata/waits.json": .anyone,
        "POST /line/webhook": .nobody, "GET /metrics": .cityWide,
        "GET /": .anyone, "GET /offices/{office}": .anyone, "GET /offices/{office}/colors.css": .anyone, "GET /o/{office}": .anyone,
        "POST /o/{office}/tickets": .anyone, "GET /t/{token}": .anyone, "POST /t/{token}/cancel": .anyone,
        "POST /t/{token}/late": .anyone, "POST /t/{token}/check-in": .anyone, "POST /t/{token}/travel": .anyone,
        "POST /t/{token}/line": .anyone, "GET /liff": .anyone, "GET /liff/{office}": .anyone,
        "POST /t/{token}/contact": .anyone,
        "POST /t/{token}/feedback": .anyone, "GET /sw.js": .anyone, "GET /static/{file}": .anyone,
        "GET /kiosk/{office}": .device, "POST /kiosk/{office}/tickets": .device, "GET /kiosk/{office}/printed/{token}": .device,
        "POST /kiosk/{office}/printed/{token}/phone": .device, "POST /kiosk/{office}/feedback": .device,
        "POST /kiosk/{office}/check-in": .device,
        "GET /board/{office}": .device,
        "GET /login": .anyone, "POST /login": .anyone, "POST /logout": .anyone,
        "GET /console": .anyStaff, "GET /console/{office}/{counter}": .staff, "POST /console/{office}/{counter}/{action}": .staff,
        "GET /reception/{office}": .staff, "POST /reception/{office}/tickets": .staff,
        "GET /reception/{office}/printed/{token}": .staff, "POST /reception/{office}/check-in": .staff,
        "POST /reception/{office}/issuing": .staff,
        "GET /reports": .supervisor, "GET /reports/waits.csv": .supervisor, "POST /reports/reforms": .supervisor,
        "GET /audit": .supervisor, "GET /audit.csv": .supervisor,
        "GET /dashboard": .supervisor, "GET /dashboard/offices/{office}": .supervisor, "GET /dashboard/events": .supervisor,
        "POST /dashboard/accept": .supervisor,
        "GET /admin": .admin, "POST /admin/users/remove": .admin, "POST /admin/users/password": .admin, "POST /admin/tokens/revoke": .admin,
    ]

    /// A body each route reads, so that a caller it is for gets past parsing (the answer may still be a 4xx for
    /// the queue's state; only 401, 403 and the sign-in page count as turned away).
    static func body(_ route: Routes.Entry, csrf: String) -> (String, String)? {
        let form = "application/x-www-form-urlencoded"
        let json = "application/json"
        switch route.path {
        case "/api/v1/offices/{office}/tickets": return (json, #"{"service":"certificates","channel":"web"}"#)
        case "/api/v1/tickets/{token}/feedback": return (json, #"{"rating":4}"#)
        case "/api/v1/tickets/{token}/travel": return (json, #"{"travelMinutes":20}"#)
        case "/api/v1/tickets/{token}/contacts": return (json, #"{"channel":"email","address":"a@example.jp"}"#)
        case "/api/v1/offices/{office}/counters/{counter}/transfer": return (json, #"{"service":"moving-in"}"#)
        case "/api/v1/offices/{office}/counters/{counter}/pause": return (json, #"{"reason":"break"}"#)
        case "/api/v1/offices/{office}/reforms": return (json, #"{"effective":"2026-03-01","kind":"other","description":"x"}"#)
        case "/line/webhook": return (json, #"{"destination":"U","events":[]}"#)
        case "/api/v1/line/session": return (json, #"{"idToken":""}"#)
        case "/api/v1/tickets/{token}/guide": return route.method == .put ? (json, #"{"answers":{"people":"2"}}"#) : nil
        case "/t/{token}/guide": return (form, "guide.people=2")
        case "/o/{office}/tickets", "/kiosk/{office}/tickets": return (form, "service=certificates")
        case "/t/{token}/contact": return (form, "channel=email&address=a%40example.jp")
        case "/t/{token}/feedback", "/kiosk/{office}/feedback": return (form, "rating=4")
        case "/t/{token}/travel": return (form, "travel=20")
        case "/kiosk/{office}/printed/{token}/phone": return (form, "address=090-1234-5678")
        case "/login": return (form, "username=desk5&password=pass-desk5")
        case "/reports/reforms": return (form, "csrf=\(csrf)&office=chuo&effective=2026-03-01&kind=other&description=x")
        case "/dashboard/accept": return (form, "csrf=\(csrf)&office=chuo&counter=c9")
        case "/admin/users/remove": return (form, "csrf=\(csrf)&username=nobody")
        case "/admin/users/password": return (form, "csrf=\(csrf)&username=nobody&password=long-enough")
        case "/admin/tokens/revoke": return (form, "csrf=\(csrf)&token=0")
        default: return route.method == .post ? (form, "csrf=\(csrf)&service=moving-in&key=k\(UUID().uuidString)") : nil
        }
    }

    @Test func everyRouteTurnsAwayWhoItIsNotForAndAdmitsWhoItIs() async throws {
        let h = try await Harness.make()
        let store = h.store
        let device = try await KioskTests.device(h)
        var bearer: [Caller: String] = [
            .badToken: "mdg_not-a-token", .device: device, .otherOfficeStaff: h.staffNishi, .staff: h.staffChuo,
        ]
        for (caller, role, office) in [(Caller.supervisor, StaffAccount.Role.supervisor, OfficeID?("chuo")), (.admin, .admin, nil)] {
            let token = StaffTokens.generate()
            try await store.createStaff(
                StaffAccount(
                    tokenHash: StaffTokens.hash(token), role: role, office: office, name: caller.rawValue, createdAt: h.clock.now()))
            bearer[caller] = token
        }
        let logins: [(Caller, String, StaffAccount.Role, OfficeID?)] = [
            (.otherOfficeStaff, "nishi1", .staff, "nishi"), (.staff, "desk5", .staff, "chuo"),
            (.supervisor, "boss-chuo", .supervisor, "chuo"),
            (.admin, "root1", .admin, nil),
        ]
        for (_, name, role, office) in logins {
            try await h.addUser(name, password: "pass-\(name)", role: role, office: office)
        }
        var alerts = LineWebhookTests.alerts
        alerts.liffID = LIFFTests.liffID
        let routes = try Composition(settings: Harness.settings(alerts: alerts), store: store, logger: Logger(label: "test"))
            .routes
        // Signing out ends the caller's session: last.
        let entries = routes.table.entries.filter { $0.path != "/logout" } + routes.table.entries.filter { $0.path == "/logout" }
        let served = Set(entries.map(\.description))
        #expect(
            served == Set(Self.matrix.keys),
            "routes without a line in the matrix: \(served.subtracting(Self.matrix.keys).sorted()); lines for no route: \(Set(Self.matrix.keys).subtracting(served).sorted())"
        )

        let tokens = bearer
        try await Application(router: routes.router).test(.router) { client in
            var sessions: [Caller: String] = [.badToken: "not-a-session"]
            for (caller, name, _, _) in logins {
                let response = try await client.page("/login", method: .post, form: "username=\(name)&password=pass-\(name)")
                let cookie = try #require(response.headers[.setCookie], "\(name) signs in")
                sessions[caller] = String(cookie.prefix { $0 != ";" }.dropFirst("session=".count))
            }
            var refusedCases = 0
            var admittedCases = 0
            for route in entries {
                let audience = try #require(Self.matrix[route.description])
                for caller in Caller.allCases {
                    guard let allowed = caller.admitted(audience) else { continue }
                    // A live stream a caller may open never ends: only refusals are checked there.
                    if allowed && route.path.hasSuffix("/events") { continue }
                    let ticket = try await client.issue("moving-in")
                    var path = route.path
                    for (name, value) in [
                        ("office", "chuo"), ("counter", "c1"), ("token", ticket.token.rawValue),
                        ("number", ticket.number.description),
                        ("channel", "email"), ("file", "app.css"), ("action", "call-next"),
                    ] { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
                    var headers = HTTPFields()
                    if let token = tokens[caller] { headers[.authorization] = "Bearer \(token)" }
                    var cookies: [String] = []
                    if let session = sessions[caller] { cookies.append("session=\(session)") }
                    if caller == .device || caller == .badToken { cookies.append("device=\(caller == .device ? device : "not-a-device")") }
                    if !cookies.isEmpty { headers[.cookie] = cookies.joined(separator: "; ") }
                    let csrf = sessions[caller].map(Sessions.csrfToken(for:)) ?? ""
                    let body = Self.body(route, csrf: csrf)
                    if let body { headers[.contentType] = body.0 }
                    let before = try await store.lastEventSeq(office: "chuo")
                    let response = try await client.execute(
                        uri: path, method: route.method, headers: headers, body: body.map { ByteBuffer(string: $0.1) })
                    let status = response.status.code
                    // Signing out sends everyone to the sign-in page; elsewhere it means "not for you".
                    let toSignIn = response.headers[.location]?.hasPrefix("/login") == true && route.path != "/logout"
                    if allowed {
                        admittedCases += 1
                        #expect(status != 401 && status != 403 && !toSignIn && status < 500, "\(route) as \(caller): \(status)")
                    } else {
                        refusedCases += 1
                        #expect(!(200..<300).contains(status) && status < 500, "\(route) as \(caller): \(status)")
                        #expect(try await store.lastEventSeq(office: "chuo") == before, "\(route) as \(caller) changed something")
                    }
                }
            }
            #expect(refusedCases > 150 && admittedCases > 200, "refused \(refusedCases), admitted \(admittedCases)")
        }
    }
}
