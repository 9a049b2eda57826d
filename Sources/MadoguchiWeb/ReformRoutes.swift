import Foundation
import Hummingbird
import OfficeRuntime
import QueueCore
import Reports

/// A reform with its before/after evaluation, as the API and the reports page show it.
struct ReformReport: Sendable {
    var reform: Reform
    var evaluation: ReformEvaluation?
    var before: ClosedRange<LocalDate>
    var after: ClosedRange<LocalDate>?
    var simulated: Bool

    /// Days compared on each side by default.
    static let windowDays = 28

    /// `window` days before the effective date against up to `window` days from it, up to yesterday.
    init(_ reform: Reform, office: Office, source: ReportSource, window: Int = windowDays, now: Date) async throws {
        self.reform = reform
        let yesterday = LocalDate(now, in: office.zone).adding(days: -1)
        before = reform.effective.adding(days: -window)...reform.effective.adding(days: -1)
        after = reform.effective <= yesterday ? reform.effective...min(reform.effective.adding(days: window - 1), yesterday) : nil
        let beforeLog = try await source.log(offices: [office], from: before.lowerBound, to: before.upperBound)
        var afterLog: (visits: [Visit], ratings: [Rating])?
        if let after { afterLog = try await source.log(offices: [office], from: after.lowerBound, to: after.upperBound) }
        evaluation = afterLog.flatMap { ReformEvaluation.evaluate(before: beforeLog.visits, after: $0.visits, seed: UInt64(reform.seq)) }
        simulated = beforeLog.visits.contains(where: \.simulated) || (afterLog?.visits.contains(where: \.simulated) ?? false)
    }

    /// One sentence that says what the figures mean.
    func summary(japanese: Bool) -> String {
        guard let e = evaluation else {
            return japanese ? "実施後のデータがまだありません。" : "No days after the reform yet."
        }
        func m(_ v: Double) -> String { ReportCSV.decimal(abs(v), places: 1) }
        let interval = ReportCSV.decimal(e.low, places: 1) + (japanese ? "〜" : " to ") + ReportCSV.decimal(e.high, places: 1)
        switch e.verdict {
        case .tooFewDays:
            return japanese
                ? "判定には前後それぞれ\(ReformEvaluation.minimumDays)日以上のデータが必要です（実施前\(e.beforeDays)日、実施後\(e.afterDays)日）。"
                : "At least \(ReformEvaluation.minimumDays) days on each side are needed (\(e.beforeDays) before, \(e.afterDays) after)."
        case .shorter:
            return japanese
                ? "混雑の程度をそろえると、待ち時間は平均\(m(e.adjustedChange))分短くなりました（95%区間 \(interval)分）。効果は偶然では説明できません。"
                : "At equal load, waits fell by \(m(e.adjustedChange)) min on average (95% interval \(interval) min): the change is real."
        case .longer:
            return japanese
                ? "混雑の程度をそろえると、待ち時間は平均\(m(e.adjustedChange))分長くなりました（95%区間 \(interval)分）。"
                : "At equal load, waits rose by \(m(e.adjustedChange)) min on average (95% interval \(interval) min): the change is real."
        case .unclear:
            return japanese
                ? "混雑の程度をそろえた差は\(ReportCSV.decimal(e.adjustedChange, places: 1))分（95%区間 \(interval)分）で、偶然の範囲を出ません。"
                : "At equal load the difference is \(ReportCSV.decimal(e.adjustedChange, places: 1)) min (95% interval \(interval) min): not distinguishable from chance."
        }
    }
}

struct ReformBody: Codable {
    struct Evaluation: Codable {
        var beforeDays: Int
        var afterDays: Int
        var beforeVisits: Int
        var afterVisits: Int
        var beforeMeanMinutes: Double
        var afterMeanMinutes: Double
        var rawChangeMinutes: Double
        var adjustedChangeMinutes: Double
        var lowMinutes: Double
        var highMinutes: Double
        var beforeTicketsPerHour: Double
        var afterTicketsPerHour: Double
        /// `shorter`, `longer`, `unclear` or `too_few_days`.
        var verdict: String
    }

    var seq: Int64
    var office: String
    var effective: String
    var kind: String
    var description: String
    var recordedBy: String?
    var before: [String]
    var after: [String]?
    var evaluation: Evaluation?
    var summary: String
    var simulated: Bool

    init(_ r: ReformReport) {
        func round(_ v: Double, _ places: Double = 10) -> Double { (v * places).rounded() / places }
        seq = r.reform.seq
        office = r.reform.office.rawValue
        effective = r.reform.effective.description
        kind = r.reform.kind.rawValue
        description = r.reform.description
        recordedBy = r.reform.recordedBy
        before = [r.before.lowerBound.description, r.before.upperBound.description]
        after = r.after.map { [$0.lowerBound.description, $0.upperBound.description] }
        evaluation = r.evaluation.map { e in
            Evaluation(
                beforeDays: e.beforeDays, afterDays: e.afterDays, beforeVisits: e.beforeVisits, afterVisits: e.afterVisits,
                beforeMeanMinutes: round(e.beforeMean), afterMeanMinutes: round(e.afterMean), rawChangeMinutes: round(e.rawChange),
                adjustedChangeMinutes: round(e.adjustedChange), lowMinutes: round(e.low), highMinutes: round(e.high),
                beforeTicketsPerHour: round(e.beforeLoad), afterTicketsPerHour: round(e.afterLoad), verdict: e.verdict.rawValue)
        }
        summary = r.summary(japanese: false)
        simulated = r.simulated
    }
}

struct ReformRequest: Decodable {
    var effective: String
    var kind: String
    var description: String

    func validated() throws -> (LocalDate, ReformKind, String) {
        guard let date = LocalDate(parsing: effective) else {
            throw ApiError.invalid("invalid_input", "effective: a date as YYYY-MM-DD.")
        }
        guard let k = ReformKind(rawValue: kind) else {
            throw ApiError.invalid("invalid_input", "kind: one of \(ReformKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return (date, k, description)
    }
}

extension Api {
    /// `POST /api/v1/offices/{office}/reforms`: a supervisor or admin of the office records a reform.
    func recordReform(_ request: Request, _ context: Context) async throws -> Response {
        let office = OfficeID(context.parameters.get("office") ?? "")
        let account = try await auth.requireSupervisor(request)
        guard account.mayAct(on: office) else { throw ApiError.forbidden }
        let (date, kind, text) = try await JSONBody.decode(ReformRequest.self, from: request).validated()
        let result = try await store.recordReform(office: office, effective: date, kind: kind, description: text, by: account.name)
        guard let known = try await store.offices().first(where: { $0.id == office }) else {
            throw ApiError(QueueError.officeNotFound(office))
        }
        let report = try await ReformReport(result.value, office: known, source: reports, now: store.clock.now())
        return JSONBody.response(ReformBody(report), status: .created)
    }

    /// `GET /api/v1/offices/{office}/reforms`: the office's reforms, newest first, each evaluated.
    func listReforms(_ request: Request, _ context: Context) async throws -> Response {
        let id = OfficeID(context.parameters.get("office") ?? "")
        let account = try await auth.requireSupervisor(request)
        guard account.mayAct(on: id) else { throw ApiError.forbidden }
        guard let office = try await store.offices().first(where: { $0.id == id }) else { throw ApiError(QueueError.officeNotFound(id)) }
        var bodies: [ReformBody] = []
        for reform in try await store.reforms(office: id).reversed() {
            bodies.append(ReformBody(try await ReformReport(reform, office: office, source: reports, now: store.clock.now())))
        }
        return JSONBody.response(["reforms": bodies])
    }
}
