import Foundation
import HTTPTypes
import HummingbirdTesting
import QueueCore
import Synchronization
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

@Suite("HTTP API")
struct ApiTests {
    @Test("health and the office list")
    func publicReads() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let health = try await client.reply([String: String].self, .get, "/health")
            #expect(health.status == .ok && health.value?["status"] == "ok")
            let offices = try await client.reply([OfficeBody].self, .get, "/api/v1/offices").decoded()
            #expect(offices.map(\.id) == ["chuo", "higashi", "nishi", "minami", "kita", "mynumber-center"])
            let chuo = offices[0]
            #expect(chuo.name.ja == "中央区役所")
            #expect(chuo.services.first?.prefix == "A" && chuo.services.first?.color == "#1565C0")
            #expect(chuo.counters.filter { $0.services.contains("certificates") }.count >= 2)
            #expect(chuo.counters.contains { !$0.services.contains("moving-in") })
            #expect(offices[5].services.map(\.id) == ["my-number-card"])
        }
    }

    @Test("issuing: 201 with the ticket, a retry returns it, and every bad request gets its error")
    func issuing() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let uri = "/api/v1/offices/chuo/tickets"
            let body = #"{"service":"certificates","channel":"kiosk","priority":0,"language":"en"}"#
            let reply = try await client.ticket(.post, uri, body: body, token: h.staffChuo, key: "tap-1")
            #expect(reply.status == .created)
            let first = try reply.decoded()
            #expect(first.number.description == "A-001")
            #expect(first.status == .waiting)
            #expect(first.position == 1)
            #expect(first.estimate?.minutes != nil)
            #expect(first.token.rawValue.count == 22)
            #expect(first.issuedAt.hasSuffix("+09:00"))
            let retry = try await client.ticket(.post, uri, body: body, token: h.staffChuo, key: "tap-1")
            #expect(retry.status == .ok && retry.value?.token == first.token)
            let reused = try await client.json(
                .post, uri, body: #"{"service":"moving-in","channel":"kiosk"}"#, token: h.staffChuo, key: "tap-1")
            #expect(reused.status == .unprocessableContent && errorCode(reused.json) == "idempotency_key_reused")

            let cases: [(String, String, HTTPResponse.Status, String)] = [
                ("/api/v1/offices/nowhere/tickets", #"{"service":"certificates","channel":"web"}"#, .notFound, "office_not_found"),
                (uri, #"{"service":"passports","channel":"web"}"#, .unprocessableContent, "service_not_found"),
                (uri, #"{"service":"certificates","channel":"fax"}"#, .unprocessableContent, "invalid_input"),
                (uri, #"{"service":"certificates","channel":"web","priority":7}"#, .unprocessableContent, "invalid_input"),
                (uri, #"{"service":"certificates","channel":"web","language":"xx"}"#, .unprocessableContent, "invalid_input"),
                (uri, #"{"channel":"web"}"#, .unprocessableContent, "invalid_input"),
                (uri, #"{"service":"123456789018","channel":"web"}"#, .badRequest, "my_number_refused"),
                (uri, #"{"service":"certificates","#, .badRequest, "malformed_json"),
                (uri, "[1,2]", .unprocessableContent, "invalid_input"),
                (uri, String(repeating: " ", count: 20_000), .contentTooLarge, "payload_too_large"),
            ]
            for (path, body, status, code) in cases {
                let r = try await client.json(.post, path, body: body)
                #expect(r.status == status && errorCode(r.json) == code, "\(body.prefix(60)) → \(r.status) \(r.text)")
                #expect(errorReply(r.text)?.error.message.isEmpty == false)
            }
            let badKey = try await client.json(.post, uri, body: body, token: h.staffChuo, key: String(repeating: "k", count: 200))
            #expect(badKey.status == .badRequest && errorCode(badKey.json) == "invalid_idempotency_key")
            // Nothing refused took a number.
            #expect(try await client.issue().number.description == "A-002")
        }
    }

    @Test("a closed procedure refuses tickets with 422")
    func closedProcedure() async throws {
        let h = try await Harness.make()
        var office = try #require(try await h.store.offices().first { $0.id == "chuo" })
        office.procedures[0].open = false
        _ = try await h.store.importOffice(office)
        try await h.test { client in
            let r = try await client.json(.post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"web"}"#)
            #expect(r.status == .unprocessableContent && errorCode(r.json) == "service_closed")
        }
    }

    @Test("reading and cancelling a ticket by token; unknown and malformed tokens get the same 404")
    func ticketByToken() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let token = try await client.issue().token
            let read = try await client.ticket(.get, "/api/v1/tickets/\(token)")
            #expect(read.status == .ok && read.value?.number.description == "A-001")
            let unknown = try await client.json(.get, "/api/v1/tickets/\(TicketID.random())")
            let malformed = try await client.json(.get, "/api/v1/tickets/A-001")
            #expect(unknown.status == .notFound && malformed.status == .notFound && unknown.text == malformed.text)
            let cancel = try await client.ticket(.post, "/api/v1/tickets/\(token)/cancel")
            #expect(cancel.status == .ok && cancel.value?.status.rawValue == "cancelled")
            #expect(try await client.json(.post, "/api/v1/tickets/\(token)/cancel").status == .ok)
            #expect(try await client.json(.post, "/api/v1/tickets/\(TicketID.random())/cancel").status == .notFound)

            let served = try await client.issue().token
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo)
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/start", token: h.staffChuo)
            let late = try await client.json(.post, "/api/v1/tickets/\(served)/cancel")
            #expect(late.status == .conflict && errorCode(late.json) == "invalid_transition")
            let postpone = try await client.json(.post, "/api/v1/tickets/\(served)/postpone")
            #expect(postpone.status == .conflict)
        }
    }

    @Test("guessed tokens: never a hit, identical 404s, then 429 with Retry-After past the limit")
    func guessingTokens() async throws {
        let h = try await Harness.make()
        let clock = Mutex(0.0)
        let limiter = RateLimiter(burst: 200, perSecond: 2, now: { clock.withLock { $0 } })
        try await h.test(limiter: limiter) { client in
            _ = try await client.issue()
            var bodies = Set<String>()
            var statuses: [HTTPResponse.Status: Int] = [:]
            for _ in 0..<250 {
                let r = try await client.json(.get, "/api/v1/tickets/\(TicketID.random())")
                statuses[r.status, default: 0] += 1
                if r.status == .notFound { bodies.insert(r.text) }
            }
            #expect(statuses[.notFound] == 200 && statuses[.tooManyRequests] == 50 && statuses[.ok] == nil)
            #expect(bodies.count == 1)
            let limited = try await client.execute(uri: "/api/v1/tickets/\(TicketID.random())", method: .get)
            #expect(limited.headers[.retryAfter] == "1")
            // Issuing is never limited, and the bucket refills with time.
            #expect(
                try await client.json(.post, "/api/v1/offices/chuo/tickets", body: #"{"service":"certificates","channel":"web"}"#).status
                    == .created)
            clock.withLock { $0 += 5 }
            #expect(try await client.json(.get, "/api/v1/tickets/\(TicketID.random())").status == .notFound)
        }
    }

    @Test("staff routes need a token for the office: 401 without, 403 for another office")
    func staffAuth() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let path = "/api/v1/offices/chuo/counters/c1/call-next"
            #expect(try await client.json(.post, path).status == .unauthorized)
            #expect(try await client.json(.post, path, token: "mdg_wrong").status == .unauthorized)
            let other = try await client.json(.post, path, token: h.staffNishi)
            #expect(other.status == .forbidden && errorCode(other.json) == "forbidden")
            #expect(try await client.json(.get, "/api/v1/offices/chuo/queue", token: h.staffNishi).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/offices/chuo/tickets/A-001/reactivate").status == .unauthorized)
        }
    }

    @Test("a counter's whole day: call, recall, start, complete, no-show, hold, transfer, open and close")
    func counterDay() async throws {
        let h = try await Harness.make(grace: 60)
        try await h.test { client in
            let base = "/api/v1/offices/chuo/counters/c5"
            let t = h.staffChuo
            #expect(try await client.json(.post, "\(base)/call-next", token: t).status == .noContent)
            _ = try await client.issue("moving-in")
            h.clock.advance(seconds: 1)
            _ = try await client.issue("moving-in")
            let called = try await client.ticket(.post, "\(base)/call-next", token: t, key: "click-1")
            #expect(called.status == .ok && called.value?.number.description == "B-001" && called.value?.status.rawValue == "called")
            #expect(called.value?.counter?.id == "c5")
            let double = try await client.ticket(.post, "\(base)/call-next", token: t, key: "click-1")
            #expect(double.status == .ok && double.value?.number.description == "B-001")
            let busy = try await client.json(.post, "\(base)/call-next", token: t)
            #expect(busy.status == .conflict && errorCode(busy.json) == "counter_busy")
            #expect(try await client.json(.post, "\(base)/recall", token: t).status == .ok)
            let early = try await client.json(.post, "\(base)/no-show", token: t)
            #expect(early.status == .conflict && errorCode(early.json) == "grace_not_elapsed")
            #expect(try await client.ticket(.post, "\(base)/start", token: t).value?.status.rawValue == "serving")
            let bad = try await client.json(.post, "\(base)/transfer", body: #"{"service":"passports"}"#, token: t)
            #expect(bad.status == .unprocessableContent && errorCode(bad.json) == "service_not_found")
            let moved = try await client.ticket(.post, "\(base)/transfer", body: #"{"service":"certificates"}"#, token: t)
            #expect(moved.status == .ok && moved.value?.number.description == "B-001" && moved.value?.service == "certificates")
            let idle = try await client.json(.post, "\(base)/complete", token: t)
            #expect(idle.status == .conflict && errorCode(idle.json) == "no_current_ticket")

            _ = try await client.json(.post, "\(base)/call-next", token: t)
            #expect(try await client.ticket(.post, "\(base)/hold", token: t).value?.status.rawValue == "waiting")
            _ = try await client.json(.post, "\(base)/call-next", token: t)
            h.clock.advance(seconds: 61)
            let missed = try await client.ticket(.post, "\(base)/no-show", token: t)
            #expect(missed.status == .ok && missed.value?.status.rawValue == "no_show")
            let number = try missed.decoded().number
            let back = try await client.ticket(.post, "/api/v1/offices/chuo/tickets/\(number)/reactivate", token: t)
            #expect(back.status == .ok && back.value?.status.rawValue == "waiting")
            let badNumber = try await client.json(.post, "/api/v1/offices/chuo/tickets/B-1/reactivate", token: t)
            #expect(badNumber.status == .unprocessableContent)
            let unknown = try await client.json(.post, "/api/v1/offices/chuo/tickets/B-999/reactivate", token: t)
            #expect(unknown.status == .notFound)

            let closed = try await client.reply(CounterStateBody.self, .post, "\(base)/close", token: t)
            #expect(closed.status == .ok && closed.value?.open == false)
            let refused = try await client.json(.post, "\(base)/call-next", token: t)
            #expect(refused.status == .conflict && errorCode(refused.json) == "counter_closed")
            #expect(try await client.reply(CounterStateBody.self, .post, "\(base)/open", token: t).value?.open == true)
            #expect(try await client.json(.post, "/api/v1/offices/chuo/counters/c99/open", token: t).status == .notFound)

            // The audit trail names the account behind every staff change.
            let log = try await h.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000)
            let staffEvents = log.filter {
                [.ticketCalled, .ticketRecalled, .ticketServing, .ticketTransferred, .ticketNoShow, .ticketReactivated, .counterClosed]
                    .contains($0.type)
            }
            #expect(!staffEvents.isEmpty && staffEvents.allSatisfy { $0.data["staff"] == .string("desk") })
            #expect(log.filter { $0.type == .ticketIssued }.allSatisfy { $0.data["staff"] == nil })

            let lines = try await client.reply(QueueBody.self, .get, "/api/v1/offices/chuo/queue", token: t).decoded().lines
            #expect(lines.count == 7)
            let moving = try #require(lines.first { $0.service == "moving-in" }?.waiting)
            #expect(moving.count == 1)
            #expect(try #require(lines.first { $0.service == "certificates" }?.waiting).count == 1)
        }
    }

    @Test("event streams of unknown tickets and offices are 404s, not empty streams")
    func streamNotFound() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let ticket = try await client.json(.get, "/api/v1/tickets/\(TicketID.random())/events")
            #expect(ticket.status == .notFound && errorCode(ticket.json) == "ticket_not_found")
            let office = try await client.json(.get, "/api/v1/offices/nowhere/events")
            #expect(office.status == .notFound && errorCode(office.json) == "office_not_found")
        }
    }

    @Test("the offices file lists every problem at once and loads nothing from a bad file")
    func officesFileErrors() async throws {
        let yaml = """
            offices:
              - id: Bad Office
                name: {ja: "x", en: "x"}
                timeZone: Mars/Olympus
                procedures:
                  - {id: certificates, prefix: AB, color: "#000", name: {ja: "x", en: "x"}, typicalMinutes: 0}
                counters:
                  - {id: c1, label: "1", services: [nowhere]}
                  - {id: c2, label: "2", services: [certificates], hours: ["12:00-09:00"]}
            """
        #expect {
            try OfficesFile.parse(yaml).resolved()
        } throws: { error in
            guard case QueueError.invalidInput(_, let reason) = error else { return false }
            return ["office id", "time zone", "prefix", "typical time", "unknown procedure", "c2 hours"].allSatisfy { reason.contains($0) }
        }
        let rotated = try OfficesFile.parse(
            """
            offices:
              - id: small
                name: {ja: "x", en: "x"}
                procedures:
                  - {id: certificates, prefix: A, color: "#000", name: {ja: "x", en: "x"}, typicalMinutes: 5}
                counters:
                  - {id: c1, label: "1", services: [certificates], hours: ["09:00-11:30", "12:30-16:30"]}
            """
        ).resolved()
        #expect(rotated.first?.office.counters.first?.plannedHours == [32_400..<41_400, 45_000..<59_400])
        #expect(throws: QueueError.self) { try OfficesFile.parse("offices: [{id: x}]") }
        #expect(throws: QueueError.self) { try OfficesFile.parse(": : :") }
        let demo = try OfficesFile.demo().resolved()
        #expect(demo.map(\.office.id.rawValue) == ["chuo", "higashi", "nishi", "minami", "kita", "mynumber-center"])
    }

    @Test("unknown routes answer in the API's error shape")
    func unknownRoute() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let r = try await client.json(.get, "/api/v1/nothing")
            #expect(r.status == .notFound && errorCode(r.json) == "not_found")
            let wrongMethod = try await client.execute(uri: "/api/v1/offices/chuo/tickets", method: .get)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.allow] == "POST")
            let trace = try await client.execute(uri: "/health", method: .trace)
            #expect(trace.status == .methodNotAllowed)
        }
    }

    @Test("the OpenAPI document names exactly the routes that are served")
    func openAPIMatchesRoutes() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            let doc = try await client.reply(OpenAPIReply.self, .get, "/openapi.json").decoded()
            #expect(doc.openapi == "3.1.0")
            let documented = Set(doc.paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
            let served = Set(Api.routes.map { "\($0.method.rawValue) \($0.path)" })
            #expect(
                documented == served, "only documented: \(documented.subtracting(served)); only served: \(served.subtracting(documented))")
        }
    }
}
