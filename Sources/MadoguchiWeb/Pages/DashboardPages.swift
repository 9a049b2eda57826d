import Forecast
import Foundation
import Hummingbird
import OfficeRuntime
import QueueCore
import Reports

/// The supervisor dashboard (`/dashboard`): every office the account may see, live. Per office: waiting per
/// procedure, the projected longest wait against the 60-minute line (the largest 90% point of any waiting ticket's
/// remaining wait, from the twin), counters open and idle, and, while the projection is over the line, what would
/// bring it back, each option with what it buys ("max p90 78 → 41 min"), accepted in one click. The page follows
/// one stream for all its offices (`/dashboard/events`) and fetches an office's card (`/dashboard/offices/{office}`)
/// when it changed.
struct DashboardPages: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    let pages: Pages
    let console: ConsoleRoutes

    func register(on routes: Routes) {
        routes.get("/dashboard") { request, _ in try await self.page(request) }
        routes.get("/dashboard/offices/{office}") { request, context in try await self.card(request, context) }
        routes.get("/dashboard/events") { request, _ in try await self.events(request) }
        routes.post("/dashboard/accept") { request, _ in try await self.accept(request) }
    }

    /// The signed-in supervisor or admin (account, session token), for the card, the stream and the accept form.
    private func supervisor(_ request: Request) async throws -> (account: StaffAccount, token: String)? {
        guard case .allowed(let account, let token) = try await console.supervisorGate(request, path: "/dashboard") else { return nil }
        return (account, token)
    }

    /// One office's card, as the page draws it and the script refreshes it.
    struct Card: Encodable {
        struct Line: Encodable {
            var service: String
            var name: String
            var prefix: String
            var waiting: Int
        }

        struct Option: Encodable {
            var text: String
            var effect: String
            var counter: String
            /// Support staff (応援): an office with an idle counter to take someone from, and that counter.
            var fromOffice: String?
            var fromCounter: String?
            /// Switch skills: the procedure the counter takes on too.
            var skill: String?
        }

        var office: String
        var name: String
        var lines: [Line]
        var projectedMinutes: Int
        var over: Bool
        var worst: String?
        var open: Int
        var idle: Int
        var status: String
        var options: [Option]
    }

    func cards(for account: StaffAccount, language: Language) async throws -> [Card] {
        let offices = try await store.offices().filter { account.mayAct(on: $0.id) }
        var snapshots: [OfficeID: OfficeSnapshot] = [:]
        for office in offices { snapshots[office.id] = try await hub.snapshot(office: office.id) }
        return offices.map { card($0, snapshots: snapshots, offices: offices, language: language) }
    }

    func card(_ office: Office, snapshots: [OfficeID: OfficeSnapshot], offices: [Office], language: Language) -> Card {
        let ja = language.isJapanese
        let t = { (key: String, args: [String: String]) in pages.catalog.text(key, language, args) }
        let snapshot = snapshots[office.id]
        let g = hub.estimates.guardState(office: office.id) ?? WaitGuard()
        func name(_ id: ServiceID) -> String {
            office.procedure(id).map { ja ? $0.name.ja : $0.name.en } ?? id.rawValue
        }
        let counters = snapshot?.counters ?? []
        let idleHere = counters.filter { $0.open && $0.number == nil }.count
        // Someone to send (応援): the office, other than this one and not over the line itself, with the most idle
        // counters.
        let donor = offices.filter { $0.id != office.id && !(hub.estimates.guardState(office: $0.id)?.isOver ?? false) }
            .compactMap { other -> (Office, OfficeSnapshot.Serving, Int)? in
                let idle = (snapshots[other.id]?.counters ?? []).filter { $0.open && $0.number == nil }
                return idle.first.map { (other, $0, idle.count) }
            }
            .max { $0.2 < $1.2 }
        let options = g.recommendations.map { r -> Card.Option in
            guard case .openCounter(let counter) = r.action else {
                guard case .addSkill(let counter) = r.action else { return Card.Option(text: "", effect: "", counter: "") }
                let label = office.counter(counter)?.label ?? counter.rawValue
                return Card.Option(
                    text: t("dashboard.add_skill", ["counter": label, "procedure": name(r.procedure)]), effect: Self.effect(r, language),
                    counter: counter.rawValue, skill: r.procedure.rawValue)
            }
            let label = office.counter(counter)?.label ?? counter.rawValue
            var text = t("dashboard.open_counter", ["counter": label, "procedure": name(r.procedure)])
            if idleHere == 0, let (from, servingCounter, count) = donor {
                text += " " + t("dashboard.from_office", ["office": ja ? from.name.ja : from.name.en, "n": "\(count)"])
                return Card.Option(
                    text: text, effect: Self.effect(r, language), counter: counter.rawValue, fromOffice: from.id.rawValue,
                    fromCounter: servingCounter.counter.rawValue)
            }
            return Card.Option(text: text, effect: Self.effect(r, language), counter: counter.rawValue)
        }
        let projected = Int((g.projectedMax / 60).rounded())
        return Card(
            office: office.id.rawValue, name: ja ? office.name.ja : office.name.en,
            lines: (snapshot?.lines ?? []).map { line in
                Card.Line(
                    service: line.service.rawValue, name: name(line.service), prefix: office.procedure(line.service)?.prefix ?? "",
                    waiting: line.waiting)
            },
            projectedMinutes: projected, over: g.isOver, worst: g.worst.map(name),
            open: counters.filter(\.open).count, idle: idleHere,
            status: g.isOver
                ? t("dashboard.over", ["m": "\(projected)", "procedure": g.worst.map(name) ?? ""])
                : t("dashboard.ok", ["m": "\(projected)"]),
            options: g.isOver && options.isEmpty ? [] : options)
    }

    /// "max p90 78 → 41 min".
    static func effect(_ r: WaitGuard.Recommendation, _ language: Language) -> String {
        let before = Int((r.before / 60).rounded())
        let after = Int((r.after / 60).rounded())
        return language.isJapanese ? "最大p90 \(before) → \(after) 分" : "max p90 \(before) → \(after) min"
    }

    func page(_ request: Request) async throws -> Response {
        let session: (account: StaffAccount, token: String)
        switch try await console.supervisorGate(request, path: "/dashboard") {
        case .refused(let response): return response
        case .allowed(let account, let token): session = (account, token)
        }
        let language = ConsoleRoutes.staffLanguage(request)
        let cards = try await cards(for: session.account, language: language)
        let title = pages.catalog.text("dashboard.title", language)
        // Satisfaction against wait, by procedure, over the last four weeks of the offices shown.
        let offices = try await store.offices().filter { session.account.mayAct(on: $0.id) }
        let today = LocalDate(store.clock.now(), in: offices.first?.zone ?? .current)
        let ratings = try await hub.reports.log(offices: offices, from: today.adding(days: -27), to: today).ratings
        let procedures = Dictionary(offices.flatMap(\.procedures).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let byProcedure = Dictionary(grouping: ratings.filter { $0.procedure != nil }, by: { $0.procedure! })
        let satisfaction = byProcedure.keys.sorted { $0.rawValue < $1.rawValue }.map { id -> [String: Any] in
            let bands = SatisfactionByWait(byProcedure[id]!).bands.filter { $0.from != nil }
            return [
                "name": procedures[id].map { language.isJapanese ? $0.name.ja : $0.name.en } ?? id.rawValue,
                "cells": bands.map { band in band.scores.map { ReportCSV.decimal($0.mean, places: 1) + " (\($0.count))" } ?? "–" },
            ]
        }
        let model: [String: Any] = [
            "bodyClass": "staff", "heading": title, "csrf": Sessions.csrfToken(for: session.token),
            "anyOver": cards.contains(where: \.over),
            "satisfaction": satisfaction, "hasSatisfaction": !satisfaction.isEmpty,
            "simulated": ratings.contains(where: \.simulated),
            "cards": cards.map { c -> [String: Any] in
                [
                    "office": c.office, "name": c.name, "status": c.status, "over": c.over, "open": String(c.open), "idle": String(c.idle),
                    "projected": String(c.projectedMinutes),
                    "lines": c.lines.map {
                        [
                            "name": $0.name, "prefix": $0.prefix, "waiting": String($0.waiting),
                            "css": PageRoutes.cssClass(ServiceID($0.service)),
                        ]
                    },
                    "options": c.options.map {
                        [
                            "text": $0.text, "effect": $0.effect, "counter": $0.counter, "fromOffice": $0.fromOffice as Any,
                            "fromCounter": $0.fromCounter as Any, "skill": $0.skill as Any,
                        ]
                    },
                ]
            },
        ]
        return pages.render("dashboard", title: title, model: model, language: language, languages: Language.staff)
    }

    /// `GET /dashboard/events`: one stream for every office the account may see; a `changed` frame names the office
    /// whose card to fetch again.
    func events(_ request: Request) async throws -> Response {
        guard let session = try await supervisor(request) else { throw ApiError.unauthorized }
        let offices = Set(try await store.offices().filter { session.account.mayAct(on: $0.id) }.map(\.id))
        return try await EventStreams.response(hub: hub, topic: .offices(offices)) { [] }
    }

    /// `GET /dashboard/offices/{office}`: the card as JSON, for the page's script.
    func card(_ request: Request, _ context: MadoguchiContext) async throws -> Response {
        guard let session = try await supervisor(request) else { throw ApiError.unauthorized }
        let id = OfficeID(context.parameters.get("office") ?? "")
        guard session.account.mayAct(on: id) else { throw ApiError.forbidden }
        let language = ConsoleRoutes.staffLanguage(request)
        let offices = try await store.offices().filter { session.account.mayAct(on: $0.id) }
        guard let office = offices.first(where: { $0.id == id }) else { throw ApiError(QueueError.officeNotFound(id)) }
        var snapshots: [OfficeID: OfficeSnapshot] = [:]
        for o in offices { snapshots[o.id] = try await hub.snapshot(office: o.id) }
        var response = JSONBody.response(card(office, snapshots: snapshots, offices: offices, language: language))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Accepting a recommendation: the counter opens (`counter.opened` with the supervisor's name), with support
    /// staff from another office closing that office's idle counter first; or the counter takes the procedure too
    /// (`counter.skills_changed`).
    func accept(_ request: Request) async throws -> Response {
        guard let session = try await supervisor(request) else { return Pages.redirect("/login?next=/dashboard") }
        let form = try await Form.signed(request, session: session.token)
        let office = OfficeID(form["office"] ?? "")
        let counter = CounterID(form["counter"] ?? "")
        guard session.account.mayAct(on: office) else { throw ApiError.forbidden }
        if let skill = form["skill"], !skill.isEmpty {
            // Switch skills: the counter keeps what it serves today and takes the procedure too.
            guard let config = try await store.offices().first(where: { $0.id == office }), let configured = config.counter(counter) else {
                throw ApiError(QueueError.counterNotFound(counter))
            }
            let today = LocalDate(store.clock.now(), in: config.zone)
            let state = try await store.counterStates(office: office).first { $0.id == counter } ?? CounterState(id: counter)
            let now = state.services(configured: configured.services, on: today)
            let services = now.contains(ServiceID(skill)) ? now : now + [ServiceID(skill)]
            _ = try await store.setSkills(office: office, counter: counter, services: services, by: session.account.name)
            return Pages.redirect("/dashboard#office-\(office.rawValue)")
        }
        if let fromID = form["fromOffice"], let fromCounterID = form["fromCounter"], !fromID.isEmpty {
            let from = OfficeID(fromID)
            let fromCounter = CounterID(fromCounterID)
            guard session.account.mayAct(on: from) else { throw ApiError.forbidden }
            _ = try await store.setCounter(office: from, counter: fromCounter, open: false, by: session.account.name)
        }
        _ = try await store.setCounter(office: office, counter: counter, open: true, by: session.account.name)
        return Pages.redirect("/dashboard#office-\(office.rawValue)")
    }
}
