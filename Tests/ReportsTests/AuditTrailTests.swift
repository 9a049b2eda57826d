import Foundation
import QueueCore
import Testing

@testable import Reports

@Suite struct AuditTrailTests {
    let at = Date(timeIntervalSince1970: 1_774_832_400)  // 2026-03-30 10:00 JST

    func event(
        _ type: EventType, _ seconds: Double, staff: String? = nil, counter: CounterID? = nil, data: [String: JSONValue] = [:]
    )
        -> Event
    {
        var data = data
        if let staff { data["staff"] = .string(staff) }
        return Event(
            seq: Int64(seconds), at: at.addingTimeInterval(seconds), utcOffsetSeconds: 9 * 3600, office: "chuo", type: type,
            counter: counter, data: data)
    }

    @Test func theFilterKeepsStaffChangesNewestFirstAndNarrowsByCounterStaffAndType() {
        let events = [
            event(.ticketIssued, 0), event(.ticketCalled, 60, staff: "desk", counter: "c1"),
            event(.counterClosed, 120, staff: "session:boss", counter: "c2"), event(.ticketCompleted, 180, staff: "desk", counter: "c1"),
        ]
        #expect(AuditTrail.entries(events, .init()).map(\.seq) == [180, 120, 60])
        #expect(AuditTrail.entries(events, .init(staffOnly: false)).map(\.seq) == [180, 120, 60, 0])
        #expect(AuditTrail.entries(events, .init(staff: "desk")).map(\.seq) == [180, 60])
        #expect(AuditTrail.entries(events, .init(counter: "c2")).map(\.seq) == [120])
        // A console user by their username, or by their session's account name.
        #expect(AuditTrail.entries(events, .init(staff: "boss")).map(\.seq) == [120])
        #expect(AuditTrail.entries(events, .init(staff: "session:boss")).map(\.seq) == [120])
        #expect(AuditTrail.entries(events, .init(staff: "session")).isEmpty)
        #expect(AuditTrail.entries(events, .init(type: .ticketCalled)).map(\.seq) == [60])
        #expect(AuditTrail.entries(events, .init(staffOnly: false, type: .ticketIssued)).map(\.seq) == [0])
    }

    @Test func detailsAndCSVKeepCodesAndNeverRunAFormula() {
        let paused = event(
            .counterPaused, 0, staff: "=HYPERLINK(\"x\")", counter: "c1",
            data: ["reason": .string("break"), "procedures": .array([.string("a"), .string("b")])])
        #expect(AuditTrail.details(paused) == "procedures=a,b; reason=break")
        let csv = AuditTrail.csv([paused], header: .ja)
        let lines = csv.split(separator: "\r\n")
        #expect(lines[0] == "日時,窓口ID,種別,職員,窓口番号,番号,手続ID,発券経路,詳細,連番")
        #expect(
            lines[1]
                == "2026-03-30T10:00:00.000+09:00,chuo,counter.paused,\"'=HYPERLINK(\"\"x\"\")\",c1,,,,\"procedures=a,b; reason=break\",0")
    }
}
