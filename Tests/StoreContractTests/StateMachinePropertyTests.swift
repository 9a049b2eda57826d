import Foundation
import QueueCore
import QueueFixtures
import Testing

/// Random action sequences against every store. Set MADOGUCHI_SEED to repeat a run; the seed is printed.
@Suite("State machine properties")
struct StateMachinePropertyTests {
    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["MADOGUCHI_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64(UInt32.max))

    @Test(
        "random actions keep every invariant, positions from the line counts equal counted ones, and replaying the log rebuilds the state",
        arguments: Fixtures.StoreKind.allCases)
    func randomActions(kind: Fixtures.StoreKind) async throws {
        print("StateMachinePropertyTests seed=\(Self.seed) store=\(kind) (set MADOGUCHI_SEED to repeat)")
        var rng = SplitMix64(seed: Self.seed)
        let clock = ManualClock(Fixtures.start)
        let store = try await Fixtures.store(kind, clock: clock)
        let office = Fixtures.office
        let services = office.procedures.map(\.id)
        let counters = office.counters.map(\.id)
        var tokens: [TicketID] = []
        var finished: [TicketID: TicketStatus] = [:]
        var refusals = 0

        // PostgreSQL answers each of the many reads below over the network: fewer steps keep the run near a minute.
        for step in 0..<(kind == .postgres ? 300 : 600) {
            // One step in five at the same millisecond as the last: ties the line counts cannot tell apart.
            if Int.random(in: 0..<5, using: &rng) > 0 { clock.advance(seconds: Double.random(in: 0...40, using: &rng)) }
            let counter = counters.randomElement(using: &rng)!
            do {
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<30:
                    let key = Bool.random(using: &rng) ? "k\(Int.random(in: 0..<400, using: &rng))" : nil
                    let service = services.randomElement(using: &rng)!
                    let urgent = Int.random(in: 0..<5, using: &rng) == 0
                    // A third of them on their way, held until they check in.
                    let away = Int.random(in: 0..<3, using: &rng) == 0
                    let result = try await store.issue(
                        IssueRequest(
                            office: office.id, service: service, channel: .web, priority: urgent ? 1 : 0,
                            travelMinutes: away ? Int.random(in: 5...60, using: &rng) : nil,
                            priorityReason: urgent ? PriorityReason.allCases.randomElement(using: &rng) : nil),
                        idempotencyKey: key)
                    if result.created { tokens.append(result.value.ticket.id) }
                case 30..<50:
                    _ = try await store.callNext(office: office.id, counter: counter, idempotencyKey: nil)
                case 50..<75:
                    _ = try await store.counterAction(
                        CounterAction.allCases.randomElement(using: &rng)!, office: office.id, counter: counter)
                case 75..<80:
                    _ = try await store.transfer(office: office.id, counter: counter, to: services.randomElement(using: &rng)!)
                case 80..<85:
                    _ = try await store.setCounter(office: office.id, counter: counter, open: Int.random(in: 0..<4, using: &rng) > 0)
                case 85..<92:
                    if let token = tokens.randomElement(using: &rng) { _ = try await store.citizenAction(.cancel, ticket: token) }
                case 92..<94:
                    if let token = tokens.randomElement(using: &rng) { _ = try await store.citizenAction(.runningLate, ticket: token) }
                case 94..<96:
                    if let token = tokens.randomElement(using: &rng) { _ = try await store.checkIn(ticket: token, by: nil) }
                default:
                    if let token = tokens.randomElement(using: &rng), let view = try await store.ticketView(token) {
                        _ = try await store.reactivate(office: office.id, number: view.ticket.number)
                    }
                }
            } catch is QueueError {
                refusals += 1  // A refused action must change nothing; the invariants below check that.
            }

            let views = try await currentViews(store, tokens)
            let tickets = views.map(\.ticket)
            // A position read from the line counts (`LineRank`) is the one counting finds.
            for view in views where view.ticket.status == .waiting {
                let counted = tickets.count {
                    $0.status == .waiting && $0.businessDate == view.ticket.businessDate && $0.service == view.ticket.service
                        && $0.id != view.ticket.id && Line.callsBefore($0, view.ticket)
                }
                #expect(
                    view.position == counted + 1, "step \(step): \(view.ticket.number) at \(view.position ?? -1), counted \(counted + 1)")
            }
            // Nothing leaves a terminal state.
            for ticket in tickets {
                if let before = finished[ticket.id] {
                    #expect(ticket.status == before, "step \(step): \(ticket.number) left terminal \(before)")
                }
                if ticket.isTerminal { finished[ticket.id] = ticket.status }
            }
            // A ticket is at no more than one counter, and a counter holds no more than one ticket.
            let held = tickets.filter(\.holdsCounter)
            // Nobody on their way is ever at a counter.
            #expect(held.allSatisfy { !$0.onTheWay }, "step \(step): a ticket on its way was called")
            #expect(Set(held.compactMap(\.counter)).count == held.count, "step \(step): two tickets at one counter")
            let states = try await store.counterStates(office: office.id)
            for state in states where state.current != nil {
                let holder = tickets.first { $0.id == state.current }
                #expect(
                    holder?.holdsCounter == true && holder?.counter == state.id, "step \(step): counter \(state.id) points at a free ticket"
                )
            }
            for ticket in held {
                #expect(
                    states.first { $0.id == ticket.counter }?.current == ticket.id,
                    "step \(step): \(ticket.number) held but not by its counter")
            }
        }

        let tickets = try await currentViews(store, tokens).map(\.ticket)
        // Numbers are unique and contiguous per procedure prefix and day.
        for prefix in Set(tickets.map(\.number.prefix)) {
            let sequences = tickets.filter { $0.number.prefix == prefix }.map(\.number.sequence).sorted()
            #expect(sequences == Array(1...sequences.count), "prefix \(prefix): \(sequences)")
        }
        // Replaying the event log rebuilds the same tickets and counters.
        let events = try await store.events(office: office.id, date: nil, afterSeq: 0, limit: 1_000_000)
        var replayed: [TicketID: Ticket] = [:]
        var counterStates = Dictionary(uniqueKeysWithValues: counters.map { ($0, CounterState(id: $0)) })
        for event in events {
            if event.type == .ticketIssued {
                replayed[event.ticket!] = Ticket(issuedBy: event)
            } else if let id = event.ticket {
                replayed[id] = replayed[id]?.evolved(by: event)
            }
            for id in counters { counterStates[id] = counterStates[id]!.evolved(by: event) }
        }
        #expect(replayed.count == tickets.count)
        for ticket in tickets { #expect(replayed[ticket.id] == ticket, "replay differs for \(ticket.number)") }
        let stored = try await store.counterStates(office: office.id)
        for state in stored { #expect(counterStates[state.id] == state, "replay differs for counter \(state.id)") }
        print("seed=\(Self.seed) store=\(kind): \(tickets.count) tickets, \(events.count) events, \(refusals) refusals")
        #expect(tickets.count > 50 && refusals > 0)
    }

    private func currentViews(_ store: any QueueStore, _ tokens: [TicketID]) async throws -> [TicketView] {
        var views: [TicketView] = []
        for token in tokens { if let view = try await store.ticketView(token) { views.append(view) } }
        return views
    }
}
