import Foundation
import QueueCore
import QueueFixtures
import SQLiteStore
import Testing

/// One contract, every store: what the queue promises does not depend on where it is kept.
@Suite("Store contract")
struct StoreContractTests {
    let office = Fixtures.officeID

    @Test("numbers run per procedure and business day, from 001", arguments: Fixtures.StoreKind.allCases)
    func numbering(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        #expect(try await Fixtures.issue(store, "certificates").number.description == "A-001")
        #expect(try await Fixtures.issue(store, "certificates").number.description == "A-002")
        #expect(try await Fixtures.issue(store, "moving-in").number.description == "B-001")
        await #expect(throws: QueueError.serviceNotFound("nope")) { try await Fixtures.issue(store, "nope") }
        #expect(try await Fixtures.issue(store, "certificates").number.description == "A-003")
        clock.advance(seconds: 86_400)
        let tomorrow = try await Fixtures.issue(store, "certificates")
        #expect(tomorrow.number.description == "A-001")
        #expect(tomorrow.businessDate.description == "2026-03-31")
    }

    @Test("an Idempotency-Key returns the first ticket; reused with another request it is refused", arguments: Fixtures.StoreKind.allCases)
    func idempotentIssue(kind: Fixtures.StoreKind) async throws {
        let store = try await Fixtures.store(kind)
        let request = IssueRequest(office: office, service: "certificates", channel: .kiosk)
        let first = try await store.issue(request, idempotencyKey: "tap-1")
        let again = try await store.issue(request, idempotencyKey: "tap-1")
        #expect(first.created && !again.created)
        #expect(first.value.ticket.id == again.value.ticket.id)
        #expect(again.events.isEmpty)
        var other = request
        other.service = "moving-in"
        await #expect(throws: QueueError.idempotencyKeyReused) { try await store.issue(other, idempotencyKey: "tap-1") }
        #expect(try await Fixtures.issue(store, "certificates").number.sequence == 2)
    }

    @Test(
        "arrival check-in: a holder on the way keeps their place, is passed over, and goes next once here",
        arguments: Fixtures.StoreKind.allCases)
    func arrivalCheckIn(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let away = try await store.issue(
            IssueRequest(office: office, service: "certificates", channel: .web, travelMinutes: 20), idempotencyKey: nil
        ).value.ticket
        // Without a travel time the holder is taken to be here already.
        let here = try await store.issue(IssueRequest(office: office, service: "certificates", channel: .web), idempotencyKey: nil)
            .value.ticket
        #expect(away.onTheWay && !here.onTheWay)
        clock.advance(seconds: 10)
        let paper1 = try await Fixtures.issue(store, "certificates")
        clock.advance(seconds: 10)
        let paper2 = try await Fixtures.issue(store, "certificates")
        #expect(try await store.ticketView(paper1.id)?.position == 3, "the holder on the way still counts as ahead")

        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value?.ticket.id == here.id)
        _ = try await store.counterAction(.complete, office: office, counter: "c1")
        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value?.ticket.id == paper1.id)
        _ = try await store.counterAction(.complete, office: office, counter: "c1")

        let arrived = try await store.checkIn(ticket: away.id, by: nil)
        #expect(arrived.created && !arrived.value.ticket.onTheWay && arrived.events.map(\.type) == [.ticketArrived])
        #expect(try await store.checkIn(ticket: away.id, by: "session:desk5").created == false, "twice is no error")
        // Its place came long ago: it goes before the paper ticket that came after it.
        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value?.ticket.id == away.id)
        _ = try await store.counterAction(.complete, office: office, counter: "c1")
        await #expect(throws: QueueError.self) { try await store.checkIn(ticket: away.id, by: nil) }
        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value?.ticket.id == paper2.id)
    }

    @Test("call-next takes the longest-waiting ticket the counter can serve, and only one", arguments: Fixtures.StoreKind.allCases)
    func callNext(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let moving = try await Fixtures.issue(store, "moving-in")
        clock.advance(seconds: 10)
        let a1 = try await Fixtures.issue(store, "certificates")
        clock.advance(seconds: 10)
        let a2 = try await Fixtures.issue(store, "certificates")
        let called = try await store.callNext(office: office, counter: "c1", idempotencyKey: "click-1")
        #expect(called.value?.ticket.id == a1.id)
        #expect(called.value?.ticket.status == .called)
        #expect(called.value?.ticket.counter == "c1")
        // A double click with the same key gets the same ticket and calls no other.
        let retry = try await store.callNext(office: office, counter: "c1", idempotencyKey: "click-1")
        #expect(retry.value?.ticket.id == a1.id && retry.events.isEmpty)
        await #expect(throws: QueueError.counterBusy("c1", current: a1.number)) {
            try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        }
        #expect(try await store.callNext(office: office, counter: "c2", idempotencyKey: nil).value?.ticket.id == a2.id)
        #expect(try await store.callNext(office: office, counter: "c3", idempotencyKey: nil).value?.ticket.id == moving.id)
        _ = try await store.counterAction(.complete, office: office, counter: "c2")
        #expect(try await store.callNext(office: office, counter: "c2", idempotencyKey: nil).value == nil)
        _ = try await store.setCounter(office: office, counter: "c2", open: false)
        await #expect(throws: QueueError.counterClosed("c2")) {
            try await store.callNext(office: office, counter: "c2", idempotencyKey: nil)
        }
        await #expect(throws: QueueError.counterNotFound("c9")) {
            try await store.callNext(office: office, counter: "c9", idempotencyKey: nil)
        }
    }

    @Test(
        "a counter given another procedure for the day calls from that line too, and only that day", arguments: Fixtures.StoreKind.allCases)
    func skillsForTheDay(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let moving = try await Fixtures.issue(store, "moving-in")
        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value == nil)  // certificates only
        await #expect(throws: QueueError.serviceNotFound("passports")) {
            try await store.setSkills(office: office, counter: "c1", services: ["certificates", "passports"], by: "boss")
        }
        await #expect(throws: QueueError.invalidInput(field: "services", reason: "at least one procedure, none twice")) {
            try await store.setSkills(office: office, counter: "c1", services: [], by: "boss")
        }
        let changed = try await store.setSkills(office: office, counter: "c1", services: ["certificates", "moving-in"], by: "boss")
        #expect(changed.events.map(\.type) == [.counterSkillsChanged] && changed.events.first?.data["staff"] == .string("boss"))
        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value?.ticket.id == moving.id)
        // Kept by the store for that business day only.
        let state = try #require(try await store.counterStates(office: office).first { $0.id == "c1" })
        let today = try #require(LocalDate(parsing: "2026-03-30"))
        #expect(state.skills == ["certificates", "moving-in"] && state.skillsDate == today)
        #expect(state.services(configured: ["certificates"], on: today.adding(days: 1)) == ["certificates"])
        _ = try await store.counterAction(.complete, office: office, counter: "c1")
        clock.advance(seconds: 86_400)
        _ = try await Fixtures.issue(store, "moving-in")
        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value == nil)  // the next day: configured
    }

    @Test("priority tickets go first until the streak limit lets a normal one through", arguments: Fixtures.StoreKind.allCases)
    func priorityStreak(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let normal = try await Fixtures.issue(store, "certificates")
        for _ in 0..<3 {
            clock.advance(seconds: 1)
            _ = try await Fixtures.issue(store, "certificates", priority: 1)
        }
        var order: [Int] = []
        for _ in 0..<4 {
            let view = try #require(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value)
            order.append(view.ticket.priority)
            _ = try await store.counterAction(.complete, office: office, counter: "c1")
        }
        #expect(order == [1, 1, 0, 1])  // limit 2 in the fixture
        #expect(try await store.ticketView(normal.id)?.ticket.status == .completed)
    }

    @Test("no-show only after the grace; reactivation puts it back at the head within the window", arguments: Fixtures.StoreKind.allCases)
    func noShowAndReactivate(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let missed = try await Fixtures.issue(store, "certificates")
        clock.advance(seconds: 5)
        let next = try await Fixtures.issue(store, "certificates")
        _ = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        clock.advance(seconds: 30)
        await #expect(throws: QueueError.graceNotElapsed(remainingSeconds: 30)) {
            try await store.counterAction(.noShow, office: office, counter: "c1")
        }
        clock.advance(seconds: 30)
        #expect(try await store.counterAction(.noShow, office: office, counter: "c1").value.ticket.status == .noShow)
        #expect(try await store.ticketView(next.id)?.position == 1)
        let back = try await store.reactivate(office: office, number: missed.number)
        #expect(back.value.ticket.status == .waiting)
        #expect(back.value.position == 1)
        #expect(try await store.ticketView(next.id)?.position == 2)
        _ = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        clock.advance(seconds: 61)
        _ = try await store.counterAction(.noShow, office: office, counter: "c1")
        clock.advance(seconds: 601)
        await #expect(throws: QueueError.reactivationWindowPassed) { try await store.reactivate(office: office, number: missed.number) }
    }

    @Test("transfer keeps the number and joins the end of the other line", arguments: Fixtures.StoreKind.allCases)
    func transfer(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let visitor = try await Fixtures.issue(store, "moving-in")
        clock.advance(seconds: 1)
        let earlier = try await Fixtures.issue(store, "family-register")
        _ = try await store.callNext(office: office, counter: "c3", idempotencyKey: nil)
        _ = try await store.counterAction(.start, office: office, counter: "c3")
        await #expect(throws: QueueError.sameService) { try await store.transfer(office: office, counter: "c3", to: "moving-in") }
        clock.advance(seconds: 60)
        let moved = try await store.transfer(office: office, counter: "c3", to: "family-register")
        #expect(moved.value.ticket.number == visitor.number)
        #expect(moved.value.ticket.service == "family-register")
        #expect(moved.value.ticket.stage == 2)
        #expect(moved.value.position == 2)
        #expect(try await store.ticketView(earlier.id)?.position == 1)
        #expect(try await store.counterStates(office: office).first { $0.id == "c3" }?.current == nil)
    }

    @Test(
        "hold and running late put a ticket back once; cancel is idempotent and refused once served", arguments: Fixtures.StoreKind.allCases
    )
    func deferralsAndCancel(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let late = try await Fixtures.issue(store, "certificates")
        clock.advance(seconds: 1)
        let other = try await Fixtures.issue(store, "certificates")
        clock.advance(seconds: 1)
        let postponed = try await store.citizenAction(.runningLate, ticket: late.id)
        #expect(postponed.value.position == 2)
        await #expect(throws: QueueError.deferralLimitReached(limit: 1)) {
            try await store.citizenAction(.runningLate, ticket: late.id)
        }
        let cancelled = try await store.citizenAction(.cancel, ticket: other.id)
        #expect(cancelled.value.ticket.status == .cancelled && cancelled.events.count == 1)
        let again = try await store.citizenAction(.cancel, ticket: other.id)
        #expect(again.value.ticket.status == .cancelled && again.events.isEmpty)
        _ = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        _ = try await store.counterAction(.start, office: office, counter: "c1")
        await #expect(throws: QueueError.invalidTransition(from: .serving, action: "cancelled")) {
            try await store.citizenAction(.cancel, ticket: late.id)
        }
        await #expect(throws: QueueError.counterBusy("c1", current: late.number)) {
            try await store.setCounter(office: office, counter: "c1", open: false)
        }
        await #expect(throws: QueueError.ticketNotFound) { try await store.citizenAction(.cancel, ticket: TicketID.random()) }
    }

    @Test("position and the QL estimate follow the line and the open counters", arguments: Fixtures.StoreKind.allCases)
    func positionAndEstimate(kind: Fixtures.StoreKind) async throws {
        let store = try await Fixtures.store(kind)
        var last: TicketView?
        for _ in 0..<4 {
            last = try await store.issue(IssueRequest(office: office, service: "certificates", channel: .web), idempotencyKey: nil).value
        }
        let view = try #require(last)
        #expect(view.position == 4)
        // Two open certificate counters, 5 minutes each: 4 × 5 / 2 = 10 minutes.
        #expect(view.estimate?.minutes == 10)
        _ = try await store.setCounter(office: office, counter: "c2", open: false)
        #expect(try await store.ticketView(view.ticket.id)?.estimate?.minutes == 20)
        let snapshot = try #require(try await store.snapshot(office: office))
        #expect(snapshot.lines.first { $0.service == "certificates" }?.waiting == 4)
        #expect(snapshot.counters.count == 3)
    }

    @Test("events are logged in order, one per change, and can be read back by business day", arguments: Fixtures.StoreKind.allCases)
    func eventLog(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let ticket = try await Fixtures.issue(store, "certificates")
        _ = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        _ = try await store.counterAction(.start, office: office, counter: "c1")
        _ = try await store.counterAction(.complete, office: office, counter: "c1")
        let day = LocalDate(Fixtures.start, in: Fixtures.office.zone)
        let events = try await store.events(office: office, date: day, afterSeq: 0, limit: 100)
        let types = events.filter { $0.ticket == ticket.id }.map(\.type)
        #expect(types == [.ticketIssued, .ticketCalled, .ticketServing, .ticketCompleted])
        #expect(events.map(\.seq) == events.map(\.seq).sorted())
        #expect(events.first { $0.type == .ticketCalled }?.counter == "c1")
        let json = String(decoding: try JSONEncoder().encode(events.last!), as: UTF8.self)
        #expect(json.contains("+09:00"))
        #expect(try await store.events(office: office, date: LocalDate(year: 2026, month: 3, day: 31)!, afterSeq: 0, limit: 100).isEmpty)
    }

    @Test(
        "closing earlier days expires yesterday's open tickets, frees counters, and leaves today alone",
        arguments: Fixtures.StoreKind.allCases)
    func closeEarlierDays(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let waiting = try await Fixtures.issue(store, "certificates")
        let served = try await Fixtures.issue(store, "certificates")
        let done = try await Fixtures.issue(store, "moving-in")
        _ = try await store.callNext(office: office, counter: "c3", idempotencyKey: nil)
        _ = try await store.counterAction(.complete, office: office, counter: "c3")
        _ = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        _ = try await store.callNext(office: office, counter: "c2", idempotencyKey: nil)
        _ = try await store.counterAction(.start, office: office, counter: "c2")
        #expect(try await store.closeEarlierDays(office: office).value == 0)
        clock.advance(seconds: 86_400)
        let today = try await Fixtures.issue(store, "certificates")
        let closed = try await store.closeEarlierDays(office: office)
        #expect(closed.value == 2 && closed.events.allSatisfy { $0.type == .ticketExpired })
        for id in [waiting.id, served.id] { #expect(try await store.ticketView(id)?.ticket.status == .cancelled) }
        #expect(try await store.ticketView(done.id)?.ticket.status == .completed)
        #expect(try await store.ticketView(today.id)?.ticket.status == .waiting)
        #expect(try await store.counterStates(office: office).allSatisfy { $0.current == nil })
        #expect(try await store.closeEarlierDays(office: office).value == 0)
        #expect(try await store.callNext(office: office, counter: "c1", idempotencyKey: nil).value?.ticket.id == today.id)
    }

    @Test("each business day is planned once: one roster.planned per counter, none on a closed day", arguments: Fixtures.StoreKind.allCases)
    func planDay(kind: Fixtures.StoreKind) async throws {
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let config = try #require(try await store.offices().first { $0.id == office })
        let planned = try await store.planDay(office: office)
        #expect(planned.value == config.counters.count)
        let plans = planned.events.compactMap(CounterPlan.init(event:))
        #expect(plans.map(\.counter) == config.counters.map(\.id))
        #expect(plans.map(\.procedures) == config.counters.map(\.services))
        let hours = try #require(config.openingHours.hours(on: LocalDate(clock.now(), in: config.zone)))
        #expect(plans.allSatisfy { $0.open == [hours] })
        #expect(try await store.planDay(office: office).value == 0, "once a day")
        // Read back from the log, as prediction reads it.
        let logged = try await store.events(office: office, date: LocalDate(clock.now(), in: config.zone), afterSeq: 0, limit: 1000)
        #expect(logged.filter { $0.type == .rosterPlanned }.compactMap(CounterPlan.init(event:)) == plans)
        // The next day is planned again; a day the office is closed is not.
        var day = LocalDate(clock.now(), in: config.zone)
        for _ in 0..<7 {
            clock.advance(seconds: 86_400)
            day = day.adding(days: 1)
            let open = config.openingHours.hours(on: day) != nil
            #expect(try await store.planDay(office: office).value == (open ? config.counters.count : 0), "\(day)")
        }
        // A counter with hours of its own (a lunch rotation) is planned for those.
        var rotated = config
        rotated.counters[0].hours = ["09:00-11:30", "12:30-16:30"]
        #expect(rotated.problems().isEmpty)
        _ = try await store.importOffice(rotated)
        clock.advance(seconds: 7 * 86_400)
        let next = try await store.planDay(office: office).events.compactMap(CounterPlan.init(event:))
        #expect(next.first?.open == [(9 * 3600)..<(11 * 3600 + 1800), (12 * 3600 + 1800)..<(16 * 3600 + 1800)])
        #expect(next.dropFirst().allSatisfy { $0.open == [hours] })
        // Malformed hours are named, not guessed at.
        for bad in [["11:30-09:00"], ["09:00-12:00", "11:00-13:00"], ["9-12"]] {
            var broken = config
            broken.counters[0].hours = bad
            #expect(broken.problems().contains { $0.contains("hours") }, "\(bad)")
        }
    }

    @Test("a SQLite file keeps everything across a reopen")
    func sqliteReopen() async throws {
        let path = Fixtures.temporaryPath()
        let clock = ManualClock(Fixtures.start)
        do {
            let store = try SQLiteStore(path: path, commands: QueueCommands(clock: clock))
            _ = try await store.importOffice(Fixtures.office)
            for _ in 0..<3 {
                _ = try await store.issue(IssueRequest(office: office, service: "certificates", channel: .web), idempotencyKey: nil)
            }
        }
        let reopened = try SQLiteStore(path: path, commands: QueueCommands(clock: clock))
        #expect(try await reopened.snapshot(office: office)?.lines.first?.waiting == 3)
        #expect(
            try await reopened.issue(IssueRequest(office: office, service: "certificates", channel: .web), idempotencyKey: nil).value.ticket
                .number.sequence == 4)
    }

    @Test(
        "each committed command's events reach the store's listeners once, and a refused one tells nothing",
        arguments: Fixtures.StoreKind.allCases)
    func commitsArePublished(kind: Fixtures.StoreKind) async throws {
        // setup: a listener on the store's commits
        let store = try await Fixtures.store(kind)
        let heard = Heard()
        store.commits.listen(heard)
        // act: a ticket, a retried key, a refused command, a call and a start
        let issued = try await store.issue(IssueRequest(office: office, service: "certificates", channel: .kiosk), idempotencyKey: "k")
        _ = try await store.issue(IssueRequest(office: office, service: "certificates", channel: .kiosk), idempotencyKey: "k")
        await #expect(throws: QueueError.self) { try await Fixtures.issue(store, "nope") }
        let called = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        let started = try await store.counterAction(.start, office: office, counter: "c1")
        // verify: exactly the events the commands returned, in order, each once
        let expected = (issued.events + called.events + started.events).map(\.seq)
        #expect(expected.count == 3)
        #expect(heard.events.map(\.seq) == expected)
    }

    final class Heard: CommitListener, @unchecked Sendable {
        private let lock = NSLock()
        private var heard: [Event] = []
        var events: [Event] { lock.withLock { heard } }
        func committed(_ events: [Event]) { lock.withLock { heard += events } }
    }

}
