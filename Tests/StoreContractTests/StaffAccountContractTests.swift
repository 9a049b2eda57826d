import Foundation
import QueueCore
import QueueFixtures
import Testing

/// Staff accounts on every store: API tokens and sign-in sessions found by their hash, logins by username.
@Suite("Store contract: staff accounts")
struct StaffAccountContractTests {
    let office = Fixtures.officeID

    @Test("staff accounts are found by token hash only", arguments: Fixtures.StoreKind.allCases)
    func staffAccounts(kind: Fixtures.StoreKind) async throws {
        let store = try await Fixtures.store(kind)
        let account = StaffAccount(tokenHash: "abc", role: .staff, office: office, name: "desk", createdAt: Fixtures.start)
        try await store.createStaff(account)
        #expect(try await store.staffAccount(tokenHash: "abc") == account)
        #expect(try await store.staffAccount(tokenHash: "abd") == nil)
        await #expect(throws: QueueError.officeNotFound("elsewhere")) {
            try await store.createStaff(
                StaffAccount(tokenHash: "x", role: .staff, office: "elsewhere", name: "d", createdAt: Fixtures.start))
        }
    }

    @Test("logins are unique by username; old sessions are removed and nothing else is", arguments: Fixtures.StoreKind.allCases)
    func loginsAndSessions(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let user = StaffUser(username: "desk_1", passwordHash: "scrypt$x", role: .staff, office: office, createdAt: Fixtures.start)
        try await store.createUser(user)
        #expect(try await store.staffUser(username: "desk_1") == user)
        #expect(try await store.staffUser(username: "desk%1") == nil)
        await #expect(throws: QueueError.self) { try await store.createUser(user) }
        await #expect(throws: QueueError.self) {
            try await store.createUser(
                StaffUser(username: "Taro Yamada", passwordHash: "x", role: .staff, office: office, createdAt: Fixtures.start))
        }
        // setup: an old session, a fresh one, and an API token as old as the old session
        for (hash, name, age) in [("old", "session:desk_1", 13.0 * 3600), ("new", "session:desk_1", 3600.0), ("api", "desk", 13.0 * 3600)] {
            try await store.createStaff(
                StaffAccount(
                    tokenHash: hash, role: .staff, office: office, name: name, createdAt: Fixtures.start.addingTimeInterval(-age)))
        }
        // act
        let removed = try await store.removeSessions(olderThan: 12 * 3600)
        // verify
        #expect(removed == 1)
        #expect(try await store.staffAccount(tokenHash: "old") == nil)
        #expect(try await store.staffAccount(tokenHash: "new") != nil)
        #expect(try await store.staffAccount(tokenHash: "api") != nil, "bearer tokens are not sessions")
    }
}
