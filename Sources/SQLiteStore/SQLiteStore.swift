import Foundation
import GRDB
import QueueCore
import Synchronization

/// The default store: one SQLite file in WAL mode with `synchronous=FULL`, so that a change acknowledged to a
/// caller survives `kill -9` and power loss.
///
/// Writes go through one group-commit writer. Commands that arrive while a transaction is committing are run
/// together in the next `BEGIN IMMEDIATE` transaction, each inside its own savepoint, so a refused command rolls
/// back alone. Every caller is answered only after the transaction holding its change has committed. One fsync
/// then serves many tickets, which is what lets the default store issue thousands of tickets a second.
public final class SQLiteStore: LedgerDatabase, QueueStore {
    public let commands: QueueCommands
    public let commits = Commits()
    private let pool: DatabasePool
    private let officeCache = OfficeCache()
    private let queue = Mutex(WriteQueue())
    private let writerQueue = DispatchQueue(label: "madoguchi.sqlite.writer", qos: .userInitiated)

    /// The most commands one transaction takes; a bound on how long one commit holds the others.
    static let maxBatch = 256

    public init(path: String, commands: QueueCommands = QueueCommands()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Deleted rows are overwritten with zeros: a purged phone number or e-mail address is gone from the
            // file, not left in a free page.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Each command's savepoint journals the pages it changes. In memory, not in a temporary file: those pages
            // hold tickets and contacts that `secure_delete` would not reach there, and writing them was half of the
            // writer's `pwrite` calls when issuing.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        self.commands = commands
        // GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after `prepareDatabase` ran, and in
        // WAL mode NORMAL does not sync the log at each commit: an acknowledged ticket could be lost to a power cut.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Schema.migrator.migrate(pool)
        let mode = try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        guard mode?.lowercased() == "wal" else { throw QueueError.storageUnavailable("journal mode is \(mode ?? "?"), not WAL") }
    }

    /// The writer connection's `PRAGMA synchronous` and `PRAGMA temp_store`, for the tests (FULL is 2, MEMORY is 2).
    func writerPragmas() throws -> (synchronous: Int, tempStore: Int) {
        try pool.writeWithoutTransaction { db in
            (try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1, try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? -1)
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteLedger) throws -> T) async throws -> T {
        let cache = officeCache
        return try await pool.read { db in try body(SQLiteLedger(db: db, officeCache: cache)) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (inout SQLiteLedger) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let job = WriteJob(
                run: { db, cache in
                    let result: Result<T, any Error>
                    do {
                        var value: T?
                        try db.inSavepoint {
                            var ledger = SQLiteLedger(db: db, officeCache: cache)
                            value = try body(&ledger)
                            return .commit
                        }
                        result = value.map { .success($0) } ?? .failure(QueueError.storageUnavailable("no result"))
                    } catch let refusal as QueueError {
                        result = .failure(refusal)
                    } catch {
                        // SQLite itself failed (disk full, I/O error): nothing of this command was kept, and the
                        // caller hears 503 and may retry, not 500.
                        result = .failure(QueueError.storageUnavailable(String(describing: error)))
                    }
                    outcome.withLock { $0 = result }
                },
                finish: { commitError in
                    switch (outcome.withLock { $0 }, commitError) {
                    case (.failure(let refusal)?, _): continuation.resume(throwing: refusal)
                    case (_, let failure?): continuation.resume(throwing: failure)
                    case (.success(let value)?, nil): continuation.resume(returning: value)
                    case (nil, nil): continuation.resume(throwing: QueueError.storageUnavailable("the command did not run"))
                    }
                })
            let startWriter = queue.withLock { state -> Bool in
                state.pending.append(job)
                if state.writing { return false }
                state.writing = true
                return true
            }
            if startWriter { writerQueue.async { self.drain() } }
        }
    }

    /// Copies the write-ahead log into the database and truncates it, so that the log keeps no old page with
    /// purged data in it (`secure_delete` has zeroed the pages themselves).
    public func scrub() async throws {
        _ = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// Runs batches until nothing is pending, on `writerQueue`. Only one drain runs at a time (`WriteQueue.writing`).
    /// It uses GRDB's blocking API on a thread of its own rather than Swift concurrency: a batch then costs no
    /// task hops, which the issue profile showed as a tenth of all CPU in context switches.
    private func drain() {
        while true {
            let batch = queue.withLock { state -> [WriteJob] in
                let taken = Array(state.pending.prefix(Self.maxBatch))
                state.pending.removeFirst(taken.count)
                if taken.isEmpty { state.writing = false }
                return taken
            }
            if batch.isEmpty { return }
            let cache = officeCache
            do {
                try pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        for job in batch { job.run(db, cache) }
                        return .commit
                    }
                }
                for job in batch { job.finish(nil) }
            } catch {
                // Nothing of this batch committed; every caller in it hears so, and none is acknowledged.
                let failure = QueueError.storageUnavailable(String(describing: error))
                for job in batch { job.finish(failure) }
            }
        }
    }
}

/// One queued command: `run` executes it inside the open transaction (in its own savepoint) and keeps its
/// outcome; `finish` answers the caller once the commit's outcome is known.
struct WriteJob: Sendable {
    let run: @Sendable (Database, OfficeCache) -> Void
    let finish: @Sendable ((any Error)?) -> Void
}

struct WriteQueue {
    var pending: [WriteJob] = []
    var writing = false
}
