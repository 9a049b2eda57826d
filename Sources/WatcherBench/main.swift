// Holds many live event streams (SSE) on one office of a running server, on 127.0.0.1 only, and measures how long
// a change takes to reach every watcher, and what the server's memory does as watchers come and go.
// Bounded: at most `--watchers` connections, `--rounds` changes, `--soak` cycles, and a timeout on every wait.
// Used by bench/watchers.sh; see docs/benchmarks.md.
//
// WatcherBench --port P --pid SERVER_PID --token STAFF_TOKEN [--office chuo] [--counter k1] [--watchers 1000]
//              [--rounds 10] [--soak 0]
import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var port = 18080
    var pid: Int32 = 0
    var token = ""
    var office = "chuo"
    var counter = "k1"
    var watchers = 1000
    var rounds = 10
    var soak = 0

    init(_ arguments: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < arguments.count else { fatalError("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--port": port = Int(value())!
            case "--pid": pid = Int32(value())!
            case "--token": token = value()
            case "--office": office = value()
            case "--counter": counter = value()
            case "--watchers": watchers = Int(value())!
            case "--rounds": rounds = Int(value())!
            case "--soak": soak = Int(value())!
            default: fatalError("unknown option \(arguments[i])")
            }
            i += 1
        }
    }
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// What every watcher has seen, under one lock: snapshot frames counted, and when the first one after a change came.
final class Tally: Sendable {
    struct State {
        var frames: [Int] = []
        var open: [Bool] = []
        var closedUnasked = 0
        /// The change being measured: each watcher's frame count when it was made, and when a newer frame came.
        var baseline: [Int] = []
        var arrived: [UInt64] = []
        var pending = 0
        var closing = false
    }

    let state = Mutex(State())

    func reset(_ count: Int) {
        state.withLock { $0 = State(frames: Array(repeating: 0, count: count), open: Array(repeating: false, count: count)) }
    }

    func frame(_ index: Int, count: Int) {
        let at = now()
        state.withLock { s in
            s.frames[index] += count
            if !s.arrived.isEmpty && s.arrived[index] == 0 && s.frames[index] > s.baseline[index] {
                s.arrived[index] = at
                s.pending -= 1
            }
        }
    }

    func opened(_ index: Int) { state.withLock { $0.open[index] = true } }

    func closed(_ index: Int) {
        state.withLock { s in
            if s.open[index] && !s.closing { s.closedUnasked += 1 }
            s.open[index] = false
        }
    }

    /// Starts measuring a change: from now, each open watcher's next frame counts.
    func mark() {
        state.withLock { s in
            s.baseline = s.frames
            s.arrived = Array(repeating: 0, count: s.frames.count)
            s.pending = s.open.count { $0 }
            for i in s.open.indices where !s.open[i] { s.arrived[i] = 1 }
        }
    }

    var pending: Int { state.withLock { $0.pending } }
    var withFrames: Int { state.withLock { s in s.frames.count { $0 > 0 } } }
}

/// Counts `event: snapshot` lines in the stream, across reads.
final class Watcher: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    static let needle = Array("event: snapshot\n".utf8)
    let index: Int
    let tally: Tally
    var carry: [UInt8] = []

    init(index: Int, tally: Tally) {
        self.index = index
        self.tally = tally
    }

    func channelActive(context: ChannelHandlerContext) {
        tally.opened(index)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // The client shares the server's two cores: it scans each read in place, without copying it, so that what
        // it measures is the server's fan-out more than its own parsing.
        let buffer = unwrapInboundIn(data)
        let n = Self.needle
        var found = 0
        // A needle cut between two reads: its head is the end of the last read, its rest the start of this one.
        if !carry.isEmpty {
            let head = carry + buffer.readableBytesView.prefix(n.count - 1)
            var i = 0
            while i < carry.count && i + n.count <= head.count {
                if head[i..<(i + n.count)].elementsEqual(n) { found += 1 }
                i += 1
            }
        }
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= n.count else { return }
            n.withUnsafeBytes { needle in
                var i = 0
                let last = bytes.count - n.count
                while i <= last {
                    guard let at = memchr(bytes.baseAddress! + i, Int32(n[0]), last - i + 1) else { break }
                    let offset = bytes.baseAddress!.distance(to: UnsafeRawPointer(at))
                    if memcmp(bytes.baseAddress! + offset, needle.baseAddress!, n.count) == 0 {
                        found += 1
                        i = offset + n.count
                    } else {
                        i = offset + 1
                    }
                }
            }
        }
        carry = Array(buffer.readableBytesView.suffix(n.count - 1))
        if found > 0 { tally.frame(index, count: found) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        tally.closed(index)
        context.fireChannelInactive()
    }
}

/// The server's resident memory, from /proc.
func rssMB(_ pid: Int32) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return .nan }
    return kb / 1024
}

/// One blocking HTTP request on its own connection; returns the status code.
func post(port: Int, path: String, token: String) -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return 0 }
    let request =
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var reply = [UInt8](repeating: 0, count: 4096)
    let n = recv(fd, &reply, reply.count, 0)
    guard n > 12 else { return 0 }
    return Int(String(decoding: reply[9..<12], as: UTF8.self)) ?? 0
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// Waits up to `seconds` for `done`, checking every 2 ms; returns whether it came.
func wait(seconds: Double, until done: () -> Bool) -> Bool {
    let deadline = now() + UInt64(seconds * 1e9)
    while !done() {
        if now() > deadline { return false }
        usleep(2000)
    }
    return true
}

/// One line of the report, written at once (a pipe would otherwise hold it until the end).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let options = Options(CommandLine.arguments)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let tally = Tally()
let streamPath = "/api/v1/offices/\(options.office)/events"

/// Opens `count` streams, 256 connecting at a time; returns the channels that opened.
func openWatchers(_ count: Int) -> [Channel] {
    tally.reset(count)
    var channels: [Channel] = []
    var index = 0
    while index < count {
        let batch = (index..<min(count, index + 256)).map { i in
            ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                // Eight loopback source addresses: one address's ports run short (and slow) past ~15,000
                // connections to one server port.
                .bind(to: try! SocketAddress(ipAddress: "127.0.0.\(2 + i % 8)", port: 0))
                .channelInitializer { channel in channel.pipeline.addHandler(Watcher(index: i, tally: tally)) }
                .connect(host: "127.0.0.1", port: options.port)
                .flatMap { channel -> EventLoopFuture<Channel> in
                    // Closing resets the connection (no TIME_WAIT), so that cycles of thousands do not run out of ports.
                    let linger =
                        (channel as? SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                        ?? channel.eventLoop.makeSucceededFuture(())
                    let head = "GET \(streamPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
                    return linger.flatMap { channel.writeAndFlush(ByteBuffer(string: head)) }.map { channel }
                }
        }
        for future in batch {
            if let channel = try? future.wait() { channels.append(channel) }
        }
        index += batch.count
    }
    return channels
}

func closeWatchers(_ channels: [Channel]) {
    tally.state.withLock { $0.closing = true }
    for channel in channels { _ = channel.close() }
    _ = wait(seconds: 30) { tally.state.withLock { $0.open.allSatisfy { !$0 } } }
}

let pid = options.pid
/// Seconds to wait after watchers leave before reading the RSS: the server gives memory back on a 5-second tick.
let settle: UInt32 = 20
let idle = rssMB(pid)
say("WatcherBench: \(options.watchers) watchers on \(streamPath), 127.0.0.1:\(options.port)")
say(String(format: "server RSS idle: %.0f MB", idle))

var started = now()
var channels = openWatchers(options.watchers)
let connected = wait(seconds: 60) { tally.withFrames >= channels.count }
say(
    String(
        format: "opened %d of %d in %.1f s; %d with the first snapshot%@; server RSS %.0f MB",
        channels.count, options.watchers, Double(now() - started) / 1e9, tally.withFrames, connected ? "" : " (timed out)",
        rssMB(pid)))

// Changes: complete and call-next by turns at one counter, each measured from the request to the last watcher.
var samples: [Double] = []
var lasts: [Double] = []
var missing = 0
var statuses: [Int: Int] = [:]
for round in 0..<options.rounds {
    usleep(200_000)
    tally.mark()
    let action = round % 2 == 0 ? "call-next" : "complete"
    let t0 = now()
    let status = post(
        port: options.port, path: "/api/v1/offices/\(options.office)/counters/\(options.counter)/\(action)", token: options.token)
    statuses[status, default: 0] += 1
    _ = wait(seconds: 10) { tally.pending == 0 }
    let arrived = tally.state.withLock { $0.arrived }
    let times = arrived.filter { $0 > 1 }.map { Double($0 - t0) / 1e6 }
    missing += arrived.count { $0 == 0 }
    samples += times
    lasts.append(times.max() ?? .nan)
}
samples.sort()
lasts.sort()
say(
    "changes: \(options.rounds) (HTTP statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")))"
)
say(
    String(
        format: "change → watcher ms: p50 %.0f  p99 %.0f  max %.0f; change → last watcher ms: median %.0f  max %.0f",
        percentile(samples, 0.5), percentile(samples, 0.99), samples.last ?? .nan, percentile(lasts, 0.5), lasts.last ?? .nan))
let unasked = tally.state.withLock { $0.closedUnasked }
say("frames missing after 10 s: \(missing); streams the server closed: \(unasked)")
say(String(format: "server RSS with watchers: %.0f MB", rssMB(pid)))

started = now()
closeWatchers(channels)
channels = []
say(String(format: "closed in %.1f s", Double(now() - started) / 1e9))
sleep(settle)
say(String(format: "server RSS %d s after they left: %.0f MB", settle, rssMB(pid)))

for cycle in 0..<options.soak {
    let opened = openWatchers(options.watchers)
    let ok = wait(seconds: 60) { tally.withFrames >= opened.count }
    let held = rssMB(pid)
    closeWatchers(opened)
    sleep(settle)
    say(
        String(
            format: "soak %d: %d opened%@, RSS %.0f MB with them, %.0f MB after", cycle + 1, opened.count,
            ok ? "" : " (not all got a frame)",
            held, rssMB(pid)))
}
try? group.syncShutdownGracefully()
