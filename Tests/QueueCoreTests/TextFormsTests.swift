import Foundation
import Testing

@testable import QueueCore

/// Values written as text by hand (for speed): the same text `String(format:)` gave.
@Suite struct TextFormsTests {
    @Test("a date is YYYY-MM-DD, zero-padded, and reads back")
    func dates() throws {
        let cases = [(2026, 3, 5, "2026-03-05"), (2026, 12, 31, "2026-12-31"), (987, 1, 1, "0987-01-01"), (9999, 10, 10, "9999-10-10")]
        for (y, m, d, text) in cases {
            let date = try #require(LocalDate(year: y, month: m, day: d))
            #expect(date.description == text)
            #expect(LocalDate(parsing: text) == date)
        }
    }

    @Test("bytes in hex: two lowercase digits each")
    func hex() {
        #expect([UInt8]([0x00, 0x0F, 0xA5, 0xFF, 0x10]).hex == "000fa5ff10")
        #expect([UInt8]().hex == "")
        let all = (0...255).map { UInt8($0) }
        #expect(all.hex == all.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined())
    }

    @Test("base64url: Foundation's base64 with - and _ and no padding, for every length; and back")
    func base64url() {
        var generator = SplitMix64(seed: 7)
        for count in 0...64 {
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let expected = Data(bytes).base64EncodedString().replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.decode(expected) == bytes)
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8=") == nil && Base64URL.decode("a") == nil)
        #expect(TicketID.random().isWellFormedToken)
    }
}
