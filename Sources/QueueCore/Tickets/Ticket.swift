import Foundation

/// 整理券: a numbered ticket, from issue to its terminal state.
public struct Ticket: Codable, Sendable, Equatable {
    public var id: TicketID
    public var office: OfficeID
    /// The procedure of the current stage; a transfer changes it and keeps the number.
    public var service: ServiceID
    public var number: TicketNumber
    public var businessDate: LocalDate
    public var channel: Channel
    public var priority: Int
    public var language: String
    public var status: TicketStatus
    public var issuedAt: Date
    /// When the ticket joined the line it is in now; the line is ordered by this, then by number.
    public var queuedAt: Date
    public var calledAt: Date?
    public var servingAt: Date?
    public var finishedAt: Date?
    /// The counter that called it, while called or serving (and kept as the record after a no-show).
    public var counter: CounterID?
    public var deferrals: Int
    public var recalls: Int
    /// 1 for the first procedure of the visit, 2 after the first transfer, …
    public var stage: Int
    /// Arrival check-in: a remote ticket whose holder said they are on their way. It keeps its place in line but
    /// is not called until its holder checks in (`ticket.arrived`).
    public var onTheWay: Bool

    public init(
        id: TicketID, office: OfficeID, service: ServiceID, number: TicketNumber, businessDate: LocalDate,
        channel: Channel, priority: Int, language: String, status: TicketStatus, issuedAt: Date, queuedAt: Date,
        calledAt: Date?, servingAt: Date?, finishedAt: Date?, counter: CounterID?, deferrals: Int, recalls: Int, stage: Int,
        onTheWay: Bool = false
    ) {
        self.id = id
        self.office = office
        self.service = service
        self.number = number
        self.businessDate = businessDate
        self.channel = channel
        self.priority = priority
        self.language = language
        self.status = status
        self.issuedAt = issuedAt
        self.queuedAt = queuedAt
        self.calledAt = calledAt
        self.servingAt = servingAt
        self.finishedAt = finishedAt
        self.counter = counter
        self.deferrals = deferrals
        self.recalls = recalls
        self.stage = stage
        self.onTheWay = onTheWay
    }

    /// Waiting, and its holder here: what a counter may call.
    public var isCallable: Bool { status == .waiting && !onTheWay }

    public var isTerminal: Bool { status.isTerminal }

    /// The priority classes a ticket can have: 0 normal, 1 priority (elderly, disability, pregnancy, …).
    public static let priorityClasses = 0...1

    /// Whether this ticket occupies a counter: called or being served there.
    public var holdsCounter: Bool { status == .called || status == .serving }
}

/// Why a ticket goes ahead of the ordinary line (優先). Staff at reception or a registered device choose a code,
/// never free text: the reason is kept for the audit trail and the reports, and shown to nobody else.
public enum PriorityReason: String, Codable, Sendable, CaseIterable {
    /// 妊娠中: pregnant.
    case pregnancy
    /// 障害: a disability (障害者手帳 or evident need).
    case disability
    /// 高齢: an elderly visitor who cannot wait standing or long.
    case elderly
    /// 体調不良・けが: unwell or injured.
    case illness
    /// 乳幼児連れ: with an infant.
    case infant
}

public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case waiting
    case called
    case serving
    case completed
    case noShow = "no_show"
    case cancelled

    /// Completed and cancelled never change again. A no-show may be reactivated within its window, so it is
    /// final only for everything but reactivation.
    public var isTerminal: Bool { self == .completed || self == .cancelled }
}

/// Where a ticket came from. Every channel but `web` and `line` works without a smartphone.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case web, kiosk, staff, line

    /// Taken away from the office (a phone, LINE): the holder is not in the lobby.
    public var isRemote: Bool { self == .web || self == .line }
}

/// A printed number, `{prefix}-{NNN}`: A-001 … A-999, then A-1000.
public struct TicketNumber: TextCodable, Sendable, Hashable {
    public var prefix: String
    public var sequence: Int

    public init(prefix: String, sequence: Int) {
        self.prefix = prefix
        self.sequence = sequence
    }

    public var description: String {
        let digits = String(sequence)
        return prefix + "-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Parses `A-042`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 1, parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }),
            parts[1].count >= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]), n > 0,
            TicketNumber(prefix: String(parts[0]), sequence: n).description == text
        else { return nil }
        self.init(prefix: String(parts[0]), sequence: n)
    }
}
