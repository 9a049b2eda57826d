import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// The findings of the hardening review (issue 15), each as the behaviour that must hold now.
@Suite struct HardeningTests {
    /// E-mail alerts on (nothing is sent: no relay runs), so that contact routes take an e-mail address.
    static var emailOn: AlertSettings {
        var alerts = AlertSettings()
        alerts.smtpHost = "127.0.0.1"
        alerts.smtpFrom = "city@example.jp"
        return alerts
    }

    @Test func oversizedBodiesGet413WithACodeOnEveryKindOfRoute() async throws {
        let h = try await Harness.make()
        try await h.test(alerts: LineWebhookTests.alerts) { client in
            let form = "service=" + String(repeating: "a", count: 20_000)
            let page = try await client.page("/o/chuo/tickets", method: .post, form: form)
            #expect(page.status == .contentTooLarge && page.html.contains("payload_too_large"), "\(page.status)")
            let big = String(repeating: " ", count: InputGate.maxWebhookBytes + 1)
            let webhook = try await client.execute(
                uri: "/line/webhook", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: big))
            #expect(webhook.status == .contentTooLarge && String(buffer: webhook.body).contains("payload_too_large"))
            let json = try await client.json(
                .post, "/api/v1/offices/chuo/reforms", body: String(repeating: " ", count: 20_000), token: h.staffChuo)
            #expect(json.status == .contentTooLarge && errorCode(json.json) == "payload_too_large")
        }
    }

    @Test func aMyNumberIsRefusedInTheFieldsThatUsedToKeepIt() async throws {
        let h = try await Harness.make()
        try await h.test(alerts: Self.emailOn) { client in
            let token = try await client.issue().token
            let admin = StaffTokens.generate()
            try await h.store.createStaff(
                StaffAccount(tokenHash: StaffTokens.hash(admin), role: .admin, office: nil, name: "it", createdAt: h.clock.now()))
            // 0901 2345 6784 is a valid My Number, and also looks like a phone number.
            let reform = try await client.json(
                .post, "/api/v1/offices/chuo/reforms",
                body: #"{"effective":"2026-03-01","kind":"other","description":"番号 0901-2345-6784"}"#,
                token: admin)
            #expect(reform.status == .badRequest && errorCode(reform.json) == "my_number_refused", "\(reform.text)")
            let email = try await client.json(
                .post, "/api/v1/tickets/\(token)/contacts", body: #"{"channel":"email","address":"090123456784@example.jp"}"#)
            #expect(email.status == .badRequest && errorCode(email.json) == "my_number_refused", "\(email.text)")
            let key = try await client.json(
                .post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"web"}"#, key: "0901-2345-6784")
            #expect(key.status == .badRequest && errorCode(key.json) == "my_number_refused")
        }
        // The domain refuses it too, for callers that are not HTTP: a phone number that is a My Number.
        let ticket = try await h.store.issue(IssueRequest(office: "chuo", service: "certificates", channel: .web), idempotencyKey: nil)
        await #expect(throws: QueueError.myNumberRefused) {
            _ = try await h.store.addContact(ticket: ticket.value.ticket.id, channel: .gateway, address: "090123456784")
        }
        // An ordinary phone number is still a phone number.
        _ = try await h.store.addContact(ticket: ticket.value.ticket.id, channel: .gateway, address: "090-1234-5678")
    }

    @Test func aBrowserIsToldWhyInItsLanguageWithTheSameStatusAndCode() async throws {
        let h = try await Harness.make()
        try await h.test(alerts: Self.emailOn) { client in
            let token = try await client.issue().token
            let page = try await client.page(
                "/t/\(token)/contact?lang=ja", method: .post, form: "channel=email&address=0901-2345-6784%40example.jp",
                headers: [.accept: "text/html"])
            #expect(page.status == .badRequest && page.html.contains("マイナンバー") && page.html.contains("my_number_refused"))
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            // The API, and a client that does not ask for HTML, get the JSON shape.
            let json = try await client.page(
                "/t/\(token)/contact", method: .post, form: "channel=email&address=0901-2345-6784%40example.jp")
            #expect(json.status == .badRequest && json.html.contains(#""code":"my_number_refused""#))
        }
    }

    @Test func reformTextIsNormalisedAndRefusesInvisibleCharacters() async throws {
        let h = try await Harness.make()
        for bad in ["a\u{202E}b", "zero\u{200B}width", "two\nlines"] {
            await #expect(throws: QueueError.self) {
                _ = try await h.store.recordReform(
                    office: "chuo", effective: LocalDate(parsing: "2026-03-01")!, kind: .other, description: bad, by: "it")
            }
        }
        // "e" + combining acute is kept as the one precomposed character.
        let kept = try await h.store.recordReform(
            office: "chuo", effective: LocalDate(parsing: "2026-03-01")!, kind: .other, description: "cafe\u{301}", by: "it")
        #expect(kept.value.description == "caf\u{E9}")
    }

    @Test func openDataCountsAnOfficeNamedTwiceOnceAndBoundsWhatARequestReads() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let one = try await client.json(.get, "/opendata/waits.json?office=chuo&from=2026-03-01&to=2026-03-29")
            let repeated = Array(repeating: "chuo", count: 3_000).joined(separator: ",")
            let many = try await client.json(.get, "/opendata/waits.json?office=\(repeated)&from=2026-03-01&to=2026-03-29")
            #expect(one.status == .ok && many.status == .ok)
            #expect(one.text == many.text)
        }
        // A year of 17 offices is past the bound (16 office-years); a year of 16 is not.
        let chuo = try #require(try await h.store.offices().first)
        let city = (1...17).map { n -> Office in
            var office = chuo
            office.id = OfficeID("office-\(n)")
            return office
        }
        let latest = try #require(LocalDate(parsing: "2026-03-29"))
        let year = ["from": ["2025-03-29"], "to": ["2026-03-29"]]
        #expect(throws: ApiError.self) { try ReportQuery.parse(year, visible: city, latest: latest, defaultDays: 28) }
        _ = try ReportQuery.parse(year, visible: Array(city.prefix(16)), latest: latest, defaultDays: 28)
    }

    @Test func onlyStaffOrADeviceHandOutPriorityKioskOrStaffTickets() async throws {
        let h = try await Harness.make()
        let device = StaffTokens.generate()
        try await h.store.createStaff(
            StaffAccount(tokenHash: StaffTokens.hash(device), role: .device, office: "chuo", name: "kiosk-1", createdAt: h.clock.now()))
        try await h.test { client in
            let uri = "/api/v1/offices/chuo/tickets"
            for body in [
                #"{"service":"certificates","channel":"web","priority":1,"priorityReason":"elderly"}"#,
                #"{"service":"certificates","channel":"kiosk"}"#,
                #"{"service":"certificates","channel":"staff"}"#,
            ] {
                let anonymous = try await client.json(.post, uri, body: body)
                #expect(anonymous.status == .unauthorized && errorCode(anonymous.json) == "unauthorized", "\(body)")
                let otherOffice = try await client.json(.post, uri, body: body, token: h.staffNishi)
                #expect(otherOffice.status == .forbidden, "\(body)")
                #expect(try await client.json(.post, uri, body: body, token: h.staffChuo).status == .created, "\(body)")
            }
            #expect(
                try await client.json(
                    .post, uri, body: #"{"service":"certificates","channel":"kiosk","priority":1,"priorityReason":"infant"}"#, token: device
                ).status
                    == .created)
            #expect(
                try await client.json(.post, uri, body: #"{"service":"certificates","channel":"staff"}"#, token: device).status
                    == .forbidden)
        }
    }

    @Test func oneAddressTakesOnlySoManyRemoteTicketsAnHourAndRetriesAreFree() async throws {
        let h = try await Harness.make()
        try await h.test(issuesPerHour: 3) { client in
            let uri = "/api/v1/offices/chuo/tickets"
            let body = #"{"service":"certificates","channel":"web"}"#
            for n in 1...3 {
                #expect(try await client.json(.post, uri, body: body, key: "k\(n)").status == .created)
                if n < 3 {
                    #expect(try await client.json(.post, uri, body: body, key: "k\(n)").status == .ok, "a retry is not a new ticket")
                }
            }
            let fourth = try await client.json(.post, uri, body: body, key: "k4")
            #expect(fourth.status == .tooManyRequests && errorCode(fourth.json) == "issue_limit")
            let limited = try await client.execute(
                uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Another office is another allowance; staff are not limited.
            #expect(try await client.json(.post, "/api/v1/offices/nishi/tickets", body: body).status == .created)
            #expect(try await client.json(.post, uri, body: body, token: h.staffChuo).status == .created)
        }
    }

    @Test func logoutPasswordChangeAndRemovalEndSessionsAtOnce() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        try await h.test { client in
            // Logout ends the session on the server: the old cookie and the same token as a bearer both stop working.
            let session = try await ConsoleTests.signIn(client)
            let page = try await client.page("/console/chuo/c5", headers: session)
            #expect(page.status == .ok)
            let token = String(session[.cookie]!.dropFirst("session=".count))
            #expect(try await client.json(.get, "/api/v1/offices/chuo/queue", token: token).status == .ok)
            let out = try await client.page("/logout", method: .post, form: "csrf=\(try ConsoleTests.csrf(page.html))", headers: session)
            #expect(out.status == .seeOther)
            #expect(try await client.page("/console/chuo/c5", headers: session).status == .seeOther)
            #expect(try await client.json(.get, "/api/v1/offices/chuo/queue", token: token).status == .unauthorized)

            // A password change ends every session of the user; the new password works.
            let first = try await ConsoleTests.signIn(client)
            try await h.store.changePassword(username: "desk5", passwordHash: try Passwords.hash("new-pass-2"))
            #expect(try await client.page("/console/chuo/c5", headers: first).status == .seeOther)
            let second = try await ConsoleTests.signIn(client, password: "new-pass-2")
            #expect(try await client.page("/console/chuo/c5", headers: second).status == .ok)

            // Removing the user ends its sessions and its sign-in.
            #expect(try await h.store.removeUser(username: "desk5"))
            #expect(try await client.page("/console/chuo/c5", headers: second).status == .seeOther)
            #expect(try await client.page("/login", method: .post, form: "username=desk5&password=new-pass-2").status == .unauthorized)

            // A revoked bearer token opens nothing; sessions are not revoked by name.
            #expect(try await h.store.revokeTokens(tokenHash: StaffTokens.hash(h.staffChuo), name: nil) == 1)
            #expect(try await client.json(.get, "/api/v1/offices/chuo/queue", token: h.staffChuo).status == .unauthorized)
            await #expect(throws: QueueError.self) { _ = try await h.store.revokeTokens(tokenHash: nil, name: "session:desk5") }
        }
    }

    @Test func failedSignInsLockOneUsernameFromOneAddressAndUnknownNamesCostTheSame() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        try await ConsoleTests.user(h, name: "desk6", password: "desk-pass-6")
        try await h.test { client in
            for _ in 0..<5 {
                #expect(try await client.page("/login", method: .post, form: "username=desk5&password=wrong").status == .unauthorized)
            }
            #expect(try await client.page("/login", method: .post, form: "username=desk5&password=desk-pass-1").status == .tooManyRequests)
            // The lock is on that username from that address: the desk next door still signs in.
            _ = try await ConsoleTests.signIn(client, name: "desk6", password: "desk-pass-6")

            func seconds(_ form: String) async throws -> Double {
                let clock = ContinuousClock()
                var best = Double.infinity
                for _ in 0..<3 {
                    let began = clock.now
                    _ = try await client.page("/login", method: .post, form: form)
                    let took = began.duration(to: clock.now)
                    best = min(best, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
                }
                return best
            }
            // Each failure costs one scrypt, known name or not (the bucket for these two is fresh).
            let unknown = try await seconds("username=nobody-here&password=wrong")
            let known = try await seconds("username=desk6&password=wrong")
            #expect(unknown > known * 0.5, "unknown \(unknown) s, known \(known) s")
        }
    }

    /// Past its limit a server's sign-in gate answers 503 `busy` with Retry-After, and every server has its own:
    /// one gate full does not turn away another's sign-ins.
    @Test func aFullSignInGateSaysBusyAndOnlyForItsOwnServer() async throws {
        let stored = try Passwords.hash("right-pass-1")
        let full = Passwords.Gate(limit: 0)
        do {
            _ = try await full.check("right-pass-1", against: stored)
            Issue.record("a full gate checked a password")
        } catch let error as ApiError {
            #expect(error.status == .serviceUnavailable && error.code == "busy" && error.headers[.retryAfter] == "2")
        }
        #expect(try await Passwords.Gate(limit: 1).check("right-pass-1", against: stored))
        #expect(try await !Passwords.Gate(limit: 1).check("wrong-pass-1", against: stored))
    }

    @Test func healthReadsTheStoreAndLivenessDoesNot() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let ready = try await client.reply([String: String].self, .get, "/health")
            let live = try await client.reply([String: String].self, .get, "/health/live")
            #expect(ready.status == .ok && ready.value?["status"] == "ok")
            #expect(live.status == .ok && live.value?["status"] == "ok")
        }
    }

    @Test func aTrustedProxysForwardedClientIsBelievedAndNoOneElses() throws {
        let proxies = try TrustedProxies(cidrs: ["10.0.0.0/8", "::1"])
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: "203.0.113.7") == "203.0.113.7")
        // The rightmost address not itself a proxy: what the client wrote to the left is not believed.
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: "198.51.100.1, 203.0.113.7, 10.9.9.9") == "203.0.113.7")
        #expect(proxies.client(peer: "::1", forwardedFor: "2001:db8::5") == "2001:db8::5")
        #expect(proxies.client(peer: "198.51.100.9", forwardedFor: "203.0.113.7") == "198.51.100.9")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: "not-an-address") == "10.1.2.3")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: nil) == "10.1.2.3")
        #expect(throws: SettingsError.self) { try TrustedProxies(cidrs: ["10.0.0.0/33"]) }
        #expect(throws: SettingsError.self) { try TrustedProxies(cidrs: ["example.org"]) }
    }

    @Test func connectionCapsDeriveFromTheFileLimitAndLeaveRoom() {
        let small = ConnectionLimits(fileLimit: 256)
        #expect(small.maxConnections == 192 && small.perClient == 24 && small.streamsPerClient == 12)
        #expect(small.problems(fileLimit: 256).isEmpty)
        let host = ConnectionLimits(fileLimit: 20_000)
        #expect(host.maxConnections == 18_976 && host.perClient == 1024)
        var tooMany = small
        tooMany.maxConnections = 250
        #expect(!tooMany.problems(fileLimit: 256).isEmpty, "past the file limit less the reserve")
    }
}

@Suite struct AdminPageTests {
    @Test func anAdminRemovesALoginResetsAPasswordAndRevokesATokenFromThePage() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        try await h.addUser("root1", password: "root-pass-1", role: .admin, office: nil)
        try await h.test { client in
            let desk = try await ConsoleTests.signIn(client)
            let admin = try await ConsoleTests.signIn(client, name: "root1", password: "root-pass-1")
            let page = try await client.page("/admin", headers: admin)
            #expect(page.status == .ok && page.html.contains("desk5") && page.html.contains("root1"))
            #expect(try await client.page("/admin", headers: desk).status == .forbidden, "staff do not see it")
            let csrf = try ConsoleTests.csrf(page.html)

            let reset = try await client.page(
                "/admin/users/password", method: .post, form: "csrf=\(csrf)&username=desk5&password=fresh-pass-9", headers: admin)
            #expect(
                reset.status == .seeOther && reset.headers[.location] == "/admin?done=admin.done_password",
                "\(reset.status) \(reset.headers[.location] ?? "") \(reset.html.prefix(400))")
            #expect(try await client.page("/console/chuo/c5", headers: desk).status == .seeOther, "the old session ended")
            let again = try await ConsoleTests.signIn(client, password: "fresh-pass-9")

            #expect(
                try await client.page("/admin/users/remove", method: .post, form: "csrf=\(csrf)&username=desk5", headers: admin).status
                    == .seeOther)
            #expect(try await client.page("/console/chuo/c5", headers: again).status == .seeOther)
            #expect(try await h.store.staffUser(username: "desk5") == nil)

            let revoke = try await client.page(
                "/admin/tokens/revoke", method: .post,
                form: "csrf=\(csrf)&token=\(StaffTokens.formKey(hash: StaffTokens.hash(h.staffChuo)))", headers: admin)
            #expect(revoke.status == .seeOther, "\(revoke.status) \(revoke.html.prefix(400))")
            #expect(try await client.json(.get, "/api/v1/offices/chuo/queue", token: h.staffChuo).status == .unauthorized)
            // Without the CSRF token nothing happens.
            let forged = try await client.page(
                "/admin/tokens/revoke", method: .post, form: "token=\(StaffTokens.formKey(hash: StaffTokens.hash(h.staffNishi)))",
                headers: admin)
            #expect(forged.status == .forbidden, "\(forged.status) \(forged.headers[.location] ?? "") \(forged.html.prefix(400))")
            #expect(try await client.json(.get, "/api/v1/offices/nishi/queue", token: h.staffNishi).status == .ok)
            let done = try await client.page("/admin?done=admin.done_revoked", headers: admin).html
            #expect(done.contains("The token was revoked.") || done.contains("トークンを失効させました"))
        }
    }
}
