import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Notify
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

struct FakeLine: AlertTransport {
    let channel = AlertChannel.line
    func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError) {}
}

@Suite struct LineWebhookTests {
    static let secret = "line-channel-secret-for-tests"
    static var alerts: AlertSettings {
        var settings = AlertSettings()
        settings.lineAccountID = "@madoguchi"
        settings.lineAccessToken = "token"
        settings.lineChannelSecret = secret
        // Composed routes get a notifier with a LINE transport: never the real API from a test.
        settings.lineAPIBase = "http://127.0.0.1:9"
        return settings
    }

    static func signature(_ body: String, secret: String = secret) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))).base64EncodedString()
    }

    static func payload(eventID: String, user: String, text: String) -> String {
        #"{"destination":"Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","events":[{"type":"message","mode":"active","timestamp":1774832400000,"#
            + #""webhookEventId":"\#(eventID)","deliveryContext":{"isRedelivery":false},"#
            + #""source":{"type":"user","userId":"\#(user)"},"replyToken":"r","message":{"id":"1","type":"text","text":"\#(text)"}}]}"#
    }

    func post(_ client: any TestClientProtocol, _ body: String, signature: String?) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signature { headers[HTTPField.Name("x-line-signature")!] = signature }
        return try await client.execute(uri: "/line/webhook", method: .post, headers: headers, body: ByteBuffer(string: body)).status
    }

    /// Forged webhooks: only the body signed with the channel secret acts, and one event delivered three times acts
    /// once. What "acts" means is seen from outside: the ticket gains a LINE contact, and the code is used up.
    @Test func onlyTheValidSignatureLinksAndOnlyOnce() async throws {
        let h = try await Harness.make()
        try await h.test(alerts: Self.alerts) { client in
            let token = try await client.issue().token
            let link = try await client.reply([String: String].self, .post, "/api/v1/tickets/\(token)/line-link")
            #expect(link.status == .created)
            let code = try #require(link.decoded()["code"])
            #expect(try link.decoded()["url"]?.hasPrefix("https://line.me/R/oaMessage/%40madoguchi/?MADOGUCHI%20\(code)") == true)
            let user = "U" + String(repeating: "5f", count: 16)
            let body = Self.payload(eventID: "01HZZZZZZZZZZZZZZZZZZZZZZZ", user: user, text: "MADOGUCHI \(code)")
            let valid = Self.signature(body)
            var tampered = Array(body.utf8)
            let at = tampered.firstIndex(of: UInt8(ascii: "5"))!
            tampered[at] = UInt8(ascii: "6")  // one byte of the user id changed
            let reserialised = String(
                decoding: try JSONSerialization.data(
                    withJSONObject: try JSONSerialization.jsonObject(with: Data(body.utf8)), options: [.sortedKeys]),
                as: UTF8.self)
            #expect(reserialised != body)
            let forged: [(String, String, String?)] = [
                ("wrong secret", body, Self.signature(body, secret: "another-secret")),
                ("one byte changed", String(decoding: tampered, as: UTF8.self), valid),
                ("re-serialised JSON", reserialised, valid),
                ("no header", body, nil),
                ("wrong length", body, String(valid.dropLast(4))),
                ("not base64", body, "!!!!"),
                ("empty", body, ""),
            ]
            for (name, forgedBody, signature) in forged {
                #expect(try await post(client, forgedBody, signature: signature) == .unauthorized, "\(name)")
            }
            let contacts = try await client.reply(ContactsBody.self, .get, "/api/v1/tickets/\(token)/contacts")
            #expect(contacts.value?.channels == [], "nothing forged linked anything")

            for _ in 0..<3 { #expect(try await post(client, body, signature: valid) == .ok) }
            let linked = try await h.store.contacts(ticket: token)
            #expect(linked.map(\.channel) == [.line] && linked.first?.address == user)

            // The same event id again, now carrying a fresh code for another ticket: a redelivery, so ignored.
            let other = try await client.issue().token
            let otherCode =
                try await client.reply([String: String].self, .post, "/api/v1/tickets/\(other)/line-link").decoded()["code"] ?? ""
            let again = Self.payload(eventID: "01HZZZZZZZZZZZZZZZZZZZZZZZ", user: user, text: otherCode)
            #expect(try await post(client, again, signature: Self.signature(again)) == .ok)
            #expect(try await h.store.contacts(ticket: other).isEmpty)
            // A new event id with that code links it; the used code of the first ticket links nothing more.
            let fresh = Self.payload(eventID: "01HYYYYYYYYYYYYYYYYYYYYYYY", user: user, text: otherCode)
            #expect(try await post(client, fresh, signature: Self.signature(fresh)) == .ok)
            #expect(try await h.store.contacts(ticket: other).map(\.channel) == [.line])
            let reuse = Self.payload(eventID: "01HXXXXXXXXXXXXXXXXXXXXXXX", user: "U" + String(repeating: "77", count: 16), text: code)
            #expect(try await post(client, reuse, signature: Self.signature(reuse)) == .ok)
            #expect(try await h.store.contacts(ticket: token).first?.address == user, "a used code links nobody else")
        }
    }

    @Test func withoutLineTheRoutesSaySo() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let token = try await client.issue().token
            let link = try await client.json(.post, "/api/v1/tickets/\(token)/line-link")
            #expect(link.status == .unprocessableContent && errorCode(link.json) == "channel_disabled")
            let add = try await client.json(
                .post, "/api/v1/tickets/\(token)/contacts", body: #"{"channel":"gateway","address":"+819012345678"}"#)
            #expect(add.status == .unprocessableContent && errorCode(add.json) == "channel_disabled")
            #expect(try await post(client, "{}", signature: "x") == .notFound)
        }
    }

    /// A LINE user id cannot be named through the API: only a message from that LINE account links it.
    @Test func aLineUserIsLinkedOnlyFromLine() async throws {
        let h = try await Harness.make()
        let notifier = Notifier(store: h.store, transports: [FakeLine()]) { _ in AlertMessage(title: "", body: "") }
        try await h.test(hub: OfficeHub(store: h.store, notifier: notifier), alerts: Self.alerts) { client in
            let token = try await client.issue().token
            let add = try await client.json(
                .post, "/api/v1/tickets/\(token)/contacts", body: #"{"channel":"line","address":"U\#(String(repeating: "ab", count: 16))"}"#
            )
            #expect(add.status == .unprocessableContent && errorCode(add.json) == "use_line_link", "\(add.text)")
            #expect(try await h.store.contacts(ticket: token).isEmpty)
            #expect(try await post(client, "{}", signature: "x") == .unauthorized, "LINE is on: the webhook is there")
        }
    }
}
