import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import QueueCore
import Testing

@testable import MadoguchiWeb
@testable import OfficeRuntime

/// Reports and open data over a real SQLite store: one worked day at Chuo, read back through the API.
@Suite struct ReportApiTests {
    /// Three certificate tickets at 10:00, 10:01 and 10:02; c1 calls the first at 10:10 (10 min), completes it at 10:15,
    /// calls the second at 10:20 (19 min), completes it at 10:30; the third is still waiting. Then the clock moves
    /// to the next day.
    static func workedDay(_ h: Harness, _ client: some TestClientProtocol) async throws {
        for k in 0..<3 {
            if k > 0 { h.clock.advance(seconds: 60) }
            _ = try await client.issue()
        }
        let base = "/api/v1/offices/chuo/counters/c1"
        h.clock.advance(seconds: 480)  // 10:10
        #expect(try await client.json(.post, "\(base)/call-next", token: h.staffChuo).status == .ok)
        h.clock.advance(seconds: 300)  // 10:15
        #expect(try await client.json(.post, "\(base)/complete", token: h.staffChuo).status == .ok)
        h.clock.advance(seconds: 300)  // 10:20
        #expect(try await client.json(.post, "\(base)/call-next", token: h.staffChuo).status == .ok)
        h.clock.advance(seconds: 600)  // 10:30
        #expect(try await client.json(.post, "\(base)/complete", token: h.staffChuo).status == .ok)
        h.clock.advance(seconds: 86_400)
    }

    static func account(_ h: Harness, role: StaffAccount.Role, office: String?) async throws -> String {
        let token = StaffTokens.generate()
        try await h.store.createStaff(
            StaffAccount(
                tokenHash: StaffTokens.hash(token), role: role, office: office.map { OfficeID($0) }, name: "report-\(role)",
                createdAt: h.clock.now()))
        return token
    }

    @Test func theReportShowsTheDayAsWorkedOutByHand() async throws {
        let h = try await Harness.make()
        let supervisor = try await Self.account(h, role: .supervisor, office: "chuo")
        try await h.test { client in
            try await Self.workedDay(h, client)
            let r = try await client.reply(
                ReportBody.self, .get, "/api/v1/reports/waits?from=2026-03-30&to=2026-03-31&by=date,procedure", token: supervisor)
            #expect(r.status == .ok)
            let report = try r.decoded()
            #expect(report.offices == ["chuo"])
            #expect(report.rows.count == 1)
            let row = try #require(report.rows.first)
            #expect(row["date"] == .string("2026-03-30") && row["procedure"] == .string("certificates"))
            #expect(row["tickets"] == .int(3) && row["called"] == .int(2))
            #expect(row["wait_mean_min"]?.numberValue == 14.5)  // (10 + 19) / 2
            #expect(row["wait_p50_min"]?.numberValue == 10)
            #expect(row["wait_p90_min"]?.numberValue == 19 && row["wait_max_min"]?.numberValue == 19)
            #expect(row["within_60_min_share"]?.numberValue == 1)
            #expect(row["service_mean_min"]?.numberValue == 7.5)  // (5 + 10) / 2
            #expect(row["remote_share"]?.numberValue == 1)
            #expect(row["simulated"] == .bool(false))
            #expect(report.histogram.counts[2] == 1 && report.histogram.counts[3] == 1)

            let csv = try await client.execute(
                uri: "/api/v1/reports/waits?from=2026-03-30&to=2026-03-30&by=procedure&format=csv&lang=ja", method: .get,
                headers: [.authorization: "Bearer \(supervisor)"])
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = String(buffer: csv.body).split(separator: "\r\n")
            #expect(
                lines.first?.hasSuffix(
                    "窓口ID,日付,手続ID,時台,受付件数,呼出件数,平均待ち時間_分,待ち時間中央値_分,待ち時間90パーセンタイル_分,待ち時間95パーセンタイル_分,最大待ち時間_分,60分以内の割合,平均応対時間_分,不在率,スマホ発券の割合,スマホ発券者の庁舎内待ち時間_分,満足度平均,満足度回答数,シミュレーション"
                ) == true)
            #expect(lines.dropFirst().first == ",,certificates,,3,2,14.5,10.0,19.0,19.0,19.0,1.000,7.5,0.000,1.000,,,0,false")
        }
    }

    @Test func reportsAreForSupervisorsOfTheirOwnOffices() async throws {
        let h = try await Harness.make()
        let supervisor = try await Self.account(h, role: .supervisor, office: "chuo")
        let cityWide = try await Self.account(h, role: .supervisor, office: nil)
        try await h.test { client in
            #expect(try await client.json(.get, "/api/v1/reports/waits").status == .unauthorized)
            #expect(try await client.json(.get, "/api/v1/reports/waits", token: h.staffChuo).status == .forbidden)
            let other = try await client.json(.get, "/api/v1/reports/waits?office=nishi", token: supervisor)
            #expect(other.status == .badRequest && errorCode(other.json) == "invalid_query")
            let all = try await client.reply(ReportBody.self, .get, "/api/v1/reports/waits", token: cityWide)
            #expect(all.value?.offices.count == 6)
            for bad in [
                "from=2026-3-1", "to=yesterday", "from=2026-03-31&to=2026-03-30", "from=2025-01-01&to=2026-03-30",
                "hour=24", "by=week", "procedure=passports", "format=xml", "lang=fr", "color=red", "from=2026-03-01&from=2026-03-02",
            ] {
                let r = try await client.json(.get, "/api/v1/reports/waits?\(bad)", token: cityWide)
                #expect(r.status == .badRequest && errorCode(r.json) == "invalid_query", "\(bad)")
            }
        }
    }

    @Test func openDataCoversDaysThatAreOver() async throws {
        let h = try await Harness.make()
        try await h.test { client in
            try await Self.workedDay(h, client)
            let daily = try await client.reply(OpenDataBody.self, .get, "/opendata/waits.json?from=2026-03-30&to=2026-03-30")
            #expect(daily.status == .ok && daily.value?.granularity == "daily")
            let records = try daily.decoded().records
            #expect(records.count == 1)
            #expect(records[0]["office"] == .string("chuo") && records[0]["tickets"] == .int(3))
            #expect(records[0]["hour"] == .null && records[0]["satisfaction_mean"] == .null)

            let hourly = try await client.execute(
                uri: "/opendata/waits.csv?granularity=hourly&office=chuo&from=2026-03-30&to=2026-03-30", method: .get)
            #expect(hourly.status == .ok && hourly.headers[.accessControlAllowOrigin] == "*")
            let lines = String(buffer: hourly.body).split(separator: "\r\n")
            #expect(lines.count == 2 && lines[1].hasPrefix("chuo,2026-03-30,certificates,10:00,3,2,14.5,"))

            let today = try await client.json(.get, "/opendata/waits.json?to=2026-03-31")
            #expect(today.status == .badRequest && errorCode(today.json) == "invalid_query")
            let hour = try await client.json(.get, "/opendata/waits.json?hour=10")
            #expect(hour.status == .badRequest && errorCode(hour.json) == "invalid_query")
        }
    }

    @Test func theReportsPageIsForSignedInSupervisors() async throws {
        let h = try await Harness.make()
        try await ConsoleTests.user(h)
        try await h.addUser("boss", password: "boss-pass-1", role: .supervisor, office: "chuo")
        try await h.test { client in
            try await Self.workedDay(h, client)
            let anonymous = try await client.page("/reports")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login?next=/reports")
            let desk = try await ConsoleTests.signIn(client)
            #expect(try await client.page("/reports", headers: desk).status == .forbidden)
            let boss = try await ConsoleTests.signIn(client, name: "boss", password: "boss-pass-1")
            let page = try await client.page("/reports?from=2026-03-30&to=2026-03-30&lang=en", headers: boss)
            #expect(page.status == .ok)
            #expect(page.html.contains(#"<span class="tile-value">3</span>"#))  // tickets
            #expect(page.html.contains(#"<span class="tile-value">14.5 min</span>"#))  // mean wait
            #expect(page.html.components(separatedBy: "<svg viewBox").count - 1 == 2)
            #expect(!page.html.contains("class=\"simulated\""))  // a real day
            #expect(!page.html.contains(" style="))  // the CSP forbids inline style
            let bad = try await client.page("/reports?from=2026-02-31", headers: boss)
            #expect(bad.status == .badRequest && bad.html.contains("from: a date as YYYY-MM-DD"))
            // One office shown: its reforms, and a form to record one (with the session's CSRF token).
            let chuo = try await client.page("/reports?office=chuo&lang=en", headers: boss)
            #expect(chuo.html.contains("No reform recorded for this office."))
            let csrf = try ConsoleTests.csrf(chuo.html)
            let posted = try await client.page(
                "/reports/reforms", method: .post, form: "csrf=\(csrf)&office=chuo&effective=2026-03-30&kind=signage&description=New+signs",
                headers: boss)
            #expect(posted.status == .seeOther)
            let forged = try await client.page(
                "/reports/reforms", method: .post, form: "csrf=00&office=chuo&effective=2026-03-30&kind=signage&description=Forged",
                headers: boss)
            #expect(forged.status == .forbidden)
            let after = try await client.page("/reports?office=chuo&lang=en", headers: boss)
            #expect(
                after.html.contains("Signage · New signs") && after.html.contains("No days after the reform yet.")
                    && !after.html.contains("Forged"))
            let csv = try await client.page("/reports/waits.csv?from=2026-03-30&to=2026-03-30&lang=en", headers: boss)
            #expect(csv.status == .ok && csv.html.contains("chuo,2026-03-30,certificates,,3,2,14.5"))
        }
    }

    /// Four weeks of the demo's simulated history, a reform two weeks ago: recorded, listed, evaluated.
    @Test func aReformIsRecordedAndEvaluated() async throws {
        let h = try await Harness.make()
        _ = try await DemoHistory.fill(store: h.store, weeks: 4, logger: .init(label: "test"))
        let supervisor = try await Self.account(h, role: .supervisor, office: "chuo")
        let nishi = try await Self.account(h, role: .supervisor, office: "nishi")
        try await h.test { client in
            let body = #"{"effective":"2026-03-16","kind":"form_guide","description":"記載台に記入例を設置"}"#
            #expect(try await client.json(.post, "/api/v1/offices/chuo/reforms", body: body, token: h.staffChuo).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/offices/chuo/reforms", body: body, token: nishi).status == .forbidden)
            let reply = try await client.reply(ReformBody.self, .post, "/api/v1/offices/chuo/reforms", body: body, token: supervisor)
            #expect(reply.status == .created)
            let made = try reply.decoded()
            #expect(made.kind == "form_guide" && made.recordedBy == "report-supervisor")
            #expect(made.before == ["2026-02-16", "2026-03-15"])
            #expect(made.after == ["2026-03-16", "2026-03-29"])
            let evaluation = try #require(made.evaluation)
            #expect(evaluation.beforeDays == 10 && evaluation.afterDays == 10)  // weekdays of the history
            #expect(["shorter", "longer", "unclear"].contains(evaluation.verdict))
            #expect(made.simulated)
            let list = try await client.reply([String: [ReformBody]].self, .get, "/api/v1/offices/chuo/reforms", token: supervisor)
            // Ours, newest first, then the demo history's own (a form-writing guide a week after its start).
            #expect(try list.decoded()["reforms"]?.map(\.effective) == ["2026-03-16", "2026-03-09"])
            for bad in [
                #"{"effective":"2026-13-01","kind":"signage","description":"x"}"#,
                #"{"effective":"2026-03-16","kind":"magic","description":"x"}"#,
                #"{"effective":"2026-03-16","kind":"signage","description":""}"#,
                #"{"effective":"2026-03-16","kind":"signage","description":"two\nlines"}"#,
                #"{"effective":"2020-03-16","kind":"signage","description":"long ago"}"#,
            ] {
                let r = try await client.json(.post, "/api/v1/offices/chuo/reforms", body: bad, token: supervisor)
                #expect(r.status == .unprocessableContent && errorCode(r.json) == "invalid_input", "\(bad)")
            }
        }
    }

    /// Five faces after the visit: once per completed ticket, on the page and through the API; at the kiosk, tied
    /// to no ticket. The report shows the mean.
    @Test func aCompletedVisitIsRatedOnce() async throws {
        let h = try await Harness.make()
        let supervisor = try await Self.account(h, role: .supervisor, office: "chuo")
        let kiosk = try await KioskTests.device(h)
        try await h.test { client in
            let done = try await client.issue()
            let waiting = try await client.issue()
            let token = done.token
            let other = waiting.token
            h.clock.advance(seconds: 600)
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/call-next", token: h.staffChuo)
            let before = try await client.page("/t/\(token)?lang=en")
            #expect(before.html.contains(#"data-rate hidden"#))  // shown once completed
            _ = try await client.json(.post, "/api/v1/offices/chuo/counters/c1/complete", token: h.staffChuo)
            let page = try await client.page("/t/\(token)?lang=en")
            #expect(page.html.contains("How was your visit?") && !page.html.contains("data-rate hidden"))
            #expect(page.html.contains(#"aria-label="Very satisfied""#))
            let early = try await client.json(.post, "/api/v1/tickets/\(other)/feedback", body: #"{"rating":3}"#)
            #expect(early.status == .conflict && errorCode(early.json) == "invalid_transition")
            let wrong = try await client.json(.post, "/api/v1/tickets/\(token)/feedback", body: #"{"rating":6}"#)
            #expect(wrong.status == .unprocessableContent && errorCode(wrong.json) == "invalid_input")
            let tapped = try await client.page("/t/\(token)/feedback", method: .post, form: "rating=4")
            #expect(tapped.status == .seeOther && tapped.headers[.location] == "/t/\(token)?rated=1")
            let again = try await client.json(.post, "/api/v1/tickets/\(token)/feedback", body: #"{"rating":1}"#)
            #expect(again.status == .conflict && errorCode(again.json) == "already_rated")
            let thanked = try await client.page("/t/\(token)?rated=1&lang=en")
            #expect(thanked.html.contains("Thank you for your rating.") && !thanked.html.contains("How was your visit?"))
            // At the kiosk: its device only.
            #expect(try await client.page("/kiosk/chuo/feedback", method: .post, form: "rating=5").status == .unauthorized)
            let atKiosk = try await client.page(
                "/kiosk/chuo/feedback", method: .post, form: "rating=2", headers: [.cookie: "device=\(kiosk)"])
            #expect(atKiosk.status == .seeOther)
            let overall = try await client.reply(ReportBody.self, .get, "/api/v1/reports/waits", token: supervisor).decoded().overall
            #expect(overall["satisfaction_mean"]?.numberValue == 3 && overall["satisfaction_count"] == .int(2))
        }
    }

    /// The best time to come, from two weeks of simulated history: every weekday, only opening hours, labelled.
    @Test func theBestTimeToComeIsLearnedFromHistory() async throws {
        let h = try await Harness.make()
        _ = try await DemoHistory.fill(store: h.store, weeks: 2, logger: .init(label: "test"))
        try await h.test { client in
            let r = try await client.reply(ForecastBody.self, .get, "/api/v1/offices/chuo/forecast?weeks=2")
            #expect(r.status == .ok && r.value?.simulated == true)
            let days = try r.decoded().weekdays
            #expect(days.map(\.weekday) == [1, 2, 3, 4, 5])
            for day in days {
                let hours = day.hours.map(\.hour)
                #expect(hours == Array(9...16), "\(hours)")  // opening hours, 9:00-16:30
                #expect(day.best.allSatisfy(hours.contains))
                #expect(day.days == 2)
            }
            #expect(try await client.json(.get, "/api/v1/offices/chuo/forecast?weeks=0").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/offices/chuo/forecast?procedure=passports").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/offices/atlantis/forecast").status == .notFound)
            let page = try await client.page("/offices/chuo?lang=en")
            #expect(page.html.contains("Best time to come") && page.html.contains("Demo: these weeks were simulated"))
            #expect(page.html.contains(#"<td class="level-"#))
        }
    }
}
