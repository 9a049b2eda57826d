import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb

@Suite struct ConsoleTests {
    static func user(_ harness: Harness, office: String = "chuo", name: String = "desk5", password: String = "desk-pass-1") async throws {
        try await harness.addUser(name, password: password, role: .staff, office: OfficeID(office))
    }

    /// Signs in and returns the session cookie header.
    static func signIn(
        _ client: some TestClientProtocol, name: String = "desk5", password: String = "desk-pass-1"
    ) async throws -> HTTPFields {
        let response = try await client.page("/login", method: .post, form: "username=\(name)&password=\(password)&next=/console/chuo/c5")
        #expect(response.status == .seeOther)
        let cookie = try #require(response.headers[.setCookie])
        return [.cookie: String(cookie.prefix { $0 != ";" })]
    }

    static func csrf(_ html: String) throws -> String {
        try #require(html.firstMatch(of: /name="csrf" value="([a-p]{64})"/)).1.description
    }

    static func callKey(_ html: String) throws -> String {
        try #require(html.firstMatch(of: /name="key" value="([A-Za-z0-9_-]+)"/)).1.description
    }

    @Test func signingInNeedsTheRightPasswordAndLeadsOnlyToTheConsole() async throws {
        let harness = try await Harness.make()
        try await Self.user(harness)
        try await harness.test { client in
            #expect(try await client.page("/console/chuo/c5").status == .seeOther)
            let wrong = try await client.page("/login", method: .post, form: "username=desk5&password=nope")
            #expect(wrong.status == .unauthorized && wrong.headers[.setCookie] == nil)
            let evil = try await client.page(
                "/login", method: .post, form: "username=desk5&password=desk-pass-1&next=https://evil.example/")
            #expect(evil.headers[.location] == "/console")
            let session = try await Self.signIn(client)
            let page = try await client.page("/console/chuo/c5", headers: session)
            #expect(page.status == .ok)
            for action in ["call-next", "recall", "start", "complete", "no-show", "hold", "transfer"] {
                #expect(page.html.contains("data-action=\"\(action)\""), "\(action)")
            }
            #expect(page.html.contains("<input id=\"username\"") == false)
            let login = try await client.page("/login").html
            #expect(login.contains("name=\"username\"") && login.contains("name=\"password\""))
            #expect(try await client.page("/console/nishi/c1", headers: session).status == .forbidden)
        }
    }

    @Test func formsWithoutTheSessionsCSRFTokenAreRefused() async throws {
        let harness = try await Harness.make()
        try await Self.user(harness)
        try await harness.test { client in
            _ = try await client.issue("moving-in")
            let session = try await Self.signIn(client)
            #expect(
                try await client.page("/console/chuo/c5/call-next", method: .post, form: "key=k1", headers: session).status == .forbidden)
            #expect(
                try await client.page(
                    "/console/chuo/c5/call-next", method: .post, form: "csrf=\(String(repeating: "0", count: 64))", headers: session
                ).status == .forbidden)
            #expect(try await client.page("/console/chuo/c5/call-next", method: .post, form: "csrf=x").status == .unauthorized)
            #expect(try await harness.store.counterStates(office: "chuo").first { $0.id == "c5" }?.current == nil)
        }
    }

    @Test func callNextFromTheConsoleCallsOnceEvenWhenSentTwice() async throws {
        let harness = try await Harness.make()
        try await Self.user(harness)
        try await harness.test { client in
            let first = try await client.issue("moving-in").number.description
            _ = try await client.issue("moving-in")
            let session = try await Self.signIn(client)
            let page = try await client.page("/console/chuo/c5", headers: session).html
            let form = "csrf=\(try Self.csrf(page))&key=\(try Self.callKey(page))"
            let sent = try await client.page("/console/chuo/c5/call-next", method: .post, form: form, headers: session)
            #expect(sent.status == .seeOther)
            // The same form again (a double click that got through): the same ticket, no second call.
            let again = try await client.page("/console/chuo/c5/call-next", method: .post, form: form, headers: session)
            #expect(again.status == .seeOther || again.status == .conflict)
            let after = try await client.page("/console/chuo/c5", headers: session).html
            #expect(after.contains("data-current-ticket=\"\(first ?? "")\""))
            let waiting = try await harness.store.queue(office: "chuo") ?? []
            #expect(waiting.count == 1, "the second ticket still waits")
            let events = try await harness.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 1000).filter {
                $0.type == .ticketCalled
            }
            #expect(events.count == 1)
            #expect(events.first?.data["staff"]?.stringValue == "session:desk5")
            // Complete it from the console; the counter is free again.
            let csrf = try Self.csrf(after)
            #expect(
                try await client.page("/console/chuo/c5/complete", method: .post, form: "csrf=\(csrf)", headers: session).status
                    == .seeOther)
            #expect(try await client.page("/console/chuo/c5", headers: session).html.contains("data-current-ticket=\"\""))
        }
    }

    @Test func aRefusedActionSaysWhyOnTheConsole() async throws {
        let harness = try await Harness.make(grace: 600)
        try await Self.user(harness)
        try await harness.test { client in
            _ = try await client.issue("moving-in")
            let session = try await Self.signIn(client)
            let page = try await client.page("/console/chuo/c5", headers: session).html
            _ = try await client.page(
                "/console/chuo/c5/call-next", method: .post, form: "csrf=\(try Self.csrf(page))&key=\(try Self.callKey(page))",
                headers: session)
            let noShow = try await client.page(
                "/console/chuo/c5/no-show", method: .post, form: "csrf=\(try Self.csrf(page))", headers: session)
            #expect(noShow.status.code == 409 || noShow.status.code == 422)
            #expect(noShow.html.contains("role=\"alert\""))
        }
    }

    @Test func sessionsExpireAfterAWorkingDayAndApiTokensAreNoSession() async throws {
        let harness = try await Harness.make()
        try await Self.user(harness)
        try await harness.test { client in
            let session = try await Self.signIn(client)
            harness.clock.advance(seconds: 13 * 3600)
            #expect(try await client.page("/console/chuo/c5", headers: session).status == .seeOther)
            #expect(try await client.page("/console/chuo/c5", headers: [.cookie: "session=\(harness.staffChuo)"]).status == .seeOther)
        }
    }
}

@Suite struct StaffAuthorisationTests {
    @Test func fiveWrongPasswordsLockTheAccountEvenAgainstTheRightOne() async throws {
        let harness = try await Harness.make()
        try await ConsoleTests.user(harness)
        try await harness.test { client in
            for _ in 0..<5 {
                #expect(try await client.page("/login", method: .post, form: "username=desk5&password=wrong").status == .unauthorized)
            }
            let locked = try await client.page("/login", method: .post, form: "username=desk5&password=desk-pass-1")
            #expect(locked.status == .tooManyRequests && locked.headers[.retryAfter] != nil && locked.headers[.setCookie] == nil)
        }
    }

    @Test func behindTLSTheCookiesAreSecure() async throws {
        let harness = try await Harness.make()
        try await ConsoleTests.user(harness)
        try await harness.test { client in
            let response = try await client.page(
                "/login", method: .post, form: "username=desk5&password=desk-pass-1",
                headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(response.headers[.setCookie]?.contains("Secure") == true)
        }
    }

    /// Every console route × {anonymous, a citizen's ticket token, another office's staff, a board's device token,
    /// an expired session, a session without the CSRF token}: nothing succeeds and nothing changes.
    @Test func noConsoleRouteAcceptsTheWrongCaller() async throws {
        let harness = try await Harness.make()
        try await ConsoleTests.user(harness)
        try await ConsoleTests.user(harness, office: "nishi", name: "nishi1", password: "nishi-pass-1")
        let device = try await KioskTests.device(harness)
        try await harness.test { client in
            let ticket = try await client.issue("moving-in").token
            let own = try await ConsoleTests.signIn(client)
            let nishiResponse = try await client.page("/login", method: .post, form: "username=nishi1&password=nishi-pass-1")
            let nishi: HTTPFields = [.cookie: String(nishiResponse.headers[.setCookie]!.prefix { $0 != ";" })]
            let page = try await client.page("/console/chuo/c5", headers: own).html
            let csrf = try ConsoleTests.csrf(page)
            let nishiPage = try await client.page("/console/nishi/c1", headers: nishi).html
            let nishiCSRF = try ConsoleTests.csrf(nishiPage)
            let expiring = try await ConsoleTests.signIn(client)
            let expiringCSRF = try ConsoleTests.csrf(try await client.page("/console/chuo/c5", headers: expiring).html)
            let callers: [(String, HTTPFields, String)] = [
                ("anonymous", [:], "csrf=\(csrf)"),
                ("citizen", [.cookie: "session=\(ticket)"], "csrf=\(csrf)"),
                ("other office", nishi, "csrf=\(nishiCSRF)"),
                ("board token", [.cookie: "device=\(device); session=\(device)"], "csrf=\(Sessions.csrfToken(for: device))"),
                ("no CSRF token", own, ""),
            ]
            let before = try await harness.store.lastEventSeq(office: "chuo")
            for (who, headers, form) in callers {
                #expect(
                    !(200..<300).contains(try await client.page("/console/chuo/c5", headers: headers).status.code)
                        || who == "no CSRF token", "\(who) GET")
                for action in ConsoleRoutes.actions {
                    let status = try await client.page(
                        "/console/chuo/c5/\(action)", method: .post, form: form + "&service=certificates&key=k-\(who)", headers: headers
                    ).status
                    #expect(!(200..<400).contains(status.code), "\(who) \(action): \(status)")
                }
            }
            harness.clock.advance(seconds: 13 * 3600)
            for action in ConsoleRoutes.actions {
                let status = try await client.page(
                    "/console/chuo/c5/\(action)", method: .post, form: "csrf=\(expiringCSRF)", headers: expiring
                ).status
                #expect(!(200..<400).contains(status.code), "expired session \(action): \(status)")
            }
            #expect(try await client.page("/console/chuo/c5", headers: expiring).status == .seeOther)
            #expect(try await harness.store.lastEventSeq(office: "chuo") == before, "no caller changed anything")
        }
    }
}
