import Foundation
import Hummingbird
import QueueCore
import Reports

/// The audit trail viewer (`/audit`) for supervisors and admins: who did what, and when, at one office over up to
/// `maxDays` days, filtered by counter, staff member and event type (`Reports.AuditTrail`), with the whole
/// selection as CSV (`/audit.csv`). No script: a GET form.
struct AuditPages: Sendable {
    let store: any QueueStore
    let pages: Pages
    var console: ConsoleRoutes

    /// The longest period one view reads (a month of a busy office is about 100,000 events).
    static let maxDays = 31
    /// The most rows the page draws; the CSV has them all.
    static let shownRows = 500

    func register(on routes: Routes) {
        routes.get("/audit") { request, _ in
            try await console.supervised(request, path: "/audit") { account, _ in try await self.page(request, account: account) }
        }
        routes.get("/audit.csv") { request, _ in
            try await console.supervised(request, path: "/audit") { account, _ in
                let (selection, _) = try await self.selection(request, account: account)
                let header: ReportCSV.Header = ConsoleRoutes.staffLanguage(request) == .ja ? .ja : .en
                return CSVResponse.make(
                    AuditTrail.csv(try await self.entries(selection), header: header),
                    filename: "audit-\(selection.office.id.rawValue)-\(selection.from)-\(selection.to).csv")
            }
        }
    }

    /// One office, a period and the filter, as the query asked for them.
    struct Selection {
        var office: Office
        var from: LocalDate
        var to: LocalDate
        var filter: AuditTrail.Filter
    }

    /// The query's selection among the offices `account` covers; a 400 for anything else.
    func selection(_ request: Request, account: StaffAccount) async throws -> (Selection, [Office]) {
        let visible = try await store.offices().filter { account.mayAct(on: $0.id) }
        guard !visible.isEmpty else { throw ApiError.forbidden }
        let parameters = try ReportQuery.parameters(
            request, accepted: ["office", "from", "to", "counter", "staff", "type", "who", "lang"]
        ).filter { !$0.value.allSatisfy(\.isEmpty) }
        let officeID = try ReportQuery.choice(parameters, "office", visible.map(\.id.rawValue))
        let office = visible.first { $0.id.rawValue == officeID }!
        let today = LocalDate(store.clock.now(), in: office.zone)
        func date(_ name: String) throws -> LocalDate {
            guard let text = parameters[name]?.first else { return today }
            guard let date = LocalDate(parsing: text) else { throw ApiError.badRequest("invalid_query", "\(name): a date, YYYY-MM-DD.") }
            return date
        }
        let from = try date("from")
        let to = try date("to")
        guard from <= to else { throw ApiError.badRequest("invalid_query", "from: on or before to.") }
        guard from.adding(days: Self.maxDays - 1) >= to else {
            throw ApiError.badRequest("invalid_query", "from, to: at most \(Self.maxDays) days at a time.")
        }
        var filter = AuditTrail.Filter()
        filter.staffOnly = try ReportQuery.choice(parameters, "who", ["staff", "all"]) == "staff"
        if parameters["counter"] != nil {
            filter.counter = CounterID(try ReportQuery.choice(parameters, "counter", office.counters.map(\.id.rawValue)))
        }
        if parameters["type"] != nil {
            filter.type = EventType(rawValue: try ReportQuery.choice(parameters, "type", EventType.allCases.map(\.rawValue)))
        }
        if let names = parameters["staff"] {
            guard names.count == 1, let name = names.first, name.count <= 64 else {
                throw ApiError.badRequest("invalid_query", "staff: one account name, at most 64 characters.")
            }
            filter.staff = name
        }
        return (Selection(office: office, from: from, to: to, filter: filter), visible)
    }

    func entries(_ selection: Selection) async throws -> [Event] {
        var events: [Event] = []
        var day = selection.from
        while day <= selection.to {
            events += try await store.events(office: selection.office.id, date: day)
            day = day.adding(days: 1)
        }
        return AuditTrail.entries(events, selection.filter)
    }

    func page(_ request: Request, account: StaffAccount) async throws -> Response {
        let language = ConsoleRoutes.staffLanguage(request)
        let t = { (key: String) in pages.catalog.text(key, language) }
        let title = t("audit.title")
        let selection: Selection
        let visible: [Office]
        do {
            (selection, visible) = try await self.selection(request, account: account)
        } catch let error as ApiError {
            return console.errorPage(error, title: title, language: language)
        }
        let entries = try await self.entries(selection)
        let ja = language == .ja
        let office = selection.office
        let f = selection.filter
        let rows: [[String: Any]] = entries.prefix(Self.shownRows).map { event in
            let time = EventTime.format(event.at, offsetSeconds: event.utcOffsetSeconds)
            return [
                "date": String(time.prefix(10)), "time": String(time.dropFirst(11).prefix(8)), "type": event.type.rawValue,
                "staff": AuditTrail.staff(of: event) ?? "", "counter": event.counter.flatMap { office.counter($0)?.label } ?? "",
                "number": event.number?.description ?? "",
                "procedure": event.service.flatMap { id in office.procedure(id) }
                    .map { ja ? $0.name.ja : $0.name.en } ?? "",
                "details": AuditTrail.details(event),
            ]
        }
        var query = "office=\(office.id.rawValue)&from=\(selection.from)&to=\(selection.to)&who=\(f.staffOnly ? "staff" : "all")"
        if let c = f.counter { query += "&counter=\(c.rawValue)" }
        if let s = f.staff { query += "&staff=" + (s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
        if let type = f.type { query += "&type=\(type.rawValue)" }
        let model: [String: Any] = [
            "bodyClass": "staff", "heading": title,
            "offices": visible.map { ["id": $0.id.rawValue, "name": ja ? $0.name.ja : $0.name.en, "selected": $0.id == office.id] },
            "from": selection.from.description, "to": selection.to.description, "staff": f.staff ?? "",
            "everything": !f.staffOnly,
            "counters": office.counters.map { ["id": $0.id.rawValue, "label": $0.label, "selected": $0.id == f.counter] },
            "types": EventType.allCases.map { ["id": $0.rawValue, "selected": $0 == f.type] },
            "rows": rows, "empty": entries.isEmpty,
            "count": pages.catalog.text(
                entries.count > Self.shownRows ? "audit.count_more" : "audit.count", language,
                ["count": "\(entries.count)", "shown": "\(Self.shownRows)"]),
            "csvHref": "/audit.csv?\(query)&lang=\(language.rawValue)",
        ]
        return pages.render("audit", title: title, model: model, language: language, languages: Language.staff)
    }
}
