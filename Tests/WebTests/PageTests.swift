import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb

extension TestClientProtocol {
    func page(
        _ uri: String, method: HTTPRequest.Method = .get, form: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, html: String, headers: HTTPFields) {
        var headers = extra
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) })
        return (response.status, String(buffer: response.body), response.headers)
    }
}

@Suite struct PageTests {
    @Test func everyPageAnswersWithHTMLAndAStrictPolicy() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let token = try await client.issue().token
            for uri in ["/", "/offices/chuo", "/o/chuo", "/t/\(token)"] {
                let page = try await client.page(uri)
                #expect(page.status == .ok, "\(uri)")
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                let csp = try #require(page.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
                #expect(!page.html.contains(" style=") && !page.html.contains("<script>"), "no inline style or script on \(uri)")
            }
            #expect(try await client.page("/offices/chuo/colors.css").html.contains(".svc-certificates { --c: #1565c0;"))
            #expect(try await client.page("/static/ticket.js").status == .ok)
            #expect(try await client.page("/static/../Package.swift").status == .notFound)
        }
    }

    @Test func theHooksForAutomatedChecksAreThere() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let phone = try await client.page("/o/chuo").html
            for id in ["certificates", "moving-in", "my-number-card"] { #expect(phone.contains("data-service=\"\(id)\"")) }
            let token = try await client.issue().token
            let ticket = try await client.page("/t/\(token)").html
            #expect(ticket.contains("data-ticket-number>A-001<"))
            #expect(ticket.contains("data-status=\"waiting\""))
            #expect(ticket.contains("data-estimate"))
        }
    }

    @Test func languageComesFromTheSwitcherThenTheCookieThenAcceptLanguage() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let japanese = try await client.page("/o/chuo")
            #expect(japanese.html.contains("<html lang=\"ja\">") && japanese.html.contains("番号札を取る"))
            let english = try await client.page("/o/chuo", headers: [.acceptLanguage: "en-GB,en;q=0.9,ja;q=0.5"])
            #expect(english.html.contains("<html lang=\"en\">") && english.html.contains("Take a ticket"))
            let korean = try await client.page("/o/chuo?lang=ko", headers: [.acceptLanguage: "en"])
            #expect(korean.html.contains("<html lang=\"ko\">") && korean.html.contains("번호표"))
            let cookie = try #require(korean.headers[.setCookie])
            #expect(cookie.hasPrefix("lang=ko"))
            let remembered = try await client.page("/", headers: [.cookie: "lang=vi", .acceptLanguage: "en"])
            #expect(remembered.html.contains("<html lang=\"vi\">"))
            let easy = try await client.page("/o/chuo?lang=ja-easy")
            #expect(easy.html.contains("<html lang=\"ja\">") && easy.html.contains("ばんごうふだを とる"))
            let chinese = try await client.page("/", headers: [.acceptLanguage: "zh-CN,zh;q=0.9"])
            #expect(chinese.html.contains("<html lang=\"zh-Hans\">"))
        }
    }

    @Test func takingATicketOnThePhoneGoesToItsPageAndTheCitizenCanActOnIt() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let taken = try await client.page("/o/chuo/tickets", method: .post, form: "service=moving-in&language=en")
            #expect(taken.status == .seeOther)
            let location = try #require(taken.headers[.location])
            #expect(location.hasPrefix("/t/"))
            let token = String(location.dropFirst(3))
            let view = try #require(try await harness.store.ticketView(TicketID(token)))
            #expect(view.ticket.channel == .web && view.ticket.language == "en")
            #expect(try await client.page("/t/\(token)/late", method: .post).status == .seeOther)
            let late = try await client.page("/t/\(token)?lang=en").html
            #expect(late.contains("You have already moved back once"))
            #expect(try await client.page("/t/\(token)/cancel", method: .post).status == .seeOther)
            #expect(try await client.page("/t/\(token)?lang=en").html.contains("data-status=\"cancelled\""))
            let line = try await client.page(
                "/o/chuo/tickets", method: .post, form: "service=moving-in", headers: [.userAgent: "Mozilla/5.0 Line/14.3.0"])
            let lineTicket = try #require(try await harness.store.ticketView(TicketID(String(line.headers[.location]!.dropFirst(3)))))
            #expect(lineTicket.ticket.channel == .line)
        }
    }

    /// The phone page asks how long the holder needs to get here: the answer becomes the ticket's travel time (the
    /// "come now" decision's input), "already here" gives none, and any other answer is refused.
    @Test func thePhonePageAsksForTheTravelTime() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let page = try await client.page("/o/chuo?lang=en").html
            #expect(page.contains("How long will it take you to get here?"))
            for value in ["here", "10", "20", "30", "45", "60"] { #expect(page.contains(#"name="travel" value="\#(value)""#)) }
            #expect(page.contains(#"<button type="submit" name="service" value="moving-in""#))
            // Each procedure carries its wait for the script that says "set out now" when the line is shorter than
            // the journey; what the page promises depends on whether a late holder keeps their place.
            #expect(page.contains(#"data-service="moving-in" data-wait-minutes="0""#))
            #expect(page.contains("Your number is kept until you arrive.") && page.contains("/static/phone.js"))
            var nishi = try #require(try await harness.store.offices().first { $0.id == "nishi" })
            nishi.policy.arrivalCheckIn = false
            _ = try await harness.store.importOffice(nishi)
            let without = try await client.page("/o/nishi?lang=en").html
            #expect(without.contains("or your turn may pass before you arrive") && !without.contains("Your number is kept"))
            #expect(!without.contains("keep your place until you arrive"), "no promise the office does not keep")
            var travel: [String: Int] = [:]
            for answer in ["30", "here", ""] {
                let taken = try await client.page("/o/chuo/tickets", method: .post, form: "service=moving-in&travel=\(answer)")
                #expect(taken.status == .seeOther, "\(answer)")
                let token = TicketID(String(try #require(taken.headers[.location]).dropFirst(3)))
                let issued = try await harness.store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000)
                    .first { $0.type == .ticketIssued && $0.ticket == token }
                #expect(issued != nil, "\(answer)")
                travel[answer] = issued?.travelMinutes ?? 0
            }
            #expect(travel == ["30": 30, "here": 0, "": 0], "0: no travel time")
            let odd = try await client.page(
                "/o/chuo/tickets", method: .post, form: "service=moving-in&travel=7", headers: [.accept: "text/html"])
            #expect(odd.status == .unprocessableContent && odd.html.contains("travel: one of here, 10, 20, 30, 45, 60"), "\(odd.html)")
        }
    }

    @Test func formsFromAnotherSiteAndBadInputAreRefused() async throws {
        let harness = try await Harness.make()
        try await harness.test { client in
            let crossSite = try await client.page(
                "/o/chuo/tickets", method: .post, form: "service=moving-in", headers: [.origin: "https://evil.example"])
            #expect(crossSite.status == .forbidden)
            for path in ["/t/\(TicketID.random())/cancel", "/login", "/kiosk/chuo/tickets", "/console/chuo/c5/call-next"] {
                let forged = try await client.page(path, method: .post, form: "x=1", headers: [.origin: "https://evil.example"])
                #expect(forged.status == .forbidden, "\(path)")
            }
            let unknown = try await client.page("/o/chuo/tickets", method: .post, form: "service=nope")
            #expect(unknown.status.code >= 400 && unknown.status.code < 500)
            #expect(unknown.html.contains("<html"))
            #expect(try await client.page("/t/not-a-token").status == .notFound)
            #expect(try await client.page("/o/nowhere").status == .notFound)
        }
    }

    @Test func textFromConfigurationIsRenderedAsText() async throws {
        let harness = try await Harness.make()
        var office = try #require(try await harness.store.offices().first { $0.id == "chuo" })
        office.procedures[0].name = LocalizedText(ja: "<script>alert(1)</script>", en: "<b>bold</b>")
        office.procedures[0].color = "red;} body{display:none"
        _ = try await harness.store.importOffice(office)
        try await harness.test { client in
            let ja = try await client.page("/o/chuo").html
            #expect(!ja.contains("<script>alert(1)</script>"))
            #expect(ja.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(try await client.page("/offices/chuo?lang=en").html.contains("&lt;b&gt;bold&lt;/b&gt;"))
            let css = try await client.page("/offices/chuo/colors.css").html
            #expect(!css.contains("display:none") && css.contains(".svc-certificates { --c: #4b5563;"))
        }
    }

    @Test func everyLanguageHasEveryString() throws {
        let catalog = try Catalog.load()
        let keys = Set(catalog.strings[.ja]!.keys)
        // Staff pages (sign-in, console, reception, reports, dashboard, accounts) come in Japanese and English; the citizens' pages in every language.
        let staffOnly = keys.filter {
            $0.hasPrefix("console.") || $0.hasPrefix("login.") || $0.hasPrefix("report.") || $0.hasPrefix("dashboard.")
                || $0.hasPrefix("admin.") || $0.hasPrefix("reception.") || $0.hasPrefix("audit.")
        }
        #expect(keys.count > 80 && staffOnly.count > 20)
        for language in Language.allCases {
            let own = Set(catalog.strings[language]!.keys)
            let expected = Language.staff.contains(language) ? keys : keys.subtracting(staffOnly)
            #expect(
                own == expected,
                "\(language.rawValue): missing \(expected.subtracting(own).sorted()), extra \(own.subtracting(expected).sorted())")
            #expect(catalog.strings[language]!.values.allSatisfy { !$0.isEmpty })
        }
        // Every string a template asks for exists.
        let templates = try #require(
            Bundle.module.url(forResource: "templates", withExtension: nil, subdirectory: "Resources")
                ?? Bundle.allBundles.compactMap { $0.url(forResource: "templates", withExtension: nil, subdirectory: "Resources") }.first)
        for file in try FileManager.default.contentsOfDirectory(atPath: templates.path) {
            let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /\{\{t\.([a-z_]+)\}\}/) {
                let name = String(match.1)
                #expect(keys.contains { $0.replacingOccurrences(of: ".", with: "_") == name }, "\(file): t.\(name)")
            }
        }
    }

    @Test func procedureColoursReadWithEnoughContrast() {
        var hexes = ["#1565C0", "#EF6C00", "#2E7D32", "#00897B", "#6A1B9A", "#D81B60", "#616161", "#ffeb3b"]
        // And a sweep of greys and hues, where the worst case hides.
        for v in stride(from: 0, through: 255, by: 5) {
            let h = String(format: "%02x", v)
            hexes += ["#\(h)\(h)\(h)", "#\(h)0000", "#00\(h)00", "#0000\(h)", "#\(h)\(h)00"]
        }
        for hex in hexes {
            let color = ProcedureColor(hex)
            #expect(Self.contrast(color.hex, color.readableText) >= 4.5, "\(hex) with \(color.readableText)")
        }
    }

    static func contrast(_ a: String, _ b: String) -> Double {
        func luminance(_ hex: String) -> Double {
            let v = Int(hex.dropFirst(), radix: 16)!
            func c(_ s: Int) -> Double {
                let x = Double((v >> s) & 0xFF) / 255
                return x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * c(16) + 0.7152 * c(8) + 0.0722 * c(0)
        }
        let (l1, l2) = (luminance(a), luminance(b))
        return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
    }
}

@Suite struct TicketPageLimitTests {
    @Test func ticketPagesCountAgainstTheLookUpLimitLikeTheAPI() async throws {
        let harness = try await Harness.make()
        try await harness.test(limiter: RateLimiter(burst: 3, perSecond: 0.001)) { client in
            for _ in 0..<3 { #expect(try await client.page("/t/\(TicketID.random())").status == .notFound) }
            let limited = try await client.page("/t/\(TicketID.random())")
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
            #expect(try await client.page("/o/chuo").status == .ok, "other pages are not limited")
        }
    }
}
