import Foundation
import QueueCore
import QueueFixtures
import SQLiteStore
import Testing

/// The alert half of the store contract: contacts, the outbox written in the change's own transaction, at most one
/// alert per (ticket, kind, round, channel), and nothing personal left after the ticket's day.
@Suite("Alert contract")
struct AlertContractTests {
    let office = Fixtures.officeID
    let phone = "+819012345678"  // " 090 1234 5678" as typed
    let lineUser = "U" + String(repeating: "ab", count: 16)

    @Test(
        "a call queues one alert per contact, in the call's transaction; a citizen's own cancel queues none",
        arguments: Fixtures.StoreKind.allCases)
    func callQueuesAlerts(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let mine = try await Fixtures.issue(store, "certificates")
        let other = try await Fixtures.issue(store, "certificates")
        _ = try await store.addContact(ticket: mine.id, channel: .gateway, address: phone)
        _ = try await store.addContact(ticket: mine.id, channel: .line, address: lineUser)
        #expect(try await store.dueAlerts(now: clock.now(), limit: 10).isEmpty, "no alert before anything happens")

        let called = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        #expect(called.value?.ticket.id == mine.id)
        let due = try await store.dueAlerts(now: clock.now(), limit: 10)
        #expect(due.map(\.channel).sorted { $0.rawValue < $1.rawValue } == [.gateway, .line])
        #expect(
            due.allSatisfy { $0.kind == .called && $0.number == mine.number && $0.counterLabel == "1" && $0.round == called.events[0].seq })
        #expect(Set(due.map(\.deliveryKey)).count == 2)

        // Recall: another round of the same ticket, alerted again.
        _ = try await store.counterAction(.recall, office: office, counter: "c1")
        #expect(try await store.dueAlerts(now: clock.now(), limit: 10).filter { $0.kind == .recalled }.count == 2)
        // The other ticket has no contact; its holder cancels it themselves: nothing queued.
        _ = try await store.citizenAction(.cancel, ticket: other.id)
        #expect(try await store.dueAlerts(now: clock.now(), limit: 10).count == 4)
    }

    @Test(
        "come now is recorded once per ticket, alerts every channel, and a later contact is alerted at once",
        arguments: Fixtures.StoreKind.allCases)
    func comeNowOnce(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let mine = try await Fixtures.issue(store, "certificates")
        _ = try await store.addContact(ticket: mine.id, channel: .gateway, address: phone)
        let first = try await store.markComeNow(ticket: mine.id)
        #expect(first.value && first.events.map(\.type) == [.ticketComeNow])
        let again = try await store.markComeNow(ticket: mine.id)
        #expect(!again.value && again.events.isEmpty, "a second node deciding the same adds nothing")
        #expect(try await store.dueAlerts(now: clock.now(), limit: 10).map(\.kind) == [.comeNow])
        _ = try await store.addContact(ticket: mine.id, channel: .line, address: lineUser)
        let due = try await store.dueAlerts(now: clock.now(), limit: 10)
        #expect(due.map(\.channel) == [.gateway, .line] && due.allSatisfy { $0.kind == .comeNow && $0.round == 0 })
        // Replacing a contact on the same channel queues nothing new.
        _ = try await store.addContact(ticket: mine.id, channel: .line, address: "U" + String(repeating: "cd", count: 16))
        #expect(try await store.dueAlerts(now: clock.now(), limit: 10).count == 2)
        // A called ticket is no longer "come now".
        _ = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        let other = try await Fixtures.issue(store, "certificates")
        _ = try await store.callNext(office: office, counter: "c2", idempotencyKey: nil)
        #expect(try await store.markComeNow(ticket: other.id).value == false)
    }

    @Test("staff cancelling a ticket alerts its holder; a bad address is refused with the reason", arguments: Fixtures.StoreKind.allCases)
    func staffCancelAndValidation(kind: Fixtures.StoreKind) async throws {
        let store = try await Fixtures.store(kind)
        let mine = try await Fixtures.issue(store, "certificates")
        for (channel, address) in [
            (AlertChannel.gateway, "call me"), (.gateway, "+0123456789"), (.gateway, "0120"), (.line, "Uxyz"), (.email, "no-at-sign"),
            (.email, "a@b"), (.webPush, #"{"endpoint":"ftp://x"}"#), (.webPush, "not json"), (.gateway, ""),
        ] {
            await #expect(throws: QueueError.self, "\(channel) \(address)") {
                try await store.addContact(ticket: mine.id, channel: channel, address: address)
            }
        }
        _ = try await store.addContact(ticket: mine.id, channel: .email, address: "someone@example.jp")
        // A number typed the Japanese way is kept in E.164.
        let typed = try await store.addContact(ticket: mine.id, channel: .gateway, address: " 090-1234-5678 ")
        #expect(typed.address == "+819012345678")
        try await store.removeContact(ticket: mine.id, channel: .gateway)
        let cancelled = try await store.cancelByOffice(office: office, number: mine.number, by: "desk-1")
        #expect(cancelled.value.ticket.status == .cancelled)
        #expect(cancelled.events.first?.data["staff"] == .string("desk-1"))
        let due = try await store.dueAlerts(now: Date.distantFuture, limit: 10)
        #expect(due.map(\.kind) == [.cancelled] && due.first?.counterLabel == nil)
        await #expect(throws: QueueError.self) { try await store.addContact(ticket: mine.id, channel: .gateway, address: phone) }
    }

    @Test(
        "a typed address serves at most three tickets a day; the ticket's own replacement does not count",
        arguments: Fixtures.StoreKind.allCases)
    func addressCap(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        var tickets: [Ticket] = []
        for _ in 0..<4 { tickets.append(try await Fixtures.issue(store, "certificates")) }
        for ticket in tickets.prefix(3) { _ = try await store.addContact(ticket: ticket.id, channel: .gateway, address: phone) }
        await #expect(throws: QueueError.self) { try await store.addContact(ticket: tickets[3].id, channel: .gateway, address: phone) }
        _ = try await store.addContact(ticket: tickets[0].id, channel: .gateway, address: " 090 1234 5678")  // its own number again
        _ = try await store.addContact(ticket: tickets[3].id, channel: .email, address: "family@example.jp")
        clock.advance(seconds: 86_400)
        let tomorrow = try await Fixtures.issue(store, "certificates")
        _ = try await store.addContact(ticket: tomorrow.id, channel: .gateway, address: phone)
    }

    @Test(
        "an attempt is recorded once: sent or given up, it is never due again; a retry comes due at its time",
        arguments: Fixtures.StoreKind.allCases)
    func outcomes(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let mine = try await Fixtures.issue(store, "certificates")
        _ = try await store.addContact(ticket: mine.id, channel: .gateway, address: phone)
        _ = try await store.addContact(ticket: mine.id, channel: .line, address: lineUser)
        _ = try await store.markComeNow(ticket: mine.id)
        let due = try await store.dueAlerts(now: clock.now(), limit: 10)
        let gateway = try #require(due.first { $0.channel == .gateway })
        let line = try #require(due.first { $0.channel == .line })
        #expect(
            try await store.recordAlert(
                id: gateway.id, attempts: 1, outcome: .retry(at: clock.now().addingTimeInterval(30), error: "HTTP 503")))
        #expect(try await store.recordAlert(id: line.id, attempts: 1, outcome: .sent))
        #expect(try await store.recordAlert(id: line.id, attempts: 2, outcome: .sent) == false, "already sent")
        #expect(try await store.dueAlerts(now: clock.now(), limit: 10).isEmpty)
        clock.advance(seconds: 30)
        let retry = try #require(try await store.dueAlerts(now: clock.now(), limit: 10).first)
        #expect(retry.id == gateway.id && retry.attempts == 1 && retry.lastError == "HTTP 503")
        #expect(try await store.recordAlert(id: gateway.id, attempts: 2, outcome: .failed(error: "gave up")))
        #expect(try await store.dueAlerts(now: Date.distantFuture, limit: 10).isEmpty)
        #expect(try await store.alert(id: line.id)?.sentAt != nil)
        #expect(try await store.alert(id: gateway.id)?.failedAt != nil)
    }

    @Test("a claimed alert is no other sender's until its lease runs out", arguments: Fixtures.StoreKind.allCases)
    func claims(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let mine = try await Fixtures.issue(store, "certificates")
        _ = try await store.addContact(ticket: mine.id, channel: .gateway, address: phone)
        _ = try await store.addContact(ticket: mine.id, channel: .email, address: "a@example.jp")
        _ = try await store.markComeNow(ticket: mine.id)
        let first = try await store.claimAlerts(limit: 1, leaseSeconds: 60)
        #expect(first.count == 1 && first[0].nextAttemptAt == clock.now().addingTimeInterval(60))
        let second = try await store.claimAlerts(limit: 10, leaseSeconds: 60)
        #expect(second.count == 1 && second[0].id != first[0].id, "the other one only")
        #expect(try await store.claimAlerts(limit: 10, leaseSeconds: 60).isEmpty, "both are taken")
        clock.advance(seconds: 61)
        // The first sender died without a word: its alerts come due again.
        #expect(Set(try await store.claimAlerts(limit: 10, leaseSeconds: 60).map(\.id)) == Set([first[0].id, second[0].id]))
    }

    @Test("contacts and alerts of earlier days are purged, today's stay", arguments: Fixtures.StoreKind.allCases)
    func retention(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let yesterday = try await Fixtures.issue(store, "certificates")
        _ = try await store.addContact(ticket: yesterday.id, channel: .gateway, address: phone)
        _ = try await store.markComeNow(ticket: yesterday.id)
        #expect(try await store.purgeContacts(office: office) == 0, "nothing of today goes")
        clock.advance(seconds: 86_400)
        let today = try await Fixtures.issue(store, "certificates")
        _ = try await store.addContact(ticket: today.id, channel: .line, address: lineUser)
        #expect(try await store.purgeContacts(office: office) == 1)
        #expect(try await store.contacts(ticket: yesterday.id).isEmpty)
        #expect(try await store.contacts(ticket: today.id).map(\.channel) == [.line])
        #expect(try await store.dueAlerts(now: Date.distantFuture, limit: 10).isEmpty, "yesterday's alert went with its contact")
    }

    @Test("guide answers are checked, replaced, kept for the day and purged with the contacts", arguments: Fixtures.StoreKind.allCases)
    func guideAnswers(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let yesterday = try await Fixtures.issue(store, "moving-in")
        let filled = try await store.fillGuide(ticket: yesterday.id, answers: ["people": "2", "from": "abroad"])
        #expect(filled.answers == ["people": "2", "from": "abroad"] && filled.number == yesterday.number)
        _ = try await store.fillGuide(ticket: yesterday.id, answers: ["people": "3"])
        #expect(try await store.guideAnswers(ticket: yesterday.id)?.answers == ["people": "3"], "a second save replaces the first")
        await #expect(throws: QueueError.self) { _ = try await store.fillGuide(ticket: yesterday.id, answers: ["name": "x"]) }
        let certificate = try await Fixtures.issue(store, "certificates")
        await #expect(throws: QueueError.self, "certificates have no guide") {
            _ = try await store.fillGuide(ticket: certificate.id, answers: [:])
        }
        _ = try await store.citizenAction(.cancel, ticket: certificate.id)
        let finished = try await Fixtures.issue(store, "moving-in")
        _ = try await store.citizenAction(.cancel, ticket: finished.id)
        await #expect(throws: QueueError.self, "a finished ticket takes no answers") {
            _ = try await store.fillGuide(ticket: finished.id, answers: ["people": "1"])
        }

        clock.advance(seconds: 86_400)
        let today = try await Fixtures.issue(store, "moving-in")
        _ = try await store.fillGuide(ticket: today.id, answers: ["card-move": "yes"])
        #expect(try await store.purgeContacts(office: office) == 1, "yesterday's answers go")
        #expect(try await store.guideAnswers(ticket: yesterday.id) == nil)
        #expect(try await store.guideAnswers(ticket: today.id)?.answers == ["card-move": "yes"])
    }
}

/// The retention rule, checked where it matters: in the bytes of the SQLite files themselves.
@Suite("Retention on disk")
struct RetentionOnDiskTests {
    @Test("after the day's purge, no contact of any channel and no guide answer is left in the database file or its log")
    func purgedFromTheFiles() async throws {
        let clock = ManualClock(Fixtures.start)
        let path = Fixtures.temporaryPath()
        let store = try SQLiteStore(path: path, commands: QueueCommands(clock: clock))
        _ = try await store.importOffice(Fixtures.office)
        for counter in Fixtures.office.counters {
            _ = try await store.setCounter(office: Fixtures.officeID, counter: counter.id, open: true)
        }
        let secrets = [
            (AlertChannel.gateway, "+819087654321"), (.email, "retention.check@example.jp"),
            (.line, "U" + String(repeating: "9e", count: 16)),
            (
                .webPush,
                #"{"endpoint":"https://fcm.googleapis.com/fcm/send/retention-check-endpoint","keys":{"p256dh":"BRetentionCheckKey","auth":"RetentionAuth"}}"#
            ),
        ]
        var tickets: [Ticket] = []
        for (channel, address) in secrets {
            let ticket = try await Fixtures.issue(store, "certificates")
            _ = try await store.addContact(ticket: ticket.id, channel: channel, address: address)
            _ = try await store.markComeNow(ticket: ticket.id)
            tickets.append(ticket)
        }
        // What a holder answered of the form-writing guide goes the same way.
        let mover = try await Fixtures.issue(store, "moving-in")
        _ = try await store.fillGuide(ticket: mover.id, answers: ["moved-on": "2031-02-28"])
        _ = try await store.newLinkCode(ticket: tickets[0].id, channel: .line)
        _ = try await store.callNext(office: Fixtures.officeID, counter: "c1", idempotencyKey: nil)

        func onDisk() throws -> [String] {
            var bytes = Data()
            for suffix in ["", "-wal", "-shm"] {
                if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
            }
            let needles = secrets.map(\.1) + ["retention-check-endpoint", "2031-02-28"]
            return needles.filter { bytes.range(of: Data($0.utf8)) != nil }
        }
        // The scan finds them while they are kept (so it can fail), in the log or, after a checkpoint, the file.
        #expect(try onDisk().count == secrets.count + 2)
        try await store.scrub()
        #expect(try onDisk().count == secrets.count + 2)

        clock.advance(seconds: 86_400)
        #expect(try await store.purgeContacts(office: Fixtures.officeID) == secrets.count + 1)
        let left = try onDisk()
        #expect(left.isEmpty, "left on disk: \(left)")
        // The queue's own record stays: the tickets and their events (numbers and times, nothing personal).
        #expect(try await store.ticketView(tickets[0].id) != nil)
    }
}
