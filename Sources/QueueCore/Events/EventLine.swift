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

extension EventLine {
    /// Reads an event line back (any valid JSON object with the event's fields, not only the canonical form).
    /// Written by hand for the same reason as `encode`: reports and learning read hundreds of thousands of events,
    /// and `JSONDecoder` spent most of their time.
    public static func decode(_ line: some Collection<UInt8>) throws -> Event {
        var scanner = JSONScanner(Array(line))
        guard case .object(let fields) = try scanner.document() else { throw JSONScanner.Failure(offset: 0, reason: "not an object") }
        func text(_ name: String) -> String? { fields[name]?.stringValue }
        func required(_ name: String) throws -> String {
            guard let value = text(name) else { throw JSONScanner.Failure(offset: 0, reason: "\(name) missing") }
            return value
        }
        guard case .int(let seq)? = fields["seq"] else { throw JSONScanner.Failure(offset: 0, reason: "seq missing") }
        guard let (at, offset) = EventTime.parse(try required("at")) else { throw JSONScanner.Failure(offset: 0, reason: "bad time") }
        guard let type = EventType(rawValue: try required("type")) else { throw JSONScanner.Failure(offset: 0, reason: "unknown type") }
        var priority: Int?
        if case .int(let p)? = fields["priority"] { priority = p }
        var data: [String: JSONValue] = [:]
        if case .object(let d)? = fields["data"] { data = d }
        /// An optional field: absent is nil, present and unreadable is an error.
        func optional<T>(_ name: String, _ read: (String) -> T?) throws -> T? {
            guard let raw = fields[name], raw != .null else { return nil }
            guard let value = raw.stringValue.flatMap(read) else { throw JSONScanner.Failure(offset: 0, reason: "bad \(name)") }
            return value
        }
        return Event(
            seq: Int64(seq), at: at, utcOffsetSeconds: offset, office: OfficeID(try required("office")), type: type,
            ticket: try optional("ticket") { TicketID($0) }, number: try optional("number") { TicketNumber(parsing: $0) },
            service: try optional("service") { ServiceID($0) }, counter: try optional("counter") { CounterID($0) },
            channel: try optional("channel") { Channel(rawValue: $0) }, priority: priority, data: data)
    }
}

/// A small RFC 8259 reader into `JSONValue`: objects, arrays, strings (with every escape), numbers (integers as
/// `int`, others as `double`), booleans and null.
struct JSONScanner {
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "JSON at byte \(offset): \(reason)" }
    }

    private let bytes: [UInt8]
    private var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// One value and nothing after it but whitespace.
    mutating func document() throws -> JSONValue {
        let value = try self.value(depth: 0)
        skipSpace()
        guard i == bytes.count else { throw fail("trailing characters") }
        return value
    }

    private func fail(_ reason: String) -> Failure { Failure(offset: i, reason: reason) }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
        for b in word.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw fail("unexpected character") }
            i += 1
        }
        return value
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < 64 else { throw fail("nested too deeply") }
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case 0x7B:  // {
            i += 1
            var fields: [String: JSONValue] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == 0x7D { i += 1; return .object(fields) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x22 else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x3A else { throw fail("expected ':'") }
                i += 1
                fields[key] = try value(depth: depth + 1)
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == 0x2C { i += 1; continue }
                guard bytes[i] == 0x7D else { throw fail("expected ',' or '}'") }
                i += 1
                return .object(fields)
            }
        case 0x5B:  // [
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == 0x5D { i += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == 0x2C { i += 1; continue }
                guard bytes[i] == 0x5D else { throw fail("expected ',' or ']'") }
                i += 1
                return .array(items)
            }
        case 0x22: return .string(try string())
        case 0x74: return try literal("true", .bool(true))
        case 0x66: return try literal("false", .bool(false))
        case 0x6E: return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func number() throws -> JSONValue {
        let start = i
        var integral = true
        scan: while i < bytes.count {
            switch bytes[i] {
            case 0x30...0x39, 0x2D: break
            case 0x2E, 0x65, 0x45, 0x2B: integral = false
            default: break scan
            }
            i += 1
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if integral, let n = Int(text) { return .int(n) }
        guard !text.isEmpty, let d = Double(text), d.isFinite else { i = start; throw fail("not a value") }
        return .double(d)
    }

    private mutating func string() throws -> String {
        i += 1  // the opening quote
        let start = i
        while i < bytes.count, bytes[i] != 0x22, bytes[i] != 0x5C {
            guard bytes[i] >= 0x20 else { throw fail("control character in a string") }
            i += 1
        }
        guard i < bytes.count else { throw fail("unterminated string") }
        if bytes[i] == 0x22 {
            defer { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        // Escapes: decode the rest into scalars.
        var out = String(decoding: bytes[start..<i], as: UTF8.self)
        var pending: [UInt8] = []
        func flush() {
            out += String(decoding: pending, as: UTF8.self)
            pending.removeAll(keepingCapacity: true)
        }
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == 0x22 { i += 1; flush(); return out }
            if b < 0x20 { throw fail("control character in a string") }
            guard b == 0x5C else { pending.append(b); i += 1; continue }
            guard i + 1 < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i + 1]
            i += 2
            let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
            if let c = simple[e] { pending.append(c); continue }
            guard e == 0x75 else { throw fail("bad escape") }
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else { throw fail("lone surrogate") }
                i += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let u = Unicode.Scalar(scalar) else { throw fail("lone surrogate") }
            flush()
            out.unicodeScalars.append(u)
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw fail("bad \\u escape")
        }
        i += 4
        return v
    }
}
