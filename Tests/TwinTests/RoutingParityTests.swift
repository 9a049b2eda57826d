import Foundation
import MemoryStore
import QueueCore
import QueueFixtures
import Testing

@testable import Twin

/// The twin must do what the live office does. The same random sequence of actions goes through the server's
/// commands (`QueueCommands` on the in-memory store, on a manual clock) and through the twin's `Floor`; every call
/// must pick the same ticket, and every ticket must end in the same status.
@Suite struct RoutingParityTests {
    static let office = Office(
        id: "parity", name: LocalizedText(ja: "検証", en: "Parity"),
        openingHours: OpeningHours(weekdays: [1, 2, 3, 4, 5, 6, 7], opens: "00:00", closes: "23:59", enforced: false),
        procedures: [
            Procedure(id: "a", prefix: "A", color: "#1d4ed8", name: .init(ja: "A", en: "A"), typicalServiceSeconds: 300),
            Procedure(id: "b", prefix: "B", color: "#c2410c", name: .init(ja: "B", en: "B"), typicalServiceSeconds: 600),
            Procedure(id: "f", prefix: "F", color: "#be185d", name: .init(ja: "F", en: "F"), typicalServiceSeconds: 900),
        ],
        counters: [
            Counter(id: "c1", label: "1", services: ["a"]),
            Counter(id: "c2", label: "2", services: ["a", "b"]),
            Counter(id: "c3", label: "3", services: ["b", "f"]),
        ],
        policy: OfficePolicy(noShowGraceSeconds: 60, reactivateWindowSeconds: 600, maxDeferrals: 1, priorityStreakLimit: 2))

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func sameActionsGiveSameCalls(seed: UInt64) async throws {
        print("routing parity seed \(seed)")
        // setup
        let start = Fixtures.start
        let clock = ManualClock(start)
        let store = MemoryStore(commands: QueueCommands(clock: clock))
        _ = try await store.importOffice(Self.office)
        for c in Self.office.counters { _ = try await store.setCounter(office: "parity", counter: c.id, open: true) }
        let procedures = Self.office.procedures.map(\.id)
        let counters = Self.office.counters.map(\.id)
        var floor = Floor(policy: Self.office.policy, procedureCount: 3, counterProcedures: [[0], [0, 1], [1, 2]])
        for c in counters.indices { floor.setOpen(c, true) }
        var ids: [TicketID] = []
        var rng = SeededRandom(seed: seed)
        var elapsed = 0.0
        var calls = 0
        // act
        for _ in 0..<600 {
            let step = Double(1 + Int(rng.next() % 30))
            elapsed += step
            clock.advance(seconds: step)
            let c = Int(rng.next() % 3)
            switch rng.next() % 10 {
            case 0, 1, 2:
                let p = Int(rng.next() % 3)
                let priority = rng.chance(0.2) ? 1 : 0
                let issued = try await store.issue(
                    IssueRequest(
                        office: "parity", service: procedures[p], channel: .kiosk, priority: priority,
                        priorityReason: priority > 0 ? .disability : nil),
                    idempotencyKey: nil)
                ids.append(issued.value.ticket.id)
                let t = floor.issue(procedure: p, priority: priority, at: elapsed)
                #expect(t == ids.count - 1)
                #expect(issued.value.ticket.number.sequence == floor.tickets[t].sequence)
            case 3, 4:
                guard floor.current[c] == nil else { continue }
                let live = try await store.callNext(office: "parity", counter: counters[c], idempotencyKey: nil).value
                let twin = floor.callNext(counter: c)
                #expect(live?.ticket.id == twin.map { ids[$0] }, "call \(calls) at counter \(c)")
                calls += 1
            case 5:
                guard floor.current[c] != nil else { continue }
                _ = try await store.counterAction(.complete, office: "parity", counter: counters[c])
                floor.complete(counter: c)
            case 6:
                guard let t = floor.current[c] else { continue }
                let to = (floor.tickets[t].procedure + 1 + Int(rng.next() % 2)) % 3
                _ = try await store.transfer(office: "parity", counter: counters[c], to: procedures[to])
                floor.transfer(counter: c, to: to, at: elapsed)
            case 7:
                guard let t = floor.current[c] else { continue }
                if floor.tickets[t].status == .called && rng.chance(0.5) {
                    clock.advance(seconds: 60)
                    elapsed += 60
                    _ = try await store.counterAction(.noShow, office: "parity", counter: counters[c])
                    floor.noShow(counter: c)
                } else {
                    let allowed = floor.postpone(t, by: .staff, at: elapsed)
                    let live = await Result(catching: { try await store.counterAction(.hold, office: "parity", counter: counters[c]) })
                    #expect(((try? live.get()) != nil) == allowed)
                }
            case 8:
                let waiting = floor.tickets.indices.filter { floor.tickets[$0].status == .waiting || floor.tickets[$0].status == .called }
                guard !waiting.isEmpty else { continue }
                let t = waiting[Int(rng.next() % UInt64(waiting.count))]
                if rng.chance(0.5) {
                    _ = try await store.citizenAction(.cancel, ticket: ids[t])
                    floor.cancel(t)
                } else {
                    let allowed = floor.postpone(t, by: .citizen, at: elapsed)
                    let live = await Result(catching: { try await store.citizenAction(.runningLate, ticket: ids[t]) })
                    #expect(((try? live.get()) != nil) == allowed)
                }
            default:
                let missed = floor.tickets.indices.filter { floor.tickets[$0].status == .noShow }
                guard let t = missed.last else { continue }
                let live = try await store.ticketView(ids[t])!.ticket
                guard elapsed - (live.finishedAt!.timeIntervalSince(start)) <= 600 else { continue }
                _ = try await store.reactivate(office: "parity", number: live.number)
                floor.reactivate(t)
            }
        }
        // verify
        #expect(calls > 50)
        for (t, id) in ids.enumerated() {
            let live = try await store.ticketView(id)!.ticket
            #expect(live.status == floor.tickets[t].status, "ticket \(live.number)")
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
