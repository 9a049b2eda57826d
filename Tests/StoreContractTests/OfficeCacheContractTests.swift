import Foundation
import QueueCore
import QueueFixtures
import Testing

/// The decoded offices a store keeps (`OfficeCache`) are never older than the row.
@Suite("Store contract: the office cache")
struct OfficeCacheContractTests {
    @Test(
        "a save rolled back after the office was read in its transaction leaves no stale office for a later save",
        arguments: Fixtures.StoreKind.allCases)
    func rolledBackSave(kind: Fixtures.StoreKind) async throws {
        let store = try #require(try await Fixtures.store(kind) as? any LedgerDatabase)
        try await Self.rollBackThenSave(store)
    }

    static func rollBackThenSave<Store: LedgerDatabase>(_ store: Store) async throws {
        let id = Fixtures.officeID
        let original = try #require(try await store.read { try $0.office(id) })
        let refused = {
            var office = original
            office.procedures[0].stoppedOn = LocalDate(Fixtures.start, in: original.zone)
            return office
        }()
        let saved = {
            var office = original
            office.procedures[1].open = false
            return office
        }()
        // Saved, read back in the same transaction (the cache sees it), then refused: rolled back.
        await #expect(throws: QueueError.self) {
            try await store.write { ledger in
                try ledger.save(office: refused)
                #expect(try ledger.office(id) == refused)
                throw QueueError.ticketNotFound
            }
        }
        // The next save, with nothing read in between (a read would put the row's office back in the cache).
        try await store.write { ledger in try ledger.save(office: saved) }
        #expect(try await store.read { try $0.office(id) } == saved)
        #expect(try await store.read { try $0.offices() }.first { $0.id == id } == saved)
    }
}
