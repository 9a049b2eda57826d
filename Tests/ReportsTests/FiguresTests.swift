import Foundation
import QueueCore
import Testing

@testable import Reports

/// A hand-written day at one office, and its figures worked out by hand (the comments show the sums).
@Suite struct FiguresTests {
    static let day = LocalDate(year: 2026, month: 3, day: 30)!
    static let office = OfficeID("o")

    /// 2026-03-30 at hh:mm, Japan time.
    static func at(_ hh: Int, _ mm: Int) -> Date {
        Date(
            timeIntervalSince1970: Double(Self.day.interval(in: TimeZone(identifier: "Asia/Tokyo")!).start.timeIntervalSince1970)
                + Double(hh * 3600 + mm * 60))
    }

    final class Log {
        var events: [Event] = []
        func add(
            _ type: EventType, _ ticket: String, _ hh: Int, _ mm: Int, service: String = "certificates", channel: Channel = .kiosk,
            data: [String: JSONValue] = [:]
        ) {
            var d = data
            if type == .ticketIssued { d["businessDate"] = .string(FiguresTests.day.description) }
            events.append(
                Event(
                    seq: Int64(events.count + 1), at: FiguresTests.at(hh, mm), utcOffsetSeconds: 9 * 3600, office: FiguresTests.office,
                    type: type, ticket: TicketID(ticket), service: ServiceID(service), channel: channel, priority: 0, data: d))
        }
    }

    static func log() -> VisitLog {
        let l = Log()
        l.add(.ticketIssued, "A", 9, 0)  // A: wait 10 min, served 5 min
        l.add(.ticketIssued, "B", 9, 5, channel: .web, data: ["travelMinutes": .int(20)])
        l.add(.ticketCalled, "A", 9, 10)
        l.add(.ticketCompleted, "A", 9, 15)
        l.add(.ticketIssued, "C", 9, 20, service: "moving-in")  // C: 30 min for moving-in, then 20 more
        l.add(.ticketIssued, "D", 9, 30)  // D: gives up after 75 min uncalled
        l.add(.ticketComeNow, "B", 9, 30, channel: .web)  // B: told at 9:30, 20 min away
        l.add(.ticketIssued, "E", 9, 40, channel: .web)  // E: called after 15 min, no-show
        l.add(.ticketCalled, "C", 9, 50, service: "moving-in")
        l.add(.ticketCalled, "E", 9, 55)
        l.add(.ticketNoShow, "E", 9, 58)
        l.add(.ticketIssued, "F", 10, 0)  // F: cancels after 10 min
        l.add(.ticketIssued, "G", 10, 5)  // G: no-show, brought back, served
        l.add(.ticketTransferred, "C", 10, 10, data: ["from": .string("moving-in")])
        l.add(.ticketCancelled, "F", 10, 10)
        l.add(.ticketCalled, "G", 10, 10)
        l.add(.ticketNoShow, "G", 10, 13)
        l.add(.ticketReactivated, "G", 10, 20)
        l.add(.ticketCalled, "B", 10, 20, channel: .web)  // B: waited 75 min, on site 30 of them
        l.add(.ticketCalled, "G", 10, 25)
        l.add(.ticketCompleted, "B", 10, 26, channel: .web)
        l.add(.ticketCalled, "C", 10, 30)
        l.add(.ticketCompleted, "G", 10, 30)
        l.add(.ticketCompleted, "C", 10, 35)
        l.add(.ticketCancelled, "D", 10, 45)
        l.add(.feedbackGiven, "A", 10, 50, data: ["rating": .int(5), "waitSeconds": .int(600)])
        l.add(.feedbackGiven, "B", 10, 51, data: ["rating": .int(2), "waitSeconds": .int(4500)])
        l.add(.feedbackGiven, "B", 10, 52, data: ["rating": .int(9)])  // off the scale: ignored
        return VisitLog.visits(l.events)
    }

    @Test func visitsFollowTheirLines() throws {
        let log = Self.log()
        #expect(log.visits.map(\.ticket.rawValue) == ["A", "B", "C", "D", "E", "F", "G", "C"])
        let c2 = log.visits[7]
        #expect(c2.procedure == ServiceID("certificates") && c2.stage == 2 && c2.hour == 10 && c2.waitSeconds == 1200)
        #expect(log.visits[2].outcome == .transferred && log.visits[2].serviceSeconds == 1200)
        #expect(
            log.visits.map(\.outcome) == [.completed, .completed, .transferred, .cancelled, .noShow, .cancelled, .completed, .completed])
        #expect(log.ratings.map(\.score) == [5, 2])
    }

    @Test func figuresMatchTheHandComputedOnes() throws {
        let log = Self.log()
        let rows = ReportRow.rows(visits: log.visits, ratings: log.ratings, by: [.procedure])
        #expect(rows.map { $0.procedure?.rawValue } == ["certificates", "moving-in"])
        let f = rows[0].figures
        #expect(f.tickets == 7)  // A B D E F G and C's second line
        #expect(f.called == 5)  // waits 300 600 900 1200 4500
        #expect(f.wait?.mean == 1500)  // 7500 / 5
        #expect(f.wait?.p50 == 900)  // rank ⌈2.5⌉ = 3
        #expect(f.wait?.p90 == 4500 && f.wait?.p95 == 4500 && f.wait?.max == 4500)
        #expect(f.judged == 6 && f.over60 == 2)  // the five called and D; B and D over 60 min
        #expect(abs(f.within60Share! - 4.0 / 6) < 1e-12)
        #expect(f.service?.mean == 315)  // (300 + 360 + 300 + 300) / 4; G from its last call
        #expect(f.noShows == 1 && f.noShowRate == 0.2)  // E; G was brought back
        #expect(f.remote == 2 && abs(f.remoteShare! - 2.0 / 7) < 1e-12)
        #expect(f.onSite?.count == 1 && f.onSite?.mean == 1800)  // called 10:20, arrived 9:30 + 20 min
        #expect(f.ratings?.count == 2 && f.ratings?.mean == 3.5)
        #expect(!f.simulated)
        let m = rows[1].figures
        #expect(m.tickets == 1 && m.wait?.mean == 1800 && m.service?.mean == 1200 && m.within60Share == 1)

        let byHour = ReportRow.rows(visits: log.visits, by: [.procedure, .hour]).filter { $0.procedure?.rawValue == "certificates" }
        #expect(byHour.map(\.hour) == [9, 10])
        #expect(byHour[0].figures.tickets == 4 && byHour[0].figures.wait?.max == 4500)  // A B D E
        #expect(byHour[1].figures.tickets == 3 && byHour[1].figures.wait?.mean == 750)  // C G F: (1200 + 300) / 2
    }

    @Test func theHistogramAndTheCSVCarryTheSameFigures() throws {
        let log = Self.log()
        let certificates = log.visits.filter { $0.procedure.rawValue == "certificates" }
        let h = WaitHistogram(visits: certificates)
        #expect(h.counts.count == 25)
        #expect(h.counts[1] == 1 && h.counts[2] == 1 && h.counts[3] == 1 && h.counts[4] == 1 && h.counts[15] == 1)
        #expect(h.counts.reduce(0, +) == 5)

        let rows = ReportRow.rows(visits: log.visits, ratings: log.ratings, by: [.office, .date, .procedure])
        let csv = ReportCSV.text(rows).split(separator: "\r\n").map(String.init)
        #expect(csv.count == 3)
        #expect(csv[0].hasPrefix("office,date,procedure,hour,tickets,called,wait_mean_min"))
        #expect(csv[1] == "o,2026-03-30,certificates,,7,5,25.0,15.0,75.0,75.0,75.0,0.667,5.3,0.200,0.286,30.0,3.50,2,false")
        let ja = ReportCSV.text(rows, header: .ja)
        #expect(ja.hasPrefix("窓口ID,日付,手続ID,時台,受付件数"))
    }

    @Test func theFilterPicksDatesProceduresAndHours() throws {
        let log = Self.log()
        let f = ReportFilter(from: Self.day, to: Self.day, procedure: ServiceID("certificates"), hour: 9)
        #expect(log.visits.filter(f.admits).map(\.ticket.rawValue) == ["A", "B", "D", "E"])
        #expect(log.ratings.filter(f.admits).isEmpty)
        let next = ReportFilter(from: Self.day.adding(days: 1), to: Self.day.adding(days: 7))
        #expect(log.visits.filter(next.admits).isEmpty)
    }
}
