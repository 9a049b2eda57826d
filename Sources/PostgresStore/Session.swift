import Foundation
import Logging
import NIOCore
import PostgresNIO
import QueueCore
import Synchronization

/// A value bound to a statement's `$n`: text, a whole number, a truth value, or NULL.
enum Bind {
    case text(String?)
    case int(Int64?)
    case bool(Bool)
    case texts([String])
    case ints([Int64])

    static func int(_ value: Int) -> Bind { .int(Int64(value)) }
    static func int(_ value: Int?) -> Bind { .int(value.map(Int64.init)) }
}

/// One connection's open transaction, used by one thread at a time. Statements block on their futures: the
/// ledger is synchronous (commands are written once, against `QueueLedger`), and it runs on a thread of the
/// store's own pool, never on an event loop.
final class Session {
    let connection: PostgresConnection
    let logger: Logger
    /// Whether the transaction changes things: its reads of rows it may change then lock them (`FOR UPDATE`).
    let writing: Bool
    /// Set when any statement failed: PostgreSQL then refuses the rest of the transaction, and a COMMIT would
    /// roll it back silently, so it must not be called a success.
    private(set) var failed: Error?
    /// Offices whose write lock this transaction holds (`lockOffice`).
    private var lockedOffices: Set<OfficeID> = []
    /// The newest event appended per office, announced with NOTIFY at commit.
    private(set) var appended: [OfficeID: Int64] = [:]
    /// Statements sent whose answers are not yet awaited, oldest first.
    private var sent: [EventLoopFuture<PostgresQueryResult>] = []

    init(connection: PostgresConnection, writing: Bool, logger: Logger) {
        self.connection = connection
        self.writing = writing
        self.logger = logger
    }

    func rows(_ sql: String, _ binds: [Bind] = []) throws -> [PostgresRandomAccessRow] {
        try run(sql, binds).rows.map { $0.makeRandomAccess() }
    }

    /// Runs a statement; returns how many rows it changed (or returned).
    @discardableResult
    func execute(_ sql: String, _ binds: [Bind] = []) throws -> Int {
        try run(sql, binds).metadata.rows ?? 0
    }

    func run(_ sql: String, _ binds: [Bind]) throws -> PostgresQueryResult {
        try send(sql, binds)
        // This statement was sent last, so its answer is the last one awaited.
        guard let answer = try awaitSent() else { throw QueueError.storageUnavailable("a statement went unanswered") }
        return answer
    }

    /// Sends a statement without waiting for its answer: statements whose answer nothing needs (BEGIN, the advisory
    /// lock, NOTIFY, a read-only COMMIT) travel with the next one. The connection runs them in order, and the next
    /// `run` waits for them first, so a failure still stops the transaction there. Measured: each answer waited
    /// for costs two thread switches (this thread and the event loop's), the larger share of a command's time.
    @discardableResult
    func send(_ sql: String, _ binds: [Bind] = []) throws -> EventLoopFuture<PostgresQueryResult> {
        if let failed { throw failed }
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .text(let value): value.map { bindings.append($0) } ?? bindings.appendNull()
            case .int(let value): value.map { bindings.append($0) } ?? bindings.appendNull()
            case .bool(let value): bindings.append(value)
            case .texts(let values): bindings.append(values)
            case .ints(let values): bindings.append(values)
            }
        }
        let answer = connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        sent.append(answer)
        return answer
    }

    /// Waits for every statement sent so far, in order; returns the last one's answer.
    @discardableResult
    func awaitSent() throws -> PostgresQueryResult? {
        var last: PostgresQueryResult?
        while !sent.isEmpty {
            last = try settle(sent.removeFirst())
        }
        return last
    }

    private func settle(_ answer: EventLoopFuture<PostgresQueryResult>) throws -> PostgresQueryResult {
        do {
            return try Deadline.wait(for: answer, closing: connection)
        } catch {
            if failed == nil { failed = error }
            sent.removeAll()
            throw failed ?? error
        }
    }

    /// Serialises this transaction's changes of `office` with every other transaction's, from here to its commit:
    /// the office's events then commit in the order of their `seq`, so that a node that read up to some `seq` has
    /// missed none before it (`PostgresStore.followChanges`). Taken before an office's first change, and by
    /// check-then-act reads (idempotency keys, "once a day" events), so every transaction takes its locks in the
    /// same order: the office first, then rows.
    func lockOffice(_ office: OfficeID) throws {
        guard writing, !lockedOffices.contains(office) else { return }
        try send("SELECT pg_advisory_xact_lock(hashtext($1))", [.text(office.rawValue)])
        lockedOffices.insert(office)
    }

    func noteAppended(_ office: OfficeID, seq: Int64) {
        appended[office] = max(appended[office] ?? 0, seq)
    }

    /// `FOR UPDATE` when writing: a read of a row the transaction may change waits for whoever changes it now and
    /// then sees the committed row, as if the two had run one after the other.
    var lockClause: String { writing ? " FOR UPDATE" : "" }
}

/// How long one statement (or a connection's start) may take before its connection is given up.
///
/// Measured: with `pg_terminate_backend` cutting connections every 0.3 s, a few statements in a thousand never
/// completed (their futures stayed pending after the connection had closed), and each held a pool slot for good.
/// So a statement fails soon after its connection closes, and in any case after the deadline (a statement here
/// takes milliseconds; a lock wait is as long as another short transaction). The transaction then counts as lost:
/// it runs again on a new connection, or the caller hears 503.
enum Deadline {
    static let statement: TimeAmount = .seconds(5)

    struct Exceeded: Error, CustomStringConvertible {
        var description: String { "PostgreSQL did not answer within \(Deadline.statement.nanoseconds / 1_000_000_000) s" }
    }

    /// Blocks until `future` completes or the deadline passes; then closes `connection`, if any.
    static func wait<T: Sendable>(for future: EventLoopFuture<T>, closing connection: PostgresConnection?) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        let once = Once()
        let timer = future.eventLoop.scheduleTask(in: statement) {
            guard once.first() else { return }
            promise.fail(Exceeded())
            if let connection { ConnectionPool.Slot.close(connection) }
        }
        future.whenComplete { result in
            timer.cancel()
            if once.first() { promise.completeWith(result) }
        }
        // A statement sent as the server closed the connection may never be answered (seen with PostgresNIO 1.33.2
        // under pg_terminate_backend: the connection was closed, the statement still pending). Once the connection
        // is closed, what has not been answered shortly after never will be.
        connection?.closeFuture.whenComplete { _ in
            future.eventLoop.scheduleTask(in: .milliseconds(50)) {
                if once.first() {
                    timer.cancel()
                    promise.fail(Closed())
                }
            }
        }
        return try promise.futureResult.wait()
    }

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the connection to PostgreSQL closed before the statement was answered" }
    }

    final class Once: Sendable {
        private let done = Atomic<Bool>(false)
        func first() -> Bool { done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged }
    }
}

extension PostgresRandomAccessRow {
    func text(_ column: String) throws -> String { try self[column].decode(String.self) }
    func optionalText(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func int(_ column: String) throws -> Int { try self[column].decode(Int.self) }
    func int64(_ column: String) throws -> Int64 { try self[column].decode(Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try self[column].decode(Int64?.self) }
    func bool(_ column: String) throws -> Bool { try self[column].decode(Bool.self) }
}
