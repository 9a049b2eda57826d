import Foundation
import Hummingbird
import OfficeRuntime
import QueueCore
import Reports

/// What a report request asks for: which offices, which days, which procedure and hour, and how to split the rows.
/// The API, the reports page, its CSV export and the open data all read their query here.
struct ReportQuery: Sendable {
    var offices: [Office]
    var filter: ReportFilter
    var breakdown: Breakdown

    static let breakdownNames: [(String, Breakdown)] = [("office", .office), ("date", .date), ("procedure", .procedure), ("hour", .hour)]

    /// `office` (repeatable or comma-separated; default every office in `visible`), `from` and `to` (YYYY-MM-DD;
    /// default the `defaultDays` days up to `latest`), `procedure`, `hour` (0–23), `by` (comma-separated
    /// office, date, procedure, hour). Every problem is a 400 `invalid_query` naming the parameter.
    static func parse(
        _ parameters: [String: [String]], visible: [Office], latest: LocalDate, defaultDays: Int, defaultBreakdown: Breakdown = []
    ) throws -> ReportQuery {
        func bad(_ message: String) -> ApiError { .badRequest("invalid_query", message) }
        func one(_ name: String) throws -> String? {
            guard let values = parameters[name] else { return nil }
            guard values.count == 1, let value = values.first, !value.isEmpty else { throw bad("\(name): give it once, not empty.") }
            return value
        }
        func date(_ name: String) throws -> LocalDate? {
            try one(name).map { text in
                guard let date = LocalDate(parsing: text) else { throw bad("\(name): a date as YYYY-MM-DD, not '\(text.prefix(20))'.") }
                return date
            }
        }
        var offices = visible
        if let asked = parameters["office"] {
            // An office named twice counts once: repeats would be read again and added up again.
            var seen = Set<OfficeID>()
            let ids = asked.flatMap { $0.split(separator: ",").map { OfficeID(String($0)) } }.filter { seen.insert($0).inserted }
            offices = try ids.map { id in
                guard let office = visible.first(where: { $0.id == id }) else {
                    throw bad("office: no office '\(id.rawValue.prefix(40))' you may see.")
                }
                return office
            }
        }
        let to = try date("to") ?? latest
        let from = try date("from") ?? to.adding(days: 1 - defaultDays)
        guard from <= to else { throw bad("from: must not be after to.") }
        guard from.adding(days: ReportSource.maxDays - 1) >= to else { throw bad("from: at most \(ReportSource.maxDays) days at once.") }
        // What a request costs is what it reads: one office's day of log each.
        let officeDays = offices.count * (from.days(until: to) + 1)
        guard officeDays <= ReportSource.maxOfficeDays else {
            throw bad(
                "office, from, to: at most \(ReportSource.maxOfficeDays) office-days at once (asked \(officeDays)); ask fewer offices or days."
            )
        }
        let procedure = try one("procedure").map { ServiceID($0) }
        if let procedure, !offices.contains(where: { $0.procedures.contains { $0.id == procedure } }) {
            throw bad("procedure: no procedure '\(procedure.rawValue.prefix(40))' in these offices.")
        }
        let hour = try one("hour").map { text in
            guard let h = Int(text), (0...23).contains(h) else { throw bad("hour: 0 to 23, not '\(text.prefix(10))'.") }
            return h
        }
        var breakdown = defaultBreakdown
        if let by = try one("by") {
            breakdown = []
            for name in by.split(separator: ",") {
                guard let part = breakdownNames.first(where: { $0.0 == name })?.1 else {
                    throw bad("by: office, date, procedure or hour, comma-separated; not '\(name.prefix(20))'.")
                }
                breakdown.insert(part)
            }
        }
        return ReportQuery(
            offices: offices,
            filter: ReportFilter(offices: Set(offices.map(\.id)), from: from, to: to, procedure: procedure, hour: hour),
            breakdown: breakdown)
    }

    /// Query parameters as lists (a name may repeat); a name not in `accepted` is a 400.
    static func parameters(_ request: Request, accepted: [String]) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (name, value) in request.uri.queryParameters { out[String(name), default: []].append(String(value)) }
        if let unknown = out.keys.sorted().first(where: { !accepted.contains($0) }) {
            throw ApiError.badRequest(
                "invalid_query", "\(unknown.prefix(20)): not a parameter here (\(accepted.joined(separator: ", "))).")
        }
        return out
    }

    /// One of `options` (the first when absent); anything else is a 400.
    static func choice(_ parameters: [String: [String]], _ name: String, _ options: [String]) throws -> String {
        guard let values = parameters[name] else { return options[0] }
        guard values.count == 1, options.contains(values[0]) else {
            throw ApiError.badRequest("invalid_query", "\(name): one of \(options.joined(separator: ", ")).")
        }
        return values[0]
    }
}

/// A report as computed for one query: its rows, the overall figures, the wait distribution, waits by hour.
struct WaitReport: Sendable {
    var query: ReportQuery
    var rows: [ReportRow]
    var overall: WaitFigures
    var byHour: [ReportRow]
    var histogram: WaitHistogram
    var satisfaction: SatisfactionByWait

    init(_ query: ReportQuery, source: ReportSource) async throws {
        self.query = query
        let log = try await source.log(offices: query.offices, from: query.filter.from, to: query.filter.to)
        let visits = log.visits.filter(query.filter.admits)
        let ratings = log.ratings.filter(query.filter.admits)
        rows = ReportRow.rows(visits: visits, ratings: ratings, by: query.breakdown)
        overall = WaitFigures(visits: visits, ratings: ratings)
        byHour = ReportRow.rows(visits: visits, by: .hour)
        histogram = WaitHistogram(visits: visits)
        satisfaction = SatisfactionByWait(ratings)
    }
}

/// The report as JSON: its rows are the open data's records (`ReportCSV.record`), so every output names and rounds
/// a figure the same way.
struct ReportBody: Codable {
    var offices: [String]
    var from: String
    var to: String
    var procedure: String?
    var hour: Int?
    var by: [String]
    var overall: [String: JSONValue]
    var rows: [[String: JSONValue]]
    var histogram: Histogram
    /// True when any figure comes from simulated (demo) days.
    var simulated: Bool

    struct Histogram: Codable {
        var binMinutes: Int
        /// Called visits per bin; the last bin holds every wait from its start on.
        var counts: [Int]
    }

    init(_ report: WaitReport) {
        let q = report.query
        offices = q.offices.map(\.id.rawValue)
        from = q.filter.from.description
        to = q.filter.to.description
        procedure = q.filter.procedure?.rawValue
        hour = q.filter.hour
        by = ReportQuery.breakdownNames.filter { q.breakdown.contains($0.1) }.map(\.0)
        overall = ReportCSV.record(ReportRow(figures: report.overall))
        rows = report.rows.map(ReportCSV.record)
        histogram = Histogram(binMinutes: report.histogram.binMinutes, counts: report.histogram.counts)
        simulated = report.overall.simulated
    }
}

/// Open data as JSON: the period, the granularity and the records.
struct OpenDataBody: Codable {
    var granularity: String
    var from: String
    var to: String
    var records: [[String: JSONValue]]
}

/// CSV responses: a file name, and UTF-8 with a byte-order mark so that spreadsheet programs read Japanese right.
enum CSVResponse {
    static func make(_ text: String, filename: String) -> Response {
        var buffer = ByteBuffer(bytes: [0xEF, 0xBB, 0xBF])
        buffer.writeString(text)
        var response = Response(status: .ok, body: .init(byteBuffer: buffer))
        response.headers[.contentType] = "text/csv; charset=utf-8; header=present"
        response.headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return response
    }
}

extension Api {
    /// `GET /api/v1/reports/waits`: supervisors and admins, for the offices their account covers.
    func waitsReport(_ request: Request) async throws -> Response {
        let account = try await auth.requireSupervisor(request)
        let visible = try await store.offices().filter { account.mayAct(on: $0.id) }
        let today = visible.map { LocalDate(store.clock.now(), in: $0.zone) }.max() ?? LocalDate(store.clock.now(), in: .current)
        let parameters = try ReportQuery.parameters(
            request, accepted: ["office", "from", "to", "procedure", "hour", "by", "format", "lang"])
        let format = try ReportQuery.choice(parameters, "format", ["json", "csv"])
        let header = try ReportCSV.Header(rawValue: ReportQuery.choice(parameters, "lang", ["en", "ja"]))!
        let query = try ReportQuery.parse(parameters, visible: visible, latest: today, defaultDays: 28)
        let report = try await WaitReport(query, source: reports)
        if format == "csv" {
            return CSVResponse.make(
                ReportCSV.text(report.rows, header: header), filename: "waits-\(query.filter.from)-\(query.filter.to).csv")
        }
        return JSONBody.response(ReportBody(report))
    }

    /// `GET /opendata/waits.csv|json`: public, closed days only, per office and procedure, by day (`granularity=daily`,
    /// the default) or by hour (`hourly`). docs/opendata.md describes the columns.
    func openData(_ request: Request, json: Bool) async throws -> Response {
        let offices = try await store.offices()
        let yesterday = (offices.map { LocalDate(store.clock.now(), in: $0.zone) }.max() ?? LocalDate(store.clock.now(), in: .current))
            .adding(days: -1)
        var parameters = try ReportQuery.parameters(
            request, accepted: ["office", "from", "to", "procedure", "granularity"] + (json ? [] : ["lang"]))
        let granularity = try ReportQuery.choice(parameters, "granularity", ["daily", "hourly"])
        let header = try ReportCSV.Header(rawValue: ReportQuery.choice(parameters, "lang", ["en", "ja"]))!
        parameters["granularity"] = nil
        parameters["lang"] = nil
        let query = try ReportQuery.parse(
            parameters, visible: offices, latest: yesterday, defaultDays: 28,
            defaultBreakdown: granularity == "hourly" ? [.office, .date, .procedure, .hour] : [.office, .date, .procedure])
        guard query.filter.to <= yesterday else {
            throw ApiError.badRequest("invalid_query", "to: open data covers days that are over, up to \(yesterday).")
        }
        let report = try await WaitReport(query, source: reports)
        var response =
            json
            ? JSONBody.response(
                OpenDataBody(
                    granularity: granularity, from: query.filter.from.description, to: query.filter.to.description,
                    records: report.rows.map(ReportCSV.record)))
            : CSVResponse.make(ReportCSV.text(report.rows, header: header), filename: "madoguchi-waits-\(granularity).csv")
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.cacheControl] = "public, max-age=3600"
        return response
    }
}

/// The best time to come, as JSON (`GET /api/v1/offices/{office}/forecast`).
struct ForecastBody: Codable {
    struct Slot: Codable {
        var hour: Int
        var waitP50Minutes: Double?
        var waitP90Minutes: Double?
        var ticketsPerDay: Double
        /// `low` (90% waited under 15 min), `medium` (under 30), `high`.
        var level: String
    }

    struct Day: Codable {
        var weekday: Int
        var days: Int
        var best: [Int]
        var hours: [Slot]
    }

    var office: String
    var procedure: String?
    var from: String
    var to: String
    var simulated: Bool
    var weekdays: [Day]

    init(office: OfficeID, procedure: ServiceID?, from: LocalDate, to: LocalDate, simulated: Bool, best: BestTime) {
        func minutes(_ s: Double?) -> Double? { s.map { ($0 / 6).rounded() / 10 } }
        self.office = office.rawValue
        self.procedure = procedure?.rawValue
        self.from = from.description
        self.to = to.description
        self.simulated = simulated
        weekdays = best.days.map { d in
            Day(
                weekday: d.weekday, days: d.days, best: d.best,
                hours: d.slots.map {
                    Slot(
                        hour: $0.hour, waitP50Minutes: minutes($0.wait?.p50), waitP90Minutes: minutes($0.wait?.p90),
                        ticketsPerDay: ($0.ticketsPerDay * 10).rounded() / 10, level: $0.level.rawValue)
                })
        }
    }
}

extension Api {
    /// `GET /api/v1/offices/{office}/forecast`: public; `procedure`, `weeks` (1–26, default 8).
    func forecast(_ request: Request, _ context: Context) async throws -> Response {
        let id = OfficeID(context.parameters.get("office") ?? "")
        guard let office = try await store.offices().first(where: { $0.id == id }) else { throw ApiError(QueueError.officeNotFound(id)) }
        let parameters = try ReportQuery.parameters(request, accepted: ["procedure", "weeks"])
        var procedure: ServiceID?
        if let p = parameters["procedure"] {
            guard p.count == 1, office.procedures.contains(where: { $0.id.rawValue == p[0] }) else {
                throw ApiError.badRequest("invalid_query", "procedure: one procedure of this office.")
            }
            procedure = ServiceID(p[0])
        }
        var weeks = 8
        if let w = parameters["weeks"] {
            guard w.count == 1, let n = Int(w[0]), (1...26).contains(n) else {
                throw ApiError.badRequest("invalid_query", "weeks: 1 to 26.")
            }
            weeks = n
        }
        let (best, from, to, simulated) = try await reports.bestTime(
            office: office, procedure: procedure, weeks: weeks, now: store.clock.now())
        var response = JSONBody.response(
            ForecastBody(office: id, procedure: procedure, from: from, to: to, simulated: simulated, best: best))
        response.headers[.cacheControl] = "public, max-age=3600"
        return response
    }
}
