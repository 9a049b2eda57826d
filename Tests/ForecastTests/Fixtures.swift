import Foundation
import QueueCore

@testable import Forecast
@testable import Twin

enum ForecastFixtures {
    /// M/M/s with all `servers` counters busy (memoryless, so since when does not matter) and `waiting` tickets of
    /// one procedure in line; services exponential with the given mean, no no-shows, no priority arrivals.
    static func mmc(servers: Int, waiting: Int, meanService: Double, now: Double = 36_000) -> (Observation, Learned) {
        let tickets = (0..<waiting).map { k in
            Waiter(ticket: TicketID("t\(k)"), procedure: 0, priority: 0, queuedAt: now - Double(waiting - k), sequence: k + 1)
        }
        let counters = (0..<servers).map { c in
            ObservedCounter(
                counter: CounterID("c\(c)"), procedures: [0], isOpen: true,
                busy: .init(ticket: TicketID("b\(c)"), procedure: 0, since: now - 60, calledOnly: false))
        }
        let observation = Observation(
            office: "mmc", now: now, weekday: 1, procedures: ["single"], waiting: tickets, counters: counters,
            lastCalledWait: [nil])
        let history = ProcedureHistory(service: .exponential(mean: meanService), noShowRate: 0, noShowSeconds: 180)
        return (observation, Learned(procedures: ["single": history], pooled: history))
    }
}

extension ForecastFixtures {
    /// A small office with a lunch dip and a shared counter: three procedures, five counters, 9:00–16:00.
    static let smallOffice = """
        name: small office
        seed: 3
        offices:
          - id: small
            opens: "09:00"
            closes: "16:00"
            procedures:
              - {id: certificates, prefix: A, service: {lognormal: {median: 5, sigma: 0.5}}, priorityShare: 0.05}
              - {id: moving, prefix: B, service: {lognormal: {median: 12, sigma: 0.5}}}
              - {id: insurance, prefix: K, service: {exponential: {mean: 10}}}
            groups:
              - {id: front, services: [certificates], counters: 2}
              - {id: back, services: [moving, insurance], counters: 2}
              - {id: any, services: [certificates, moving, insurance], counters: 1}
            roster:
              - {from: "09:00", to: "12:00", open: {front: 2, back: 2, any: 1}}
              - {from: "12:00", to: "13:00", open: {front: 1, back: 1, any: 1}}
              - {from: "13:00", to: "16:00", open: {front: 2, back: 2, any: 1}}
            arrivals:
              perDay: 160
              hourly: {"09:00": 0.2, "10:00": 0.2, "11:00": 0.15, "12:00": 0.1, "13:00": 0.15, "14:00": 0.12, "15:00": 0.08}
              mix: {certificates: 0.5, moving: 0.25, insurance: 0.25}
            behaviour:
              noShowRate: 0.05
        """

    static func simulatedLog(days: Int, seed: UInt64 = 9) throws -> [Event] {
        let scenario = try Scenario.compile(ScenarioFile.parse(smallOffice))
        var events: [Event] = []
        _ = Simulation.run(scenario, days: days, seed: seed, log: { events.append($0) })
        return events
    }
}
