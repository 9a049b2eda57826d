import Foundation
import MemoryStore
import Notify
import QueueCore
import QueueFixtures
import Synchronization
import Testing

/// A transport that answers as told and counts what it was asked to send.
final class ScriptedTransport: AlertTransport, Sendable {
    enum Answer: Sendable { case ok, transient, permanent, hang }
    let channel: AlertChannel
    private let script: Mutex<[Answer]>
    let sent = Mutex<[(address: String, key: String, text: String)]>([])

    init(_ channel: AlertChannel, _ answers: [Answer]) {
        self.channel = channel
        script = Mutex(answers)
    }

    func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError) {
        let answer = script.withLock { $0.isEmpty ? .ok : $0.removeFirst() }
        switch answer {
        case .ok: sent.withLock { $0.append((address, key, message.text)) }
        case .transient: throw .transient("HTTP 503")
        case .permanent: throw .permanent("HTTP 410 gone")
        case .hang:
            try? await Task.sleep(for: .seconds(600))
            throw .transient("cancelled")
        }
    }
}

@Suite("Notifier")
struct NotifierTests {
    static let office = Office(
        id: "test", name: LocalizedText(ja: "テスト区役所", en: "Test Ward"),
        openingHours: OpeningHours(weekdays: [1, 2, 3, 4, 5, 6, 7], opens: "08:30", closes: "17:15", enforced: false),
        procedures: [
            Procedure(
                id: "certificates", prefix: "A", color: "#1565C0", name: .init(ja: "証明書", en: "Certificates"), typicalServiceSeconds: 300)
        ],
        counters: [Counter(id: "c1", label: "1", services: ["certificates"])],
        policy: OfficePolicy(noShowGraceSeconds: 60, reactivateWindowSeconds: 600, maxDeferrals: 1, priorityStreakLimit: 2))
    static let phone = "+819012345678"

    /// A store with one ticket that has a gateway contact and a queued "come now".
    func setUp(_ clock: ManualClock, channels: [AlertChannel] = [.gateway]) async throws -> (MemoryStore, Ticket) {
        let store = MemoryStore(commands: QueueCommands(clock: clock))
        _ = try await store.importOffice(Self.office)
        let ticket = try await store.issue(IssueRequest(office: "test", service: "certificates", channel: .web), idempotencyKey: nil).value
            .ticket
        for channel in channels {
            _ = try await store.addContact(
                ticket: ticket.id, channel: channel, address: channel == .gateway ? Self.phone : "U" + String(repeating: "0a", count: 16))
        }
        _ = try await store.markComeNow(ticket: ticket.id)
        return (store, ticket)
    }

    func notifier(_ store: MemoryStore, _ transports: [ScriptedTransport], attempts: Int = 3, timeout: Double = 5) -> Notifier {
        Notifier(
            store: store, transports: transports,
            policy: RetryPolicy(maxAttempts: attempts, baseSeconds: 2, capSeconds: 60, timeoutSeconds: timeout),
            compose: { AlertMessage(title: "\($0.kind.rawValue)", body: $0.number.description) })
    }

    @Test("a due alert is sent once with its delivery key, and never again")
    func sendsOnce() async throws {
        let clock = ManualClock(Fixtures.start)
        let (store, ticket) = try await setUp(clock)
        let gateway = ScriptedTransport(.gateway, [])
        let notifier = notifier(store, [gateway])
        #expect(await notifier.drain() == 1)
        #expect(await notifier.drain() == 0)
        let sent = gateway.sent.withLock { $0 }
        #expect(sent.count == 1)
        #expect(sent.first?.address == Self.phone && sent.first?.key == "madoguchi-test-1")
        #expect(sent.first?.text == "come_now\n\(ticket.number)")
        #expect(notifier.snapshot.sent[.gateway] == 1)
    }

    @Test("transient failures are retried with growing, jittered delays, then given up after the limit")
    func retriesThenGivesUp() async throws {
        let clock = ManualClock(Fixtures.start)
        let (store, _) = try await setUp(clock)
        let gateway = ScriptedTransport(.gateway, [.transient, .transient, .transient, .transient])
        let notifier = notifier(store, [gateway], attempts: 3)
        #expect(await notifier.drain() == 1)
        let first = try #require(try await store.alert(id: 1))
        #expect(first.attempts == 1 && first.lastError == "HTTP 503")
        let delay1 = first.nextAttemptAt.timeIntervalSince(clock.now())
        #expect(delay1 > 0 && delay1 <= 2)
        #expect(await notifier.drain() == 0, "not due before its time")
        clock.advance(seconds: 2)
        #expect(await notifier.drain() == 1)
        let second = try #require(try await store.alert(id: 1))
        #expect(second.attempts == 2)
        #expect(second.nextAttemptAt.timeIntervalSince(clock.now()) <= 4)
        clock.advance(seconds: 4)
        #expect(await notifier.drain() == 1)
        let last = try #require(try await store.alert(id: 1))
        #expect(last.attempts == 3 && last.failedAt != nil && last.lastError?.hasPrefix("gave up after 3 attempts") == true)
        clock.advance(seconds: 3600)
        #expect(await notifier.drain() == 0)
        #expect(notifier.snapshot.retried[.gateway] == 2 && notifier.snapshot.failed[.gateway] == 1)
        #expect(gateway.sent.withLock { $0.isEmpty })
    }

    @Test("a permanent refusal, a channel switched off, or a contact removed fails the alert at once")
    func permanentFailures() async throws {
        let clock = ManualClock(Fixtures.start)
        let (store, ticket) = try await setUp(clock, channels: [.gateway, .line])
        let gateway = ScriptedTransport(.gateway, [.permanent])
        let notifier = notifier(store, [gateway])  // LINE is off
        #expect(await notifier.drain() == 2)
        let alerts = [try await store.alert(id: 1), try await store.alert(id: 2)].compactMap { $0 }
        #expect(alerts.allSatisfy { $0.failedAt != nil && $0.attempts == 1 })
        #expect(alerts.contains { $0.lastError == "HTTP 410 gone" })
        #expect(alerts.contains { $0.lastError == "the line channel is switched off" })

        try await store.removeContact(ticket: ticket.id, channel: .gateway)
        _ = try await store.addContact(ticket: ticket.id, channel: .email, address: "x@example.jp")
        try await store.removeContact(ticket: ticket.id, channel: .email)
        _ = try await store.setCounter(office: "test", counter: "c1", open: true)
        _ = try await store.callNext(office: "test", counter: "c1", idempotencyKey: nil)
        // The e-mail contact, added after "come now", was alerted at once (then removed); the call is queued for the
        // LINE contact only, the gateway one being gone.
        #expect(await notifier.drain() == 2)
        let email = try #require(try await store.alert(id: 3))
        #expect(email.kind == .comeNow && email.channel == .email && email.failedAt != nil)
        let call = try #require(try await store.alert(id: 4))
        #expect(call.kind == .called && call.channel == .line && call.counterLabel == "1")
        #expect(try await store.alert(id: 5) == nil)
    }

    @Test("a channel that never answers is cut off at the timeout, and the others are sent meanwhile")
    func slowChannel() async throws {
        let clock = ManualClock(Fixtures.start)
        let (store, _) = try await setUp(clock, channels: [.gateway, .line])
        let gateway = ScriptedTransport(.gateway, [.hang])
        let line = ScriptedTransport(.line, [])
        let notifier = notifier(store, [gateway, line], timeout: 0.5)
        let started = ContinuousClock.now
        #expect(await notifier.drain() == 2)
        let took = ContinuousClock.now - started
        // Cut off long before the hang would end (the bound is loose: the whole suite shares two cores).
        #expect(took < .seconds(120), "\(took)")
        #expect(line.sent.withLock { $0.count } == 1)
        let hung = try #require(try await store.alert(id: 1))
        #expect(hung.channel == .gateway && hung.sentAt == nil && hung.lastError?.contains("no answer within") == true)
    }

    @Test("backoff: full jitter under base · 2^(n-1), capped")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 10, baseSeconds: 2, capSeconds: 60)
        #expect(policy.delay(afterAttempts: 1, u: 0.999) < 2)
        #expect(policy.delay(afterAttempts: 3, u: 0.999) > 7.9 && policy.delay(afterAttempts: 3, u: 0.999) < 8)
        #expect(policy.delay(afterAttempts: 9, u: 0.999) < 60)
        #expect(policy.delay(afterAttempts: 9, u: 0) == 0.05)
    }
}
