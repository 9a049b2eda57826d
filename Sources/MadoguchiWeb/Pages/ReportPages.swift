import Foundation
import Hummingbird
import OfficeRuntime
import QueueCore
import Reports
import Twin

/// The reports page (`/reports`) for supervisors and admins signed in to the console: the same query, figures and
/// CSV as `GET /api/v1/reports/waits`, drawn as SVG (the wait distribution and waits by hour against the 60-minute
/// line) and tabled by procedure. No script: a GET form chooses offices, days, procedure and hour.
struct ReportPages: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    let pages: Pages
    var console: ConsoleRoutes

    func register(on routes: Routes) {
        routes.get("/reports") { request, _ in
            try await console.supervised(request, path: "/reports") { try await self.page(request, account: $0, session: $1) }
        }
        routes.get("/reports/waits.csv") { request, _ in
            try await console.supervised(request, path: "/reports") { account, _ in try await self.csv(request, account: account) }
        }
        routes.post("/reports/reforms") { request, _ in
            try await console.supervised(request, path: "/reports") { try await self.recordReform(request, account: $0, session: $1) }
        }
    }

    private func query(_ request: Request, account: StaffAccount) async throws -> (ReportQuery, [Office]) {
        let visible = try await store.offices().filter { account.mayAct(on: $0.id) }
        let today = visible.map { LocalDate(store.clock.now(), in: $0.zone) }.max() ?? LocalDate(store.clock.now(), in: .current)
        var parameters = try ReportQuery.parameters(request, accepted: ["office", "from", "to", "procedure", "hour", "lang"])
        parameters["lang"] = nil
        // The form sends empty fields for "all".
        parameters = parameters.filter { !($0.value.allSatisfy(\.isEmpty)) }
        return (try ReportQuery.parse(parameters, visible: visible, latest: today, defaultDays: 28), visible)
    }

    func csv(_ request: Request, account: StaffAccount) async throws -> Response {
        let (query, _) = try await query(request, account: account)
        var q = query
        q.breakdown = [.office, .date, .procedure]
        let report = try await WaitReport(q, source: hub.reports)
        let header: ReportCSV.Header = ConsoleRoutes.staffLanguage(request) == .ja ? .ja : .en
        return CSVResponse.make(ReportCSV.text(report.rows, header: header), filename: "waits-\(q.filter.from)-\(q.filter.to).csv")
    }

    func page(_ request: Request, account: StaffAccount, session token: String) async throws -> Response {
        let language = ConsoleRoutes.staffLanguage(request)
        let t = { (key: String) in pages.catalog.text(key, language) }
        let title = t("report.title")
        let query: ReportQuery
        let visible: [Office]
        do {
            (query, visible) = try await self.query(request, account: account)
        } catch let error as ApiError {
            return console.errorPage(error, title: title, language: language)
        }
        var q = query
        q.breakdown = [.procedure]
        let report = try await WaitReport(q, source: hub.reports)
        let f = report.overall
        let ja = language == .ja
        func minutes(_ seconds: Double?) -> String { seconds.map { ReportCSV.decimal($0 / 60, places: 1) + (ja ? " 分" : " min") } ?? "–" }
        func percent(_ share: Double?) -> String { share.map { ReportCSV.decimal($0 * 100, places: 1) + "%" } ?? "–" }
        let procedures = Dictionary(visible.flatMap(\.procedures).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func name(_ id: ServiceID?) -> String {
            guard let id, let p = procedures[id] else { return id?.rawValue ?? "" }
            return ja ? p.name.ja : p.name.en
        }
        let tiles: [[String: Any]] = [
            ["label": t("report.tickets"), "value": String(f.tickets)],
            ["label": t("report.wait_mean"), "value": minutes(f.wait?.mean)],
            ["label": t("report.wait_p90"), "value": minutes(f.wait?.p90)],
            ["label": t("report.wait_max"), "value": minutes(f.wait?.max), "alert": (f.wait?.max ?? 0) > WaitFigures.targetSeconds],
            ["label": t("report.within60"), "value": percent(f.within60Share), "alert": (f.within60Share ?? 1) < 1],
            ["label": t("report.no_show"), "value": percent(f.noShowRate)],
            ["label": t("report.remote"), "value": percent(f.remoteShare)],
            ["label": t("report.on_site"), "value": minutes(f.onSite?.mean)],
            [
                "label": t("report.satisfaction"),
                "value": f.ratings.map { ReportCSV.decimal($0.mean, places: 2) + " / 5 (\($0.count))" } ?? "–",
            ],
        ]
        let hours = report.byHour.compactMap(\.hour)
        let limit = WaitFigures.targetSeconds / 60
        let byHour = Chart.lines(
            title: t("report.chart_hour"), description: t("report.chart_hour_text"), yLabel: ja ? "分" : "minutes",
            categories: hours.map { String(format: "%02d", $0) },
            series: [
                (t("report.p50"), "#2563eb", report.byHour.map { $0.figures.wait.map { $0.p50 / 60 } }, false),
                (t("report.p90"), "#ea580c", report.byHour.map { $0.figures.wait.map { $0.p90 / 60 } }, false),
                (t("report.max"), "#111827", report.byHour.map { $0.figures.wait.map { $0.max / 60 } }, true),
            ],
            rule: (limit, ja ? "60分" : "60 min"))
        let distribution = Chart.histogram(
            title: t("report.chart_distribution"), description: t("report.chart_distribution_text"),
            counts: report.histogram.counts, bin: Double(report.histogram.binMinutes), mark: limit, yLabel: ja ? "割合" : "share")
        let rows: [[String: Any]] = report.rows.map { row in
            let g = row.figures
            return [
                "name": name(row.procedure), "tickets": String(g.tickets),
                "mean": minutes(g.wait?.mean), "p90": minutes(g.wait?.p90), "max": minutes(g.wait?.max),
                "over": (g.wait?.max ?? 0) > WaitFigures.targetSeconds, "within": percent(g.within60Share),
                "service": minutes(g.service?.mean), "noShow": percent(g.noShowRate), "remote": percent(g.remoteShare),
                "satisfaction": g.ratings.map { ReportCSV.decimal($0.mean, places: 1) + " (\($0.count))" } ?? "–",
            ]
        }
        let chosen = Set(query.offices.map(\.id))
        var csvQuery = "from=\(query.filter.from)&to=\(query.filter.to)"
        if chosen.count < visible.count { csvQuery += "&office=" + query.offices.map(\.id.rawValue).joined(separator: ",") }
        if let p = query.filter.procedure { csvQuery += "&procedure=\(p.rawValue)" }
        if let h = query.filter.hour { csvQuery += "&hour=\(h)" }
        let model: [String: Any] = [
            "bodyClass": "staff", "heading": title,
            "period": "\(query.filter.from) – \(query.filter.to)",
            "simulated": f.simulated,
            "empty": f.tickets == 0,
            "offices": visible.map {
                ["id": $0.id.rawValue, "name": ja ? $0.name.ja : $0.name.en, "selected": chosen.count == 1 && chosen.contains($0.id)]
            },
            "procedures": procedures.values.sorted { $0.id.rawValue < $1.id.rawValue }.map {
                ["id": $0.id.rawValue, "name": ja ? $0.name.ja : $0.name.en, "selected": $0.id == query.filter.procedure]
            },
            "hours": (6...21).map { ["value": String($0), "label": String(format: "%02d:00", $0), "selected": $0 == query.filter.hour] },
            "from": query.filter.from.description, "to": query.filter.to.description,
            "tiles": tiles, "charts": [distribution, byHour], "rows": rows,
            "satisfaction": report.satisfaction.bands.map { band -> [String: Any] in
                let label: String
                switch (band.from, band.to) {
                case (let from?, let to?):
                    label = pages.catalog.text("report.band", language, ["from": "\(Int(from))", "to": "\(Int(to))"])
                case (let from?, nil): label = pages.catalog.text("report.band_over", language, ["from": "\(Int(from))"])
                default: label = t("report.band_kiosk")
                }
                return [
                    "band": label, "mean": band.scores.map { ReportCSV.decimal($0.mean, places: 2) } ?? "–",
                    "count": String(band.scores?.count ?? 0),
                ]
            },
            "csvHref": "/reports/waits.csv?\(csvQuery)&lang=\(language.rawValue)",
        ]
        var withReforms = model
        if query.offices.count == 1, let office = query.offices.first, account.mayAct(on: office.id) {
            var reforms: [[String: Any]] = []
            for reform in try await store.reforms(office: office.id).reversed() {
                let r = try await ReformReport(reform, office: office, source: hub.reports, now: store.clock.now())
                var item: [String: Any] = [
                    "effective": reform.effective.description, "kind": t("report.kind.\(reform.kind.rawValue)"),
                    "description": reform.description, "summary": r.summary(japanese: ja),
                    "verdict": r.evaluation?.verdict.rawValue ?? "none", "simulated": r.simulated,
                ]
                if let e = r.evaluation {
                    item["figures"] = pages.catalog.text(
                        "report.reform_figures", language,
                        [
                            "before": ReportCSV.decimal(e.beforeMean, places: 1), "after": ReportCSV.decimal(e.afterMean, places: 1),
                            "raw": ReportCSV.decimal(e.rawChange, places: 1), "loadBefore": ReportCSV.decimal(e.beforeLoad, places: 1),
                            "loadAfter": ReportCSV.decimal(e.afterLoad, places: 1), "days": "\(e.beforeDays)/\(e.afterDays)",
                        ])
                }
                reforms.append(item)
            }
            withReforms["reformOffice"] =
                [
                    "id": office.id.rawValue, "name": ja ? office.name.ja : office.name.en, "csrf": Sessions.csrfToken(for: token),
                    "today": LocalDate(store.clock.now(), in: office.zone).description, "reforms": reforms, "none": reforms.isEmpty,
                    "kinds": ReformKind.allCases.map { ["value": $0.rawValue, "label": t("report.kind.\($0.rawValue)")] },
                ] as [String: Any]
        }
        return pages.render("reports", title: title, model: withReforms, language: language, languages: Language.staff)
    }

    /// The reports page's form: records a reform for the office shown, then shows the page again.
    func recordReform(_ request: Request, account: StaffAccount, session token: String) async throws -> Response {
        let form = try await Form.signed(request, session: token)
        let office = OfficeID(form["office"] ?? "")
        guard account.mayAct(on: office) else { throw ApiError.forbidden }
        let (date, kind, text) = try ReformRequest(
            effective: form["effective"] ?? "", kind: form["kind"] ?? "", description: form["description"] ?? ""
        )
        .validated()
        _ = try await store.recordReform(office: office, effective: date, kind: kind, description: text, by: account.name)
        return Pages.redirect("/reports?office=\(office.rawValue)#reforms")
    }
}
