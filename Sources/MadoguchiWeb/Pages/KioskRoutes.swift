import Foundation
import HTTPTypes
import Hummingbird
import OfficeRuntime
import QueueCore

/// The kiosk (`/kiosk/{office}`): large touch targets per procedure, a `kiosk` ticket, and a printable ticket
/// (80 mm receipt) with a QR code to the ticket's page, after which the screen resets itself in 20 s. It runs on a
/// device token, given once as `?device=TOKEN` and kept in a cookie.
struct KioskRoutes: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    let pages: Pages
    var gate: DeviceGate { DeviceGate(auth: StaffAuth(store: store), pages: pages) }

    typealias Context = MadoguchiContext

    func register(on routes: Routes) {
        routes.get("/kiosk/{office}") { request, context in try await self.start(request, context) }
        routes.post("/kiosk/{office}/tickets") { request, context in try await self.take(request, context) }
        routes.get("/kiosk/{office}/printed/{token}") { request, context in try await self.printed(request, context) }
        routes.post("/kiosk/{office}/printed/{token}/phone") { request, context in try await self.phone(request, context) }
        routes.post("/kiosk/{office}/feedback") { request, context in try await self.rate(request, context) }
        routes.post("/kiosk/{office}/check-in") { request, context in try await self.checkIn(request, context) }
    }

    func start(_ request: Request, _ context: Context) async throws -> Response {
        let (language, switched) = Language.of(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        if let answer = try await gate.admit(request, office: office, page: "/kiosk/\(office.rawValue)", language: language) {
            return answer
        }
        guard let config = try await store.offices().first(where: { $0.id == office }),
            let snapshot = try await hub.snapshot(office: office)
        else { return gate.unregistered(language) }
        let today = LocalDate(store.clock.now(), in: config.zone)
        let procedures = zip(config.procedures, snapshot.lines).filter { $0.0.isIssuing(on: today) }.map {
            procedure, line -> [String: Any] in
            [
                "id": procedure.id.rawValue, "prefix": procedure.prefix, "css": PageRoutes.cssClass(procedure.id),
                "name": PageRoutes.procedureText(procedure, language, pages.catalog).name, "officeID": office.rawValue,
                "language": language.rawValue,
                "wait": line.waiting == 0
                    ? pages.catalog.text("home.no_wait", language)
                    : pages.catalog.text("phone.wait", language, ["n": "\(line.waiting)", "m": "\(line.estimate?.minutes ?? 0)"]),
            ]
        }
        let title = "\(pages.catalog.text("kiosk.title", language)) · \(language.isJapanese ? config.name.ja : config.name.en)"
        let view = KioskView.of(request)
        let page = pages.render(
            "kiosk", title: title,
            model: [
                "heading": title, "procedures": procedures, "bodyClass": view.bodyClass,
                "modes": view.toolbar(office: office.rawValue, language: language, catalog: pages.catalog),
                "colorsCSS": "/offices/\(office.rawValue)/colors.css", "officeID": office.rawValue,
                "faces": PageRoutes.faces(language, pages.catalog), "language": language.rawValue,
                "rated": request.uri.queryParameters.get("rated") == "1",
            ],
            language: language, rememberLanguage: switched)
        return view.kept(on: page)
    }

    /// "How was your visit today?": one tap on the kiosk, tied to no ticket.
    func rate(_ request: Request, _ context: Context) async throws -> Response {
        let (language, _) = Language.of(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        guard try await gate.allows(request, office: office) else { return gate.unregistered(language) }
        let form = try await Form.read(request)
        _ = try await store.rateAtKiosk(office: office, rating: Int(form["rating"] ?? "") ?? 0)
        return Pages.redirect("/kiosk/\(office.rawValue)?rated=1&lang=\(language.rawValue)")
    }

    func take(_ request: Request, _ context: Context) async throws -> Response {
        let (language, _) = Language.of(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        guard try await gate.allows(request, office: office) else { return gate.unregistered(language) }
        let form = try await Form.read(request)
        let body = IssueBody(
            service: form["service"] ?? "", channel: Channel.kiosk.rawValue, priority: 0,
            language: form["language"].flatMap(Language.init(rawValue:))?.rawValue ?? language.rawValue)
        do {
            let result = try await store.issue(try body.validated(office: office), idempotencyKey: nil)
            return Pages.redirect("/kiosk/\(office.rawValue)/printed/\(result.value.ticket.id.rawValue)")
        } catch let error as QueueError {
            return refused(ApiError(error), office: office, language, KioskView.of(request))
        } catch let error as ApiError {
            return refused(error, office: office, language, KioskView.of(request))
        }
    }

    /// Arrival check-in at the kiosk: the scanner types the QR code of a phone ticket (its page's address, or the
    /// token alone) into the form; the ticket, of this office, is checked in under the kiosk's name.
    func checkIn(_ request: Request, _ context: Context) async throws -> Response {
        let (language, _) = Language.of(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        guard let device = try await gate.device(request, office: office) else { return gate.unregistered(language) }
        let form = try await Form.read(request)
        let scanned = (form["ticket"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let token = TicketID(String(scanned.split(separator: "/").last ?? ""))
        do {
            guard token.isWellFormedToken, let view = try await store.ticketView(token), view.ticket.office == office else {
                throw QueueError.ticketNotFound
            }
            let checked = try await store.checkIn(ticket: view.ticket.id, by: device.name).value
            return done(checked.ticket.number, "kiosk.checked_in", office: office, language, KioskView.of(request))
        } catch let error as QueueError {
            return refused(ApiError(error), office: office, language, KioskView.of(request))
        }
    }

    /// The ticket of a kiosk route, for a registered device of its office: nil for an unregistered device, 404 for a
    /// ticket of another office or none.
    private func kioskTicket(_ request: Request, _ context: Context, office: OfficeID) async throws -> TicketView? {
        guard try await gate.allows(request, office: office) else { return nil }
        let token = TicketID(context.parameters.get("token") ?? "")
        guard token.isWellFormedToken, let view = try await store.ticketView(token), view.ticket.office == office else {
            throw ApiError(QueueError.ticketNotFound)
        }
        return view
    }

    /// The phone number typed at the kiosk after printing: the ticket's gateway contact for its day; then a short
    /// confirmation that returns to the start.
    func phone(_ request: Request, _ context: Context) async throws -> Response {
        let (language, _) = Language.of(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        guard let view = try await kioskTicket(request, context, office: office) else { return gate.unregistered(language) }
        guard hub.notifier?.channels.contains(.gateway) == true else {
            return refused(
                ApiError.invalid("channel_disabled", "This office does not send text messages."), office: office, language,
                KioskView.of(request))
        }
        let form = try await Form.read(request)
        do {
            _ = try await store.addContact(ticket: view.ticket.id, channel: .gateway, address: form["address"] ?? "")
            hub.notifier?.wake()
        } catch let error as QueueError {
            return refused(ApiError(error), office: office, language, KioskView.of(request))
        }
        return done(view.ticket.number, "kiosk.phone_done", office: office, language, KioskView.of(request))
    }

    /// A short confirmation under the ticket's number (the text of `key`), then back to the start after 8 s.
    private func done(_ number: TicketNumber, _ key: String, office: OfficeID, _ language: Language, _ view: KioskView) -> Response {
        let heading = number.description
        var response = pages.render(
            "error", title: heading,
            model: ["heading": heading, "message": pages.catalog.text(key, language), "bodyClass": view.bodyClass],
            language: language)
        response.headers[HTTPField.Name("Refresh")!] = "8; url=\(KioskView.reset(office.rawValue))"
        return response
    }

    /// A refused ticket (the procedure just closed, the office closed) as a page that leads back to the start.
    private func refused(_ error: ApiError, office: OfficeID, _ language: Language, _ view: KioskView) -> Response {
        let title = pages.catalog.text("error.refused", language)
        var response = pages.render(
            "error", title: title, model: ["heading": title, "message": error.message, "bodyClass": view.bodyClass],
            language: language, status: error.status)
        response.headers[HTTPField.Name("Refresh")!] = "10; url=\(KioskView.reset(office.rawValue))"
        return response
    }

    /// The ticket to print (`Receipt`), with the kiosk's phone form and its reset.
    func printed(_ request: Request, _ context: Context) async throws -> Response {
        let (language, _) = Language.of(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        guard let view = try await kioskTicket(request, context, office: office) else { return gate.unregistered(language) }
        // Without a smartphone: a text message or a call, when the city has an SMS/voice gateway.
        let phoneOffered = hub.notifier?.channels.contains(.gateway) == true && view.ticket.status == .waiting
        // Back to the start after 20 s, or 60 s when a phone number may be typed.
        let resetSeconds = phoneOffered ? 60 : 20
        var model = try Receipt.model(view, request: request, language: language, catalog: pages.catalog)
        model["bodyClass"] = KioskView.of(request).bodyClass + " printed"
        model["phone"] = phoneOffered
        model["back"] = "/kiosk/\(office.rawValue)"
        model["backLabel"] = pages.catalog.text("kiosk.back", language)
        model["resetNote"] = pages.catalog.text("kiosk.reset", language, ["s": "\(resetSeconds)"])
        var response = pages.render("printed", title: "\(view.ticket.number)", model: model, language: language)
        // Back to the start, in Japanese, with or without JavaScript.
        response.headers[HTTPField.Name("Refresh")!] = "\(resetSeconds); url=\(KioskView.reset(office.rawValue))"
        return response
    }

}

/// Admission to a device page (kiosk, board): a `?device=` token is checked once, moved into an HttpOnly cookie
/// and dropped from the address bar; afterwards the cookie must name a device of the page's office.
struct DeviceGate: Sendable {
    let auth: StaffAuth
    let pages: Pages

    /// What to answer instead of the page (the redirect that keeps the token, or the refusal), or nil to go on.
    func admit(_ request: Request, office: OfficeID, page: String, language: Language) async throws -> Response? {
        if let given = request.uri.queryParameters.get("device") {
            guard try await auth.device(given, office: office) != nil else { return unregistered(language) }
            var response = Pages.redirect(page)
            response.setCookie(DeviceCookie.cookie(given, office: office, secure: PublicURL.isHTTPS(request)))
            return response
        }
        return try await allows(request, office: office) ? nil : unregistered(language)
    }

    func allows(_ request: Request, office: OfficeID) async throws -> Bool {
        try await device(request, office: office) != nil
    }

    /// The device account of the page's office the cookie names, if any.
    func device(_ request: Request, office: OfficeID) async throws -> StaffAccount? {
        try await auth.device(DeviceCookie.value(request), office: office)
    }

    func unregistered(_ language: Language) -> Response {
        let text = pages.catalog.text("kiosk.unregistered", language)
        return pages.render("error", title: text, model: ["heading": text, "message": ""], language: language, status: .unauthorized)
    }
}

/// The device token's cookie: HttpOnly, same-site only, a year long (a kiosk is set up once).
enum DeviceCookie {
    static func cookie(_ token: String, office: OfficeID, secure: Bool) -> Cookie {
        Cookie(name: "device", value: token, maxAge: 365 * 86_400, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func value(_ request: Request) -> String? { request.cookies["device"]?.value }
}

/// The address citizens reach this server at, for QR codes: the request's own host, https when a proxy says so.
enum PublicURL {
    static func base(_ request: Request) -> String {
        "\(isHTTPS(request) ? "https" : "http")://\(request.head.authority ?? "localhost")"
    }

    /// Behind a TLS-terminating proxy that says so in `X-Forwarded-Proto`; cookies are then marked `Secure`.
    static func isHTTPS(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
    }
}
