import Foundation
import QueueCore

/// Report rows as CSV (RFC 4180, UTF-8, CRLF): the report export and the open data write this one format, with
/// English or Japanese column names. docs/opendata.md describes every column.
public enum ReportCSV {
    public enum Header: String, Sendable, CaseIterable {
        case en, ja
    }

    /// How a column's cells read in JSON.
    enum Kind { case text, number, boolean }

    /// (English name, Japanese name, kind, value) for each column.
    static let columns: [(en: String, ja: String, kind: Kind, value: @Sendable (ReportRow) -> String)] = [
        ("office", "窓口ID", .text, { $0.office?.rawValue ?? "" }),
        ("date", "日付", .text, { $0.date?.description ?? "" }),
        ("procedure", "手続ID", .text, { $0.procedure?.rawValue ?? "" }),
        ("hour", "時台", .text, { $0.hour.map { String(format: "%02d:00", $0) } ?? "" }),
        ("tickets", "受付件数", .number, { String($0.figures.tickets) }),
        ("called", "呼出件数", .number, { String($0.figures.called) }),
        ("wait_mean_min", "平均待ち時間_分", .number, { minutes($0.figures.wait?.mean) }),
        ("wait_p50_min", "待ち時間中央値_分", .number, { minutes($0.figures.wait?.p50) }),
        ("wait_p90_min", "待ち時間90パーセンタイル_分", .number, { minutes($0.figures.wait?.p90) }),
        ("wait_p95_min", "待ち時間95パーセンタイル_分", .number, { minutes($0.figures.wait?.p95) }),
        ("wait_max_min", "最大待ち時間_分", .number, { minutes($0.figures.wait?.max) }),
        ("within_60_min_share", "60分以内の割合", .number, { share($0.figures.within60Share) }),
        ("service_mean_min", "平均応対時間_分", .number, { minutes($0.figures.service?.mean) }),
        ("no_show_rate", "不在率", .number, { share($0.figures.noShowRate) }),
        ("remote_share", "スマホ発券の割合", .number, { share($0.figures.remoteShare) }),
        ("remote_on_site_mean_min", "スマホ発券者の庁舎内待ち時間_分", .number, { minutes($0.figures.onSite?.mean) }),
        ("satisfaction_mean", "満足度平均", .number, { $0.figures.ratings.map { decimal($0.mean, places: 2) } ?? "" }),
        ("satisfaction_count", "満足度回答数", .number, { String($0.figures.ratings?.count ?? 0) }),
        ("simulated", "シミュレーション", .boolean, { $0.figures.simulated ? "true" : "false" }),
    ]

    public static func text(_ rows: [ReportRow], header: Header = .en) -> String {
        var out = columns.map { header == .en ? $0.en : $0.ja }.joined(separator: ",") + "\r\n"
        for row in rows {
            out += columns.map { escape($0.value(row)) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    public static var columnNames: [(en: String, ja: String)] { columns.map { ($0.en, $0.ja) } }

    static func minutes(_ seconds: Double?) -> String { seconds.map { decimal($0 / 60, places: 1) } ?? "" }
    static func share(_ value: Double?) -> String { value.map { decimal($0, places: 3) } ?? "" }

    /// Rounded half away from zero, as people round (printf's "%.1f" gives 5.2 for 5.25).
    public static func decimal(_ value: Double, places: Int) -> String {
        let scale = pow(10, Double(places))
        return String(format: "%.\(places)f", (value * scale).rounded() / scale)
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension ReportCSV {
    /// A row as a JSON record keyed by the English column names: numbers as numbers, an empty cell as null.
    public static func record(_ row: ReportRow) -> [String: JSONValue] {
        var record: [String: JSONValue] = [:]
        for column in columns {
            let text = column.value(row)
            let value: JSONValue =
                switch column.kind {
                case _ where text.isEmpty: .null
                case .text: .string(text)
                case .number: Int(text).map(JSONValue.int) ?? Double(text).map(JSONValue.double) ?? .string(text)
                case .boolean: .bool(text == "true")
                }
            record[column.en] = value
        }
        return record
    }
}
