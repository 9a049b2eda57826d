import Foundation
import QueueFixtures
import Testing

@testable import QueueCore

@Suite("Domain rules")
struct DomainTests {
    @Test("numbers read A-001 to A-999, then take a fourth digit")
    func numberFormat() {
        #expect(TicketNumber(prefix: "A", sequence: 1).description == "A-001")
        #expect(TicketNumber(prefix: "B", sequence: 42).description == "B-042")
        #expect(TicketNumber(prefix: "A", sequence: 999).description == "A-999")
        #expect(TicketNumber(prefix: "A", sequence: 1000).description == "A-1000")
        #expect(TicketNumber(parsing: "A-042") == TicketNumber(prefix: "A", sequence: 42))
        #expect(TicketNumber(parsing: "A-42") == nil)
        #expect(TicketNumber(parsing: "a-042") == nil)
        #expect(TicketNumber(parsing: "A-0042") == nil)
    }

    @Test("a 12-digit string with a valid My Number check digit is recognised, and only then")
    func myNumber() {
        // Body 12345678901: weights from the right 2..7 then 2..6 give 212; 212 mod 11 = 3; check = 11 - 3 = 8.
        #expect(MyNumber.checkDigit(of: [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]) == 8)
        #expect(MyNumber.contains(in: "123456789018"))
        #expect(MyNumber.contains(in: "1234 5678 9018"))
        #expect(MyNumber.contains(in: "１２３４５６７８９０１８"))
        #expect(!MyNumber.contains(in: "123456789019"))
        #expect(!MyNumber.contains(in: "12345678901"))
    }

    @Test("event times carry the office offset and survive a round trip")
    func eventTime() throws {
        let text = EventTime.format(Fixtures.start.addingTimeInterval(0.12), offsetSeconds: 9 * 3600)
        #expect(text == "2026-03-30T10:00:00.120+09:00")
        let (parsed, offset) = try #require(EventTime.parse(text))
        #expect(offset == 9 * 3600)
        #expect(abs(parsed.timeIntervalSince(Fixtures.start) - 0.12) < 0.0005)
    }

    @Test("the business date is the office's local date, not UTC's")
    func businessDate() {
        // 2026-03-29 23:30 UTC is already the 30th in Tokyo.
        let instant = Date(timeIntervalSince1970: 1_774_827_000)
        #expect(LocalDate(instant, in: TimeZone(identifier: "Asia/Tokyo")!).description == "2026-03-30")
        #expect(LocalDate(instant, in: TimeZone(identifier: "UTC")!).description == "2026-03-29")
    }

    @Test("routing: priority first, but a normal ticket after the streak limit; otherwise the longest wait")
    func routingRule() {
        let office = Fixtures.office
        func ticket(_ n: Int, priority: Int, at seconds: Double, service: ServiceID = "certificates") -> Ticket {
            Ticket(
                id: TicketID("t\(n)"), office: office.id, service: service, number: TicketNumber(prefix: "A", sequence: n),
                businessDate: LocalDate(Fixtures.start, in: office.zone), channel: .web, priority: priority, language: "ja",
                status: .waiting, issuedAt: Fixtures.start, queuedAt: Fixtures.start.addingTimeInterval(seconds), calledAt: nil,
                servingAt: nil, finishedAt: nil, counter: nil, deferrals: 0, recalls: 0, stage: 1)
        }
        let normal = ticket(1, priority: 0, at: 0)
        let urgent = ticket(2, priority: 1, at: 50)
        let c1 = office.counters[0]
        #expect(Routing.choose(from: [normal, urgent], for: c1, priorityStreak: 0, policy: office.policy)?.id == urgent.id)
        #expect(Routing.choose(from: [normal, urgent], for: c1, priorityStreak: 2, policy: office.policy)?.id == normal.id)
        #expect(Routing.choose(from: [urgent], for: c1, priorityStreak: 5, policy: office.policy)?.id == urgent.id)
        let moving = ticket(3, priority: 0, at: -100, service: "moving-in")
        #expect(Routing.choose(from: [normal, moving], for: c1, priorityStreak: 0, policy: office.policy)?.id == normal.id)
        let c3 = office.counters[2]
        #expect(Routing.choose(from: [normal, moving], for: c3, priorityStreak: 0, policy: office.policy)?.id == moving.id)
        #expect(Routing.choose(from: [], for: c3, priorityStreak: 0, policy: office.policy) == nil)
    }

    @Test("the QL estimate grows with position and shrinks with counters; its range holds the mean")
    func queueLengthEstimate() throws {
        let one = try #require(QueueLengthEstimator.estimate(position: 6, servers: 1, meanServiceSeconds: 300))
        let three = try #require(QueueLengthEstimator.estimate(position: 6, servers: 3, meanServiceSeconds: 300))
        #expect(one.minutes == 30)
        #expect(three.minutes == 10)
        #expect(one.low < one.minutes && one.minutes < one.high)
        #expect(QueueLengthEstimator.estimate(position: 1, servers: 0, meanServiceSeconds: 300) == nil)
        // Erlang(1, λ) is exponential: its 90% quantile is ln(10)/λ.
        let p90 = try #require(QueueLengthEstimator.estimate(position: 1, servers: 1, meanServiceSeconds: 600))
        #expect(p90.high == Int((Foundation.log(10.0) * 10).rounded(.up)))
    }

    @Test("the large-line approximation agrees with the exact Erlang quantile where they meet")
    func erlangApproximation() {
        for k in [51, 200, 900] {
            for p in [0.1, 0.9] {
                let exact = QueueLengthEstimator.erlangQuantileExact(p, shape: k, rate: 1)
                let approx = QueueLengthEstimator.wilsonHilferty(p, shape: k, rate: 1)
                #expect(abs(exact - approx) / exact < 0.001, "k=\(k) p=\(p): \(exact) vs \(approx)")
            }
        }
    }

    @Test("office configuration problems are all listed")
    func officeProblems() {
        var office = Fixtures.office
        office.procedures.append(Procedure(id: "Bad Id", prefix: "AA", color: "x", name: .init(ja: "", en: ""), typicalServiceSeconds: 0))
        office.counters.append(Counter(id: "c9", label: "9", services: ["nowhere"]))
        let problems = office.problems()
        #expect(problems.count >= 4)
        #expect(problems.contains { $0.contains("nowhere") })
    }
}

@Suite("Civil time")
struct CivilTimeTests {
    @Test("day arithmetic agrees with Foundation's calendar over 400 years of dates and odd offsets")
    func agreesWithCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let instant = Date(timeIntervalSince1970: Double(Int.random(in: -5_000_000_000...8_000_000_000, using: &rng)))
            let offset = [0, 9 * 3600, -5 * 3600, 5 * 3600 + 1800, 14 * 3600].randomElement(using: &rng)!
            let text = EventTime.format(instant, offsetSeconds: offset)
            let shifted = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: instant.addingTimeInterval(Double(offset)))
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d", shifted.year!, shifted.month!, shifted.day!, shifted.hour!, shifted.minute!,
                shifted.second!)
            #expect(text.hasPrefix(expected), "\(text) vs \(expected)")
            let (parsed, parsedOffset) = try #require(EventTime.parse(text))
            #expect(
                parsed == Date(timeIntervalSince1970: (instant.timeIntervalSince1970 * 1000).rounded() / 1000) && parsedOffset == offset)
        }
        #expect(LocalDate(year: 2026, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2028, month: 2, day: 29) != nil)
        #expect(EventTime.parse("2026-02-30T10:00:00.000+09:00") == nil)
    }

    @Test("opening hours follow the office's local weekday and time")
    func openingHours() {
        let zone = TimeZone(identifier: "Asia/Tokyo")!
        let monday10 = Fixtures.start  // Mon 2026-03-30 10:00 JST
        #expect(OpeningHours.cityHall.isOpen(at: monday10, in: zone))
        #expect(!OpeningHours.cityHall.isOpen(at: monday10.addingTimeInterval(6.5 * 3600), in: zone))  // 16:30
        #expect(!OpeningHours.cityHall.isOpen(at: monday10.addingTimeInterval(-86_400), in: zone))  // Sunday
        #expect(!OpeningHours.cityHall.isOpen(at: monday10.addingTimeInterval(-3601), in: zone))  // 08:59:59
    }
}

@Suite("Event lines")
struct EventLineTests {
    @Test("the canonical line matches JSONEncoder with sorted keys, and decodes back to the same event")
    func canonicalLine() throws {
        let event = Event(
            seq: 1042, at: Date(timeIntervalSince1970: Double(1_774_832_400_120) / 1000), utcOffsetSeconds: 9 * 3600, office: "chuo",
            type: .ticketTransferred, ticket: "8KpQx3", number: TicketNumber(prefix: "A", sequence: 42),
            service: "moving-in", counter: "c3", channel: .web, priority: 0,
            data: [
                "from": .string("certificates \"x\"\n\u{1}"), "n": .int(3), "list": .array([.bool(true), .null]),
                "nested": .object(["b": .int(1), "a": .double(0.5)]),
            ])
        let line = EventLine.encode(event)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reference = String(decoding: try encoder.encode(event), as: UTF8.self)
        #expect(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? NSDictionary == JSONSerialization.jsonObject(
                with: Data(reference.utf8)) as? NSDictionary)
        #expect(try JSONDecoder().decode(Event.self, from: Data(line.utf8)) == event)
        #expect(line.hasPrefix(#"{"at":"2026-03-30T10:00:00.120+09:00","channel":"web","counter":"c3","data":{"#))
    }
}
