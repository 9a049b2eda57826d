import Foundation
import QueueCore
import Synchronization

/// A store in memory, for tests and demos that need no file. A write runs on a copy of the tables and replaces
/// them only if it succeeds, so a failed command changes nothing, as in a database transaction.
public final class MemoryStore: LedgerDatabase, QueueStore {
    public let commands: QueueCommands
    public let commits = Commits()
    private let tables = Mutex(MemoryLedger())

    public init(commands: QueueCommands = QueueCommands()) {
        self.commands = commands
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (inout MemoryLedger) throws -> T) async throws -> T {
        try tables.withLock { tables in
            var draft = tables
            let result = try body(&draft)
            tables = draft
            return result
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (MemoryLedger) throws -> T) async throws -> T {
        let snapshot = tables.withLock { $0 }
        return try body(snapshot)
    }
}
