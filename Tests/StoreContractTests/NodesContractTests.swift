import Foundation
import QueueCore
import QueueFixtures
import Testing

/// The store contract where more than one process is involved: two handles on one database (two nodes), and
/// accounts moved from one store to another.
@Suite("Store contract across nodes")
struct NodesContractTests {
    let office = Fixtures.officeID

    @Test(
        "two handles on one database (two nodes): racing retries give one ticket, racing consoles call each once",
        arguments: Fixtures.StoreKind.allCases)
    func twoHandles(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let (a, b) = try await Fixtures.twoHandles(kind, clock: clock)
        // 300 issues over both handles; every tenth key is sent to both at once, as a retry racing its first try.
        let answers = try await withThrowingTaskGroup(of: (String, TicketID).self) { group in
            for i in 0..<300 {
                let key = "key-\(i)"
                let request = IssueRequest(office: office, service: i % 3 == 0 ? "moving-in" : "certificates", channel: .kiosk)
                for handle in i % 10 == 0 ? [a, b] : [i % 2 == 0 ? a : b] {
                    group.addTask { (key, try await handle.issue(request, idempotencyKey: key).value.ticket.id) }
                }
            }
            var answers: [String: Set<TicketID>] = [:]
            for try await (key, id) in group { answers[key, default: []].insert(id) }
            return answers
        }
        #expect(answers.count == 300 && answers.values.allSatisfy { $0.count == 1 })
        let issued = Set(answers.values.flatMap { $0 })
        #expect(issued.count == 300)
        // Three consoles, the two certificate counters on different handles, work the lines down to nothing.
        let called = try await withThrowingTaskGroup(of: [TicketID].self) { group in
            for (counter, handle) in [("c1", a), ("c2", b), ("c3", a)] {
                group.addTask {
                    var mine: [TicketID] = []
                    while let ticket = try await handle.callNext(office: office, counter: CounterID(counter), idempotencyKey: nil).value {
                        mine.append(ticket.ticket.id)
                        _ = try await handle.counterAction(.complete, office: office, counter: CounterID(counter))
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(called.count == 300 && Set(called) == issued)
        let numbers = try await a.events(office: office, date: nil, afterSeq: 0, limit: 10_000).filter { $0.type == .ticketIssued }
        #expect(numbers.count == 300)
    }

    @Test(
        "an office changed through one handle is read anew through the other, which had it cached",
        arguments: Fixtures.StoreKind.allCases)
    func officeChangesReachTheOtherHandle(kind: Fixtures.StoreKind) async throws {
        let (a, b) = try await Fixtures.twoHandles(kind, clock: ManualClock(Fixtures.start))
        let request = IssueRequest(office: office, service: "certificates", channel: .kiosk)
        // b reads (and caches) the office, then a stops issuing certificates for today.
        _ = try await b.issue(request, idempotencyKey: nil)
        #expect(try await b.offices().first { $0.id == office }?.procedure("certificates")?.stoppedOn == nil)
        _ = try await a.setIssuing(office: office, services: ["certificates"], stopped: true, by: "lead")
        await #expect(throws: QueueError.self) { try await b.issue(request, idempotencyKey: nil) }
        #expect(try await b.offices().first { $0.id == office }?.procedure("certificates")?.stoppedOn != nil)
        // And back through b, which a then sees.
        _ = try await b.setIssuing(office: office, services: ["certificates"], stopped: false, by: "lead")
        #expect(try await a.issue(request, idempotencyKey: nil).value.ticket.number.sequence == 2)
    }

    @Test(
        "token accounts move between stores by their hashes; sessions stay behind; bad ones are refused",
        arguments: Fixtures.StoreKind.allCases)
    func moveTokens(kind: Fixtures.StoreKind) async throws {
        let from = try await Fixtures.store(.memory)
        let hash = { (c: Character) in String(repeating: c, count: 64) }
        let at = Fixtures.start
        try await from.createStaff(StaffAccount(tokenHash: hash("a"), role: .admin, office: nil, name: "it-desk", createdAt: at))
        try await from.createStaff(StaffAccount(tokenHash: hash("b"), role: .staff, office: office, name: "desk-1", createdAt: at + 1))
        try await from.createStaff(
            StaffAccount(tokenHash: hash("c"), role: .staff, office: office, name: "session:desk5", createdAt: at + 2))
        let exported = try await from.staffAccounts()
        #expect(exported.map(\.name) == ["it-desk", "desk-1"])
        let to = try await Fixtures.store(kind)
        try await to.createStaff(StaffAccount(tokenHash: hash("a"), role: .admin, office: nil, name: "already", createdAt: at))
        #expect(try await to.importStaff(exported) == 1)
        #expect(try await to.importStaff(exported) == 0)
        #expect(try await to.staffAccount(tokenHash: hash("b")) == exported[1])
        #expect(try await to.staffAccount(tokenHash: hash("a"))?.name == "already")
        for bad in [
            StaffAccount(tokenHash: "xyz", role: .admin, office: nil, name: "short", createdAt: at),
            StaffAccount(tokenHash: hash("d"), role: .staff, office: nil, name: "no-office", createdAt: at),
            StaffAccount(tokenHash: hash("d"), role: .staff, office: "nowhere", name: "other-city", createdAt: at),
            StaffAccount(tokenHash: hash("d"), role: .staff, office: office, name: "session:x", createdAt: at),
        ] {
            await #expect(throws: QueueError.self) { try await to.importStaff([bad]) }
        }
        #expect(try await to.staffAccounts().count == 2)
    }
}
