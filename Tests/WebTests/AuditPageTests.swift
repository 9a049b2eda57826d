import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb

/// The audit trail viewer: supervisors of the office see who did what, filtered, and download it as CSV.
@Suite struct AuditPageTests {
    @Test func supervisorsSeeWhoDidWhatFilteredAndAsCSV() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        try await h.addUser("boss", password: "boss-pass-1", role: .supervisor, office: "chuo")
        try await h.test { client in
            // 2026-03-30: three web tickets; the token account "desk" calls and completes two at c1; "report-staff"
            // closes c2.
            try await ReportApiTests.workedDay(h, client)
            let clerk = try await ReportApiTests.account(h, role: .staff, office: "chuo")
            #expect(try await client.json(.post, "/api/v1/offices/chuo/counters/c2/close", token: clerk).status == .ok)

            let anonymous = try await client.page("/audit")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login?next=/audit")
            let desk = try await ConsoleTests.signIn(client)
            #expect(try await client.page("/audit", headers: desk).status == .forbidden)
            let boss = try await ConsoleTests.signIn(client, name: "boss", password: "boss-pass-1")

            func rows(_ html: String) -> [String] { html.matches(of: /<tr><td>.*?<\/tr>/).map { String($0.output) } }
            let day = "office=chuo&from=2026-03-30&to=2026-03-31&lang=en"
            let staff = try await client.page("/audit?\(day)", headers: boss)
            #expect(staff.status == .ok)
            // Changes by staff only: two calls, two completions, the counter closed (the counters the demo opens
            // carry no account); the citizens' tickets are not among them.
            let changes = rows(staff.html)
            #expect(changes.count == 5, "\(changes)")
            #expect(changes.filter { $0.contains("<code>ticket.called</code>") && $0.contains("<td>desk</td>") }.count == 2)
            #expect(changes.contains { $0.contains("<code>counter.closed</code>") && $0.contains("<td>report-staff</td>") })
            #expect(!staff.html.contains("<code>ticket.issued</code>"))
            // Newest first.
            #expect(changes.first?.contains("counter.closed") == true)

            let everything = rows(try await client.page("/audit?\(day)&who=all", headers: boss).html)
            #expect(everything.filter { $0.contains("<code>ticket.issued</code>") }.count == 3)
            #expect(everything.count > changes.count)
            let byClerk = rows(try await client.page("/audit?\(day)&staff=report-staff", headers: boss).html)
            #expect(byClerk.count == 1)
            let atC1 = rows(try await client.page("/audit?\(day)&counter=c1&type=ticket.completed", headers: boss).html)
            #expect(atC1.count == 2 && atC1.allSatisfy { $0.contains("ticket.completed") })

            // Another office than theirs, a period too long, a bad date, an unknown filter: 400, with a message.
            for bad in [
                "office=nishi", "from=2026-01-01&to=2026-03-30", "from=2026-02-31", "counter=c99", "type=ticket.eaten", "who=some",
                "name=x",
            ] {
                let page = try await client.page("/audit?\(bad)&lang=en", headers: boss)
                #expect(page.status == .badRequest, "\(bad)")
            }

            // A My Number typed into the account filter is refused before anything reads it.
            let myNumber = try await client.page("/audit?\(day)&staff=4681-3579-0240", headers: boss)
            #expect(myNumber.status == .badRequest && myNumber.html.contains("my_number_refused"))

            let csv = try await client.page("/audit.csv?\(day)", headers: boss)
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.html.dropFirst().split(separator: "\r\n")  // the byte-order mark, then the lines
            #expect(lines.first == "time,office,type,staff,counter,number,procedure,channel,details,seq")
            #expect(lines.count == 6 && lines.dropFirst().allSatisfy { $0.contains(",chuo,") })
            #expect(try await client.page("/audit.csv?\(day)", headers: desk).status == .forbidden)
        }
    }
}
