import Foundation
import PostgresStore
import QueueCore
import QueueFixtures
import Testing

@testable import PostgresStore
@testable import SQLiteStore

/// The line counts behind positions (`LineRank`): kept by every change (the state machine properties check that
/// after random actions on every store), and built from the waiting tickets when an older database first opens.
@Suite("Line counts")
struct LineRankTests {
    let office = Fixtures.officeID

    /// A day's mixed lines: two procedures, both priority classes, some called, one cancelled, one postponed.
    func fillLines(_ store: any QueueStore, clock: ManualClock) async throws -> [TicketID] {
        var tokens: [TicketID] = []
        for i in 0..<24 {
            if i % 3 != 0 { clock.advance(seconds: 7) }
            let service: ServiceID = i % 4 == 0 ? "moving-in" : "certificates"
            tokens.append(try await Fixtures.issue(store, service, priority: i % 5 == 0 ? 1 : 0).id)
        }
        _ = try await store.callNext(office: office, counter: "c1", idempotencyKey: nil)
        _ = try await store.callNext(office: office, counter: "c2", idempotencyKey: nil)
        _ = try await store.citizenAction(.cancel, ticket: tokens[10])
        _ = try await store.citizenAction(.runningLate, ticket: tokens[12])
        return tokens
    }

    /// Every waiting ticket's position against the count over the day's tickets; returns how many were checked.
    func expectPositionsCounted(_ store: any QueueStore, _ tokens: [TicketID]) async throws -> Int {
        var views: [TicketView] = []
        for token in tokens { if let view = try await store.ticketView(token) { views.append(view) } }
        let waiting = views.filter { $0.ticket.status == .waiting }
        for view in waiting {
            let counted = views.count {
                $0.ticket.status == .waiting && $0.ticket.service == view.ticket.service && Line.callsBefore($0.ticket, view.ticket)
            }
            #expect(view.position == counted + 1, "\(view.ticket.number): \(view.position ?? -1), counted \(counted + 1)")
        }
        return waiting.count
    }

    @Test("a SQLite file from before the line counts gets them built from its waiting tickets")
    func sqliteBackfill() async throws {
        let path = Fixtures.temporaryPath()
        let clock = ManualClock(Fixtures.start)
        var tokens: [TicketID] = []
        do {
            let store = try SQLiteStore(path: path, commands: QueueCommands(clock: clock))
            _ = try await store.importOffice(Fixtures.office)
            for counter in ["c1", "c2"] { _ = try await store.setCounter(office: office, counter: CounterID(counter), open: true) }
            tokens = try await fillLines(store, clock: clock)
            // As the file was before the migration: no counts, the migration not applied.
            try await store.write { ledger in
                try ledger.db.execute(sql: "DROP TABLE line_rank; DELETE FROM grdb_migrations WHERE identifier = 'v8-line-rank'")
            }
        }
        let reopened = try SQLiteStore(path: path, commands: QueueCommands(clock: clock))
        #expect(try await expectPositionsCounted(reopened, tokens) >= 18)
        // And kept from then on.
        _ = try await reopened.counterAction(.complete, office: office, counter: "c1")
        _ = try await reopened.callNext(office: office, counter: "c1", idempotencyKey: nil)
        tokens.append(try await Fixtures.issue(reopened, "certificates", priority: 1).id)
        #expect(try await expectPositionsCounted(reopened, tokens) >= 18)
    }

    @Test(
        "a PostgreSQL schema from before the line counts gets them built from its waiting tickets",
        .enabled(if: Fixtures.postgresURL != nil))
    func postgresBackfill() async throws {
        let url = try #require(Fixtures.postgresURL)
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let settings = try PostgresSettings(url: url + (url.contains("?") ? "&" : "?") + "pool=2&schema=\(schema)")
        let clock = ManualClock(Fixtures.start)
        let store = try await PostgresStore.open(settings, commands: QueueCommands(clock: clock))
        _ = try await store.importOffice(Fixtures.office)
        for counter in ["c1", "c2"] { _ = try await store.setCounter(office: office, counter: CounterID(counter), open: true) }
        var tokens = try await fillLines(store, clock: clock)
        try await store.write { ledger in
            try ledger.session.execute("DROP TABLE line_rank")
            try ledger.session.execute("DELETE FROM madoguchi_migration WHERE name = 'v4-line-rank'")
        }
        let reopened = try await PostgresStore.open(settings, commands: QueueCommands(clock: clock))
        #expect(try await expectPositionsCounted(reopened, tokens) >= 18)
        _ = try await reopened.counterAction(.complete, office: office, counter: "c1")
        _ = try await reopened.callNext(office: office, counter: "c1", idempotencyKey: nil)
        tokens.append(try await Fixtures.issue(reopened, "certificates", priority: 1).id)
        #expect(try await expectPositionsCounted(reopened, tokens) >= 18)
    }
}
