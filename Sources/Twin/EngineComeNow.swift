import Foundation
import QueueCore

/// "Come now": when a remote holder sets out, by the scenario's rule, the advisor, or arrival check-in.
extension DayEngine {
    /// The holder sets out now: told "come now" (`comeNow`), or called while still at home.
    mutating func alert(_ t: Int, at now: Double, comeNow: Bool = true) {
        if holders[t].remote && !holders[t].alerted {
            unalerted -= 1
            if comeNow { emit(.ticketComeNow, t, -1, now) }
        }
        holders[t].alerted = true
        holders[t].onSiteAt = now + visitors.people[holders[t].visitor].travel
        if checkIn && !floor.tickets[t].present { heap.push(holders[t].onSiteAt, .checkIn, t) }
    }

    /// Arrival check-in: counter `c` just called, or found nobody here to call. Holders still at home and not yet
    /// told to come whose place in one of its lines has come (ahead of everyone present in their line: passed
    /// over) are told now, whatever the "come now" rule; their place waits for them.
    mutating func summonPassedOver(counter c: Int, at now: Double) {
        var due: [Int] = []
        for p in model.counters[c].procedures {
            var presentSeen = [false, false]
            floor.forEachWaiting(procedure: p, limit: 16) { _, t in
                let cls = min(floor.tickets[t].priority, 1)
                if floor.tickets[t].present {
                    presentSeen[cls] = true
                } else if !presentSeen[cls], holders[t].remote, !holders[t].alerted {
                    due.append(t)
                }
            }
        }
        for t in due { alert(t, at: now) }
    }

    /// Shows the advisor the office and alerts the remote holders it names (all waiting at home, or `only` one).
    mutating func adviseComeNow(at now: Double, only: Int? = nil) {
        guard let advisor, unalerted > 0 else { return }
        var candidates: [Int] = []
        for t in only.map({ [$0] }) ?? Array(holders.indices)
        where holders[t].remote && !holders[t].alerted && floor.tickets[t].status == .waiting {
            candidates.append(t)
        }
        guard !candidates.isEmpty else { return }
        let state = EngineState(
            model: model, roster: roster, floor: floor, now: now, busySince: busySince, calledWait: calledWait, closing: closing,
            remote: holders.map(\.remote), travel: holders.map { visitors.people[$0.visitor].travel },
            toldAt: holders.map { $0.alerted ? $0.onSiteAt - visitors.people[$0.visitor].travel : nil })
        for t in advisor.due(state, candidates: candidates) where !holders[t].alerted { alert(t, at: now) }
    }

    /// The scenario's "come now" rule for remote holders of procedure `p`: alert when few enough people are ahead,
    /// or when the queue-length estimate of the wait is within their travel time plus a buffer. Only the first
    /// `scanLimit` of a line are looked at.
    mutating func alertIfNear(procedure p: Int, at now: Double) {
        let behaviour = model.behaviour
        var servers = 0
        for i in countersServing.range(p) where floor.counterOpen[countersServing.values[i]] { servers += 1 }
        let perTicket = model.procedures[p].meanServiceSeconds
        // Past the position whose estimate exceeds the longest travel of the day plus the buffer, nobody is due.
        let reach = behaviour.comeNowBufferSeconds.map { buffer in
            servers > 0 ? Int(((longestTravel + buffer) * Double(servers) / perTicket).rounded(.up)) : 0
        }
        let scanLimit = min(200, behaviour.comeNowPeopleAhead.map { $0 + 1 } ?? reach ?? 0)
        floor.forEachWaiting(procedure: p, limit: scanLimit) { ahead, t in
            guard !holders[t].alerted else { return }
            if let n = behaviour.comeNowPeopleAhead {
                if ahead <= n { alert(t, at: now) }
            } else if let buffer = behaviour.comeNowBufferSeconds, servers > 0 {
                let estimate: Double = Double(ahead + 1) * perTicket / Double(servers)
                let travel: Double = visitors.people[holders[t].visitor].travel
                if estimate <= travel + buffer { alert(t, at: now) }
            }
        }
    }
}
