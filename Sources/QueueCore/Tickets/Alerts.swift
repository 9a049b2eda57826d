import Foundation

/// Why a citizen is alerted.
public enum AlertKind: String, Codable, Sendable, CaseIterable {
    /// The wait estimate says: set out now (`ticket.come_now`).
    case comeNow = "come_now"
    /// A counter called the ticket (`ticket.called`).
    case called
    /// The counter called it again (`ticket.recalled`).
    case recalled
    /// Staff cancelled the ticket (`ticket.cancelled` with `data.staff`).
    case cancelled

    /// The alert an event causes, if any. A citizen's own cancel or "running late" alerts nobody: they did it.
    /// Nor does `ticket.expired`: it is written after the business day ended, when the contacts are gone.
    public init?(causedBy event: Event) {
        switch event.type {
        case .ticketComeNow: self = .comeNow
        case .ticketCalled: self = .called
        case .ticketRecalled: self = .recalled
        case .ticketCancelled where event.staff != nil: self = .cancelled
        default: return nil
        }
    }
}

/// Where an alert goes. Each is off until the city configures it (`docs/notifications.md`).
public enum AlertChannel: String, Codable, Sendable, CaseIterable {
    /// Web Push (RFC 8030/8291/8292) to the browser that took or opened the ticket.
    case webPush = "web-push"
    /// A LINE push message to the user who linked the ticket.
    case line
    case email
    /// An SMS or voice-call provider's webhook, for phones without a browser.
    case gateway
}

/// How to reach the holder of one ticket on one channel. It lives only as long as the ticket's business day: the
/// sweeper deletes every contact of earlier days (`QueueCommands.purgeContacts`).
public struct Contact: Codable, Sendable, Equatable {
    public var ticket: TicketID
    public var office: OfficeID
    public var businessDate: LocalDate
    public var channel: AlertChannel
    /// The channel's address: a Web Push subscription as JSON (`endpoint`, `keys.p256dh`, `keys.auth`), a LINE user
    /// id, an e-mail address, or a phone number in E.164.
    public var address: String
    public var createdAt: Date

    /// How many of one day's tickets may share a typed address (e-mail, phone): a family's, not a stranger's flood.
    public static let maxTicketsPerAddress = 3

    /// The address as it is kept: a phone number typed the Japanese way (`090-1234-5678`) becomes E.164
    /// (`+819012345678`); spaces, hyphens and brackets go; anything else is left for `problem` to judge.
    public static func normalized(channel: AlertChannel, address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
        guard channel == .gateway else { return trimmed }
        let kept = trimmed.filter { !" -()（）－ー".contains($0) }
        if kept.hasPrefix("0"), !kept.hasPrefix("00"), kept.allSatisfy(\.isASCII) { return "+81" + kept.dropFirst() }
        return kept
    }

    /// The address as it is kept, or the error that refuses it: never a My Number (checked before normalising:
    /// 090123456784 is a valid My Number, and would become +8190123456784), then `normalized`, then `problem`.
    public static func checked(channel: AlertChannel, address: String, field: String = "address") throws -> String {
        try MyNumber.refuse([address])
        let kept = normalized(channel: channel, address: address)
        if let problem = problem(channel: channel, address: kept) { throw QueueError.invalidInput(field: field, reason: problem) }
        return kept
    }

    /// What is wrong with `address` for `channel`, or nil. Addresses are checked for shape only: the channel's own
    /// service says whether they reach anyone.
    public static func problem(channel: AlertChannel, address: String) -> String? {
        guard !address.isEmpty, address.utf8.count <= 1024 else { return "must be 1-1024 bytes" }
        guard !address.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "must not contain control characters"
        }
        switch channel {
        case .webPush:
            // Which push services may be posted to is the server's configuration (an allow-list of origins).
            guard let data = address.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let endpoint = (object["endpoint"] as? String).flatMap(URL.init(string:)),
                endpoint.scheme == "https" || endpoint.scheme == "http", endpoint.host != nil,
                let keys = object["keys"] as? [String: Any], keys["p256dh"] is String, keys["auth"] is String
            else { return "a push subscription: {\"endpoint\": \"https://…\", \"keys\": {\"p256dh\": …, \"auth\": …}}" }
            return nil
        case .line:
            // LINE user ids: "U" and 32 lowercase hex digits.
            let hex = address.utf8.dropFirst()
            guard address.utf8.count == 33, address.hasPrefix("U"),
                hex.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
            else { return "a LINE user id (U and 32 hex digits)" }
            return nil
        case .email:
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard address.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
                !address.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" })
            else { return "an e-mail address (name@example.jp)" }
            return nil
        case .gateway:
            // E.164: "+", a country code, at most 15 digits in all.
            let digits = address.utf8.dropFirst()
            guard address.hasPrefix("+"), (8...15).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                digits.first != 0x30
            else { return "a phone number in E.164 (+81…)" }
            return nil
        }
    }

    public init(ticket: TicketID, office: OfficeID, businessDate: LocalDate, channel: AlertChannel, address: String, createdAt: Date) {
        self.ticket = ticket
        self.office = office
        self.businessDate = businessDate
        self.channel = channel
        self.address = address
        self.createdAt = createdAt
    }
}

/// A one-time code the holder sends to the city's LINE account to link it to their ticket. Random, short-lived
/// (the ticket's day), and worth nothing once used.
public struct LinkCode: Codable, Sendable, Equatable {
    public var code: String
    public var ticket: TicketID
    public var office: OfficeID
    public var businessDate: LocalDate
    public var channel: AlertChannel

    public init(code: String, ticket: TicketID, office: OfficeID, businessDate: LocalDate, channel: AlertChannel) {
        self.code = code
        self.ticket = ticket
        self.office = office
        self.businessDate = businessDate
        self.channel = channel
    }

    /// 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^8 ≈ 8.5·10^11 codes.
    public static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// The code in a message text, if the text carries one (`MADOGUCHI K7P2XQ9M`, or the code alone).
    public static func find(in text: String) -> String? {
        let words = text.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return words.map(String.init).first { $0.count == 8 && $0.allSatisfy { alphabet.contains($0) } }
    }
}

/// One alert in the outbox: written in the same transaction as the change that causes it, sent after commit by the
/// notifier, at most once per (ticket, kind, round, channel). It holds no personal data: the address is read from
/// the ticket's contact when sending, so purging the contacts leaves nothing to send to.
public struct OutboxAlert: Codable, Sendable, Equatable {
    public var id: Int64
    public var ticket: TicketID
    public var office: OfficeID
    public var businessDate: LocalDate
    public var kind: AlertKind
    /// Which occurrence of the kind: the seq of the causing event for calls, recalls and cancellation (a ticket
    /// called again after "running late" is alerted again), 0 for "come now" (once a day).
    public var round: Int64
    public var channel: AlertChannel
    /// What the message may say: the printed number, the counter's label (never the procedure), the language.
    public var number: TicketNumber
    public var counterLabel: String?
    public var language: String
    public var createdAt: Date
    public var attempts: Int
    public var nextAttemptAt: Date
    public var sentAt: Date?
    /// Set when the notifier gave up (too many attempts, or nothing left to send to).
    public var failedAt: Date?
    public var lastError: String?

    public init(
        id: Int64 = 0, ticket: TicketID, office: OfficeID, businessDate: LocalDate, kind: AlertKind, round: Int64,
        channel: AlertChannel, number: TicketNumber, counterLabel: String?, language: String, createdAt: Date,
        attempts: Int = 0, nextAttemptAt: Date? = nil, sentAt: Date? = nil, failedAt: Date? = nil, lastError: String? = nil
    ) {
        self.id = id
        self.ticket = ticket
        self.office = office
        self.businessDate = businessDate
        self.kind = kind
        self.round = round
        self.channel = channel
        self.number = number
        self.counterLabel = counterLabel
        self.language = language
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.sentAt = sentAt
        self.failedAt = failedAt
        self.lastError = lastError
    }

    /// A stable key for the provider's own de-duplication (LINE's `X-Line-Retry-Key`, the gateway's
    /// `Idempotency-Key`, Web Push's `Topic`): a retry after a crash carries the same key, so a message the provider
    /// already took is not delivered twice. It is the outbox row's identity, never the ticket's token (which opens
    /// the ticket: a provider must not hold it).
    public var deliveryKey: String { "madoguchi-\(office.rawValue)-\(id)" }

    public var isPending: Bool { sentAt == nil && failedAt == nil }
}

/// What happened to one send attempt, as the notifier records it.
public enum AlertOutcome: Sendable, Equatable {
    case sent
    /// Try again at `at` (backoff with jitter).
    case retry(at: Date, error: String)
    /// Give up: too many attempts, or a permanent refusal (an expired subscription, a removed contact).
    case failed(error: String)
}
