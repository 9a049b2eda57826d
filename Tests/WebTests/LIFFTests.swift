import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import QueueCore
import Synchronization
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// The LIFF mini-app's sign-in, against a fake of LINE's key endpoint served on loopback by the test: a good ID
/// token becomes a pass and a ticket bound to the LINE user; every forgery is refused with nothing written.
@Suite struct LIFFTests {
    static let liffID = "1234567890-AbcdEfgh"
    static let channel = "1234567890"
    static let user = "U" + String(repeating: "5f", count: 16)

    /// LINE's side: a signing key published under `kid` at `/oauth2/v2.1/certs`, and how often it was read.
    final class FakeLINE: Sendable {
        let key = P256.Signing.PrivateKey()
        let kid = "line-key-1"
        let fetches = Mutex(0)

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.get("/oauth2/v2.1/certs") { _, _ -> Response in
                self.fetches.withLock { $0 += 1 }
                let raw = self.key.publicKey.x963Representation
                let jwk: [String: String] = [
                    "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid,
                    "x": Base64URL.encode(raw.dropFirst().prefix(32)), "y": Base64URL.encode(raw.suffix(32)),
                ]
                let body = try JSONSerialization.data(withJSONObject: ["keys": [jwk]])
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            return router
        }
    }

    /// An ID token as LINE signs it; each argument is what a forger would change.
    static func token(
        signedBy key: P256.Signing.PrivateKey, kid: String = "line-key-1", alg: String = "ES256", iss: String = "https://access.line.me",
        aud: String = channel, sub: String = user, issuedAt: Date, lifetime: Double = 3600
    ) throws -> String {
        let header = try JSONSerialization.data(withJSONObject: ["alg": alg, "kid": kid, "typ": "JWT"])
        let claims = try JSONSerialization.data(
            withJSONObject: [
                "iss": iss, "sub": sub, "aud": aud, "iat": Int(issuedAt.timeIntervalSince1970),
                "exp": Int(issuedAt.timeIntervalSince1970 + lifetime), "amr": ["linesso"],
            ] as [String: Any])
        let signed = Base64URL.encode(header) + "." + Base64URL.encode(claims)
        return signed + "." + Base64URL.encode(try key.signature(for: Data(signed.utf8)).rawRepresentation)
    }

    /// The Madoguchi server with the mini-app on, LINE being `fake` on `port`.
    static func alerts(port: Int) -> AlertSettings {
        var alerts = LineWebhookTests.alerts
        alerts.lineAPIBase = "http://127.0.0.1:\(port)"
        alerts.liffID = liffID
        alerts.liffSDK = "http://127.0.0.1:\(port)/sdk.js"
        return alerts
    }

    func session(
        _ client: some TestClientProtocol, _ token: String
    ) async throws -> (status: HTTPResponse.Status, json: JSONValue, text: String) {
        try await client.json(.post, "/api/v1/line/session", body: #"{"idToken":"\#(token)"}"#)
    }

    func take(_ client: some TestClientProtocol, pass: String, channel: String = "line", key: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/offices/chuo/tickets", method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("X-Line-Pass")!: pass, HTTPField.Name("Idempotency-Key")!: key],
            body: ByteBuffer(string: #"{"service":"certificates","channel":"\#(channel)","travelMinutes":30}"#))
    }

    @Test func aGoodTokenBecomesAPassAndATicketBoundToTheLineUser() async throws {
        // setup
        let h = try await Harness.make()
        let line = FakeLINE()
        try await Application(router: line.router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { fake in
            let port = try #require(fake.port)
            try await h.test(alerts: Self.alerts(port: port)) { client in
                // act
                let token = try Self.token(signedBy: line.key, issuedAt: h.clock.now().addingTimeInterval(-30))
                let exchanged = try await session(client, token)
                // verify
                #expect(exchanged.status == .created, "\(exchanged.text)")
                struct Pass: Decodable { var pass: String }
                let pass = try JSONDecoder().decode(Pass.self, from: Data(exchanged.text.utf8)).pass
                #expect(!pass.contains(Self.user) && !exchanged.text.contains(Self.user), "the pass does not show the user id")

                let first = try await take(client, pass: pass, key: "liff-1")
                #expect(first.status == .created, "\(String(buffer: first.body))")
                let ticket = try JSONDecoder().decode(TicketBody.self, from: Data(String(buffer: first.body).utf8))
                #expect(ticket.channel == .line)
                let contacts = try await h.store.contacts(ticket: ticket.token)
                #expect(contacts.map(\.channel) == [.line] && contacts.first?.address == Self.user)

                // A retry with the same key: the same ticket, one contact.
                let again = try await take(client, pass: pass, key: "liff-1")
                #expect(again.status == .ok)
                #expect(try JSONDecoder().decode(TicketBody.self, from: Data(String(buffer: again.body).utf8)).token == ticket.token)
                #expect(try await h.store.contacts(ticket: ticket.token).count == 1)

                // The pass serves a second procedure while it lasts.
                let second = try await take(client, pass: pass, key: "liff-2")
                #expect(second.status == .created)

                // A pass on a ticket that says it is not a LINE ticket: 422, nothing issued.
                let before = try await h.store.lastEventSeq(office: "chuo")
                let web = try await take(client, pass: pass, channel: "web", key: "liff-3")
                #expect(web.status == .unprocessableContent)
                #expect(try await h.store.lastEventSeq(office: "chuo") == before)

                // Replay: the same ID token a second time is refused.
                let replayed = try await session(client, token)
                #expect(replayed.status == .unauthorized && errorCode(replayed.json) == "id_token_replayed", "\(replayed.text)")

                // The pass ends: two hours at most (here the token's own hour comes first).
                h.clock.advance(seconds: 3600)
                let late = try await take(client, pass: pass, key: "liff-4")
                #expect(late.status == .unauthorized)
                #expect(
                    errorCode(try JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: late.body).utf8))) == "invalid_line_pass")
            }
            #expect(line.fetches.withLock { $0 } == 1, "LINE's keys are read once and kept")
        }
    }

    @Test func everyForgeryIsRefusedAndWritesNothing() async throws {
        // setup
        let h = try await Harness.make()
        let line = FakeLINE()
        let now = h.clock.now()
        let stranger = P256.Signing.PrivateKey()
        let forgeries: [(String, String)] = [
            ("signed by another key under LINE's key id", try Self.token(signedBy: stranger, issuedAt: now)),
            ("expired", try Self.token(signedBy: line.key, issuedAt: now.addingTimeInterval(-7200))),
            ("for another channel", try Self.token(signedBy: line.key, aud: "9999999999", issuedAt: now)),
            ("from another issuer", try Self.token(signedBy: line.key, iss: "https://evil.example", issuedAt: now)),
            ("dated in the future", try Self.token(signedBy: line.key, issuedAt: now.addingTimeInterval(600))),
            ("living longer than a day", try Self.token(signedBy: line.key, issuedAt: now, lifetime: 200_000)),
            ("naming no LINE user", try Self.token(signedBy: line.key, sub: "someone", issuedAt: now)),
            ("under a key id LINE does not publish", try Self.token(signedBy: line.key, kid: "made-up", issuedAt: now)),
            ("claiming HS256", try Self.token(signedBy: line.key, alg: "HS256", issuedAt: now)),
            ("not a JWT", "abc.def"),
            ("longer than any LINE token", String(repeating: "a", count: 1_000) + "." + String(repeating: "b", count: 1_000) + ".c"),
        ]
        var tampered = try Self.token(signedBy: line.key, issuedAt: now).split(separator: ".").map(String.init)
        let otherClaims = try JSONSerialization.data(
            withJSONObject: [
                "iss": "https://access.line.me", "sub": "U" + String(repeating: "ab", count: 16), "aud": Self.channel,
                "iat": Int(now.timeIntervalSince1970), "exp": Int(now.timeIntervalSince1970 + 3600),
            ] as [String: Any])
        tampered[1] = Base64URL.encode(otherClaims)
        let unsigned =
            Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + tampered[1] + "."
        let all =
            forgeries + [
                ("with its claims swapped for another user's", tampered.joined(separator: ".")), ("unsigned (alg none)", unsigned),
            ]

        try await Application(router: line.router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { fake in
            let port = try #require(fake.port)
            try await h.test(alerts: Self.alerts(port: port)) { client in
                for (what, token) in all {
                    // act
                    let answer = try await session(client, token)
                    // verify
                    #expect(answer.status == .unauthorized && errorCode(answer.json) == "invalid_id_token", "\(what): \(answer.text)")
                }
                // A made-up pass is refused too, and issues nothing.
                let before = try await h.store.lastEventSeq(office: "chuo")
                for pass in ["forged", Base64URL.encode(Array(repeating: UInt8(7), count: 80))] {
                    let answer = try await take(client, pass: pass, key: "k-\(pass.prefix(8))")
                    #expect(answer.status == .unauthorized, "pass \(pass)")
                }
                #expect(try await h.store.lastEventSeq(office: "chuo") == before)
                // The genuine token still works: the forgeries spent nothing of it.
                let good = try await session(client, try Self.token(signedBy: line.key, issuedAt: now))
                #expect(good.status == .created, "\(good.text)")
            }
            // The made-up key id made the server look for new keys once, not once per try.
            #expect(line.fetches.withLock { $0 } <= 2)
        }
    }

    @Test func theFirstTokensAfterAStartAllPassOnOneReadOfLINEsKeys() async throws {
        let h = try await Harness.make()
        let line = FakeLINE()
        try await Application(router: line.router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { fake in
            let port = try #require(fake.port)
            try await h.test(alerts: Self.alerts(port: port)) { client in
                let now = h.clock.now()
                let tokens = try (0..<8).map { n in
                    try Self.token(signedBy: line.key, sub: "U" + String(repeating: "0\(n)", count: 16), issuedAt: now)
                }
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for token in tokens { group.addTask { try await session(client, token).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
            }
            #expect(line.fetches.withLock { $0 } == 1)
        }
    }

    @Test func badSettingsAreListedAtStart() {
        var alone = AlertSettings()
        alone.liffID = Self.liffID
        #expect(alone.problems.contains { $0.contains("--liff-id needs LINE alerts on") })
        var malformed = LineWebhookTests.alerts
        malformed.liffID = "my-liff-app"
        malformed.liffSDK = "file:///sdk.js"
        #expect(malformed.problems.contains { $0.hasPrefix("--liff-id: the LIFF app's id") })
        #expect(malformed.problems.contains { $0.hasPrefix("--liff-sdk") })
        #expect(malformed.liffChannel == nil)
        var good = LineWebhookTests.alerts
        good.liffID = Self.liffID
        #expect(good.problems.isEmpty && good.liffChannel == Self.channel)
    }

    @Test func thePageLoadsLINEsSDKAndFallsBackWhenTheAppIsOff() async throws {
        let h = try await Harness.make()
        try await h.test(alerts: Self.alerts(port: 4567)) { client in
            let page = try await client.execute(uri: "/liff/chuo", method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(
                html.contains(#"<script src="http://127.0.0.1:4567/sdk.js" defer>"#) && html.contains(#"data-liff-id="\#(Self.liffID)""#))
            #expect(html.contains("https://line.me/R/ti/p/%40madoguchi"), "the add-friend link names the official account")
            let csp = page.headers[.contentSecurityPolicy] ?? ""
            #expect(csp.contains("script-src 'self' http://127.0.0.1:4567;"), "\(csp)")
            #expect(!csp.contains("unsafe-inline"))
            // The plain phone page keeps the strict policy and no SDK.
            let plain = try await client.execute(uri: "/o/chuo", method: .get)
            #expect(plain.headers[.contentSecurityPolicy] == Pages.contentSecurityPolicy())
            #expect(!String(buffer: plain.body).contains("sdk.js"))
            let list = String(buffer: try await client.execute(uri: "/liff", method: .get).body)
            #expect(list.contains(#"href="/liff/chuo""#))
        }
        try await h.test(alerts: LineWebhookTests.alerts) { client in
            let page = try await client.execute(uri: "/liff/chuo", method: .get)
            #expect(page.status == .seeOther && page.headers[.location] == "/o/chuo")
            let session = try await client.json(.post, "/api/v1/line/session", body: #"{"idToken":"a.b.c"}"#)
            #expect(session.status == .notFound && errorCode(session.json) == "liff_disabled")
        }
    }
}
