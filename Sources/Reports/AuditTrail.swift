import Foundation
import QueueCore

/// The audit trail: who did what, and when, read from the office's events. Every change made through a staff route
/// carries the account's name in `data.staff` (docs/events.md); the trail shows those, or every event of the days
/// asked for, filtered by counter, staff member and type, newest first. Events hold no personal data, so neither
/// does the trail.
public enum AuditTrail {
    public struct Filter: Sendable, Equatable {
        /// Only changes made by a staff account (the default), or every event.
        public var staffOnly = true
        public var counter: CounterID?
        public var staff: String?
        public var type: EventType?

        public init(staffOnly: Bool = true, counter: CounterID? = nil, staff: String? = nil, type: EventType? = nil) {
            self.staffOnly = staffOnly
            self.counter = counter
            self.staff = staff
            self.type = type
        }

        public func admits(_ event: Event) -> Bool {
            let by = AuditTrail.staff(of: event)
            if staffOnly && by == nil { return false }
            // A console user's changes carry their session's account, `session:<username>`: the username finds them.
            if let staff, by != staff && by != QueueCommands.sessionPrefix + staff { return false }
            if let counter, event.counter != counter { return false }
            if let type, event.type != type { return false }
            return true
        }
    }

    /// The staff account that made the change, if one did.
    public static func staff(of event: Event) -> String? {
        if case .string(let name)? = event.data["staff"], !name.isEmpty { return name }
        return nil
    }

    /// The events `filter` admits, newest first.
    public static func entries(_ events: [Event], _ filter: Filter) -> [Event] {
        events.filter(filter.admits).sorted { ($0.at, $0.seq) > ($1.at, $1.seq) }
    }

    /// What else the event says, as `key=value` pairs in key order: codes and numbers (a reason, the procedures
    /// concerned, a rating, a reform's text). The staff name has a column of its own.
    public static func details(_ event: Event) -> String {
        event.data.filter { $0.key != "staff" }.sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }
            .joined(separator: "; ")
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): ReportCSV.decimal(d, places: 2)
        case .bool(let b): b ? "true" : "false"
        case .array(let items): items.map(text).joined(separator: ",")
        case .object(let fields): fields.sorted { $0.key < $1.key }.map { "\($0.key):\(text($0.value))" }.joined(separator: ",")
        case .null: ""
        }
    }

    /// The trail as CSV (RFC 4180, UTF-8, CRLF), with English or Japanese column names.
    public static func csv(_ entries: [Event], header: ReportCSV.Header = .en) -> String {
        let columns: [(en: String, ja: String, value: (Event) -> String)] = [
            ("time", "日時", { EventTime.format($0.at, offsetSeconds: $0.utcOffsetSeconds) }),
            ("office", "窓口ID", { $0.office.rawValue }),
            ("type", "種別", { $0.type.rawValue }),
            ("staff", "職員", { staff(of: $0) ?? "" }),
            ("counter", "窓口番号", { $0.counter?.rawValue ?? "" }),
            ("number", "番号", { $0.number?.description ?? "" }),
            ("procedure", "手続ID", { $0.service?.rawValue ?? "" }),
            ("channel", "発券経路", { $0.channel?.rawValue ?? "" }),
            ("details", "詳細", details),
            ("seq", "連番", { String($0.seq) }),
        ]
        var out = columns.map { header == .en ? $0.en : $0.ja }.joined(separator: ",") + "\r\n"
        for event in entries {
            out += columns.map { ReportCSV.escape(inert($0.value(event))) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// A cell a spreadsheet would run as a formula (a staff name or a reform's text starting with `=`, `+`, `-`
    /// or `@`) is kept as text with a leading apostrophe.
    static func inert(_ cell: String) -> String {
        guard let first = cell.first, "=+-@".contains(first) else { return cell }
        return "'" + cell
    }
}
