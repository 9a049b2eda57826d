import Foundation

/// A typed identifier: an `OfficeID` is not a `ServiceID`, though both are strings on the wire.
public struct Identifier<Kind>: RawRepresentable, Hashable, Comparable, Codable, Sendable,
    CustomStringConvertible, ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public typealias OfficeID = Identifier<Office>
/// The API and the event log call a procedure a "service"; the id keeps that name.
public typealias ServiceID = Identifier<Procedure>
public typealias CounterID = Identifier<Counter>
/// The public handle of a ticket: a random 128-bit URL-safe token, never its printed number.
public typealias TicketID = Identifier<Ticket>

extension Identifier {
    /// Slug rule for configured ids (offices, procedures, counters): lowercase ASCII, digits and `-`, 1–40 characters.
    public var isValidSlug: Bool { Self.isSlug(rawValue, maxBytes: 40) }

    /// Lowercase ASCII, digits and `-`, 1 to `maxBytes` characters: the configured ids', and a guide's field ids'.
    public static func isSlug(_ text: String, maxBytes: Int) -> Bool {
        guard (1...maxBytes).contains(text.utf8.count) else { return false }
        return text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}

extension TicketID {
    /// A fresh ticket token: 16 random bytes, base64url without padding (22 characters).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> TicketID {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for word in [generator.next(), generator.next()] as [UInt64] {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return TicketID(Base64URL.encode(bytes))
    }

    public static func random() -> TicketID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// Cheap shape check before any look-up: 22 base64url characters.
    public var isWellFormedToken: Bool {
        rawValue.utf8.count == 22 && rawValue.utf8.allSatisfy(Base64URL.isAlphabet)
    }
}

/// Base64url without padding (RFC 4648 §5): ticket tokens, Web Push keys, JWTs.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Written by hand: Foundation's base64 followed by three `replacingOccurrences` was 2.5% of the server's time
    /// when issuing (one token per ticket).
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let bytes = Array(bytes)
        var text: [UInt8] = []
        text.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let rest = min(3, bytes.count - i)
            var group = UInt32(bytes[i]) << 16
            if rest > 1 { group |= UInt32(bytes[i + 1]) << 8 }
            if rest > 2 { group |= UInt32(bytes[i + 2]) }
            // 8 bits make 2 characters, 16 make 3, 24 make 4.
            for k in 0...rest { text.append(alphabet[Int(group >> UInt32(18 - 6 * k) & 63)]) }
            i += 3
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of unpadded base64url text, or nil (padding is refused: JWTs and push keys never carry it).
    public static func decode(_ text: String) -> [UInt8]? {
        guard !text.utf8.contains(UInt8(ascii: "=")) else { return nil }
        var base64 = text.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        base64 += Array(repeating: UInt8(ascii: "="), count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: Data(base64)).map { [UInt8]($0) }
    }

    static func isAlphabet(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
    }
}
