import Foundation
import Hummingbird
import QRCode
import QueueCore

/// The form-writing guide (書き方ガイド) as the pages show it: on the ticket page while waiting (the points, and
/// the few fields a holder may answer, which then become a QR code for the counter), on the printed receipt (the
/// points), and on the console (what the holder answered, from the ticket or from a scanned code).
struct GuideView {
    let guide: FormGuide
    let language: Language
    let catalog: Catalog

    /// The words in the page's language, with a note when they are another language standing in.
    func words(_ text: GuideText) -> [String: Any] {
        let (words, translated) = text.text(for: language.rawValue)
        return ["text": words, "untranslated": !translated]
    }

    /// The guide's points: the form, what to bring, the steps in order.
    var points: [String: Any] {
        let texts = [guide.form] + [guide.bring].compactMap { $0 } + guide.steps + guide.fields.map(\.label)
        return [
            "form": words(guide.form), "bring": guide.bring.map(words) as Any, "steps": guide.steps.map(words),
            "untranslated": texts.contains { !$0.text(for: language.rawValue).translated },
        ]
    }

    /// The fields as the ticket page's form draws them, each with its current answer.
    func fields(answers: [String: String]) -> [[String: Any]] {
        guide.fields.map { field in
            let value = answers[field.id] ?? ""
            var model: [String: Any] = ["id": field.id, "label": words(field.label), "value": value]
            switch field.kind {
            case .choice:
                model["choice"] = true
                model["options"] = (field.choices ?? []).map {
                    ["id": $0.id, "label": $0.label.text(for: language.rawValue).text, "selected": $0.id == value]
                }
            case .yesNo:
                model["yesNo"] = true
                model["options"] = ["yes", "no"].map {
                    ["id": $0, "field": field.id, "label": catalog.text("guide.\($0)", language), "selected": $0 == value] as [String: Any]
                }
            case .count:
                model["count"] = true
                model["max"] = field.largest
            case .date:
                model["date"] = true
            }
            return model
        }
    }

    /// What was answered, as label and shown value, in the guide's order (for the ticket page's summary and the
    /// console).
    func summary(_ answers: [String: String]) -> [[String: String]] {
        guide.fields.compactMap { field in
            guard let value = answers[field.id] else { return nil }
            let shown: String
            switch field.kind {
            case .choice: shown = (field.choices ?? []).first { $0.id == value }.map { $0.label.text(for: language.rawValue).text } ?? value
            case .yesNo: shown = catalog.text("guide.\(value)", language)
            case .count, .date: shown = value
            }
            return ["label": field.label.text(for: language.rawValue).text, "value": shown]
        }
    }

    /// The ticket page's guide section: the points, the form, and, once answered, the summary and its QR code.
    static func ticketModel(_ view: TicketView, answers: GuideAnswers?, language: Language, catalog: Catalog) throws -> [String: Any]? {
        guard let guide = view.office.procedure(view.ticket.service)?.guide else { return nil }
        let shown = GuideView(guide: guide, language: language, catalog: catalog)
        let status = view.ticket.status
        var model = shown.points
        model["fields"] = shown.fields(answers: answers?.answers ?? [:])
        model["canFill"] = !guide.fields.isEmpty && (status == .waiting || status == .called || status == .serving)
        if let answers, !answers.answers.isEmpty {
            model["summary"] = shown.summary(answers.answers)
            model["qr"] = try QRCode(text: answers.code).svg(title: catalog.text("guide.qr_title", language))
        }
        return model
    }
}

extension GuideView {
    /// The answers as the console lists them, checked against the procedure's guide; nil when there is nothing.
    static func consoleRows(
        _ answers: [String: String], service: ServiceID, office: Office, _ language: Language, _ catalog: Catalog
    ) -> [[String: String]]? {
        guard let guide = office.procedure(service)?.guide, let kept = try? guide.checked(answers), !kept.isEmpty else { return nil }
        return GuideView(guide: guide, language: language, catalog: catalog).summary(kept)
    }

    /// What a code typed by the counter's scanner says: the ticket number and the answers, or why not. A code of
    /// another office, an unknown procedure or answers its guide would refuse show nothing of it.
    static func scanned(_ code: String, office: Office, _ language: Language, _ catalog: Catalog) -> [String: Any] {
        guard let read = GuideAnswers.read(code: code), read.office == office.id,
            let rows = consoleRows(read.answers, service: read.service, office: office, language, catalog)
        else { return ["title": catalog.text("guide.scan_unknown", language), "unknown": true] }
        let procedure = office.procedure(read.service).map { PageRoutes.procedureText($0, language, catalog).name } ?? ""
        return ["title": catalog.text("guide.scanned", language, ["number": "\(read.number) \(procedure)"]), "rows": rows]
    }
}

extension PageRoutes {
    /// The ticket page's guide form: the answers saved, then back to the page, where they show as a QR code.
    func fillGuide(_ request: Request, _ context: Context) async throws -> Response {
        try await onTicket(request, context) { token, form in
            let answers = form.filter { $0.key.hasPrefix("guide.") }.reduce(into: [String: String]()) {
                $0[String($1.key.dropFirst("guide.".count))] = $1.value
            }
            _ = try await store.fillGuide(ticket: token, answers: answers)
            return Pages.redirect("/t/\(token.rawValue)#guide")
        }
    }
}
