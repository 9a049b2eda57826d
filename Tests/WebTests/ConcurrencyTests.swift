import Foundation
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb

/// Exactly-once under concurrency, through the HTTP layer, on a real SQLite file.
@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("20 consoles calling concurrently over 1,000 waiting tickets call each exactly once, double clicks included")
    func concurrentCallNext() async throws {
        let h = try await Harness.make()
        // setup: chuo with 20 certificate counters, all open, and 1,000 waiting certificate tickets.
        var office = try #require(try await h.store.offices().first { $0.id == "chuo" })
        office.counters = (1...20).map { Counter(id: CounterID("k\($0)"), label: "\($0)", services: ["certificates"]) }
        _ = try await h.store.importOffice(office)
        for counter in office.counters { _ = try await h.store.setCounter(office: "chuo", counter: counter.id, open: true) }
        for _ in 0..<1000 {
            _ = try await h.store.issue(IssueRequest(office: "chuo", service: "certificates", channel: .kiosk), idempotencyKey: nil)
        }
        let token = h.staffChuo
        try await h.test { client in
            // act: each console loops call-next → complete; 5% of calls are sent twice with the same key.
            let calls = try await withThrowingTaskGroup(of: [String].self) { group in
                for console in 1...20 {
                    group.addTask {
                        var numbers: [String] = []
                        var click = 0
                        while true {
                            click += 1
                            let key = "k\(console)-\(click)"
                            let r = try await client.ticket(
                                .post, "/api/v1/offices/chuo/counters/k\(console)/call-next", token: token, key: key)
                            if r.status == .noContent { break }
                            #expect(r.status == .ok, "\(r.text)")
                            guard let number = r.value?.number.description else { break }
                            numbers.append(number)
                            if click % 20 == 0 {
                                let again = try await client.ticket(
                                    .post, "/api/v1/offices/chuo/counters/k\(console)/call-next", token: token, key: key)
                                #expect(again.value?.number.description == number)
                            }
                            let done = try await client.json(.post, "/api/v1/offices/chuo/counters/k\(console)/complete", token: token)
                            #expect(done.status == .ok)
                        }
                        return numbers
                    }
                }
                var all: [String] = []
                for try await numbers in group { all += numbers }
                return all
            }
            // verify: every ticket called once, none skipped.
            #expect(calls.count == 1000)
            #expect(Set(calls).count == 1000)
            #expect(Set(calls) == Set((1...1000).map { TicketNumber(prefix: "A", sequence: $0).description }))
        }
    }

    @Test("bench/callnext.lua's workload answers only 2xx; its one 409 per run was a console that began with complete")
    func callNextBenchAnswers() async throws {
        let h = try await Harness.make()
        // setup: as bench/chuo20.py, 20 open counters that serve every procedure; 400 waiting tickets of four procedures.
        var office = try #require(try await h.store.offices().first { $0.id == "chuo" })
        let services: [ServiceID] = ["certificates", "moving-in", "moving-out", "my-number-card"]
        office.counters = (1...20).map { Counter(id: CounterID("k\($0)"), label: "\($0)", services: services) }
        _ = try await h.store.importOffice(office)
        for counter in office.counters { _ = try await h.store.setCounter(office: "chuo", counter: counter.id, open: true) }
        for i in 0..<400 {
            let request = IssueRequest(office: "chuo", service: services[i % services.count], channel: .web)
            _ = try await h.store.issue(request, idempotencyKey: nil)
        }
        let token = h.staffChuo
        try await h.test { client in
            // act: each console sends call-next then complete, one in flight, as the bench did; console k1 sends one
            // complete first, as the bench's first wrk thread did (wrk calls request() once on it before the run).
            let answers = try await withThrowingTaskGroup(of: [(action: String, status: Int, code: String?)].self) { group in
                for console in 1...20 {
                    group.addTask {
                        let base = "/api/v1/offices/chuo/counters/k\(console)"
                        var out: [(action: String, status: Int, code: String?)] = []
                        func send(_ action: String) async throws -> Int {
                            let r = try await client.json(.post, "\(base)/\(action)", token: token)
                            out.append((action, Int(r.status.code), errorCode(r.json)))
                            return Int(r.status.code)
                        }
                        if console == 1 { _ = try await send("complete") }
                        while try await send("call-next") == 200 { _ = try await send("complete") }
                        return out
                    }
                }
                var all: [(action: String, status: Int, code: String?)] = []
                for try await part in group { all += part }
                return all
            }
            // verify: 400 calls and 400 completes answered 200, one 204 per console at the end, and the only other
            // answer is the 409 no_current_ticket to the complete sent first.
            let refused = answers.filter { $0.status >= 300 }
            #expect(refused.count == 1)
            #expect(refused.first?.action == "complete" && refused.first?.status == 409)
            #expect(refused.first?.code == "no_current_ticket")
            #expect(answers.filter { $0.action == "call-next" && $0.status == 200 }.count == 400)
            #expect(answers.filter { $0.action == "complete" && $0.status == 200 }.count == 400)
            #expect(answers.filter { $0.status == 204 }.count == 20)
        }
    }

    @Test("2,000 concurrent issues with 10% retried under the same key: no duplicate, none lost")
    func concurrentIssues() async throws {
        let h = try await Harness.make()
        let services = ["certificates", "moving-in", "moving-out", "my-number-card"]
        try await h.test { client in
            let results = try await withThrowingTaskGroup(of: [(key: String, token: String, number: String)].self) { group in
                for worker in 0..<200 {
                    group.addTask {
                        var out: [(key: String, token: String, number: String)] = []
                        for i in 0..<10 {
                            let key = "w\(worker)-\(i)"
                            let service = services[(worker + i) % services.count]
                            let attempts = (worker * 10 + i) % 10 == 0 ? 2 : 1
                            for _ in 0..<attempts {
                                let ticket = try await client.issue(service, key: key)
                                out.append((key, ticket.token.rawValue, ticket.number.description))
                            }
                        }
                        return out
                    }
                }
                var all: [(key: String, token: String, number: String)] = []
                for try await part in group { all += part }
                return all
            }
            #expect(results.count == 2200)
            let byKey = Dictionary(grouping: results, by: \.key)
            #expect(byKey.count == 2000)
            #expect(byKey.values.allSatisfy { Set($0.map(\.token)).count == 1 })
            let tickets = Set(results.map(\.token))
            #expect(tickets.count == 2000)
            let numbers = Set(results.map(\.number))
            #expect(numbers.count == 2000)
            for prefix in ["A", "B", "C", "M"] {
                let sequences = numbers.filter { $0.hasPrefix(prefix + "-") }.compactMap { Int($0.dropFirst(2)) }.sorted()
                #expect(sequences == Array(1...500), "prefix \(prefix)")
            }
            let stored = try await h.store.snapshot(office: "chuo")
            #expect(stored?.lines.reduce(0) { $0 + $1.waiting } == 2000)
        }
    }
}
