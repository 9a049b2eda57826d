import Foundation
import MemoryStore
import QueueCore
import QueueFixtures
import Synchronization
import Testing

@testable import OfficeRuntime

/// How the hub feeds many watchers: one frame made per change and shared, the newest snapshot for a watcher that
/// fell behind, and the last snapshot opening new streams only while it is still true.
@Suite struct HubFanOutTests {
    static func waiting(_ frame: LiveFrame?) throws -> Int? {
        let data = try #require(frame?.data)
        return try JSONDecoder().decode(OfficeSnapshot.self, from: Data(data.utf8)).lines.first { $0.service == "moving-in" }?.waiting
    }

    static func issue(_ store: MemoryStore) async throws {
        _ = try await store.issue(IssueRequest(office: "chuo", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
    }

    @Test("a new watcher opens with the frame the others were sent, and never with one from before a change")
    func joinersShareTheLastFrameWhileItHolds() async throws {
        let (store, _) = try await LiveDecisionsTests.store()
        let hub = LiveDecisionsTests.hub(store)
        let (id, stream) = hub.subscribe(.office("chuo"))
        try await Self.issue(store)
        await hub.refreshDirtyOffices()
        hub.unsubscribe(id)
        var sent: [LiveFrame] = []
        for await frame in stream { sent.append(frame) }
        let broadcast = try #require(sent.first)

        let joining = try #require(try await hub.officeFrame("chuo"))
        #expect(joining.encoding === broadcast.encoding, "the same frame, encoded once for all")
        // A change the hub has not yet refreshed: a joiner gets a snapshot made now, counting it.
        try await Self.issue(store)
        let afterChange = try #require(try await hub.officeFrame("chuo"))
        #expect(afterChange.encoding !== broadcast.encoding)
        #expect(try Self.waiting(broadcast) == 1 && Self.waiting(afterChange) == 2)
        #expect(try await hub.officeFrame("nope") == nil)
    }

    @Test("a watcher that fell behind gets the newest snapshot only, and a ping does not push it out")
    func aSlowWatcherGetsTheNewestState() async throws {
        let (store, _) = try await LiveDecisionsTests.store()
        let hub = LiveDecisionsTests.hub(store)
        let (office, officeFrames) = hub.subscribe(.office("chuo"))
        let issued = try await store.issue(IssueRequest(office: "chuo", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
        let ticket = issued.value.ticket.id
        let (watcher, ticketFrames) = hub.subscribe(.ticket(ticket, office: "chuo"))
        // Three changes while nobody reads, then a heartbeat.
        for _ in 0..<3 {
            try await Self.issue(store)
            await hub.refreshDirtyOffices()
        }
        hub.broadcast(.heartbeat) { _ in true }
        hub.unsubscribe(office)
        hub.unsubscribe(watcher)
        var frames: [LiveFrame] = []
        for await frame in officeFrames { frames.append(frame) }
        #expect(frames.map(\.event) == ["snapshot"])
        #expect(try Self.waiting(frames.first) == 4)
        // A ticket's watcher keeps its frames in order (each names what happened), the ping last.
        var perTicket: [String] = []
        for await frame in ticketFrames { perTicket.append(frame.event) }
        #expect(perTicket == ["ticket.issued", "update", "update", "ping"])
    }

    @Test("paced: an office refreshed moments ago waits and then shows every change meanwhile; a quiet office at once")
    func pacedRefreshesPutOffOnlyTheBusyOffice() async throws {
        let (store, _) = try await LiveDecisionsTests.store()
        // A pause far longer than the test: whatever the machine's speed, chuo is put off after its first refresh.
        let hub = OfficeHub(
            store: store, estimates: LiveEstimates(runs: 50...50), pacing: .init(multiple: 1_000_000, longest: .seconds(3600)),
            renderTicket: { view, _ in view.ticket.status.rawValue })
        let issued = try await store.issue(IssueRequest(office: "chuo", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
        let (ticketWatcher, ticketFrames) = hub.subscribe(.ticket(issued.value.ticket.id, office: "chuo"))
        let (officeWatcher, higashiFrames) = hub.subscribe(.office("higashi"))
        #expect(await hub.refreshDirtyOffices(paced: true) == nil, "nothing put off: chuo had been quiet")

        _ = try await store.setCounter(office: "chuo", counter: "c5", open: true, by: nil)
        _ = try await store.callNext(office: "chuo", counter: "c5", idempotencyKey: nil, by: nil)
        let due = try #require(await hub.refreshDirtyOffices(paced: true), "chuo, refreshed moments ago, is put off")
        #expect(due > ContinuousClock.now + .seconds(60))
        _ = try await store.issue(IssueRequest(office: "higashi", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
        #expect(await hub.refreshDirtyOffices(paced: true) == due, "higashi shown at once, chuo still put off")
        await hub.refreshDirtyOffices()

        hub.unsubscribe(ticketWatcher)
        hub.unsubscribe(officeWatcher)
        var perTicket: [String] = []
        for await frame in ticketFrames { perTicket.append("\(frame.event) \(frame.data)") }
        #expect(perTicket == ["ticket.issued waiting", "ticket.called called"], "the call, put off, is shown, not lost")
        var higashi: [LiveFrame] = []
        for await frame in higashiFrames { higashi.append(frame) }
        #expect(try higashi.map(Self.waiting) == [1])
    }

    @Test("a frame's wire form is made once, however many ask")
    func encodedOnce() {
        let frame = LiveFrame(id: 7, event: "snapshot", data: "{}")
        let made = Mutex(0)
        for _ in 0..<1000 {
            _ = frame.encoding.value { () -> String in
                made.withLock { $0 += 1 }
                return "id: 7"
            }
        }
        #expect(made.withLock { $0 } == 1)
    }
}
