import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Notify
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

@Suite struct KioskTests {
    static func device(_ harness: Harness, office: String = "chuo") async throws -> String {
        let token = StaffTokens.generate()
        try await harness.store.createStaff(
            StaffAccount(
                tokenHash: StaffTokens.hash(token), role: .device, office: OfficeID(office), name: "kiosk-1", createdAt: harness.clock.now()
            ))
        return token
    }

    @Test func aKioskNeedsItsDeviceTokenOnceThenACookie() async throws {
        let harness = try await Harness.make()
        let token = try await Self.device(harness)
        let other = try await Self.device(harness, office: "nishi")
        try await harness.test { client in
            #expect(try await client.page("/kiosk/chuo").status == .unauthorized)
            #expect(try await client.page("/kiosk/chuo?device=\(other)").status == .unauthorized)
            let first = try await client.page("/kiosk/chuo?device=\(token)")
            #expect(first.status == .seeOther && first.headers[.location] == "/kiosk/chuo")
            let cookie = try #require(first.headers[.setCookie])
            #expect(cookie.hasPrefix("device=\(token)") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let page = try await client.page("/kiosk/chuo", headers: [.cookie: "device=\(token)"])
            #expect(page.status == .ok && page.html.contains("data-service=\"certificates\""))
        }
    }

    @Test func theKioskIssuesAKioskTicketAndAPrintableTicketWithAQRCode() async throws {
        let harness = try await Harness.make()
        let token = try await Self.device(harness)
        try await harness.test { client in
            let cookie: HTTPFields = [.cookie: "device=\(token)"]
            let taken = try await client.page("/kiosk/chuo/tickets", method: .post, form: "service=certificates", headers: cookie)
            #expect(taken.status == .seeOther)
            let location = try #require(taken.headers[.location])
            let ticketToken = String(location.split(separator: "/").last!)
            #expect(try await harness.store.ticketView(TicketID(ticketToken))?.ticket.channel == .kiosk)
            let printed = try await client.page(location, headers: cookie)
            #expect(printed.status == .ok)
            #expect(printed.html.contains("<svg data-qr "))
            #expect(printed.html.contains("data-ticket-number data-say>A-001<"))
            #expect(printed.headers[HTTPField.Name("Refresh")!] == "20; url=/kiosk/chuo?lang=ja&view=reset")
            #expect(try await client.page("/kiosk/chuo/tickets", method: .post, form: "service=certificates").status == .unauthorized)
            let refused = try await client.page("/kiosk/chuo/tickets", method: .post, form: "service=nope", headers: cookie)
            #expect(refused.status.code >= 400 && refused.status.code < 500 && refused.html.contains("<html"))
            #expect(refused.headers[HTTPField.Name("Refresh")!] == "10; url=/kiosk/chuo?lang=ja&view=reset")
        }
    }

    @Test func aDeviceTokenCannotActAsStaff() async throws {
        let harness = try await Harness.make()
        let token = try await Self.device(harness)
        try await harness.test { client in
            _ = try await client.issue()
            let call = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: token)
            #expect(call.status == .forbidden)
        }
    }
}

@Suite struct BoardTests {
    @Test func theBoardShowsEachCounterAndTheLastCallsOnADeviceToken() async throws {
        let harness = try await Harness.make()
        let device = try await KioskTests.device(harness)
        try await harness.test { client in
            #expect(try await client.page("/board/chuo").status == .unauthorized)
            _ = try await client.issue("moving-in")
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c5/call-next", token: harness.staffChuo)
            let board = try await client.page("/board/chuo", headers: [.cookie: "device=\(device)"])
            #expect(board.status == .ok)
            #expect(
                board.html.contains(
                    "<tr data-counter=\"c5\" data-calls=\"1\" class=\"called\"><th scope=\"row\">5</th><td data-number>B-001</td></tr>"))
            #expect(board.html.contains("<span class=\"recent-number\">B-001</span>"))
            #expect(board.html.contains("data-counter=\"c1\""))
        }
    }
}

/// A gateway that keeps what it was given, for tests that need the channel switched on.
struct RecordingGateway: AlertTransport {
    let channel = AlertChannel.gateway
    func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError) {}
}

@Suite struct KioskPhoneTests {
    /// Without a smartphone: after printing, the kiosk takes a phone number (typed the Japanese way) for a text or
    /// a call; it becomes the ticket's gateway contact, and the screen returns to the start.
    @Test func theKioskTakesAPhoneNumberForTheTicketsDay() async throws {
        let harness = try await Harness.make()
        let device = try await KioskTests.device(harness)
        let notifier = Notifier(store: harness.store, transports: [RecordingGateway()]) { _ in AlertMessage(title: "", body: "") }
        let hub = OfficeHub(store: harness.store, notifier: notifier)
        try await harness.test(hub: hub) { client in
            let cookie: HTTPFields = [.cookie: "device=\(device)"]
            let taken = try await client.page("/kiosk/chuo/tickets", method: .post, form: "service=certificates", headers: cookie)
            let location = try #require(taken.headers[.location])
            let token = TicketID(String(location.split(separator: "/").last!))
            let printed = try await client.page(location, headers: cookie)
            #expect(printed.html.contains("action=\"\(location)/phone\""))
            #expect(printed.headers[HTTPField.Name("Refresh")!] == "60; url=/kiosk/chuo?lang=ja&view=reset", "time to type a number")
            #expect(printed.html.contains("60秒で最初の画面に戻ります"), "the page says so too")
            #expect(try await client.page("\(location)/phone", method: .post, form: "address=090-1111-2222").status == .unauthorized)
            let bad = try await client.page("\(location)/phone", method: .post, form: "address=hello", headers: cookie)
            #expect(bad.status == .unprocessableContent)
            let done = try await client.page("\(location)/phone", method: .post, form: "address=090-1111-2222", headers: cookie)
            #expect(done.status == .ok && done.headers[HTTPField.Name("Refresh")!] == "8; url=/kiosk/chuo?lang=ja&view=reset")
            let contacts = try await harness.store.contacts(ticket: token)
            #expect(contacts.map(\.channel) == [.gateway] && contacts.first?.address == "+819011112222")
        }
        // Without a gateway the kiosk does not offer it.
        try await harness.test { client in
            let cookie: HTTPFields = [.cookie: "device=\(device)"]
            let taken = try await client.page("/kiosk/chuo/tickets", method: .post, form: "service=certificates", headers: cookie)
            let printed = try await client.page(try #require(taken.headers[.location]), headers: cookie)
            #expect(!printed.html.contains("/phone\""))
        }
    }
}
