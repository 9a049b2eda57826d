import Foundation

/// A request for a new ticket.
public struct IssueRequest: Sendable, Equatable {
    public var office: OfficeID
    public var service: ServiceID
    public var channel: Channel
    public var priority: Int
    public var language: String
    /// For a ticket taken remotely: how many minutes the holder needs to reach the office, for the "come now"
    /// decision. Recorded in the `ticket.issued` event; no other personal data.
    public var travelMinutes: Int?
    /// Why a priority ticket goes ahead: required with priority 1, refused without it.
    public var priorityReason: PriorityReason?
    /// The staff account that handed the ticket out (at reception, or through the API with a staff token), for the
    /// audit trail (`data.staff` of `ticket.issued`).
    public var staff: String?

    public init(
        office: OfficeID, service: ServiceID, channel: Channel, priority: Int = 0, language: String = "ja",
        travelMinutes: Int? = nil, priorityReason: PriorityReason? = nil, staff: String? = nil
    ) {
        self.office = office
        self.service = service
        self.channel = channel
        self.priority = priority
        self.language = language
        self.travelMinutes = travelMinutes
        self.priorityReason = priorityReason
        self.staff = staff
    }

    /// The longest travel time a holder may give, in minutes.
    public static let travelMinutesRange = 1...240
    /// The languages a ticket's pages and alerts come in.
    public static let languages: Set<String> = ["ja", "en", "zh-Hans", "ko", "vi", "ja-easy"]

    /// A request from what a caller sent (the API's body, a page's form): the channel read, the procedure's id
    /// bounded, then `check()`. The one parser the API, the phone page and the kiosk share; the issue command checks
    /// again, for callers that build a request themselves.
    public init(
        office: OfficeID, service: String, channel: String, priority: Int?, language: String?, travelMinutes: Int?,
        priorityReason: String? = nil
    ) throws {
        guard let parsed = Channel(rawValue: channel) else {
            throw QueueError.invalidInput(field: "channel", reason: "one of web, kiosk, staff, line")
        }
        guard !service.isEmpty, service.utf8.count <= 40 else { throw QueueError.serviceNotFound(ServiceID(String(service.prefix(40)))) }
        var reason: PriorityReason?
        if let priorityReason {
            guard let known = PriorityReason(rawValue: priorityReason) else {
                throw QueueError.invalidInput(
                    field: "priorityReason", reason: "one of \(PriorityReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            reason = known
        }
        self.init(
            office: office, service: ServiceID(service), channel: parsed, priority: priority ?? 0, language: language ?? "ja",
            travelMinutes: travelMinutes, priorityReason: reason)
        try check()
    }

    /// What a request must be whatever the office: a priority class with its reason (and a reason only with
    /// priority), a language, and a travel time only for a ticket taken remotely, within bounds.
    public func check() throws {
        guard Ticket.priorityClasses.contains(priority) else {
            throw QueueError.invalidInput(field: "priority", reason: "must be 0 or 1")
        }
        if priority > 0 && priorityReason == nil {
            throw QueueError.invalidInput(
                field: "priorityReason",
                reason: "a priority ticket needs its reason: \(PriorityReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if priority == 0 && priorityReason != nil {
            throw QueueError.invalidInput(field: "priorityReason", reason: "only with priority 1")
        }
        guard Self.languages.contains(language) else {
            throw QueueError.invalidInput(field: "language", reason: "one of \(Self.languages.sorted().joined(separator: ", "))")
        }
        if let travel = travelMinutes {
            guard Self.travelMinutesRange.contains(travel) else {
                throw QueueError.invalidInput(field: "travelMinutes", reason: "must be 1-240")
            }
            guard channel.isRemote else {
                throw QueueError.invalidInput(field: "travelMinutes", reason: "only for tickets taken remotely (web, line)")
            }
        }
    }

    var fingerprint: String {
        "\(service.rawValue)|\(channel.rawValue)|\(priority)|\(language)" + (travelMinutes.map { "|\($0)" } ?? "")
            + (priorityReason.map { "|\($0.rawValue)" } ?? "")
    }
}
