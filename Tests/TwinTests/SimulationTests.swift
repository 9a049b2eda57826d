import Foundation
import QueueCore
import Testing

@testable import Twin

@Suite struct SimulationTests {
    static let referenceScenarios = ["chuo-weekday", "chuo-moving-peak", "mynumber-center"]

    static func reference(_ name: String) throws -> Scenario {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Scenario.load(path: root.appendingPathComponent("scenarios/\(name).yaml").path)
    }

    static func log(_ scenario: Scenario, days: Int, seed: UInt64) -> [String] {
        var lines: [String] = []
        _ = Simulation.run(scenario, days: days, seed: seed, log: { lines.append(EventLine.encode($0)) })
        return lines
    }

    @Test func sameSeedGivesTheSameLogByteForByte() throws {
        let scenario = try Self.reference("chuo-weekday")
        let first = Self.log(scenario, days: 2, seed: 42)
        let again = Self.log(scenario, days: 2, seed: 42)
        let other = Self.log(scenario, days: 2, seed: 43)
        #expect(first.count > 1000)
        #expect(first == again)
        #expect(first != other)
    }

    @Test(arguments: referenceScenarios)
    func everyArrivalEndsAndTheLogReplaysToTheSameEnd(name: String) throws {
        // setup
        let scenario = try Self.reference(name)
        let model = scenario.offices[0]
        // act
        for day in 0..<3 {
            var events: [Event] = []
            let visitors = Visitors.draw(model, seed: 5, office: 0, day: day)
            var builder = EventLogBuilder(model: model, date: scenario.startDate.weekday(day), seed: 5, office: 0, day: day)
            var engine = DayEngine(model: model, visitors: visitors) { events.append(builder.event(for: $0)) }
            let result = engine.run()
            // verify: conservation in the twin's own books…
            #expect(!result.outcomes.contains(.open), "\(name) day \(day): a visit did not end")
            var count: [Outcome: Int] = [:]
            for o in result.outcomes { count[o, default: 0] += 1 }
            // …and in the log, replayed through QueueCore's own evolve, as the server would rebuild it.
            var tickets: [TicketID: Ticket] = [:]
            for line in events.map(EventLine.encode) {
                let event = try JSONDecoder().decode(Event.self, from: Data(line.utf8))
                if event.type == .ticketIssued {
                    tickets[event.ticket!] = try #require(Ticket(issuedBy: event))
                } else if let id = event.ticket {
                    let before = try #require(tickets[id])
                    // "Come now" goes to a holder still waiting at home; the ticket does not change.
                    if event.type == .ticketComeNow {
                        #expect(before.status == .waiting && before.channel == .web)
                        continue
                    }
                    // Arrival check-in: the holder on their way arrives; the ticket keeps its status.
                    if event.type == .ticketArrived {
                        #expect(before.status == .waiting && before.onTheWay)
                        tickets[id] = before.evolved(by: event)
                        continue
                    }
                    let step = try #require(
                        TicketStep.allCases.first { TicketLifecycle.status(after: event.type) != nil && stepMatches($0, event.type) })
                    #expect(
                        TicketLifecycle.next(step, from: before.status) != nil || event.type == .ticketPostponed,
                        "\(event.type) from \(before.status)")
                    #expect(event.type != .ticketCalled || !before.onTheWay, "\(name): a holder on the way was called")
                    tickets[id] = before.evolved(by: event)
                }
            }
            let statuses = tickets.values.map(\.status)
            #expect(statuses.allSatisfy { $0 == .completed || $0 == .noShow || $0 == .cancelled })
            #expect(statuses.filter { $0 == .completed }.count == count[.completed, default: 0])
            #expect(
                statuses.filter { $0 == .noShow }.count == count[.noShow, default: 0] + count[.abandoned, default: 0] + result.remoteMissed)
            #expect(tickets.count == visitors.count + result.remoteMissed)
        }
    }

    /// The lifecycle step an event records (a postponement is a hold or "running late"; both return to waiting).
    func stepMatches(_ step: TicketStep, _ type: EventType) -> Bool {
        switch (step, type) {
        case (.call, .ticketCalled), (.recall, .ticketRecalled), (.start, .ticketServing), (.complete, .ticketCompleted),
            (.noShow, .ticketNoShow), (.runningLate, .ticketPostponed), (.transfer, .ticketTransferred), (.cancel, .ticketCancelled),
            (.expire, .ticketExpired), (.reactivate, .ticketReactivated):
            true
        default: false
        }
    }

    @Test func multiStageVisitsTransferKeepingTheirNumber() throws {
        let scenario = try Self.reference("chuo-moving-peak")
        let events = Self.log(scenario, days: 1, seed: 9).map { try! JSONDecoder().decode(Event.self, from: Data($0.utf8)) }
        let transfers = events.filter { $0.type == .ticketTransferred }
        #expect(transfers.count > 50)
        for t in transfers.prefix(20) {
            let issued = try #require(events.first { $0.type == .ticketIssued && $0.ticket == t.ticket })
            #expect(issued.number == t.number)
            #expect(t.data["from"]?.stringValue == "moving-in")
        }
    }

    /// A busy single-procedure office where 40% take their ticket from home and set out when the queue-length
    /// estimate of their wait falls within their travel time plus 10 minutes.
    @Test func remoteHoldersSpendLessTimeInTheOffice() throws {
        let scenario = try TwinFixtures.scenario(
            yaml: """
                name: remote
                offices:
                  - id: remote
                    procedures:
                      - {id: cards, prefix: M, service: {lognormal: {median: 10, sigma: 0.4}}}
                    groups:
                      - {id: desk, services: [cards], counters: 4}
                    roster:
                      - {from: "09:00", to: "16:30", open: {desk: 4}}
                    arrivals:
                      rates: {cards: {"09:00": 30, "12:00": 18}}
                    behaviour:
                      remoteShare: 0.4
                      travel: {lognormal: {median: 15, sigma: 0.5}}
                      comeNow: {bufferMinutes: 10}
                """)
        let summary = Simulation.run(scenario, days: 20, seed: 3)[0]
        let paper = WaitStats(summary.onSiteWaitPaper)
        let phone = WaitStats(summary.onSiteWaitRemote)
        print("time on site before service: paper \(paper.mean / 60) min, remote \(phone.mean / 60) min")
        #expect(phone.count > 500)
        #expect(paper.mean > 20 * 60)
        #expect(phone.mean < paper.mean / 2)
    }
}
