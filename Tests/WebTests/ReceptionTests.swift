import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Notify
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// The reception desk: a clerk hands out a ticket (a priority one with its reason code) for someone without a
/// smartphone, prints it, and may register a phone number; priority comes from nowhere else without a token.
@Suite struct ReceptionTests {
    /// The `ticket.issued` event of `token`.
    static func issued(_ h: Harness, _ token: TicketID) async throws -> Event {
        let events = try await h.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000)
        return try #require(events.first { $0.ticket == token && $0.type == .ticketIssued })
    }

    /// The `ticket.arrived` event of `token`.
    static func arrived(_ h: Harness, _ token: TicketID) async throws -> Event {
        let events = try await h.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000)
        return try #require(events.first { $0.ticket == token && $0.type == .ticketArrived })
    }

    static func location(_ response: (status: HTTPResponse.Status, html: String, headers: HTTPFields)) throws -> String {
        try #require(
            response.headers[.location],
            "\(response.status) \(response.html.firstMatch(of: /role="alert">[^<]*/).map { String($0.0) } ?? String(response.html.prefix(300)))"
        )
    }

    @Test func aPriorityTicketFromReceptionIsPrintedCalledFirstAndNamesItsClerk() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        let notifier = Notifier(store: h.store, transports: [RecordingGateway()]) { _ in AlertMessage(title: "", body: "") }
        try await h.test(hub: OfficeHub(store: h.store, notifier: notifier)) { client in
            let desk = try await ConsoleTests.signIn(client)
            let chooser = try await client.page("/console", headers: desk)
            #expect(chooser.html.contains("href=\"/reception/chuo\""), "the chooser leads to the desk")
            let page = try await client.page("/reception/chuo", headers: desk)
            #expect(page.status == .ok && page.html.contains("action=\"/reception/chuo/tickets\""))
            for reason in PriorityReason.allCases { #expect(page.html.contains("name=\"reason\" value=\"\(reason.rawValue)\"")) }
            #expect(page.html.contains("name=\"phone\""), "a gateway is on, so a phone number may be given")
            let csrf = try ConsoleTests.csrf(page.html)

            // Two citizens took remote tickets first.
            let first = try await client.issue()
            _ = try await client.issue()
            let form = "csrf=\(csrf)&key=desk-1&service=certificates&reason=elderly&language=en&phone=090-1111-2222"
            let taken = try await client.page("/reception/chuo/tickets", method: .post, form: form, headers: desk)
            #expect(taken.status == .seeOther)
            let location = try Self.location(taken)
            #expect(location.hasPrefix("/reception/chuo/printed/") && location.hasSuffix("?phone=1"))
            let token = TicketID(String(location.dropFirst("/reception/chuo/printed/".count).prefix { $0 != "?" }))
            // A double click sends the same key: the same ticket, not a second one.
            let again = try await client.page("/reception/chuo/tickets", method: .post, form: form, headers: desk)
            #expect(try Self.location(again) == location)

            let printed = try await client.page(location, headers: desk)
            #expect(printed.status == .ok && printed.html.contains("class=\"receipt\"") && printed.html.contains("<svg"))
            #expect(printed.html.contains("lang=\"en\""), "printed in the visitor's language")
            #expect(printed.html.contains("href=\"/reception/chuo\""), "and back to the desk for the next visitor")
            #expect(!printed.html.contains("elderly") && !printed.html.contains("高齢"), "the reason is printed nowhere")

            let event = try await Self.issued(h, token)
            #expect(event.channel == .staff && event.priority == 1 && event.priorityReason == .elderly)
            #expect(event.staff == "session:desk5" && event.language == "en")
            let contacts = try await h.store.contacts(ticket: token)
            #expect(contacts.map(\.channel) == [.gateway] && contacts.first?.address == "+819011112222")

            // The routing rule: the priority ticket goes before the two who took theirs earlier.
            let called = try await client.ticket(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo)
            #expect(called.value?.token == token, "\(called.status) \(called.text.prefix(300))")
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/complete", token: h.staffChuo)
            let next = try await client.ticket(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo)
            #expect(next.value?.token == first.token)

            // Without a reason the ticket joins the ordinary line, still as the desk's.
            let plain = try await client.page(
                "/reception/chuo/tickets", method: .post, form: "csrf=\(csrf)&key=desk-2&service=moving-in&reason=&language=ja",
                headers: desk)
            let plainToken = TicketID(String(try Self.location(plain).split(separator: "/").last!))
            let plainEvent = try await Self.issued(h, plainToken)
            #expect(plainEvent.priority == 0 && plainEvent.priorityReason == nil && plainEvent.channel == .staff)
            #expect(try await h.store.contacts(ticket: plainToken).isEmpty)
        }
    }

    @Test func theDeskIsForTheOfficesStaffAndPriorityNeedsAReasonAndAToken() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        try await ConsoleTests.user(h, office: "nishi", name: "nishi1")
        let device = try await KioskTests.device(h)
        try await h.test { client in
            let signIn = try await client.page("/reception/chuo")
            #expect(signIn.status == .seeOther && signIn.headers[.location] == "/login?next=/reception/chuo")
            let nishi = try await ConsoleTests.signIn(client, name: "nishi1")
            #expect(try await client.page("/reception/chuo", headers: nishi).status == .forbidden)
            let desk = try await ConsoleTests.signIn(client)
            let csrf = try ConsoleTests.csrf(try await client.page("/reception/chuo", headers: desk).html)
            let before = try await h.store.lastEventSeq(office: "chuo")

            let forged = try await client.page(
                "/reception/chuo/tickets", method: .post, form: "service=certificates&reason=elderly", headers: desk)
            #expect(forged.status == .forbidden, "no CSRF token")
            let otherOffice = try await client.page(
                "/reception/chuo/tickets", method: .post,
                form: "csrf=\(Sessions.csrfToken(for: String(nishi[.cookie]!.dropFirst("session=".count))))&service=certificates",
                headers: nishi)
            #expect(otherOffice.status == .forbidden)
            let badReason = try await client.page(
                "/reception/chuo/tickets", method: .post, form: "csrf=\(csrf)&service=certificates&reason=vip", headers: desk)
            #expect(badReason.status == .unprocessableContent && badReason.html.contains("priorityReason"))
            #expect(badReason.html.contains("action=\"/reception/chuo/tickets\""), "the form again, with why")
            let noGateway = try await client.page(
                "/reception/chuo/tickets", method: .post, form: "csrf=\(csrf)&service=certificates&phone=090-1111-2222", headers: desk)
            #expect(noGateway.status == .unprocessableContent, "no gateway: no ticket promising a text")
            #expect(try await h.store.lastEventSeq(office: "chuo") == before, "nothing refused was issued")

            // Through the API: priority needs a device's or staff token, and a reason; a reason needs priority.
            let uri = "/api/v1/offices/chuo/tickets"
            let anonymous = try await client.json(
                .post, uri, body: #"{"service":"certificates","channel":"web","priority":1,"priorityReason":"pregnancy"}"#)
            #expect(anonymous.status == .unauthorized)
            let noReason = try await client.json(
                .post, uri, body: #"{"service":"certificates","channel":"staff","priority":1}"#, token: h.staffChuo)
            #expect(noReason.status == .unprocessableContent && errorCode(noReason.json) == "invalid_input")
            #expect(noReason.text.contains("priorityReason"))
            let reasonOnly = try await client.json(
                .post, uri, body: #"{"service":"certificates","channel":"staff","priorityReason":"infant"}"#, token: h.staffChuo)
            #expect(reasonOnly.status == .unprocessableContent)
            let kiosk = try await client.ticket(
                .post, uri, body: #"{"service":"certificates","channel":"kiosk","priority":1,"priorityReason":"disability"}"#,
                token: device)
            #expect(kiosk.status == .created)
            let event = try await Self.issued(h, try #require(kiosk.value?.token))
            #expect(event.priorityReason == .disability && event.staff == "kiosk-1" && event.channel == .kiosk)
        }
    }
}

/// Arrival check-in: a remote ticket with a travel time keeps its place but is not called until its holder is
/// here, and the holder (ticket page, API), the kiosk (its scanner types the QR code) or reception checks it in.
@Suite struct ArrivalCheckInTests {
    static func remote(_ client: some TestClientProtocol, travel: Int = 30) async throws -> TicketBody {
        try await client.ticket(
            .post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"web","travelMinutes":\#(travel)}"#
        ).decoded()
    }

    @Test func aHolderOnTheWayKeepsTheirPlaceAndGoesNextOnceHere() async throws {
        let h = try await Harness.make()
        let device = try await KioskTests.device(h)
        try await h.test { client in
            let away = try await Self.remote(client)
            #expect(away.onTheWay && away.status == .waiting)
            let page = try await client.page("/t/\(away.token)")
            #expect(page.html.contains("action=\"/t/\(away.token)/check-in\"") && !page.html.contains("data-check-in hidden"))
            let paper = try await client.ticket(
                .post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"kiosk"}"#, token: device
            ).decoded()
            // Passed over while on the way: the paper ticket behind it is called.
            let first = try await client.ticket(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo)
            #expect(first.value?.token == paper.token)
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/complete", token: h.staffChuo)
            #expect(try await client.json(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo).status == .noContent)

            let checkIn = try await client.page("/t/\(away.token)/check-in", method: .post)
            #expect(checkIn.status == .seeOther && checkIn.headers[.location] == "/t/\(away.token)")
            #expect(try await client.page("/t/\(away.token)").html.contains("data-check-in hidden"))
            let again = try await client.ticket(.post, "/api/v1/tickets/\(away.token)/check-in")
            #expect(again.status == .ok && again.value?.onTheWay == false, "twice is no error")
            let called = try await client.ticket(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo)
            #expect(called.value?.token == away.token)
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/complete", token: h.staffChuo)
            let finished = try await client.json(.post, "/api/v1/tickets/\(away.token)/check-in")
            #expect(finished.status == .conflict && errorCode(finished.json) == "invalid_transition")

            // Without a travel time the holder is taken to be here: nothing to check in.
            let here = try await client.issue()
            #expect(!here.onTheWay)
        }
    }

    @Test func theKioskScannerAndTheReceptionDeskCheckHoldersIn() async throws {
        let h = try await Harness.make()
        let device = try await KioskTests.device(h)
        try await ConsoleTests.user(h)
        try await h.test { client in
            let cookie: HTTPFields = [.cookie: "device=\(device)"]
            #expect(try await client.page("/kiosk/chuo", headers: cookie).html.contains("action=\"/kiosk/chuo/check-in\""))
            let byScanner = try await Self.remote(client)
            let scanned = try await client.page(
                "/kiosk/chuo/check-in", method: .post, form: "ticket=http%3A%2F%2Flocalhost%2Ft%2F\(byScanner.token)", headers: cookie)
            #expect(scanned.status == .ok && scanned.html.contains(byScanner.number.description))
            #expect(scanned.headers[HTTPField.Name("Refresh")!] == "8; url=/kiosk/chuo?lang=ja&view=reset")
            let kioskEvent = try await ReceptionTests.arrived(h, byScanner.token)
            #expect(kioskEvent.staff == "kiosk-1")
            let garbage = try await client.page("/kiosk/chuo/check-in", method: .post, form: "ticket=hello", headers: cookie)
            #expect(garbage.status == .notFound)
            #expect(try await client.page("/kiosk/chuo/check-in", method: .post, form: "ticket=\(byScanner.token)").status == .unauthorized)

            let atDesk = try await Self.remote(client)
            let desk = try await ConsoleTests.signIn(client)
            let csrf = try ConsoleTests.csrf(try await client.page("/reception/chuo", headers: desk).html)
            let checked = try await client.page(
                "/reception/chuo/check-in", method: .post, form: "csrf=\(csrf)&number=\(atDesk.number.description.lowercased())",
                headers: desk)
            #expect(checked.status == .ok && checked.html.contains("\(atDesk.number)"))
            #expect(try await ReceptionTests.arrived(h, atDesk.token).staff == "session:desk5")
            let unknown = try await client.page("/reception/chuo/check-in", method: .post, form: "csrf=\(csrf)&number=Z-999", headers: desk)
            #expect(unknown.status == .notFound)
            let malformed = try await client.page(
                "/reception/chuo/check-in", method: .post, form: "csrf=\(csrf)&number=hello", headers: desk)
            #expect(malformed.status == .unprocessableContent)
        }
    }
}

/// A closed day (a national holiday) refuses tickets and says when the office opens next, before anyone tries.
@Suite struct ClosedDayTests {
    @Test func aHolidayRefusesTicketsAndNamesTheNextOpenDay() async throws {
        let h = try await Harness.make()
        var chuo = try #require(try await h.store.offices().first { $0.id == "chuo" })
        chuo.openingHours = OpeningHours(
            weekdays: [1, 2, 3, 4, 5], opens: "09:00", closes: "16:30", enforced: true, nationalHolidays: true)
        _ = try await h.store.importOffice(chuo)
        h.clock.set(ISO8601DateFormatter().date(from: "2026-05-04T10:00:00+09:00")!)  // みどりの日, a Monday
        try await h.test { client in
            let refused = try await client.json(.post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"web"}"#)
            #expect(refused.status == .conflict && errorCode(refused.json) == "office_closed")
            #expect(refused.text.contains("2026-05-07 09:00"), "\(refused.text)")
            let page = try await client.page("/o/chuo?lang=en")
            #expect(page.html.contains("It opens next on 2026-05-07 at 09:00."))
            h.clock.set(ISO8601DateFormatter().date(from: "2026-05-07T09:05:00+09:00")!)
            #expect(
                try await client.json(.post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"web"}"#).status
                    == .created)
            #expect(!(try await client.page("/o/chuo?lang=en").html.contains("It opens next")))
        }
    }
}

/// A counter paused for a break or a meeting: closed with why, from the console or the API, never while it holds
/// a ticket; and the estimators count it as closed.
@Suite struct CounterPauseTests {
    @Test func aPauseClosesTheCounterWithItsReasonAndOpeningEndsIt() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        try await h.test { client in
            let desk = try await ConsoleTests.signIn(client)
            let page = try await client.page("/console/chuo/c5", headers: desk)
            let csrf = try ConsoleTests.csrf(page.html)
            _ = try await client.page("/console/chuo/c5/open", method: .post, form: "csrf=\(csrf)", headers: desk)
            let open = try await client.page("/console/chuo/c5", headers: desk)
            #expect(open.html.contains("action=\"/console/chuo/c5/pause\"") && open.html.contains("value=\"meeting\""))
            let paused = try await client.page("/console/chuo/c5/pause", method: .post, form: "csrf=\(csrf)&reason=meeting", headers: desk)
            #expect(paused.status == .seeOther)
            #expect(try await h.store.counterStates(office: "chuo").first { $0.id == "c5" }?.open == false)
            let events = try await h.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000)
            let event = try #require(events.last { $0.type == .counterPaused })
            #expect(event.counter == "c5" && event.pauseReason == .meeting && event.staff == "session:desk5")
            let bad = try await client.page("/console/chuo/c5/pause", method: .post, form: "csrf=\(csrf)&reason=nap", headers: desk)
            #expect(bad.status == .unprocessableContent)

            // Through the API: a bad code is 422, a counter holding a ticket does not pause, opening ends a pause.
            let api = "/api/v1/offices/chuo/counters/c1"
            #expect(
                try await client.json(.post, "\(api)/pause", body: #"{"reason":"nap"}"#, token: h.staffChuo).status == .unprocessableContent
            )
            _ = try await client.json(.post, "\(api)/open", token: h.staffChuo)
            _ = try await client.issue()
            _ = try await client.json(.post, "\(api)/call-next", token: h.staffChuo)
            let busy = try await client.json(.post, "\(api)/pause", body: #"{"reason":"break"}"#, token: h.staffChuo)
            #expect(busy.status == .conflict && errorCode(busy.json) == "counter_busy")
            _ = try await client.json(.post, "\(api)/complete", token: h.staffChuo)
            let onBreak = try await client.reply(
                CounterStateBody.self, .post, "\(api)/pause", body: #"{"reason":"break"}"#, token: h.staffChuo)
            #expect(onBreak.status == .ok && onBreak.value?.open == false)
            #expect(
                try await client.json(.post, "\(api)/call-next", token: h.staffChuo).status == .conflict, "a paused counter calls no one")
            #expect(try await client.reply(CounterStateBody.self, .post, "\(api)/open", token: h.staffChuo).value?.open == true)
        }
    }
}

/// A holder on the way says how long they need now, from the ticket page or the API; "come now" reads the new time.
@Suite struct TravelChangeTests {
    @Test func aHolderOnTheWayChangesTheirTravelTime() async throws {
        let h = try await Harness.make()
        let device = try await KioskTests.device(h)
        try await h.test { client in
            let away = try await ArrivalCheckInTests.remote(client, travel: 30)
            let page = try await client.page("/t/\(away.token)")
            #expect(page.html.contains("action=\"/t/\(away.token)/travel\"") && page.html.contains("<option value=\"10\">"))
            let changed = try await client.page("/t/\(away.token)/travel", method: .post, form: "travel=10")
            #expect(changed.status == .seeOther && changed.headers[.location] == "/t/\(away.token)")
            let events = try await h.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000)
            let event = try #require(events.last { $0.type == .ticketTravelChanged })
            #expect(event.ticket == away.token && event.travelMinutes == 10)
            #expect(try await client.page("/t/\(away.token)/travel", method: .post, form: "travel=7").status == .unprocessableContent)

            let api = "/api/v1/tickets/\(away.token)/travel"
            #expect(try await client.ticket(.post, api, body: #"{"travelMinutes":45}"#).status == .ok)
            #expect(try await client.json(.post, api, body: #"{"travelMinutes":0}"#).status == .unprocessableContent)
            #expect(try await client.json(.post, api, body: #"{"travelMinutes":241}"#).status == .unprocessableContent)
            // Nothing to change for a holder who is here: a paper ticket, or one checked in.
            let paper = try await client.ticket(
                .post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"kiosk"}"#, token: device
            ).decoded()
            #expect(
                try await client.json(.post, "/api/v1/tickets/\(paper.token)/travel", body: #"{"travelMinutes":20}"#).status
                    == .unprocessableContent)
            _ = try await client.json(.post, "/api/v1/tickets/\(away.token)/check-in")
            #expect(try await client.json(.post, api, body: #"{"travelMinutes":20}"#).status == .unprocessableContent)
            #expect(try await client.page("/t/\(away.token)").html.contains("data-check-in hidden"))
        }
    }
}

/// 受付終了: the desk stops issuing a procedure (or all) for today; tickets already issued are still called, the
/// pages say so, and the next day it issues again by itself.
@Suite struct IssuingStopTests {
    @Test func theDeskStopsIssuingForTodayAndItResumesTomorrow() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        let device = try await KioskTests.device(h)
        try await h.test { client in
            let desk = try await ConsoleTests.signIn(client)
            let page = try await client.page("/reception/chuo", headers: desk)
            #expect(page.html.contains("data-action=\"stop-certificates\""))
            let csrf = try ConsoleTests.csrf(page.html)
            let waiting = try await client.issue()
            let stop = try await client.page(
                "/reception/chuo/issuing", method: .post, form: "csrf=\(csrf)&service=certificates&action=stop", headers: desk)
            #expect(stop.status == .seeOther)
            let refused = try await client.json(.post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"web"}"#)
            #expect(refused.status == .conflict && errorCode(refused.json) == "issuing_stopped")
            #expect(try await client.issue("moving-in").status == .waiting, "other procedures still issue")
            #expect(try await client.page("/o/chuo?lang=en").html.contains("No more tickets today"))
            #expect(
                !(try await client.page("/kiosk/chuo", headers: [.cookie: "device=\(device)"]).html.contains(
                    "data-service=\"certificates\"")))
            #expect(try await client.page("/reception/chuo", headers: desk).html.contains("data-action=\"resume-certificates\""))
            let events = try await h.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000)
            let event = try #require(events.last { $0.type == .issuingStopped })
            #expect(event.procedures == ["certificates"] && event.staff == "session:desk5")
            // Tickets already issued are still called.
            let called = try await client.ticket(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo)
            #expect(called.value?.token == waiting.token)

            _ = try await client.page(
                "/reception/chuo/issuing", method: .post, form: "csrf=\(csrf)&service=certificates&action=resume", headers: desk)
            #expect(try await client.issue().status == .waiting)
            _ = try await client.page("/reception/chuo/issuing", method: .post, form: "csrf=\(csrf)&service=all&action=stop", headers: desk)
            let all = try await client.json(.post, "/api/v1/offices/chuo/tickets", body: #"{"service":"moving-in","channel":"web"}"#)
            #expect(all.status == .conflict)
            let bad = try await client.page(
                "/reception/chuo/issuing", method: .post, form: "csrf=\(csrf)&service=nope&action=stop", headers: desk)
            #expect(bad.status == .unprocessableContent)
            #expect(
                try await client.page("/reception/chuo/issuing", method: .post, form: "csrf=\(csrf)&service=all&action=x", headers: desk)
                    .status
                    == .unprocessableContent)
            h.clock.advance(seconds: 86_400)
            #expect(try await client.issue().status == .waiting, "the next day it issues again by itself")
        }
    }
}
