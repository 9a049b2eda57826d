import Foundation
import QueueCore

/// One ticket's stay in one procedure's line, from joining it (issue, or a transfer) to leaving it: the unit every
/// report counts. A ticket transferred to another procedure is one visit in each line it joined; its wait in each
/// line is measured from joining that line to its first call there, the wait a counter's 60-minute target is about.
public struct Visit: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        case completed, transferred
        case noShow = "no_show"
        /// By the holder, or by staff.
        case cancelled
        /// Still open when the business day ended.
        case expired
        /// Not over yet (today).
        case open
    }

    public var office: OfficeID
    /// The ticket's business date.
    public var date: LocalDate
    public var procedure: ServiceID
    public var ticket: TicketID
    /// 1 for the ticket's first line, 2 after one transfer, …
    public var stage: Int
    /// The office-local hour (0–23) in which the visit joined the line.
    public var hour: Int
    public var channel: Channel?
    public var priority: Int
    public var joinedAt: Date
    /// For a remote ticket held until its holder checked in (`ticket.arrived`): when they arrived.
    public var arrivedAt: Date?
    public var firstCalledAt: Date?
    /// Counter time of the visit's last call: from that call to completion or transfer.
    public var serviceSeconds: Double?
    public var outcome: Outcome
    /// When the visit left its line without a call (cancelled, expired), or ended at a counter.
    public var endedAt: Date?
    /// For a remote holder who checked in, the seconds from arriving to the first call; for one told "come now"
    /// who gave a travel time without check-in, estimated as the call minus (the alert + the travel time), and 0
    /// when called before arriving.
    public var onSiteSeconds: Double?
    /// Set on days the twin wrote (`data.simulated` of `ticket.issued`): demo history, never a real office's.
    public var simulated: Bool

    /// A ticket taken from a phone (web or LINE) rather than a kiosk or at a counter.
    public var remote: Bool { channel?.isRemote == true }

    /// When the visit started waiting in the office: joining the line, or arriving for a ticket held until check-in.
    public var waitingSince: Date { max(joinedAt, arrivedAt ?? joinedAt) }

    /// Seconds in the office before the first call: from joining the line (from arriving, for a ticket held until
    /// check-in: time at home and on the way is not a wait at the counter); nil when never called.
    public var waitSeconds: Double? { firstCalledAt.map { $0.timeIntervalSince(waitingSince) } }

    /// Whether the visit waited longer than `limit` seconds: called after that, or left uncalled after that. Nil
    /// when the log cannot tell (left uncalled sooner, or still waiting).
    public func waited(over limit: Double) -> Bool? {
        if let wait = waitSeconds { return wait > limit }
        if let endedAt, endedAt.timeIntervalSince(waitingSince) > limit { return true }
        return nil
    }
}

/// Turns an office's event log into visits. Feed events in `seq` order; visits come out in the order their lines
/// were joined. Ratings (`feedback.given`) are collected apart: they belong to a ticket, not to one of its lines.
public struct VisitLog: Sendable {
    public private(set) var visits: [Visit] = []
    public private(set) var ratings: [Rating] = []
    private var current: [TicketID: Int] = [:]
    private var lastCall: [TicketID: Date] = [:]
    private var travel: [TicketID: Double] = [:]
    private var comeNow: [TicketID: Date] = [:]

    public init() {}

    public static func visits(_ events: [Event]) -> VisitLog {
        var log = VisitLog()
        for event in events { log.add(event) }
        return log
    }

    public mutating func add(_ e: Event) {
        // A rating may come from the kiosk, tied to no ticket.
        if e.type == .feedbackGiven {
            if let score = e.rating, Rating.scale.contains(score) {
                ratings.append(
                    Rating(
                        office: e.office, date: e.localDate, procedure: e.service, score: score,
                        waitSeconds: e.ratedWaitSeconds, simulated: e.isSimulated))
            }
            return
        }
        guard let id = e.ticket else { return }
        if e.type == .ticketIssued {
            let date = e.businessDate ?? e.localDate
            if let minutes = e.travelMinutes { travel[id] = Double(minutes) * 60 }
            join(e, ticket: id, date: date, stage: 1, simulated: e.isSimulated)
            return
        }
        guard let i = current[id] else { return }
        switch e.type {
        case .ticketCalled:
            if visits[i].firstCalledAt == nil {
                visits[i].firstCalledAt = e.at
                if let arrived = visits[i].arrivedAt {
                    visits[i].onSiteSeconds = max(0, e.at.timeIntervalSince(arrived))
                } else if let told = comeNow[id], let seconds = travel[id], visits[i].stage == 1 {
                    visits[i].onSiteSeconds = max(0, e.at.timeIntervalSince(told) - seconds)
                }
            }
            lastCall[id] = e.at
        case .ticketCompleted:
            end(i, ticket: id, at: e.at, .completed, served: true)
        case .ticketTransferred:
            end(i, ticket: id, at: e.at, .transferred, served: true)
            let previous = visits[i]
            join(e, ticket: id, date: previous.date, stage: previous.stage + 1, simulated: previous.simulated)
        case .ticketNoShow:
            end(i, ticket: id, at: e.at, .noShow, served: false)
        case .ticketReactivated:
            visits[i].outcome = .open
            visits[i].endedAt = nil
        case .ticketCancelled:
            end(i, ticket: id, at: e.at, .cancelled, served: false)
        case .ticketExpired:
            end(i, ticket: id, at: e.at, .expired, served: false)
        case .ticketComeNow:
            comeNow[id] = e.at
        case .ticketArrived:
            visits[i].arrivedAt = e.at
        case .ticketTravelChanged:
            if let minutes = e.travelMinutes { travel[id] = Double(minutes) * 60 }
        default:
            break
        }
    }

    private mutating func join(_ e: Event, ticket id: TicketID, date: LocalDate, stage: Int, simulated: Bool) {
        guard let procedure = e.service else { return }
        current[id] = visits.count
        visits.append(
            Visit(
                office: e.office, date: date, procedure: procedure, ticket: id, stage: stage, hour: e.localHour,
                channel: e.channel, priority: e.priority ?? 0, joinedAt: e.at, outcome: .open, simulated: simulated))
    }

    private mutating func end(_ i: Int, ticket id: TicketID, at: Date, _ outcome: Visit.Outcome, served: Bool) {
        visits[i].outcome = outcome
        visits[i].endedAt = at
        if served, let called = lastCall[id] { visits[i].serviceSeconds = at.timeIntervalSince(called) }
    }
}

/// One citizen's one-tap rating after their visit (`feedback.given`): a score on five faces and the wait it came
/// after, nothing else.
public struct Rating: Sendable, Equatable {
    public static let scale = 1...5
    public var office: OfficeID
    public var date: LocalDate
    public var procedure: ServiceID?
    public var score: Int
    public var waitSeconds: Double?
    public var simulated: Bool
}
