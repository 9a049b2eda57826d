import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb

/// The form-writing guide from the citizen's page to the clerk's console: the points and the questions on the
/// ticket page, the answers saved, shown back with their QR code, and read at the counter from the ticket being
/// served or from the code a scanner types.
@Suite struct GuideTests {
    @Test func answersFromTheTicketPageReachTheConsole() async throws {
        // setup
        let harness = try await Harness.make()
        try await ConsoleTests.user(harness)
        try await harness.test { client in
            let ticket = try await client.issue("moving-in")
            let token = ticket.token.rawValue
            let page = try await client.page("/t/\(token)?lang=ja")
            #expect(page.html.contains("書き方ガイド") && page.html.contains("住民異動届（転入）"))
            #expect(page.html.contains("転出証明書・本人確認書類・マイナンバーカード"), "what to bring comes from the offices file")
            #expect(page.html.contains(#"name="guide.moved-on" type="date""#) && page.html.contains(#"name="guide.people" type="number""#))
            #expect(!page.html.contains("data-guide-qr"), "no code before anything is answered")

            // act: the holder answers on the page
            let saved = try await client.page(
                "/t/\(token)/guide", method: .post,
                form: "guide.moved-on=2026-03-27&guide.people=2&guide.from=in-japan&guide.card-move=yes&guide.who=")
            // verify
            #expect(saved.status == .seeOther && saved.headers[.location] == "/t/\(token)#guide")
            let after = try await client.page("/t/\(token)?lang=en")
            #expect(after.html.contains("data-guide-qr") && after.html.contains("<svg"))
            #expect(after.html.contains("<dd>Elsewhere in Japan</dd>") && after.html.contains("<dd>2026-03-27</dd>"))
            #expect(after.html.contains(#"<option value="in-japan" selected>"#), "the form keeps the answers")

            // A wrong answer is refused with the page's error, and the saved answers stay.
            let wrong = try await client.page("/t/\(token)/guide", method: .post, form: "guide.people=99")
            #expect(wrong.status == .unprocessableContent)
            let api = try await client.json(.get, "/api/v1/tickets/\(token)/guide")
            #expect(api.status == .ok)
            let body = try JSONDecoder().decode(Api.GuideBody.self, from: Data(api.text.utf8))
            #expect(body.answers == ["moved-on": "2026-03-27", "people": "2", "from": "in-japan", "card-move": "yes"])
            let code = try #require(body.code)
            #expect(code.hasPrefix("MDG-GUIDE/1|chuo|\(ticket.number)|moving-in|"))

            // The clerk calls the ticket: the console shows the answers.
            let session = try await ConsoleTests.signIn(client)
            let console = try await client.page("/console/chuo/c5", headers: session)
            let csrf = try ConsoleTests.csrf(console.html)
            _ = try await client.page(
                "/console/chuo/c5/call-next", method: .post, form: "csrf=\(csrf)&key=\(try ConsoleTests.callKey(console.html))",
                headers: session)
            let serving = try await client.page("/console/chuo/c5?lang=ja", headers: session)
            #expect(serving.html.contains("data-guide-answers") && serving.html.contains("<dd>国内の他の市区町村</dd>"))

            // Another counter reads the code a scanner types.
            let scanned = try await client.page(
                "/console/chuo/c6/guide", method: .post,
                form: "csrf=\(csrf)&code=\(code.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", headers: session)
            #expect(scanned.status == .ok && scanned.html.contains("data-guide-scanned") && scanned.html.contains("<dd>2</dd>"))
            #expect(scanned.html.contains(ticket.number.description))
            // Not a code of ours, or one whose answers the guide refuses: nothing of it is shown.
            for junk in [
                "https://example.jp/t/x", "MDG-GUIDE/1|chuo|B-001|moving-in|name=yamada", "MDG-GUIDE/1|nishi|B-001|moving-in|people=2",
            ] {
                let refused = try await client.page(
                    "/console/chuo/c6/guide", method: .post,
                    form: "csrf=\(csrf)&code=\(junk.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", headers: session)
                #expect(refused.html.contains("この庁舎のガイドのコードではありません") || refused.html.contains("not a guide code"), "\(junk)")
                #expect(!refused.html.contains("yamada"))
            }
        }
    }

    @Test func theApiChecksTheAnswersAndRefusesThemOnceTheTicketIsFinished() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let ticket = try await client.issue("moving-in")
            let path = "/api/v1/tickets/\(ticket.token.rawValue)/guide"
            let put = try await client.json(.put, path, body: #"{"answers":{"people":"4","moved-on":"2026-03-01"}}"#)
            #expect(put.status == .ok, "\(put.text)")
            let unknown = try await client.json(.put, path, body: #"{"answers":{"address":"1-1"}}"#)
            #expect(unknown.status == .unprocessableContent && errorCode(unknown.json) == "invalid_input")
            let myNumber = try await client.json(.put, path, body: #"{"answers":{"people":"4681-3579-0240"}}"#)
            #expect(myNumber.status == .badRequest)
            #expect(try await harness.store.guideAnswers(ticket: ticket.token)?.answers == ["people": "4", "moved-on": "2026-03-01"])
            _ = try await client.json(.post, "/api/v1/tickets/\(ticket.token.rawValue)/cancel")
            let late = try await client.json(.put, path, body: #"{"answers":{"people":"1"}}"#)
            #expect(late.status == .conflict)
        }
    }
}
