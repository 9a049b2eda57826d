import Foundation
import HTTPTypes
import Hummingbird
import OfficeRuntime
import QueueCore

/// The reception desk (`/reception/{office}`, 受付), behind the staff sign-in: a clerk hands a ticket to a visitor
/// without a smartphone, or a priority ticket with its reason code (never free text), in the visitor's language,
/// prints it on the 80 mm receipt with its QR code, and may register a phone number for a text or a call. The
/// ticket is `channel: staff` and its `ticket.issued` names the staff account; priority comes only from here, a
/// device, or the API with a staff token.
struct ReceptionPages: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    let pages: Pages
    let console: ConsoleRoutes

    typealias Context = MadoguchiContext

    func register(on routes: Routes) {
        routes.get("/reception/{office}") { request, context in try await self.page(request, context) }
        routes.post("/reception/{office}/tickets") { request, context in try await self.issue(request, context) }
        routes.get("/reception/{office}/printed/{token}") { request, context in try await self.printed(request, context) }
        routes.post("/reception/{office}/check-in") { request, context in try await self.checkIn(request, context) }
        routes.post("/reception/{office}/issuing") { request, context in try await self.setIssuing(request, context) }
    }

    func page(
        _ request: Request, _ context: Context, notice: String? = nil, done: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let office = OfficeID(context.parameters.get("office") ?? "")
        let session: ConsoleRoutes.Session
        switch try await console.officeGate(request, office: office, path: "/reception/\(office.rawValue)") {
        case .allowed(let account, let token): session = ConsoleRoutes.Session(account: account, token: token)
        case .refused(let response): return response
        }
        let language = ConsoleRoutes.staffLanguage(request)
        let catalog = pages.catalog
        guard let config = try await store.offices().first(where: { $0.id == office }),
            let snapshot = try await hub.snapshot(office: office)
        else { throw ApiError(QueueError.officeNotFound(office)) }
        let today = LocalDate(store.clock.now(), in: config.zone)
        let procedures = zip(config.procedures, snapshot.lines).filter { $0.0.isIssuing(on: today) }.enumerated().map {
            index, pair -> [String: Any] in
            let (procedure, line) = pair
            return [
                "id": procedure.id.rawValue, "prefix": procedure.prefix, "css": PageRoutes.cssClass(procedure.id),
                "name": PageRoutes.procedureText(procedure, language, catalog).name, "first": index == 0,
                "wait": line.waiting == 0
                    ? catalog.text("home.no_wait", language)
                    : catalog.text("phone.wait", language, ["n": "\(line.waiting)", "m": "\(line.estimate?.minutes ?? 0)"]),
            ]
        }
        // 受付終了 for today, per procedure, with its undoing.
        let issuing = config.procedures.filter(\.open).map { procedure -> [String: Any] in
            let stopped = !procedure.isIssuing(on: today)
            return [
                "id": procedure.id.rawValue, "prefix": procedure.prefix, "css": PageRoutes.cssClass(procedure.id),
                "name": PageRoutes.procedureText(procedure, language, catalog).name, "stopped": stopped,
                "action": stopped ? "resume" : "stop",
                "label": catalog.text(stopped ? "reception.resume" : "reception.stop", language),
            ]
        }
        let reasons = PriorityReason.allCases.map { reason -> [String: Any] in
            ["code": reason.rawValue, "label": catalog.text("reception.reason.\(reason.rawValue)", language)]
        }
        let languages = Language.allCases.map { l -> [String: Any] in
            ["code": l.rawValue, "label": Pages.languageNames[l] ?? l.rawValue, "selected": l == .ja]
        }
        let heading = "\(language.isJapanese ? config.name.ja : config.name.en) · \(catalog.text("reception.title", language))"
        return pages.render(
            "reception", title: heading,
            model: [
                "heading": heading, "officeID": office.rawValue, "csrf": session.csrf, "user": session.username,
                "key": StaffTokens.generate(), "procedures": procedures, "issuing": issuing, "reasons": reasons,
                "ticketLanguages": languages,
                "phone": hub.notifier?.channels.contains(.gateway) == true,
                "open": config.openingHours.isOpen(at: store.clock.now(), in: config.zone),
                "notice": notice as Any, "done": done as Any, "colorsCSS": "/offices/\(office.rawValue)/colors.css", "bodyClass": "staff",
            ],
            language: language, languages: Language.staff, status: status)
    }

    /// What a desk form acts with: the office, the form's fields, the clerk's session, the staff page language.
    struct Desk {
        var office: OfficeID
        var form: [String: String]
        var session: ConsoleRoutes.Session
        var language: Language
    }

    /// Every desk form: the clerk's session (401 without one, 403 for another office's clerk) and its CSRF token,
    /// then `action`; a refusal by the queue's rules shows the desk again with why.
    private func act(
        _ request: Request, _ context: Context, _ action: (Desk) async throws -> Response
    ) async throws -> Response {
        let office = OfficeID(context.parameters.get("office") ?? "")
        guard let session = try await console.session(request) else { throw ApiError.unauthorized }
        let form = try await Form.signed(request, session: session.token)
        guard session.account.mayAct(on: office) else { throw ApiError.forbidden }
        let desk = Desk(office: office, form: form, session: session, language: ConsoleRoutes.staffLanguage(request))
        let refused: ApiError
        do {
            return try await action(desk)
        } catch let error as QueueError {
            refused = ApiError(error)
        } catch let error as ApiError {
            refused = error
        }
        return try await page(
            request, context, notice: pages.catalog.text("console.refused", desk.language, ["reason": refused.message]),
            status: refused.status)
    }

    /// Issues the ticket the form asks for, registers the phone number if one was typed, and shows the receipt. A
    /// double click sends the same key and gets the same ticket.
    func issue(_ request: Request, _ context: Context) async throws -> Response {
        try await act(request, context) { desk in
            let form = desk.form
            let reason = (form["reason"] ?? "").isEmpty ? nil : form["reason"]
            var issue = try IssueBody(
                service: form["service"] ?? "", channel: Channel.staff.rawValue, priority: reason == nil ? 0 : 1,
                language: form["language"] ?? Language.ja.rawValue, priorityReason: reason
            ).validated(office: desk.office)
            issue.staff = desk.session.account.name
            let phone = (form["phone"] ?? "").trimmingCharacters(in: .whitespaces)
            if !phone.isEmpty {
                guard hub.notifier?.channels.contains(.gateway) == true else {
                    throw ApiError.invalid("channel_disabled", "This office does not send text messages.")
                }
                _ = try Contact.checked(channel: .gateway, address: phone, field: "phone")
            }
            let key = form["key"].flatMap { $0.isEmpty ? nil : Api.storedIdempotencyKey($0) }
            let ticket = try await store.issue(issue, idempotencyKey: key).value.ticket
            var saved = false
            if !phone.isEmpty, ticket.status == .waiting {
                _ = try await store.addContact(ticket: ticket.id, channel: .gateway, address: phone)
                hub.notifier?.wake()
                saved = true
            }
            return Pages.redirect("/reception/\(desk.office.rawValue)/printed/\(ticket.id.rawValue)\(saved ? "?phone=1" : "")")
        }
    }

    /// Arrival check-in at the desk, by the number the visitor shows or says, under the clerk's name.
    func checkIn(_ request: Request, _ context: Context) async throws -> Response {
        try await act(request, context) { desk in
            let typed = (desk.form["number"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            guard let number = TicketNumber(parsing: typed) else {
                throw QueueError.invalidInput(field: "number", reason: "a ticket number such as B-004")
            }
            let checked = try await store.checkIn(office: desk.office, number: number, by: desk.session.account.name).value
            let done = pages.catalog.text("reception.checked_in", desk.language, ["number": checked.ticket.number.description])
            return try await page(request, context, done: done)
        }
    }

    /// 受付終了: stops (or resumes) issuing for today, for one procedure or (`service=all`) every one.
    func setIssuing(_ request: Request, _ context: Context) async throws -> Response {
        try await act(request, context) { desk in
            guard let action = desk.form["action"], action == "stop" || action == "resume" else {
                throw QueueError.invalidInput(field: "action", reason: "stop or resume")
            }
            let service = desk.form["service"] ?? ""
            _ = try await store.setIssuing(
                office: desk.office, services: service == "all" ? nil : [ServiceID(service)], stopped: action == "stop",
                by: desk.session.account.name)
            return Pages.redirect("/reception/\(desk.office.rawValue)")
        }
    }

    /// The receipt, in the ticket's language, printed at once; then back to the desk for the next visitor.
    func printed(_ request: Request, _ context: Context) async throws -> Response {
        let office = OfficeID(context.parameters.get("office") ?? "")
        switch try await console.officeGate(request, office: office, path: "/reception/\(office.rawValue)") {
        case .allowed: break
        case .refused(let response): return response
        }
        let token = TicketID(context.parameters.get("token") ?? "")
        guard token.isWellFormedToken, let view = try await store.ticketView(token), view.ticket.office == office else {
            throw ApiError(QueueError.ticketNotFound)
        }
        let language = Language(rawValue: view.ticket.language) ?? .ja
        let staffLanguage = ConsoleRoutes.staffLanguage(request)
        var model = try Receipt.model(view, request: request, language: language, catalog: pages.catalog)
        model["bodyClass"] = "staff printed"
        model["back"] = "/reception/\(office.rawValue)"
        model["backLabel"] = pages.catalog.text("reception.next", staffLanguage)
        if request.uri.queryParameters.get("phone") == "1" {
            model["notice"] = pages.catalog.text("reception.phone_saved", staffLanguage)
        }
        return pages.render("printed", title: "\(view.ticket.number)", model: model, language: language)
    }
}
