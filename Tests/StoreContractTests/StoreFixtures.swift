import Foundation
import MemoryStore
import PostgresStore
import QueueCore
import QueueFixtures
import SQLiteStore

/// The stores under one contract: memory, SQLite, and PostgreSQL when a server is given.
extension Fixtures {
    enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
        case memory, sqlite, postgres
        var description: String { rawValue }

        /// PostgreSQL joins when `MADOGUCHI_TEST_POSTGRES` names a server's database (`scripts/test.sh` starts one).
        static var allCases: [StoreKind] { postgresURL == nil ? [.memory, .sqlite] : [.memory, .sqlite, .postgres] }
    }

    static let postgresURL = ProcessInfo.processInfo.environment["MADOGUCHI_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// A PostgreSQL store in a schema of its own, so that every test starts from empty tables.
    static func postgresStore(commands: QueueCommands) async throws -> PostgresStore {
        guard let url = postgresURL else { throw QueueError.storageUnavailable("MADOGUCHI_TEST_POSTGRES is not set") }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let settings = try PostgresSettings(url: url + (url.contains("?") ? "&" : "?") + "pool=2&schema=\(schema)")
        return try await PostgresStore.open(settings, commands: commands)
    }

    /// A fresh store of `kind` with the test office loaded and its counters open, on a manual clock.
    static func store(_ kind: StoreKind, clock: ManualClock = ManualClock(start), openCounters: Bool = true) async throws -> any QueueStore
    {
        let commands = QueueCommands(clock: clock)
        let store: any QueueStore
        switch kind {
        case .memory: store = MemoryStore(commands: commands)
        case .sqlite: store = try SQLiteStore(path: temporaryPath(), commands: commands)
        case .postgres: store = try await postgresStore(commands: commands)
        }
        _ = try await store.importOffice(office)
        if openCounters {
            for counter in office.counters { _ = try await store.setCounter(office: officeID, counter: counter.id, open: true) }
        }
        return store
    }

    /// Two handles on one database, as two nodes have: the same store in memory, two SQLite connections pools on
    /// one file, two PostgreSQL pools on one schema. The test office is loaded and its counters open.
    static func twoHandles(_ kind: StoreKind, clock: ManualClock) async throws -> (any QueueStore, any QueueStore) {
        let commands = QueueCommands(clock: clock)
        let pair: (any QueueStore, any QueueStore)
        switch kind {
        case .memory:
            let store = MemoryStore(commands: commands)
            pair = (store, store)
        case .sqlite:
            let path = temporaryPath()
            pair = (try SQLiteStore(path: path, commands: commands), try SQLiteStore(path: path, commands: commands))
        case .postgres:
            let first = try await postgresStore(commands: commands)
            pair = (first, try await PostgresStore.open(first.settings, commands: commands))
        }
        _ = try await pair.0.importOffice(office)
        for counter in office.counters { _ = try await pair.0.setCounter(office: officeID, counter: counter.id, open: true) }
        return pair
    }

    static func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("madoguchi-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(UUID().uuidString).sqlite").path
    }

    static func issue(_ store: any QueueStore, _ service: ServiceID, priority: Int = 0, key: String? = nil) async throws -> Ticket {
        let request = IssueRequest(
            office: officeID, service: service, channel: .web, priority: priority, priorityReason: priority > 0 ? .elderly : nil)
        return try await store.issue(request, idempotencyKey: key).value.ticket
    }
}
