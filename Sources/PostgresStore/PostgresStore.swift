import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import QueueCore
import Synchronization

/// The store for several nodes: one PostgreSQL database, any number of stateless `madoguchi serve` processes.
///
/// Each node keeps a pool of connections. A command runs as one transaction on one of them, on a thread of the
/// store's own (the ledger is synchronous, as `QueueCommands` is written once for every store). The transaction
/// announces the offices it changed with `NOTIFY` (office and newest `seq`), delivered at commit; every node
/// `LISTEN`s (`followChanges`) and reads what it has not seen.
///
/// Failures: a transaction that meets a conflict (deadlock, a unique key taken by a concurrent one) runs again
/// whole; one whose connection was lost before COMMIT runs again on a new connection; when PostgreSQL cannot be
/// reached, or a connection was lost during COMMIT (the outcome unknown), the caller hears `storageUnavailable`
/// (503 with Retry-After) and nothing it was not told of is assumed. `synchronous_commit` must be on.
public final class PostgresStore: LedgerDatabase, QueueStore, ChangeFeed {
    public let commands: QueueCommands
    public let commits = Commits()
    public let settings: PostgresSettings
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    private let pool: ConnectionPool
    private let threads: NIOThreadPool
    private let officeCache = OfficeCache()
    private let connectionIDs = Atomic<Int>(0)
    /// The NOTIFY channel every node listens on.
    static let channel = "madoguchi_events"

    /// Connects, checks the server keeps commits durable, and brings the schema up to date (one node at a time).
    public static func open(
        _ settings: PostgresSettings, commands: QueueCommands = QueueCommands(), logger: Logger = Logger(label: "madoguchi.postgres")
    ) async throws -> PostgresStore {
        let store = try PostgresStore(settings: settings, commands: commands, logger: logger)
        do {
            try await store.prepare()
        } catch {
            try? await store.threads.shutdownGracefully()
            if error is QueueError { throw error }
            throw QueueError.storageUnavailable("cannot open \(settings.redacted): \(describe(error))")
        }
        return store
    }

    private init(settings: PostgresSettings, commands: QueueCommands, logger: Logger) throws {
        self.settings = settings
        self.commands = commands
        self.logger = logger
        configuration = try settings.connectionConfiguration()
        pool = ConnectionPool(size: settings.poolSize)
        threads = NIOThreadPool(numberOfThreads: settings.poolSize)
        threads.start()
    }

    deinit {
        threads.shutdownGracefully { _ in }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (PostgresLedger) throws -> T) async throws -> T {
        try await transaction(writing: false) { ledger in try body(ledger) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (inout PostgresLedger) throws -> T) async throws -> T {
        try await transaction(writing: true, body)
    }

    // MARK: Transactions

    private func transaction<T: Sendable>(
        writing: Bool, _ body: @escaping @Sendable (inout PostgresLedger) throws -> T
    ) async throws -> T {
        let slot = await pool.acquire()
        defer { pool.release(slot) }
        do {
            return try await threads.runIfActive { try self.run(on: slot, writing: writing, body) }
        } catch let error as QueueError {
            throw error
        } catch {
            throw QueueError.storageUnavailable(Self.describe(error))
        }
    }

    /// Runs one transaction to its end, blocking this thread (one of `threads`, never an event loop).
    private func run<T>(on slot: ConnectionPool.Slot, writing: Bool, _ body: (inout PostgresLedger) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection: PostgresConnection
            do {
                connection = try slot.connection { try Deadline.wait(for: self.connect(), closing: nil) }
            } catch {
                throw QueueError.storageUnavailable("PostgreSQL cannot be reached: \(Self.describe(error))")
            }
            let session = Session(connection: connection, writing: writing, logger: logger)
            var committing = false
            do {
                try session.send(writing ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                var ledger = PostgresLedger(session: session, officeCache: officeCache)
                let value = try body(&ledger)
                // A statement failed and the command carried on regardless: PostgreSQL has already given up on it.
                if let failed = session.failed { throw failed }
                guard writing else {
                    // A snapshot read: its answers are in hand. COMMIT travels ahead of the connection's next
                    // statement; a failure there surfaces on that statement, which then runs again.
                    try session.send("COMMIT")
                    return value
                }
                for (office, seq) in session.appended.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    try session.send("SELECT pg_notify($1, $2)", [.text(Self.channel), .text("\(office.rawValue) \(seq)")])
                }
                try session.awaitSent()
                committing = true
                let tag = try session.run("COMMIT", []).metadata.command
                guard tag == "COMMIT" else { throw QueueError.storageUnavailable("PostgreSQL rolled the transaction back") }
                return value
            } catch {
                if !connection.isClosed {
                    // Ends the transaction; a connection that cannot even do that is dropped.
                    do { _ = try Deadline.wait(for: connection.query("ROLLBACK", logger: logger), closing: connection) } catch {
                        slot.drop()
                    }
                }
                switch Failure(error) {
                case .refusal:
                    throw error
                case .conflict where attempt < 20:
                    // Another transaction got there first (a deadlock broken, a key taken): run again on fresh rows.
                    Thread.sleep(forTimeInterval: Double.random(in: 0...0.002) * Double(attempt))
                    continue
                case .connectionLost where !committing && attempt < 3:
                    // Nothing of it committed (PostgreSQL rolls back a transaction whose connection goes): run again.
                    slot.drop()
                    continue
                case .connectionLost:
                    slot.drop()
                    throw QueueError.storageUnavailable(
                        committing ? "the connection to PostgreSQL was lost during COMMIT" : "lost the connection to PostgreSQL")
                case .conflict, .other:
                    throw QueueError.storageUnavailable(Self.describe(error))
                }
            }
        }
    }

    /// What went wrong with a transaction, by what to do about it.
    enum Failure {
        /// The domain said no (`QueueError`): the caller hears it, nothing was changed.
        case refusal
        /// Serialisation failure, deadlock, or a unique key a concurrent transaction took.
        case conflict
        /// The connection went (terminated, server restarting, network): nothing uncommitted survives.
        case connectionLost
        case other

        init(_ error: any Error) {
            if error is QueueError { self = .refusal; return }
            guard let error = error as? PSQLError else { self = .connectionLost; return }
            switch error.code {
            case .server:
                let state = error.serverInfo?[.sqlState] ?? ""
                if ["40001", "40P01", "23505"].contains(state) {
                    self = .conflict
                } else if state.hasPrefix("08") || state.hasPrefix("57P") {
                    self = .connectionLost
                } else {
                    self = .other
                }
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed:
                self = .connectionLost
            default:
                self = .other
            }
        }
    }

    /// An error in a few words, without the statement's values (they may hold a contact address).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo {
            return "PostgreSQL \(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
        }
        return "PostgreSQL connection: \(error.code)" + (error.underlying.map { " (\($0))" } ?? "")
    }

    private func connect() -> EventLoopFuture<PostgresConnection> {
        let id = connectionIDs.add(1, ordering: .relaxed).newValue
        return PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id, logger: logger)
    }

    // MARK: Start

    /// The schema's migrations, each once, under an advisory lock so that nodes starting together take turns.
    private func prepare() async throws {
        let connection = try await connect().get()
        defer { Task { try? await connection.close() } }
        func run(_ sql: String) async throws -> PostgresQueryResult {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).get()
        }
        let durability = try await run("SHOW synchronous_commit").rows.first?.makeRandomAccess()[0].decode(String.self)
        guard durability == "on" || durability == "remote_apply" || durability == "remote_write" else {
            throw QueueError.invalidInput(
                field: "--db", reason: "synchronous_commit is '\(durability ?? "?")': an acknowledged ticket could be lost; set it to on")
        }
        _ = try await run("SELECT pg_advisory_lock(7246001)")
        do {
            _ = try await run("CREATE SCHEMA IF NOT EXISTS \(settings.schema)")
            _ = try await run("CREATE TABLE IF NOT EXISTS madoguchi_migration (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            let applied = Set(
                try await run("SELECT name FROM madoguchi_migration").rows.map { try $0.makeRandomAccess()[0].decode(String.self) })
            for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                _ = try await run("BEGIN")
                do {
                    // One statement at a time: the extended protocol takes no more.
                    for statement in migration.sql.components(separatedBy: ";\n") where !Self.isBlank(statement) {
                        _ = try await run(statement)
                    }
                    _ = try await run(
                        "INSERT INTO madoguchi_migration (name, applied_at) VALUES ('\(migration.name)', \(StoredForm.millis(Date())))")
                    _ = try await run("COMMIT")
                    logger.info("PostgreSQL schema migrated to \(migration.name)")
                } catch {
                    _ = try? await run("ROLLBACK")
                    throw error
                }
            }
        } catch {
            _ = try? await run("SELECT pg_advisory_unlock(7246001)")
            throw QueueError.storageUnavailable("migrating the PostgreSQL schema failed: \(Self.describe(error))")
        }
        _ = try await run("SELECT pg_advisory_unlock(7246001)")
    }

    static func isBlank(_ sql: String) -> Bool {
        sql.split(separator: "\n").allSatisfy { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }

    // MARK: ChangeFeed

    public func followChanges(_ changed: @escaping @Sendable (OfficeID?) async -> Void) async {
        var delay = 0.25
        while !Task.isCancelled {
            do {
                let connection = try await connect().get()
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        delay = 0.25
                        // Listening now: whatever committed before is read from where each office was left.
                        await changed(nil)
                        for try await notification in notifications {
                            if let office = notification.payload.split(separator: " ").first { await changed(OfficeID(String(office))) }
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("change feed: \(Self.describe(error)); listening again in \(delay) s")
            }
            do { try await Task.sleep(for: .seconds(delay)) } catch { return }
            delay = min(delay * 2, 2)
        }
    }
}

/// A fixed number of connection slots; a transaction holds one from start to end. A slot connects lazily and
/// forgets a connection that failed, so the pool heals by itself when PostgreSQL comes back.
final class ConnectionPool: Sendable {
    final class Slot: @unchecked Sendable {
        // Touched only by the one transaction that holds the slot.
        private var current: PostgresConnection?

        func connection(_ connect: () throws -> PostgresConnection) throws -> PostgresConnection {
            if let current, !current.isClosed { return current }
            let fresh = try connect()
            current = fresh
            return fresh
        }

        func drop() {
            if let current { Self.close(current) }
            current = nil
        }

        deinit {
            if let current { Self.close(current) }
        }

        /// Closes without waiting, keeping the connection alive until it is closed (PostgresNIO insists).
        static func close(_ connection: PostgresConnection) {
            let closed: EventLoopFuture<Void> = connection.close()
            closed.whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    private struct State {
        var idle: [Slot]
        var waiters: [CheckedContinuation<Slot, Never>] = []
    }

    private let state: Mutex<State>

    init(size: Int) {
        state = Mutex(State(idle: (0..<size).map { _ in Slot() }))
    }

    func acquire() async -> Slot {
        await withCheckedContinuation { continuation in
            let slot = state.withLock { state -> Slot? in
                if let slot = state.idle.popLast() { return slot }
                state.waiters.append(continuation)
                return nil
            }
            if let slot { continuation.resume(returning: slot) }
        }
    }

    func release(_ slot: Slot) {
        let waiter = state.withLock { state -> CheckedContinuation<Slot, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(slot)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: slot)
    }
}
