import Foundation

extension OfficeSummary {
    /// The plain-text summary `madoguchi simulate` prints: per procedure, per hour, the 60-minute measure, counters,
    /// and time on site of remote versus paper-ticket holders.
    public func text(office: String) -> String {
        func minutes(_ seconds: Double) -> String { String(format: "%5.1f", seconds / 60) }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var out = "\(office): \(days) days, \(visitors) visitors (\(visitors / max(days, 1)) a day)\n"
        out += "  P(day max wait > \(Int(targets.maxWaitSeconds / 60)) min) = \(String(format: "%.3f", probabilityDayMaxOver))"
        out += "   counter-hours a day \(String(format: "%.1f", counterHoursPerDay))\n"
        out += "  procedure          tickets/day  mean   p50   p95   max  (minutes)\n"
        for (p, name) in procedures.enumerated() {
            let s = WaitStats(waits[p].flatMap { $0 })
            out += "  \(pad(name, 18)) \(String(format: "%9.1f", Double(s.count) / Double(max(days, 1))))  "
            out += "\(minutes(s.mean)) \(minutes(s.p50)) \(minutes(s.p95)) \(minutes(s.max))\n"
        }
        out += "  hour   tickets/day  mean   p50   p95   max  P(wait>\(Int(targets.hourlyWaitSeconds / 60))m)  utilisation by group\n"
        for (h, label) in hours.enumerated() {
            let sample = waits(hour: h)
            guard !sample.isEmpty || openSeconds.contains(where: { $0[h] > 0 }) else { continue }
            let s = WaitStats(sample)
            let over = sample.isEmpty ? 0 : Double(sample.filter { Double($0) > targets.hourlyWaitSeconds }.count) / Double(sample.count)
            let use = groups.indices.compactMap { g in utilisation(group: g, hour: h).map { "\(groups[g]) \(Int(($0 * 100).rounded()))%" } }
            out += "  \(pad(label, 6)) \(String(format: "%11.1f", Double(s.count) / Double(max(days, 1))))  "
            out += "\(minutes(s.mean)) \(minutes(s.p50)) \(minutes(s.p95)) \(minutes(s.max))  \(String(format: "%10.3f", over))  "
            out += use.joined(separator: ", ") + "\n"
        }
        let remote = WaitStats(onSiteWaitRemote)
        let paper = WaitStats(onSiteWaitPaper)
        out += "  time in the office before service: paper tickets mean \(minutes(paper.mean)) p95 \(minutes(paper.p95))"
        out += remote.count > 0 ? "; remote tickets mean \(minutes(remote.mean)) p95 \(minutes(remote.p95))\n" : "\n"
        if remoteVisitors > 0 {
            out +=
                "  remote tickets: \(remoteVisitors), of which \(remoteMissed) came after their call and the reactivation window and took a new ticket\n"
            out += String(
                format: "  \"come now\": P(called before arrival) %.3f, mean time in the office before the call %.1f min\n",
                remoteCalledBeforeArrivalShare, remoteMinutesOnSiteBeforeCall)
            out += String(
                format: "  arrival check-in %@: paper holders wait %.1f min on average, %.1f min in the office before their call\n",
                arrivalCheckIn ? "on" : "off", paperMeanWaitMinutes, paperMinutesOnSiteBeforeCall)
        }
        let ended = Outcome.allCases.filter { $0 != .open }.map { "\($0) \(outcomes[$0, default: 0])" }
        out +=
            "  outcomes: " + ended.joined(separator: ", ") + (outcomes[.open, default: 0] > 0 ? ", STILL OPEN \(outcomes[.open]!)" : "")
            + "\n"
        return out
    }
}
