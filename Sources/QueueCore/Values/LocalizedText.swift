/// A name shown to people: Japanese first, English always present.
public struct LocalizedText: Codable, Sendable, Equatable, Hashable {
    public var ja: String
    public var en: String

    public init(ja: String, en: String) {
        self.ja = ja
        self.en = en
    }

    /// The text for a language tag; anything that is not Japanese gets English.
    public func text(for language: String) -> String {
        language.hasPrefix("ja") ? ja : en
    }
}
