import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OfficeRuntime
import QueueCore

/// The citizen-facing pages: the office list, the live office page, the phone page that issues tickets, and the
/// ticket page. Server-rendered; their small scripts only make them live.
struct PageRoutes: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    let pages: Pages
    /// The alert channels that are on, for the ticket page's "notify me" and "Get LINE alerts".
    var alerts = AlertSettings()
    /// Remote tickets per client address, office and hour (shared with the API's).
    var issues = IssueAllowance(perHour: 60)

    typealias Context = MadoguchiContext

    func register(on routes: Routes) {
        routes.get("/") { request, _ in try await self.home(request) }
        routes.get("/offices/{office}") { request, context in try await self.office(request, context) }
        routes.get("/offices/{office}/colors.css") { _, context in try await self.colors(context) }
        routes.get("/o/{office}") { request, context in try await self.phone(request, context) }
        routes.post("/o/{office}/tickets") { request, context in try await self.take(request, context) }
        routes.get("/t/{token}") { request, context in try await self.ticket(request, context) }
        routes.post("/t/{token}/cancel") { request, context in try await self.citizen(.cancel, request, context) }
        routes.post("/t/{token}/late") { request, context in try await self.citizen(.runningLate, request, context) }
        routes.post("/t/{token}/check-in") { request, context in try await self.checkIn(request, context) }
        routes.post("/t/{token}/travel") { request, context in try await self.changeTravel(request, context) }
        routes.post("/t/{token}/line") { request, context in try await self.lineLink(request, context) }
        routes.post("/t/{token}/contact") { request, context in try await self.contact(request, context) }
        routes.post("/t/{token}/feedback") { request, context in try await self.rate(request, context) }
        routes.post("/t/{token}/guide") { request, context in try await self.fillGuide(request, context) }
        routes.get("/sw.js") { _, _ in try StaticFiles.serviceWorker() }
        routes.get("/static/{file}") { _, context in try StaticFiles.response(context.parameters.get("file") ?? "") }
    }

    // MARK: Pages

    /// The office list; inside the LIFF mini-app (`liff`) its links open each office's LIFF page.
    func home(_ request: Request, liff: LIFFView? = nil) async throws -> Response {
        let (language, switched) = Language.of(request)
        var offices: [[String: Any]] = []
        for office in try await store.offices() {
            let snapshot = try await hub.snapshot(office: office.id)
            let waiting = snapshot?.lines.reduce(0) { $0 + $1.waiting } ?? 0
            let longest = snapshot?.lines.filter { $0.waiting > 0 }.compactMap(\.estimate?.minutes).max()
            offices.append([
                "id": office.id.rawValue, "name": name(office, language),
                "take": liff == nil ? "/o/\(office.id.rawValue)" : "/liff/\(office.id.rawValue)",
                "waiting": waiting == 0 ? text("home.no_wait", language) : text("home.waiting", language, ["n": "\(waiting)"]),
                "longest": longest.map { text("home.longest", language, ["m": "\($0)"]) } as Any,
            ])
        }
        return pages.render(
            "home", title: text("home.title", language), model: ["offices": offices, "liff": liff?.model(office: nil) as Any],
            language: language, rememberLanguage: switched, csp: liff?.contentSecurityPolicy)
    }

    func office(_ request: Request, _ context: Context) async throws -> Response {
        let (language, switched) = Language.of(request)
        guard let office = try await findOffice(context), let snapshot = try await hub.snapshot(office: office.id) else {
            return notFound(language)
        }
        let lines = zip(office.procedures, snapshot.lines).map { procedure, line -> [String: Any] in
            [
                "id": procedure.id.rawValue, "prefix": procedure.prefix, "css": Self.cssClass(procedure.id),
                "name": procedureText(procedure, language).name,
                "waiting": text("office.people", language, ["n": "\(line.waiting)"]),
                "estimate": line.estimate.map { text("office.minutes", language, ["m": "\($0.minutes)"]) } ?? text("office.idle", language),
            ]
        }
        let counters = snapshot.counters.map { c -> [String: Any] in
            [
                "id": c.counter.rawValue, "label": text("office.counter", language, ["counter": c.label]),
                "number": c.number?.description ?? text("office.idle", language),
            ]
        }
        let heading = text("office.title", language, ["office": name(office, language)])
        // The best time to come, from the last eight weeks (days that are over, read once and kept).
        let (best, _, _, simulated) = try await hub.reports.bestTime(office: office, now: store.clock.now())
        let hours = Array(Set(best.days.flatMap { $0.slots.map(\.hour) })).sorted()
        let bestDays = best.days.filter { $0.weekday <= 7 }.map { day -> [String: Any] in
            let slots = Dictionary(day.slots.map { ($0.hour, $0) }, uniquingKeysWith: { a, _ in a })
            return [
                "name": text("weekday.\(day.weekday)", language),
                "cells": hours.map { h -> [String: Any] in
                    guard let slot = slots[h], let wait = slot.wait else { return ["level": "none", "text": "–"] }
                    return ["level": slot.level.rawValue, "text": "\(Int((wait.p90 / 60).rounded()))"]
                },
                "best": text(
                    "office.best_hours", language,
                    ["hours": day.best.map { String(format: "%d:00", $0) }.joined(separator: language.isJapanese ? "、" : ", ")]),
            ]
        }
        return pages.render(
            "office", title: heading,
            model: [
                "heading": heading, "officeID": office.id.rawValue, "lines": lines, "counters": counters,
                "colorsCSS": "/offices/\(office.id.rawValue)/colors.css",
                "bestTime":
                    (bestDays.isEmpty
                    ? nil : ["hours": hours.map { String(format: "%d", $0) }, "days": bestDays, "simulated": simulated] as [String: Any]?)
                    as Any,
            ],
            language: language, rememberLanguage: switched)
    }

    /// The phone page; inside the LIFF mini-app (`liff`) its script takes the ticket with the holder's LINE pass.
    func phone(_ request: Request, _ context: Context, liff: LIFFView? = nil) async throws -> Response {
        let (language, switched) = Language.of(request)
        guard let office = try await findOffice(context), let snapshot = try await hub.snapshot(office: office.id) else {
            return notFound(language)
        }
        let today = LocalDate(store.clock.now(), in: office.zone)
        let procedures = zip(office.procedures, snapshot.lines).map { procedure, line -> [String: Any] in
            let words = procedureText(procedure, language)
            let minutes = line.estimate?.minutes ?? 0
            return [
                "id": procedure.id.rawValue, "prefix": procedure.prefix, "css": Self.cssClass(procedure.id),
                "name": words.name, "about": words.about as Any, "bring": words.bring as Any,
                "open": procedure.isIssuing(on: today), "stopped": procedure.open && !procedure.isIssuing(on: today),
                "minutes": line.waiting == 0 ? 0 : minutes,
                "wait": line.waiting == 0
                    ? text("home.no_wait", language)
                    : text("phone.wait", language, ["n": "\(line.waiting)", "m": "\(minutes)"]),
            ]
        }
        let heading = "\(text("phone.title", language)): \(name(office, language))"
        // A closed day or outside the hours: say so, and when it opens next, before anyone tries.
        let now = store.clock.now()
        let closed: String? =
            office.openingHours.isOpen(at: now, in: office.zone)
            ? nil
            : office.openingHours.nextOpening(after: now, in: office.zone).map {
                text("phone.closed_now", language, ["date": $0.day.description, "time": $0.opens])
            } ?? text("phone.closed", language)
        let travel: [[String: Any]] =
            [["value": Self.alreadyHere, "label": text("phone.travel_here", language)]]
            + Self.travelChoices.map { ["value": String($0), "label": text("phone.travel_minutes", language, ["m": "\($0)"])] }
        return pages.render(
            "phone", title: heading,
            model: [
                "heading": heading, "procedures": procedures, "officeID": office.id.rawValue, "language": language.rawValue,
                "travel": travel, "colorsCSS": "/offices/\(office.id.rawValue)/colors.css", "closedNow": closed as Any,
                "liff": liff?.model(office: office.id) as Any,
                // Whether a holder who is late keeps their place decides what the page may promise.
                "travelHint": text(office.policy.arrivalCheckIn ? "phone.travel_hint" : "phone.travel_hint_no_check_in", language),
                "leaveNow": text(office.policy.arrivalCheckIn ? "phone.leave_now" : "phone.leave_now_no_check_in", language),
            ],
            language: language, rememberLanguage: switched, csp: liff?.contentSecurityPolicy)
    }

    /// "How long will it take you to get here?" on the phone page: minutes, or already here (no "come now").
    static let travelChoices = [10, 20, 30, 45, 60]
    static let alreadyHere = "here"

    /// The phone page's travel answer: nil when not given or already here; a refusal for anything else.
    static func travelMinutes(_ answer: String?) throws -> Int? {
        guard let answer, !answer.isEmpty, answer != alreadyHere else { return nil }
        guard let minutes = Int(answer), travelChoices.contains(minutes) else {
            throw QueueError.invalidInput(
                field: "travel", reason: "one of \(alreadyHere), \(travelChoices.map(String.init).joined(separator: ", "))")
        }
        return minutes
    }

    func ticket(_ request: Request, _ context: Context) async throws -> Response {
        let (language, switched) = Language.of(request)
        let token = TicketID(context.parameters.get("token") ?? "")
        guard token.isWellFormedToken, let view = try await store.ticketView(token) else { return notFound(language) }
        let t = view.ticket
        let procedure = view.office.procedure(t.service)
        let counter = view.counter?.label ?? ""
        let ahead: String = {
            guard t.status == .waiting, let position = view.position else { return "" }
            return position == 1 ? text("ticket.next", language) : text("ticket.ahead", language, ["n": "\(position - 1)"])
        }()
        let live = hub.liveEntry(view)
        let estimate =
            t.status == .waiting
            ? (live?.waitEstimate ?? view.estimate).map {
                text("ticket.estimate", language, ["m": "\($0.minutes)", "lo": "\($0.low)", "hi": "\($0.high)"])
            } ?? "" : ""
        let issued = EventTime.format(t.issuedAt, offsetSeconds: view.office.zone.secondsFromGMT(for: t.issuedAt))
        // The alert channels the server sends by, and those this ticket's holder already gave.
        let offered = hub.notifier?.channels ?? []
        let given = try await store.contacts(ticket: t.id).map(\.channel)
        let model: [String: Any] = [
            "token": t.id.rawValue, "number": t.number.description, "status": t.status.rawValue,
            "statusText": text("ticket.status.\(t.status.rawValue)", language, ["counter": counter]),
            "called": t.status == .called, "goNow": text("ticket.go_now", language, ["counter": counter]),
            "prefix": t.number.prefix, "css": Self.cssClass(t.service),
            "procedureName": procedure.map { procedureText($0, language).name } ?? t.service.rawValue,
            "ahead": ahead, "estimate": estimate, "comeNow": live?.comeNowSince != nil,
            "onTheWay": t.onTheWay && t.status == .waiting,
            "travelChoices": Self.travelChoices.map {
                ["value": String($0), "label": text("phone.travel_minutes", language, ["m": "\($0)"])]
            },
            "issuedAt": text("ticket.issued_at", language, ["time": String(issued.dropFirst(11).prefix(5))]),
            "canAct": t.status == .waiting || t.status == .called,
            "canRunLate": t.deferrals < view.office.policy.maxDeferrals,
            "alerts": (t.status == .waiting || t.status == .called) && !offered.isEmpty,
            "vapidKey": offered.contains(.webPush) ? alerts.webPush?.publicKey ?? "" : "",
            "line": offered.contains(.line) && !given.contains(.line),
            "email": offered.contains(.email), "phone": offered.contains(.gateway),
            "alertsOn": given.isEmpty
                ? ""
                : text(
                    "ticket.alerts_on", language,
                    [
                        "channels": given.map { text("channel.\($0.rawValue)", language) }.joined(
                            separator: language.isJapanese ? "、" : ", ")
                    ]),
            "colorsCSS": "/offices/\(t.office.rawValue)/colors.css",
            // Five faces after the visit, until the holder taps one (hidden until the visit is completed).
            "rating":
                (try await store.rated(ticket: t.id)
                ? nil
                : ["token": t.id.rawValue, "shown": t.status == .completed, "faces": Self.faces(language, pages.catalog)] as [String: Any]?)
                as Any,
            "rated": request.uri.queryParameters.get("rated") == "1",
            "guide": try GuideView.ticketModel(
                view, answers: try await store.guideAnswers(ticket: t.id), language: language, catalog: pages.catalog) as Any,
        ]
        return pages.render(
            "ticket", title: "\(t.number) · \(text("ticket.title", language))", model: model, language: language, rememberLanguage: switched
        )
    }

    /// The five faces of the one-tap rating, worst first, each with its spoken label. Drawn (a mouth and a colour
    /// each), not emoji: a kiosk's fonts may not have them.
    static func faces(_ language: Language, _ catalog: Catalog) -> [[String: Any]] {
        let mouths = ["M12 29 Q20 20 28 29", "M12 28 Q20 24 28 28", "M12 26 L28 26", "M12 25 Q20 29 28 25", "M12 24 Q20 33 28 24"]
        let fills = ["#fca5a5", "#fdba74", "#fde68a", "#bef264", "#86efac"]
        return (1...5).map { n in
            ["value": n, "mouth": mouths[n - 1], "fill": fills[n - 1], "label": catalog.text("rate.\(n)", language)]
        }
    }

    /// Procedure colours as classes, so that no style attribute is needed. The text on a colour is black or white,
    /// whichever contrasts more.
    func colors(_ context: Context) async throws -> Response {
        guard let office = try await findOffice(context) else {
            throw ApiError(QueueError.officeNotFound(OfficeID(context.parameters.get("office") ?? "")))
        }
        var css = ""
        for p in office.procedures {
            let color = ProcedureColor(p.color)
            css += ".\(Self.cssClass(p.id)) { --c: \(color.hex); --on-c: \(color.readableText); }\n"
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/css; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: css)))
    }

    // MARK: Shared

    static func cssClass(_ id: ServiceID) -> String { "svc-\(id.rawValue)" }

    func text(_ key: String, _ language: Language, _ arguments: [String: String] = [:]) -> String {
        pages.catalog.text(key, language, arguments)
    }

    func name(_ office: Office, _ language: Language) -> String {
        language.isJapanese ? office.name.ja : office.name.en
    }

    func procedureText(_ p: Procedure, _ language: Language) -> (name: String, about: String?, bring: String?) {
        Self.procedureText(p, language, pages.catalog)
    }

    /// Japanese and English names come from the office's configuration; the other languages and the one-line
    /// description from the catalogue (`procedure.{id}.name|about`) where it has them; what to bring from the
    /// procedure's form-writing guide (the offices file).
    static func procedureText(_ p: Procedure, _ language: Language, _ catalog: Catalog) -> (name: String, about: String?, bring: String?) {
        let key = "procedure.\(p.id.rawValue)"
        let name: String
        switch language {
        case .ja: name = p.name.ja
        case .en: name = p.name.en
        default:
            name =
                catalog.has("\(key).name", language) ? catalog.text("\(key).name", language) : (language.isJapanese ? p.name.ja : p.name.en)
        }
        let about = catalog.has("\(key).about", language) ? catalog.text("\(key).about", language) : nil
        let bring = p.guide?.bring?.text(for: language.rawValue).text
        return (name, about, bring)
    }

    func findOffice(_ context: Context) async throws -> Office? {
        let id = OfficeID(context.parameters.get("office") ?? "")
        return try await store.offices().first { $0.id == id }
    }

    func notFound(_ language: Language) -> Response {
        pages.render(
            "error", title: text("error.title", language),
            model: ["heading": text("error.title", language), "message": text("error.body", language)],
            language: language, status: .notFound)
    }

    func refused(_ api: ApiError, _ language: Language) -> Response {
        pages.render(
            "error", title: text("error.refused", language),
            model: ["heading": text("error.refused", language), "message": api.message],
            language: language, status: api.status)
    }
}
