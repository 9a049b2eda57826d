import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// The kiosk's large-text and high-contrast modes (one touch each, kept for the visitor, dropped at the reset), its
/// read-aloud button, and the board's call in the languages the office enables.
@Suite struct AccessibilityModesTests {
    func cookie(_ headers: HTTPFields) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix("kiosk-view=") }
    }

    @Test func aModeIsOneTouchKeptForTheVisitorAndDroppedAtTheReset() async throws {
        // setup
        let harness = try await Harness.make()
        let device = try await KioskTests.device(harness)
        try await harness.test { client in
            let plain = try await client.page("/kiosk/chuo", headers: [.cookie: "device=\(device)"])
            #expect(plain.html.contains(#"<body class="kiosk">"#))
            #expect(
                plain.html.contains(#"aria-pressed="false" data-mode="large""#)
                    && plain.html.contains(#"data-speak data-voice="ja-JP" hidden"#))
            let vietnamese = try await client.page("/kiosk/chuo?lang=vi", headers: [.cookie: "device=\(device)"])
            #expect(vietnamese.html.contains(#"data-voice="vi-VN""#), "read aloud asks for the page's voice")

            // act: one touch on "larger text"
            let large = try await client.page("/kiosk/chuo?view=large", headers: [.cookie: "device=\(device)"])
            // verify
            #expect(large.html.contains(#"<body class="kiosk view-large">"#))
            #expect(large.html.contains(#"aria-pressed="true" data-mode="large""#))
            let kept = try #require(cookie(large.headers))
            #expect(kept.hasPrefix("kiosk-view=large;") && kept.contains("Max-Age=300") && kept.contains("HttpOnly"))

            // Then high contrast too, from the cookie: both on, on every kiosk screen of this visitor.
            let both = try await client.page("/kiosk/chuo?view=contrast", headers: [.cookie: "device=\(device); kiosk-view=large"])
            #expect(both.html.contains(#"<body class="kiosk view-large view-contrast">"#))
            let taken = try await client.page(
                "/kiosk/chuo/tickets", method: .post, form: "service=certificates&language=ja",
                headers: [.cookie: "device=\(device); kiosk-view=large-contrast"])
            let printed = try await client.page(
                try #require(taken.headers[.location]), headers: [.cookie: "device=\(device); kiosk-view=large-contrast"])
            #expect(printed.html.contains(#"<body class="kiosk view-large view-contrast printed">"#))
            #expect(printed.html.contains("data-ticket-number data-say"), "the number is read aloud on demand")
            let reset = try #require(printed.headers[HTTPField.Name("Refresh")!])
            #expect(reset.hasSuffix("url=/kiosk/chuo?lang=ja&view=reset"))

            // The reset: the next visitor starts plain, and the cookie goes.
            let next = try await client.page(
                "/kiosk/chuo?lang=ja&view=reset", headers: [.cookie: "device=\(device); kiosk-view=large-contrast"])
            #expect(next.html.contains(#"<body class="kiosk">"#))
            #expect(cookie(next.headers)?.contains("Max-Age=0") == true)
        }
    }

    @Test func theBoardCallsInTheLanguagesTheOfficeEnables() async throws {
        let harness = try await Harness.make()
        let chuo = try await KioskTests.device(harness)
        let nishi = try await KioskTests.device(harness, office: "nishi")
        try await harness.test { client in
            let board = try await client.page("/board/chuo", headers: [.cookie: "device=\(chuo)"]).html
            let languages = board.matches(of: /data-call-words data-lang="([^"]+)" data-voice="([^"]+)"/).map { "\($0.1)/\($0.2)" }
            #expect(languages == ["ja/ja-JP", "en/en-US", "zh-Hans/zh-CN", "ko/ko-KR", "vi/vi-VN", "ja/ja-JP"])
            #expect(board.contains(#"data-spoken="Mời số {number} đến quầy số {counter}.""#))
            let plain = try await client.page("/board/nishi", headers: [.cookie: "device=\(nishi)"]).html
            #expect(plain.matches(of: /data-call-words/).count == 2, "Japanese then English unless the file says otherwise")
        }
        var office = try #require(try OfficesFile.demo().resolved().first?.office)
        office.boardLanguages = ["ja", "fr", "ja"]
        let problems = office.problems().joined(separator: "\n")
        #expect(problems.contains("'fr' is not one of") && problems.contains("each once"))
    }
}
