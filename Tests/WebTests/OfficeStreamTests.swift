import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// The office streams written from their connections' event loops (`OfficeStreams`).
@Suite("Office streams")
struct OfficeStreamTests {
    static func snapshot(_ n: Int64) -> LiveFrame { LiveFrame(id: n, event: "snapshot", data: #"{"n":\#(n)}"#) }

    @Test("a watcher gets a snapshot sent before its opening after it, and after a full send buffer only the newest")
    func aStalledWatcherGetsTheNewestSnapshot() throws {
        let channel = EmbeddedChannel()
        let share = LoopWatchers(loop: channel.eventLoop)
        let watcher = OfficeWatcher(channel: channel, share: share, subscription: UUID())
        share.add(watcher)
        share.deliver(Self.snapshot(1))  // joined, opening not written yet
        watcher.open(with: ByteBuffer(string: "retry: 3000\n\n"))
        channel.isWritable = false  // the phone stopped reading
        share.deliver(Self.snapshot(2))
        share.deliver(Self.snapshot(3))
        share.deliver(.heartbeat)
        channel.isWritable = true  // drained: the next ping carries the newest snapshot missed
        share.deliver(.heartbeat)
        share.deliver(.heartbeat)
        share.deliver(Self.snapshot(4))
        share.remove(watcher)
        share.deliver(Self.snapshot(5))  // gone: nothing more
        var written: [String] = []
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            if case .body(let bytes) = part { written.append(String(buffer: bytes)) }
        }
        let expected = ["retry: 3000\n\n", Self.snapshot(1).text, Self.snapshot(3).text, LiveFrame.heartbeat.text, Self.snapshot(4).text]
        #expect(written == expected)
    }

    @Test("over real connections: the opening, one hub subscription for all, each change and ping to each, none left after")
    func watchersShareOneSubscription() async throws {
        let h = try await Harness.make()
        let hub = OfficeHub(store: h.store)
        let composed = try Composition(settings: Harness.settings(), store: h.store, logger: Logger(label: "test"), hub: hub)
        let app = Application(router: composed.routes.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let path = "/api/v1/offices/chuo/events"
            let watchers = try (0..<3).map { _ in try EventSocket(port: port, path: path) }
            for watcher in watchers {
                let opening = try await watcher.read(until: "event: snapshot\n", count: 1)
                #expect(opening.hasPrefix("HTTP/1.1 200"))
                #expect(opening.contains("text/event-stream") && opening.contains("retry: 3000\n\n"))
            }
            #expect(hub.watchers(of: .office("chuo")) == 1, "one hub subscription for the office's three streams")

            _ = try await client.issue("moving-in")
            await hub.refreshDirtyOffices()
            hub.broadcast(.heartbeat) { _ in true }
            var frames: [String] = []
            for watcher in watchers {
                let text = try await watcher.read(until: "event: ping\n", count: 1)
                let snapshot = try #require(text.components(separatedBy: "event: snapshot\n").last?.components(separatedBy: "\n\n").first)
                #expect(snapshot.contains(#""waiting":1"#), "\(snapshot.prefix(200))")
                frames.append(snapshot)
            }
            #expect(Set(frames).count == 1, "the same frame to each")

            // One leaves: the others still get changes; all leave: the hub has no office watcher left.
            watchers[0].close()
            _ = try await client.issue("moving-in")
            await hub.refreshDirtyOffices()
            for watcher in watchers.dropFirst() {
                let text = try await watcher.read(until: "event: snapshot\n", count: 1)
                #expect(text.contains(#""waiting":2"#))
            }
            for watcher in watchers.dropFirst() { watcher.close() }
            // A closed stream is noticed when a write to it fails: the heartbeat's, at the latest.
            var left = false
            for _ in 0..<50 where !left {
                hub.broadcast(.heartbeat) { _ in true }
                try await Task.sleep(for: .milliseconds(100))
                left = hub.watchers(of: .office("chuo")) == 0
            }
            #expect(left, "the last stream's closing ends the office's hub subscription")
        }
    }
}

/// A plain blocking client of one event stream, read off the concurrency pool.
final class EventSocket: @unchecked Sendable {
    private let fd: Int32
    private var pending = ""

    init(port: Int, path: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)  // generous: the whole suite runs beside it
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SocketError(what: "connect") }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }

    /// What arrived up to the end of the frame in which `needle` came for the `count`th time (a minute at most per read).
    func read(until needle: String, count: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let parts = self.pending.components(separatedBy: needle)
                    if parts.count > count, let end = parts[count].range(of: "\n\n") {
                        // Keep what came after that frame for the next read.
                        let taken = parts[0..<count].joined(separator: needle) + needle + parts[count][..<end.upperBound]
                        self.pending = String(self.pending.dropFirst(taken.count))
                        return continuation.resume(returning: taken)
                    }
                    let n = recv(self.fd, &buffer, buffer.count, 0)
                    guard n > 0 else {
                        let why = n == 0 ? "closed" : "errno \(errno)"
                        return continuation.resume(throwing: SocketError(what: "recv: \(why) after \(self.pending.suffix(300))"))
                    }
                    self.pending += String(decoding: buffer[0..<n], as: UTF8.self)
                }
            }
        }
    }

    func close() { _ = Glibc.close(fd) }

    struct SocketError: Error { var what: String }
}
