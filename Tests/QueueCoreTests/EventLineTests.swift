import Foundation
import QueueCore
import Testing

/// The hand-written event reader against Foundation's: every line the store writes reads back equal, and so does
/// any valid JSON of the same event; broken JSON is refused.
@Suite struct EventLineReaderTests {
    static func event(_ k: Int) -> Event {
        var e = Event(
            seq: Int64(k + 1), at: Date(timeIntervalSince1970: Double(1_774_832_400_123 + k * 61_007) / 1000),
            utcOffsetSeconds: [32_400, 0, -18_000][k % 3],
            office: OfficeID("chuo"), type: EventType.allCases[k % EventType.allCases.count])
        if k % 2 == 0 {
            e.ticket = TicketID("tok\(k)")
            e.number = TicketNumber(prefix: "A", sequence: k + 1)
            e.service = ServiceID("certificates")
            e.channel = Channel.allCases[k % Channel.allCases.count]
            e.priority = k % 2
        }
        if k % 3 == 0 { e.counter = CounterID("c\(k)") }
        e.data = [
            "businessDate": .string("2026-03-30"), "n": .int(-k), "x": .double(Double(k) / 8 + 0.1), "flag": .bool(k % 4 == 0),
            "none": .null, "list": .array([.int(1), .string("二"), .object(["a": .array([])])]),
            "text": .string("quote \" backslash \\ newline \n tab \t bell \u{07} emoji 🙂 日本語"),
        ]
        return e
    }

    @Test func whatTheStoreWritesReadsBackEqual() throws {
        for k in 0..<200 {
            let e = Self.event(k)
            let line = EventLine.encode(e)
            let mine = try EventLine.decode(line.utf8)
            #expect(mine == e, "\(line)")
            #expect(mine == (try JSONDecoder().decode(Event.self, from: Data(line.utf8))))
        }
    }

    @Test func anyValidJSONOfTheEventReadsTheSame() throws {
        let e = Self.event(4)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let pretty = try encoder.encode(e)  // whitespace, escaped slashes, another key order
        #expect(try EventLine.decode(pretty) == e)
        let escaped =
            #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued","data":{"s":"\u65e5\ud83d\ude42\/"}}"#
        #expect(try EventLine.decode(escaped.utf8).data["s"] == .string("日🙂/"))
    }

    @Test func brokenLinesAreRefused() {
        for bad in [
            "", "[]", "{", #"{"seq":1"#, #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued"} x"#,
            #"{"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued"}"#,
            #"{"seq":1,"at":"yesterday","office":"chuo","type":"ticket.issued"}"#,
            #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.teleported"}"#,
            #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued","data":{"s":"\ud83d"}}"#,
            #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued","data":{"s":"a\qb"}}"#,
            #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued","data":{"n":tru}}"#,
            "{\"seq\":1,\"at\":\"2026-03-30T09:00:00.000+09:00\",\"office\":\"chuo\",\"type\":\"ticket.issued\",\"data\":{\"s\":\"a\u{01}\"}}",
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
            #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued","channel":"fax"}"#,
            #"{"seq":1,"at":"2026-03-30T09:00:00.000+09:00","office":"chuo","type":"ticket.issued","number":"A-0"}"#,
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try EventLine.decode(bad.utf8) }
        }
    }
}
