import Foundation
import QueueCore
import QueueFixtures
import Testing

/// The form-writing guide's rules: what a field accepts, what an offices file may say, and the code the ticket
/// page's QR carries to the console.
@Suite struct FormGuideTests {
    let guide = Fixtures.movingInGuide

    @Test func eachKindAcceptsOnlyItsValues() throws {
        let kept = try guide.checked(["moved-on": "2026-03-27", "people": "3", "from": "abroad", "card-move": "no"])
        #expect(kept == ["moved-on": "2026-03-27", "people": "3", "from": "abroad", "card-move": "no"])
        #expect(try guide.checked(["people": " ", "from": ""]).isEmpty, "empty answers are left out")
        let refused: [[String: String]] = [
            ["moved-on": "2026-02-30"], ["moved-on": "27/03/2026"], ["people": "11"], ["people": "-1"], ["people": "two"],
            ["from": "mars"], ["card-move": "maybe"], ["name": "山田"],
        ]
        for answers in refused {
            #expect(throws: QueueError.self, "\(answers)") { try guide.checked(answers) }
        }
        // A My Number is refused whatever the field, before anything else is read.
        #expect {
            try guide.checked(["people": "468135790240"])
        } throws: { error in
            (error as? QueueError)?.code == "my_number_refused"
        }
    }

    @Test func anOfficesFileGuideIsCheckedWhole() {
        #expect(guide.problems().isEmpty)
        var bad = guide
        bad.fields.append(GuideField(id: "people", kind: .count, label: GuideText(["ja": "重複"])))
        bad.fields.append(GuideField(id: "Bad Id", kind: .choice, label: GuideText(["en": "no Japanese"]), choices: []))
        bad.fields.append(GuideField(id: "n", kind: .count, label: GuideText(["ja": "多すぎ"]), max: 500))
        bad.steps.append(GuideText(["ja": "x", "fr": "inconnu"]))
        let problems = bad.problems().joined(separator: "\n")
        for expected in ["appears twice", "must be 1-32", "2-12 choices", "without Japanese", "max must be 1-99", "unknown language 'fr'"] {
            #expect(problems.contains(expected), "\(expected) in \(problems)")
        }
    }

    @Test func theCodeCarriesTheAnswersToTheConsole() throws {
        let filled = GuideAnswers(
            ticket: "t", office: "chuo", businessDate: LocalDate(year: 2026, month: 3, day: 30)!, service: "moving-in",
            number: TicketNumber(prefix: "B", sequence: 12), answers: ["people": "2", "from": "in-japan"], updatedAt: Fixtures.start)
        #expect(filled.code == "MDG-GUIDE/1|chuo|B-012|moving-in|from=in-japan;people=2")
        let read = try #require(GuideAnswers.read(code: filled.code + "\n"))
        #expect(read.office == "chuo" && read.number == "B-012" && read.service == "moving-in" && read.answers == filled.answers)
        #expect(GuideAnswers.read(code: "https://example.jp/t/abc") == nil)
        #expect(GuideAnswers.read(code: "MDG-GUIDE/1|chuo|B-012|moving-in|people") == nil)
    }

    @Test func untranslatedWordsSayWhichLanguageStandsIn() {
        let bring = guide.bring!
        #expect(bring.text(for: "vi") == ("Giấy chứng nhận chuyển đi", true))
        #expect(bring.text(for: "ko") == ("Moving-out certificate", false))
        #expect(bring.text(for: "ja-easy") == ("転出証明書", false))
        #expect(GuideText(["ja": "だけ"]).text(for: "en") == ("だけ", false))
    }
}
