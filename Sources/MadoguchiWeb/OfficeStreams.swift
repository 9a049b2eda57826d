import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes
import OfficeRuntime
import QueueCore
import ServiceLifecycle
import Synchronization

/// The office streams (`GET /api/v1/offices/{office}/events`), written from each connection's own event loop.
///
/// Every watcher of an office gets the same frames: whole snapshots, and pings. A stream of its own
/// (`EventStreams.response`) costs each watcher, per frame, a task resumption, a hop to its connection's event loop
/// and a write. Here a node holds one hub subscription per office; each frame costs one hop per event loop, and
/// the loop writes the frame's one encoding to each of its connections. With 20,000 phones and boards on one
/// office, the resumptions and hops per frame go from 20,000 to the number of event loops.
///
/// A connection whose send buffer is full (a phone that stopped reading) is not written to: it keeps only the
/// newest snapshot it missed, sent with the next frame (a ping at the latest) once it drains. The latest state,
/// never a backlog.
final class OfficeStreams: Sendable {
    private let hub: OfficeHub
    private let offices = Mutex<[OfficeID: Fan]>([:])

    init(hub: OfficeHub) { self.hub = hub }

    /// One office's watchers on this node: the hub subscription that feeds them, and their connections by event loop.
    private struct Fan {
        var subscription: UUID
        var loops: [ObjectIdentifier: LoopWatchers]
        var count = 0
    }

    /// The response for a watcher on `channel`. It joins before `opening` is computed, so that no frame can fall
    /// between the opening and the stream; a snapshot sent meanwhile follows the opening.
    func response(
        office: OfficeID, channel: any NIOCore.Channel, opening: () async throws -> [LiveFrame]
    ) async throws -> Response {
        let watcher = join(office, channel)
        // However the stream ends, and even if its body is never written (the client left first), its connection's
        // closing ends it and leaves the office.
        channel.closeFuture.whenComplete { _ in
            watcher.end()
            self.leave(office, watcher)
        }
        let frames: [LiveFrame]
        do {
            frames = try await opening()
        } catch {
            leave(office, watcher)
            throw error
        }
        var first = ByteBuffer(string: "retry: 3000\n\n")
        for frame in frames {
            var bytes = frame.bytes
            first.writeBuffer(&bytes)
        }
        let body = ResponseBody { [first] writer in
            // Hummingbird wrote the head through `writer` before this runs: its write is queued on the event loop
            // ahead of the opening's, which `start` queues there now.
            await withGracefulShutdownHandler {
                await watcher.start(with: first)
            } onGracefulShutdown: {
                watcher.end()
            }
            // Off the loop's list before the end of the body is written, so that no frame follows it.
            self.leave(office, watcher)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: EventStreams.headers, body: body)
    }

    private func join(_ office: OfficeID, _ channel: any NIOCore.Channel) -> OfficeWatcher {
        let loop = channel.eventLoop
        let (share, subscription) = offices.withLock { offices in
            if offices[office] == nil {
                let (id, frames) = hub.subscribe(.office(office))
                offices[office] = Fan(subscription: id, loops: [:])
                // Ends when its stream does: the last watcher left (unsubscribed), or the hub stopped.
                Task { await self.forward(frames, of: office, subscription: id) }
            }
            offices[office]!.count += 1
            let key = ObjectIdentifier(loop)
            let share = offices[office]!.loops[key] ?? LoopWatchers(loop: loop)
            offices[office]!.loops[key] = share
            return (share, offices[office]!.subscription)
        }
        let watcher = OfficeWatcher(channel: channel, share: share, subscription: subscription)
        loop.execute { share.add(watcher) }
        return watcher
    }

    private func leave(_ office: OfficeID, _ watcher: OfficeWatcher) {
        guard watcher.leave() else { return }
        let share = watcher.share
        share.loop.execute { share.remove(watcher) }
        let ended = offices.withLock { offices -> UUID? in
            guard var fan = offices[office], fan.subscription == watcher.subscription else { return nil }
            fan.count -= 1
            offices[office] = fan.count == 0 ? nil : fan
            return fan.count == 0 ? fan.subscription : nil
        }
        if let ended { hub.unsubscribe(ended) }
    }

    /// Sends what the hub publishes for the office to each event loop's watchers, until the subscription ends (the
    /// last watcher left, or the server stops: then every watcher's stream ends).
    private func forward(_ frames: AsyncStream<LiveFrame>, of office: OfficeID, subscription: UUID) async {
        for await frame in frames {
            for share in shares(office, subscription) { share.loop.execute { share.deliver(frame) } }
        }
        for share in shares(office, subscription) { share.loop.execute { share.endAll() } }
    }

    private func shares(_ office: OfficeID, _ subscription: UUID) -> [LoopWatchers] {
        offices.withLock { offices in
            guard let fan = offices[office], fan.subscription == subscription else { return [] }
            return Array(fan.loops.values)
        }
    }
}

/// The watchers of one office whose connections run on one event loop; touched only on that loop.
final class LoopWatchers: Sendable {
    let loop: any EventLoop
    private let watchers: NIOLoopBoundBox<[ObjectIdentifier: OfficeWatcher]>

    init(loop: any EventLoop) {
        self.loop = loop
        watchers = .makeBoxSendingValue([:], eventLoop: loop)
    }

    func add(_ watcher: OfficeWatcher) { watchers.value[ObjectIdentifier(watcher)] = watcher }
    func remove(_ watcher: OfficeWatcher) { watchers.value[ObjectIdentifier(watcher)] = nil }
    func deliver(_ frame: LiveFrame) { for watcher in watchers.value.values { watcher.deliver(frame) } }
    func endAll() { for watcher in watchers.value.values { watcher.end() } }
}

/// One connection watching an office. `opened` and `missed` are touched only on the connection's event loop;
/// the stream's lifetime is behind a lock.
final class OfficeWatcher: @unchecked Sendable {
    let channel: any NIOCore.Channel
    let share: LoopWatchers
    /// The hub subscription of the office's watchers when this one joined.
    let subscription: UUID
    /// Loop only: whether the opening has been written.
    private var opened = false
    /// Loop only: the newest snapshot not written yet (before the opening, or while the send buffer was full).
    private var missed: LiveFrame?
    private let lifetime = Mutex<(ended: Bool, left: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, false, nil))

    init(channel: any NIOCore.Channel, share: LoopWatchers, subscription: UUID) {
        self.channel = channel
        self.share = share
        self.subscription = subscription
    }

    /// Writes the opening (on the loop, after the head), then waits until the stream ends: the connection
    /// closed, the server stops, or the office's subscription ended.
    func start(with opening: ByteBuffer) async {
        channel.eventLoop.execute { self.open(with: opening) }
        await withCheckedContinuation { continuation in
            let ended = lifetime.withLock { state in
                if !state.ended { state.waiter = continuation }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }

    /// Loop only: the opening, then a snapshot sent since the watcher joined.
    func open(with opening: ByteBuffer) {
        write(opening)
        opened = true
        if let missed = missed.take() { write(missed.bytes) }
    }

    /// Loop only. A ping to a watcher that missed a snapshot sends the snapshot instead.
    func deliver(_ frame: LiveFrame) {
        let snapshot = frame == .heartbeat ? nil : frame
        guard opened, channel.isWritable else {
            if let snapshot { missed = snapshot }
            return
        }
        write((snapshot ?? missed ?? frame).bytes)
        missed = nil
    }

    func end() {
        let waiter = lifetime.withLock { state in
            state.ended = true
            return state.waiter.take()
        }
        waiter?.resume()
    }

    /// True the first time only: a watcher leaves its office once, whichever way its stream ended.
    func leave() -> Bool {
        lifetime.withLock { state in
            defer { state.left = true }
            return !state.left
        }
    }

    private func write(_ bytes: ByteBuffer) {
        channel.writeAndFlush(HTTPResponsePart.body(bytes), promise: nil)
    }
}
