import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How many connections the server holds, and for how long. Every descriptor the process opens counts against
/// its file limit; a server that lets clients take them all fails in `accept`, in SQLite and in the alert sender
/// at once. So the caps sit below the limit with room kept for the rest, and one client address may hold only
/// a share of them: whoever opens too many gets a 503, and everyone else is still served.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once, all clients together; past it, new ones wait in the listen backlog.
    public var maxConnections: Int
    /// Connections open at once from one client address (a trusted proxy's own connections are not capped).
    public var perClient: Int
    /// Live event streams (SSE) open at once from one client address (after `X-Forwarded-For` from a trusted proxy).
    public var streamsPerClient: Int
    /// Seconds a new connection has to send its first request's head.
    public var headerTimeoutSeconds: Int
    /// Seconds a connection may sit idle between requests, or pause inside a request.
    public var idleTimeoutSeconds: Int

    /// Descriptors kept for everything that is not a client: the database, the alert sender's connections, the
    /// event loops, logs.
    static func reserve(fileLimit: Int) -> Int { min(1024, max(64, fileLimit / 8)) }

    /// Defaults derived from the process's file limit: every cap below it, a client's share an eighth of the whole
    /// (many citizens share one address behind carrier NAT, so it stays generous), half of that for streams.
    public init(fileLimit: Int) {
        maxConnections = max(16, min(60_000, fileLimit - Self.reserve(fileLimit: fileLimit)))
        perClient = min(1024, max(8, maxConnections / 8))
        streamsPerClient = max(4, perClient / 2)
        headerTimeoutSeconds = 10
        idleTimeoutSeconds = 30
    }

    /// What cannot run, each named.
    public func problems(fileLimit: Int) -> [String] {
        var problems: [String] = []
        let ceiling = fileLimit - Self.reserve(fileLimit: fileLimit)
        if maxConnections < 1 || maxConnections > ceiling {
            problems.append(
                "--max-connections must be 1-\(ceiling) (the file limit \(fileLimit) less \(Self.reserve(fileLimit: fileLimit)) kept for the database and the rest)"
            )
        }
        if perClient < 1 || perClient > maxConnections { problems.append("--max-connections-per-client must be 1-\(maxConnections)") }
        if streamsPerClient < 1 || streamsPerClient > perClient { problems.append("--max-streams-per-client must be 1-\(perClient)") }
        if !(1...300).contains(headerTimeoutSeconds) { problems.append("--header-timeout must be 1-300 seconds") }
        if !(1...3600).contains(idleTimeoutSeconds) { problems.append("--idle-timeout must be 1-3600 seconds") }
        return problems
    }

    /// Raises the soft limit on open files to the hard one (systemd's `LimitNOFILE` sets both) and returns it.
    public static func raiseFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == rlim_t.max ? 1 << 20 : Int(clamping: limit.rlim_cur)
    }
}

/// Counts what each client key holds open (connections, streams), refusing one more past the cap. Bounded by
/// what is open: a key leaves the table when its count returns to zero.
final class ClientCounts: Sendable {
    let cap: Int
    private let counts = Mutex<[String: Int]>([:])

    init(cap: Int) { self.cap = cap }

    /// Takes one for `key`; false, taking nothing, when it already holds `cap` (and `capped`).
    func open(_ key: String, capped: Bool = true) -> Bool {
        counts.withLock { counts in
            let held = counts[key, default: 0]
            guard held < cap || !capped else { return false }
            counts[key] = held + 1
            return true
        }
    }

    func close(_ key: String) {
        counts.withLock { counts in
            let held = counts[key, default: 0] - 1
            counts[key] = held > 0 ? held : nil
        }
    }

    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}

/// The first handler of every connection after HTTP decoding: counts the connection against its client's share
/// (503 and close past it), and closes a connection that has not sent a request head within the header timeout
/// (a half-sent request otherwise holds a descriptor for as long as its sender likes).
final class ConnectionGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let counts: ClientCounts
    let trusted: TrustedProxies
    let headerTimeout: TimeAmount
    private var key: String?
    private var headerDeadline: Scheduled<Void>?

    init(counts: ClientCounts, trusted: TrustedProxies, headerTimeout: TimeAmount) {
        self.counts = counts
        self.trusted = trusted
        self.headerTimeout = headerTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        // A trusted proxy carries every client: counted (for /metrics), never capped.
        guard counts.open(peer, capped: !trusted.trusts(peer)) else { return refuse(context) }
        key = peer
        let channel = context.channel
        headerDeadline = context.eventLoop.scheduleTask(in: headerTimeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headerDeadline?.cancel()
        headerDeadline = nil
        if let key { counts.close(key) }
        key = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            headerDeadline?.cancel()
            headerDeadline = nil
        }
        context.fireChannelRead(data)
    }

    /// A 503 with `Retry-After` written before any request is read (clients read it as the answer to their
    /// first request), then the connection closes.
    private func refuse(_ context: ChannelHandlerContext) {
        let body = ByteBuffer(
            string: #"{"error":{"code":"too_many_connections","message":"Too many connections from this address; retry shortly."}}"#)
        var head = HTTPResponse(status: .serviceUnavailable)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.retryAfter] = "5"
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension ConnectionLimits {
    /// The HTTP/1 server with these limits: the gate on every connection, Hummingbird's idle timeout, and the
    /// overall cap (past it the server stops accepting until a connection closes; the kernel's backlog holds the
    /// rest).
    func server(trusted: TrustedProxies, counts: ClientCounts) -> HTTPServerBuilder {
        let headerTimeout = TimeAmount.seconds(Int64(headerTimeoutSeconds))
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [ConnectionGate(counts: counts, trusted: trusted, headerTimeout: headerTimeout)],
                idleTimeout: .seconds(Int64(idleTimeoutSeconds))))
    }
}

/// Gives freed memory back to the system after many connections closed. The C allocator keeps what it freed for
/// reuse (an arena per thread), so without this a server that held 20,000 streams keeps their memory long after
/// they left. Every few seconds it looks at the connections open; when they fell by `drop` or more since their
/// high point, `malloc_trim` hands the free pages back at each of the next three ticks (a closed connection's
/// tasks and buffers are freed a while after it is counted closed); a few milliseconds' work, only after a fall.
struct MemoryReturner: Service {
    let connections: ClientCounts
    let logger: Logger
    var interval: Duration = .seconds(5)
    var drop = 256

    func run() async throws {
        var high = connections.total
        var ticksToTrim = 0
        while !Task.isShuttingDownGracefully {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            let open = connections.total
            if high - open >= drop {
                logger.info("\(high - open) connections closed: giving their memory back")
                ticksToTrim = 3
                high = open
            } else {
                high = max(high, open)
            }
            if ticksToTrim > 0 {
                ticksToTrim -= 1
                let before = Self.residentMB()
                #if os(Linux)
                    _ = mallocTrim(0)
                #endif
                logger.debug("memory given back: resident \(before) → \(Self.residentMB()) MB")
            }
        }
    }

    /// The process's resident memory in MB (Linux; 0 elsewhere).
    static func residentMB() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * 4096 / 1_048_576
    }
}

#if os(Linux)
    /// glibc's `malloc_trim` (its header is not in Swift's Glibc module).
    @_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
#endif
