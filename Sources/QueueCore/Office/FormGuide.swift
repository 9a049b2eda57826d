import Foundation

/// The form-writing guide of a procedure (書き方ガイド, the 記載コーナー's paper guide): what to bring, which form,
/// its points as a short guided sequence, and the few fields a holder may fill in while waiting, so the clerk
/// fills the form from them (書かない窓口). Fields are choices, yes/no, counts and dates only: no free text, so
/// nothing sensitive (a name, an address, a My Number) can be asked or kept.
public struct FormGuide: Codable, Sendable, Equatable {
    /// Which form (`住民異動届`).
    public var form: GuideText
    /// What to bring.
    public var bring: GuideText?
    /// The guided sequence, in order.
    public var steps: [GuideText]
    /// What a holder may answer while waiting.
    public var fields: [GuideField]

    public init(form: GuideText, bring: GuideText? = nil, steps: [GuideText] = [], fields: [GuideField] = []) {
        self.form = form
        self.bring = bring
        self.steps = steps
        self.fields = fields
    }

    public static let maxFields = 20
    public static let maxSteps = 12

    /// Every problem of the guide, for `madoguchi import`.
    public func problems() -> [String] {
        var found: [String] = []
        if steps.count > Self.maxSteps { found.append("at most \(Self.maxSteps) steps") }
        if fields.count > Self.maxFields { found.append("at most \(Self.maxFields) fields") }
        var ids = Set<String>()
        for field in fields {
            if !GuideField.isSlug(field.id) { found.append("field id '\(field.id)' must be 1-32 of a-z, 0-9 and '-'") }
            if !ids.insert(field.id).inserted { found.append("field id '\(field.id)' appears twice") }
            found += field.problems().map { "field \(field.id): \($0)" }
        }
        for text in [form] + [bring].compactMap({ $0 }) + steps + fields.flatMap(\.texts) {
            found += text.problems()
        }
        return found
    }

    /// The answers as kept: each a field of this guide with a value its kind allows; empty values are left out.
    /// A My Number anywhere is refused before anything else is read.
    public func checked(_ answers: [String: String]) throws -> [String: String] {
        try MyNumber.refuse(Array(answers.keys) + Array(answers.values))
        var kept: [String: String] = [:]
        for (id, raw) in answers {
            guard let field = fields.first(where: { $0.id == id }) else {
                throw QueueError.invalidInput(field: "guide.\(id)", reason: "not a field of this procedure's guide")
            }
            let value = raw.trimmingCharacters(in: .whitespaces)
            if value.isEmpty { continue }
            guard field.accepts(value) else { throw QueueError.invalidInput(field: "guide.\(id)", reason: field.expected) }
            kept[id] = value
        }
        return kept
    }
}

/// One field of a guide.
public struct GuideField: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// One of `choices`, by id.
        case choice
        /// `yes` or `no`.
        case yesNo = "yes-no"
        /// A whole number from 0 to `max` (how many people move, how many copies).
        case count
        /// A calendar date, `YYYY-MM-DD` (the day of the move).
        case date
    }

    public var id: String
    public var kind: Kind
    public var label: GuideText
    /// For `choice`: 2 to 12 options.
    public var choices: [GuideChoice]?
    /// For `count`: the largest number (20 when not given).
    public var max: Int?

    public init(id: String, kind: Kind, label: GuideText, choices: [GuideChoice]? = nil, max: Int? = nil) {
        self.id = id
        self.kind = kind
        self.label = label
        self.choices = choices
        self.max = max
    }

    var texts: [GuideText] { [label] + (choices ?? []).map(\.label) }
    public var largest: Int { max ?? 20 }

    func problems() -> [String] {
        var found: [String] = []
        switch kind {
        case .choice:
            let options = choices ?? []
            if !(2...12).contains(options.count) { found.append("a choice needs 2-12 choices") }
            if Set(options.map(\.id)).count != options.count { found.append("a choice id appears twice") }
            for option in options where !Self.isSlug(option.id) { found.append("choice id '\(option.id)' is not a slug") }
        case .count:
            if !(1...99).contains(largest) { found.append("max must be 1-99") }
        case .yesNo, .date:
            break
        }
        if kind != .choice, choices != nil { found.append("only a choice has choices") }
        if kind != .count, max != nil { found.append("only a count has a max") }
        return found
    }

    func accepts(_ value: String) -> Bool {
        switch kind {
        case .choice: (choices ?? []).contains { $0.id == value }
        case .yesNo: value == "yes" || value == "no"
        case .count: value.count <= 2 && value.allSatisfy(\.isASCII) && Int(value).map { (0...largest).contains($0) } == true
        case .date: value.count == 10 && LocalDate(parsing: value) != nil
        }
    }

    var expected: String {
        switch kind {
        case .choice: "one of \((choices ?? []).map(\.id).joined(separator: ", "))"
        case .yesNo: "yes or no"
        case .count: "a whole number from 0 to \(largest)"
        case .date: "a date, YYYY-MM-DD"
        }
    }

    static func isSlug(_ text: String) -> Bool { ServiceID.isSlug(text, maxBytes: 32) }
}

public struct GuideChoice: Codable, Sendable, Equatable {
    public var id: String
    public var label: GuideText

    public init(id: String, label: GuideText) {
        self.id = id
        self.label = label
    }
}

/// A guide's words in the six languages of the pages: Japanese always, the others where the city translated them.
public struct GuideText: Codable, Sendable, Equatable, Hashable {
    public var texts: [String: String]

    public init(_ texts: [String: String]) { self.texts = texts }

    public init(from decoder: any Decoder) throws {
        texts = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(texts)
    }

    /// The words in `language`, and whether they are a translation into it (false: another language stands in,
    /// English for the others, Japanese for やさしい日本語 and when there is no English).
    public func text(for language: String) -> (text: String, translated: Bool) {
        if let own = texts[language] { return (own, true) }
        if language.hasPrefix("ja") { return (texts["ja"] ?? "", false) }
        return (texts["en"] ?? texts["ja"] ?? "", false)
    }

    func problems() -> [String] {
        var found: [String] = []
        if (texts["ja"] ?? "").isEmpty { found.append("guide text without Japanese: \(texts)") }
        for (language, text) in texts {
            if !IssueRequest.languages.contains(language) { found.append("guide text in unknown language '\(language)'") }
            if text.count > 300 { found.append("guide text longer than 300 characters") }
            if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                found.append("guide text with a control character")
            }
        }
        return found
    }
}

/// What a holder filled in while waiting, for their ticket's day only: purged with contacts when the day ends,
/// never in the event log.
public struct GuideAnswers: Codable, Sendable, Equatable {
    public var ticket: TicketID
    public var office: OfficeID
    public var businessDate: LocalDate
    public var service: ServiceID
    public var number: TicketNumber
    /// Field id → value, as `FormGuide.checked` keeps them.
    public var answers: [String: String]
    public var updatedAt: Date

    public init(
        ticket: TicketID, office: OfficeID, businessDate: LocalDate, service: ServiceID, number: TicketNumber,
        answers: [String: String], updatedAt: Date
    ) {
        self.ticket = ticket
        self.office = office
        self.businessDate = businessDate
        self.service = service
        self.number = number
        self.answers = answers
        self.updatedAt = updatedAt
    }

    static let codePrefix = "MDG-GUIDE/1"

    /// The answers as the ticket page's QR code carries them to the console's scanner: plain ASCII, every value
    /// already a slug, number or date, so nothing needs escaping (`MDG-GUIDE/1|chuo|B-012|moving-in|a=x;b=2`).
    public var code: String {
        let pairs = answers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        return [Self.codePrefix, office.rawValue, number.description, service.rawValue, pairs].joined(separator: "|")
    }

    /// What a scanned code says, or nil when it is not one of ours. The values are checked against the guide by
    /// whoever shows them (`FormGuide.checked`).
    public static func read(code: String) -> (office: OfficeID, number: String, service: ServiceID, answers: [String: String])? {
        let parts = code.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|", omittingEmptySubsequences: false)
        guard code.utf8.count <= 2048, parts.count == 5, parts[0] == codePrefix else { return nil }
        var answers: [String: String] = [:]
        for pair in parts[4].split(separator: ";") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { return nil }
            answers[String(kv[0])] = String(kv[1])
        }
        return (OfficeID(String(parts[1])), String(parts[2]), ServiceID(String(parts[3])), answers)
    }
}
