import Foundation

/// The canonical JSON line of an event: keys sorted, no whitespace, times with the office's offset. The store
/// keeps it, `madoguchi export events` prints it, and `Event`'s `Decodable` reads it back. Written by hand because
/// `JSONEncoder` cost more than the rest of an issue's transaction together.
public enum EventLine {
    public static func encode(_ event: Event) -> String {
        var out = "{"
        out.reserveCapacity(256)
        var first = true
        func key(_ name: String) {
            if !first { out.append(",") }
            first = false
            out.append("\"")
            out.append(name)
            out.append("\":")
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            appendQuoted(value, to: &out)
        }
        // Alphabetical, as JSONEncoder's .sortedKeys would write them.
        key("at"); appendQuoted(EventTime.format(event.at, offsetSeconds: event.utcOffsetSeconds), to: &out)
        string("channel", event.channel?.rawValue)
        string("counter", event.counter?.rawValue)
        key("data"); append(.object(event.data), to: &out)
        string("number", event.number?.description)
        string("office", event.office.rawValue)
        if let priority = event.priority { key("priority"); out.append(String(priority)) }
        key("seq"); out.append(String(event.seq))
        string("service", event.service?.rawValue)
        string("ticket", event.ticket?.rawValue)
        string("type", event.type.rawValue)
        out.append("}")
        return out
    }

    static func append(_ value: JSONValue, to out: inout String) {
        switch value {
        case .string(let s): appendQuoted(s, to: &out)
        case .int(let i): out.append(String(i))
        case .double(let d): out.append(d.isFinite ? String(d) : "null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .null: out.append("null")
        case .array(let items):
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                append(item, to: &out)
            }
            out.append("]")
        case .object(let fields):
            out.append("{")
            for (i, name) in fields.keys.sorted().enumerated() {
                if i > 0 { out.append(",") }
                appendQuoted(name, to: &out)
                out.append(":")
                append(fields[name]!, to: &out)
            }
            out.append("}")
        }
    }

    /// RFC 8259 string escaping: quote, backslash and control characters.
    static func appendQuoted(_ s: String, to out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
