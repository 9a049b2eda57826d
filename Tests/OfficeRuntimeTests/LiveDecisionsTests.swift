import Foundation
import MemoryStore
import QueueCore
import QueueFixtures
import Testing

@testable import OfficeRuntime

/// The office runtime without HTTP: the hub hears what the store commits, and the come-now and guard decisions are
/// recorded as events, with no route in between.
@Suite struct LiveDecisionsTests {
    /// Monday 2026-03-30 10:00 in Tokyo, the demo offices loaded (their counters open).
    static func store() async throws -> (MemoryStore, ManualClock) {
        let clock = ManualClock(Fixtures.start)
        let store = MemoryStore(commands: QueueCommands(clock: clock))
        _ = try await OfficesFile.demo().load(into: store)
        return (store, clock)
    }

    static func hub(_ store: some QueueStore) -> OfficeHub {
        OfficeHub(store: store, estimates: LiveEstimates(runs: 200...200), renderTicket: { view, _ in view.ticket.id.rawValue })
    }

    @Test("a ticket issued on the store reaches the office's watchers with no one telling the hub")
    func committedChangesReachWatchers() async throws {
        // setup: a hub watching the office
        let (store, _) = try await Self.store()
        let hub = Self.hub(store)
        let (id, stream) = hub.subscribe(.office("chuo"))
        // act: a command straight on the store, then the hub's refresh
        let issued = try await store.issue(IssueRequest(office: "chuo", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
        await hub.refreshDirtyOffices()
        hub.unsubscribe(id)
        // verify: one snapshot, at the ticket's event, counting it
        var frames: [LiveFrame] = []
        for await frame in stream { frames.append(frame) }
        #expect(frames.count == 1)
        let frame = try #require(frames.first)
        #expect(frame.event == "snapshot" && frame.id == issued.events.last?.seq)
        let snapshot = try JSONDecoder().decode(OfficeSnapshot.self, from: Data(frame.data.utf8))
        #expect(snapshot.lines.first { $0.service == "moving-in" }?.waiting == 1)
    }

    @Test("a remote ticket whose turn is within its travel time is marked come-now once, and the mark is an event")
    func comeNowIsRecordedOnce() async throws {
        // setup: an empty line, a web ticket whose holder is 30 minutes away, a kiosk ticket without travel time
        let (store, _) = try await Self.store()
        let hub = Self.hub(store)
        let remote = try await store.issue(
            IssueRequest(office: "chuo", service: "moving-in", channel: .web, travelMinutes: 30), idempotencyKey: nil)
        _ = try await store.issue(IssueRequest(office: "chuo", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
        // act: two refreshes
        await hub.refreshDirtyOffices()
        await hub.refreshDirtyOffices()
        // verify: one ticket.come_now, for the remote ticket, and the live entry says since when
        let marks = try await store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000).filter { $0.type == .ticketComeNow }
        #expect(marks.map(\.ticket) == [remote.value.ticket.id])
        #expect(hub.liveEntry(remote.value)?.comeNowSince != nil)
    }

    @Test("the 60-minute guard records alert.raised once per crossing, with the projection and what would help")
    func theGuardRaisesOnce() async throws {
        // setup: one counter open for moving in, sixty tickets in its line
        let (store, _) = try await Self.store()
        let chuo = try #require(try await store.offices().first { $0.id == "chuo" })
        for counter in chuo.counters where counter.services.contains("moving-in") && counter.id != "c5" {
            _ = try await store.setCounter(office: "chuo", counter: counter.id, open: false)
        }
        let hub = Self.hub(store)
        for _ in 0..<60 {
            _ = try await store.issue(IssueRequest(office: "chuo", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
        }
        // act: a refresh, one more ticket, another refresh
        await hub.refreshDirtyOffices()
        _ = try await store.issue(IssueRequest(office: "chuo", service: "moving-in", channel: .kiosk), idempotencyKey: nil)
        await hub.refreshDirtyOffices()
        // verify: one alert.raised, over 60 minutes, naming moving in
        let raised = try await store.events(office: "chuo", date: nil, afterSeq: 0, limit: 10_000).filter { $0.type == .alertRaised }
        #expect(raised.count == 1)
        #expect((raised.first?.data["projectedMaxMinutes"]?.numberValue ?? 0) > 60)
        #expect(raised.first?.data["procedure"]?.stringValue == "moving-in")
    }
}
