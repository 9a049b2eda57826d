import Foundation
import HTTPTypes
import Hummingbird
import OfficeRuntime
import QueueCore

/// The staff console (`/console/{office}/{counter}`) behind a sign-in with a named account and a session cookie.
/// Every form carries a CSRF token derived from the session; call-next also carries an idempotency key, so a
/// double click never calls two tickets.
struct ConsoleRoutes: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    let pages: Pages
    /// Failed sign-ins per username *from one address*: 5, then one more every 3 minutes (a lockout that a right
    /// password does not lift early). Keyed on both, so nobody elsewhere can lock a desk out by failing on purpose.
    let signIns: RateLimiter
    /// Failed sign-ins per address, whatever the username: 30, then one a minute (against guessing across desks).
    let signInsByAddress: RateLimiter
    let passwords = Passwords.Gate()

    init(
        store: any QueueStore, hub: OfficeHub, pages: Pages, signIns: RateLimiter = RateLimiter(burst: 5, perSecond: 1.0 / 180),
        signInsByAddress: RateLimiter = RateLimiter(burst: 30, perSecond: 1.0 / 60)
    ) {
        self.store = store
        self.hub = hub
        self.pages = pages
        self.signIns = signIns
        self.signInsByAddress = signInsByAddress
        _ = Passwords.dummyHash  // made now, so that the first unknown username costs no more than later ones
    }

    /// Every action a console form may post to `/console/{office}/{counter}/{action}`; the handler refuses others,
    /// and the authorisation test walks this list.
    static let actions = ["call-next", "recall", "start", "complete", "no-show", "hold", "transfer", "open", "close", "pause", "guide"]

    typealias Context = MadoguchiContext

    struct Session {
        var account: StaffAccount
        var token: String
        var csrf: String { Sessions.csrfToken(for: token) }
        var username: String { String(account.name.dropFirst("session:".count)) }
    }

    func register(on routes: Routes) {
        routes.get("/login") { request, _ in self.loginPage(request, failed: false) }
        routes.post("/login") { request, context in try await self.login(request, client: context.client) }
        routes.post("/logout") { request, _ in try await self.logout(request) }
        routes.get("/console") { request, _ in try await self.chooser(request) }
        routes.get("/console/{office}/{counter}") { request, context in try await self.console(request, context) }
        routes.post("/console/{office}/{counter}/{action}") { request, context in try await self.act(request, context) }
    }

    // MARK: Sign-in

    func loginPage(_ request: Request, failed: Bool, next: String? = nil) -> Response {
        let language = Self.staffLanguage(request)
        let wanted = next ?? request.uri.queryParameters.get("next").map { String($0) } ?? "/console"
        return pages.render(
            "login", title: pages.catalog.text("login.title", language),
            model: ["failed": failed, "next": Self.safeNext(wanted), "bodyClass": "staff"],
            language: language, languages: Language.staff, status: failed ? .unauthorized : .ok)
    }

    func login(_ request: Request, client: String) async throws -> Response {
        let form = try await Form.read(request)
        let username = form["username"] ?? ""
        let password = form["password"] ?? ""
        let pair = "\(username) \(client)"
        if let wait = signIns.exhausted(pair) ?? signInsByAddress.exhausted(client) {
            var locked = loginPage(request, failed: true, next: form["next"])
            locked.status = .tooManyRequests
            locked.headers[.retryAfter] = "\(wait)"
            return locked
        }
        // An unknown username costs the same scrypt as a known one, so the answer's timing names no user.
        let user = try await store.staffUser(username: username)
        guard try await passwords.check(password, against: user?.passwordHash ?? Passwords.dummyHash), let user else {
            _ = signIns.take(pair)
            _ = signInsByAddress.take(client)
            return loginPage(request, failed: true, next: form["next"])
        }
        let token = StaffTokens.generate()
        try await store.createStaff(
            StaffAccount(
                tokenHash: StaffTokens.hash(token), role: user.role, office: user.office, name: "session:\(user.username)",
                createdAt: store.clock.now()))
        var response = Pages.redirect(Self.safeNext(form["next"] ?? "/console"))
        response.setCookie(
            Cookie(
                name: Sessions.cookieName, value: token, maxAge: Int(Sessions.lifetimeSeconds), path: "/",
                secure: PublicURL.isHTTPS(request), httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ request: Request) async throws -> Response {
        let form = try await Form.read(request)
        if let session = try await session(request) {
            guard Sessions.csrfMatches(form["csrf"], session: session.token) else {
                throw ApiError(.forbidden, "csrf", "The form is out of date; reload the page.")
            }
            // Server-side: the session ends on every node, whatever became of the cookie.
            _ = try await store.endSession(tokenHash: session.account.tokenHash)
        }
        var response = Pages.redirect("/login")
        response.setCookie(
            Cookie(
                name: Sessions.cookieName, value: "", maxAge: 0, path: "/", secure: PublicURL.isHTTPS(request), httpOnly: true,
                sameSite: .strict))
        return response
    }

    // MARK: The console

    func chooser(_ request: Request) async throws -> Response {
        guard let session = try await session(request) else { return Pages.redirect("/login?next=/console") }
        let language = Self.staffLanguage(request)
        var links: [[String: Any]] = []
        for office in try await store.offices() where session.account.mayAct(on: office.id) {
            links.append([
                "href": "/reception/\(office.id.rawValue)",
                "label": "\(language.isJapanese ? office.name.ja : office.name.en) · \(pages.catalog.text("reception.title", language))",
            ])
            for counter in office.counters {
                links.append([
                    "href": "/console/\(office.id.rawValue)/\(counter.id.rawValue)",
                    "label":
                        "\(language.isJapanese ? office.name.ja : office.name.en) · \(pages.catalog.text("console.title", language, ["counter": counter.label]))",
                ])
            }
        }
        if session.account.role == .admin { links.append(["href": "/admin", "label": pages.catalog.text("admin.title", language)]) }
        let title = pages.catalog.text("console.choose", language)
        return pages.render(
            "chooser", title: title, model: ["heading": title, "links": links, "bodyClass": "staff"],
            language: language, languages: Language.staff)
    }

    /// `scanned`: a guide code read at this counter (`GuideView.scanned`), shown once.
    func console(
        _ request: Request, _ context: Context, notice: String? = nil, status: HTTPResponse.Status = .ok, scanned: [String: Any]? = nil
    ) async throws -> Response {
        let office = OfficeID(context.parameters.get("office") ?? "")
        let counterID = CounterID(context.parameters.get("counter") ?? "")
        let session: Session
        switch try await officeGate(request, office: office, path: "/console/\(office.rawValue)/\(counterID.rawValue)") {
        case .allowed(let account, let token): session = Session(account: account, token: token)
        case .refused(let response): return response
        }
        let language = Self.staffLanguage(request)
        let catalog = pages.catalog
        guard let config = try await store.offices().first(where: { $0.id == office }), let counter = config.counter(counterID),
            let snapshot = try await hub.snapshot(office: office)
        else { throw ApiError(QueueError.counterNotFound(counterID)) }
        let state = try await store.counterStates(office: office).first { $0.id == counterID } ?? CounterState(id: counterID)
        let held = try await state.current.asyncMap { try await store.ticketView($0) }.flatMap { $0 }
        let ticket = held?.ticket.holdsCounter == true ? held?.ticket : nil
        let now = store.clock.now()
        let filled = try await ticket.asyncMap { try await store.guideAnswers(ticket: $0.id) }.flatMap { $0 }
        let current: [String: Any]? = ticket.map { t in
            [
                "number": t.number.description, "prefix": t.number.prefix, "css": PageRoutes.cssClass(t.service),
                "procedure": config.procedure(t.service).map { PageRoutes.procedureText($0, language, catalog).name } ?? t.service.rawValue,
                "status": t.status.rawValue,
                "statusText": catalog.text("console.status.\(t.status.rawValue)", language),
                "waited": catalog.text(
                    "console.waited", language, ["m": "\(Int(((t.calledAt ?? now).timeIntervalSince(t.queuedAt) / 60).rounded()))"]),
                "guide": filled.flatMap { GuideView.consoleRows($0.answers, service: t.service, office: config, language, catalog) }
                    .map { ["rows": $0] } as Any,
            ]
        }
        let heldStatus = ticket?.status
        func action(
            _ name: String, _ label: String, _ key: String, _ enabled: Bool, primary: Bool = false, idempotent: Bool = false
        ) -> [String: Any] {
            [
                "action": name, "label": catalog.text(label, language), "shortcut": key, "enabled": enabled, "primary": primary,
                "key": idempotent ? StaffTokens.generate() : "", "officeID": office.rawValue, "counterID": counterID.rawValue,
                "csrf": session.csrf,
            ]
        }
        let actions = [
            action("call-next", "console.call_next", "N", state.open && ticket == nil, primary: true, idempotent: true),
            action("recall", "console.recall", "R", heldStatus == .called),
            action("start", "console.start", "S", heldStatus == .called),
            action("complete", "console.complete", "C", heldStatus == .called || heldStatus == .serving),
            action("no-show", "console.no_show", "X", heldStatus == .called),
            action("hold", "console.hold", "H", heldStatus == .called || heldStatus == .serving),
        ]
        let entries = try await store.queue(office: office) ?? []
        let lines = zip(config.procedures, snapshot.lines).filter { counter.services.contains($0.0.id) }.map { p, line -> [String: Any] in
            let longest = entries.filter { $0.service == p.id }.map(\.waitedSeconds).max()
            return [
                "id": p.id.rawValue, "prefix": p.prefix, "css": PageRoutes.cssClass(p.id),
                "name": PageRoutes.procedureText(p, language, catalog).name,
                "waiting": catalog.text("console.waiting", language, ["n": "\(line.waiting)"]),
                "longest": longest.map { catalog.text("console.longest", language, ["m": "\($0 / 60)"]) } ?? "",
            ]
        }
        let procedures = config.procedures.filter { $0.open && $0.id != ticket?.service }.map { p -> [String: Any] in
            ["id": p.id.rawValue, "prefix": p.prefix, "name": PageRoutes.procedureText(p, language, catalog).name]
        }
        let heading =
            "\(language.isJapanese ? config.name.ja : config.name.en) · \(catalog.text("console.title", language, ["counter": counter.label]))"
        return pages.render(
            "console", title: heading,
            model: [
                "heading": heading, "officeID": office.rawValue, "counterID": counterID.rawValue, "csrf": session.csrf,
                "user": session.username, "current": current as Any, "actions": actions, "open": state.open,
                "canTransfer": ticket != nil, "procedures": procedures, "lines": lines, "notice": notice as Any,
                "pauses": PauseReason.allCases.map {
                    ["code": $0.rawValue, "label": catalog.text("console.pause.\($0.rawValue)", language)]
                },
                "canPause": state.open && ticket == nil, "scanned": scanned as Any,
                "toggle": state.open ? "close" : "open",
                "toggleLabel": catalog.text(state.open ? "console.close" : "console.open", language),
                "colorsCSS": "/offices/\(office.rawValue)/colors.css", "bodyClass": "staff",
            ],
            language: language, languages: Language.staff, status: status)
    }

    func act(_ request: Request, _ context: Context) async throws -> Response {
        let office = OfficeID(context.parameters.get("office") ?? "")
        let counter = CounterID(context.parameters.get("counter") ?? "")
        let name = context.parameters.get("action") ?? ""
        guard let session = try await session(request) else { throw ApiError.unauthorized }
        let form = try await Form.signed(request, session: session.token)
        guard session.account.mayAct(on: office) else { throw ApiError.forbidden }
        let by = session.account.name
        do {
            switch name {
            case "call-next":
                let key = form["key"].flatMap { $0.isEmpty ? nil : Api.storedIdempotencyKey($0) }
                _ = try await store.callNext(office: office, counter: counter, idempotencyKey: key, by: by)
            case "transfer":
                _ = try await store.transfer(office: office, counter: counter, to: ServiceID(form["service"] ?? ""), by: by)
            case "open", "close":
                _ = try await store.setCounter(office: office, counter: counter, open: name == "open", by: by)
            case "pause":
                _ = try await store.pauseCounter(
                    office: office, counter: counter, reason: try Api.pauseReason(form["reason"] ?? ""), by: by)
            case "guide":
                let language = Self.staffLanguage(request)
                let config = try await store.offices().first { $0.id == office }
                return try await console(
                    request, context, scanned: config.map { GuideView.scanned(form["code"] ?? "", office: $0, language, pages.catalog) })
            default:
                guard Self.actions.contains(name), let action = CounterAction(rawValue: name) else {
                    throw ApiError(.notFound, "not_found", "No such action.")
                }
                _ = try await store.counterAction(action, office: office, counter: counter, by: by)
            }
            return Pages.redirect("/console/\(office.rawValue)/\(counter.rawValue)")
        } catch let error as QueueError {
            let api = ApiError(error)
            let language = Self.staffLanguage(request)
            return try await console(
                request, context, notice: pages.catalog.text("console.refused", language, ["reason": api.message]), status: api.status)
        }
    }

    // MARK: Shared

    /// The signed-in session, if the cookie names a live one (a session account younger than a working day).
    func session(_ request: Request) async throws -> Session? {
        guard let token = request.cookies[Sessions.cookieName]?.value, !token.isEmpty, token.utf8.count <= 128,
            let account = try await store.staffAccount(tokenHash: StaffTokens.hash(token)),
            account.name.hasPrefix("session:"), account.role != .device,
            store.clock.now().timeIntervalSince(account.createdAt) < Sessions.lifetimeSeconds
        else { return nil }
        return Session(account: account, token: token)
    }

    enum Gate {
        case allowed(StaffAccount, session: String)
        /// What to answer instead: the sign-in page, or a 403.
        case refused(Response)
    }

    /// For the supervisors' pages (reports, dashboard): the signed-in supervisor or admin, or the response to send
    /// instead (sign-in and back to `path`, or a 403 page for other staff).
    func supervisorGate(_ request: Request, path: String) async throws -> Gate {
        try await roleGate(request, path: path, roles: [.supervisor, .admin], forbidden: "report.forbidden")
    }

    /// Runs `body` for a signed-in supervisor or admin (their account and session token), or answers the gate's
    /// refusal (sign-in and back to `path`, or the 403 page).
    func supervised(
        _ request: Request, path: String, _ body: (StaffAccount, String) async throws -> Response
    ) async throws -> Response {
        switch try await supervisorGate(request, path: path) {
        case .refused(let response): return response
        case .allowed(let account, let session): return try await body(account, session)
        }
    }

    /// A staff page's answer to a bad query: the error page with its message and status.
    func errorPage(_ error: ApiError, title: String, language: Language) -> Response {
        pages.render(
            "error", title: title, model: ["heading": title, "message": error.message, "bodyClass": "staff"], language: language,
            languages: Language.staff, status: error.status)
    }

    /// The same for a page of `roles` only; `forbidden` is the key of the text other staff see.
    func roleGate(_ request: Request, path: String, roles: Set<StaffAccount.Role>, forbidden: String) async throws -> Gate {
        guard let session = try await session(request) else { return .refused(Pages.redirect("/login?next=\(path)")) }
        guard roles.contains(session.account.role) else { return .refused(forbiddenPage(forbidden, request)) }
        return .allowed(session.account, session: session.token)
    }

    /// For a page of one office (a counter's console, the reception desk): its staff, its supervisors, admins.
    func officeGate(_ request: Request, office: OfficeID, path: String) async throws -> Gate {
        guard let session = try await session(request) else { return .refused(Pages.redirect("/login?next=\(path)")) }
        guard session.account.mayAct(on: office) else { return .refused(forbiddenPage("console.forbidden", request)) }
        return .allowed(session.account, session: session.token)
    }

    private func forbiddenPage(_ key: String, _ request: Request) -> Response {
        let language = Self.staffLanguage(request)
        let text = pages.catalog.text(key, language)
        return pages.render(
            "error", title: text, model: ["heading": text, "message": "", "bodyClass": "staff"], language: language,
            languages: Language.staff, status: .forbidden)
    }

    /// Staff pages come in Japanese and English.
    static func staffLanguage(_ request: Request) -> Language {
        let language = Language.of(request).language
        return Language.staff.contains(language) ? language : (language.isJapanese ? .ja : .en)
    }

    /// Only a console or reports path may follow sign-in: never another site.
    static func safeNext(_ next: String) -> String {
        (next.hasPrefix("/console") || next.hasPrefix("/reports") || next.hasPrefix("/audit") || next.hasPrefix("/dashboard")
            || next.hasPrefix("/admin")
            || next.hasPrefix("/reception"))
            && !next.hasPrefix("//") && !next.contains("\\") ? next : "/console"
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
