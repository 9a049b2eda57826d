import Foundation
import HTTPTypes
import Hummingbird

/// The languages pages come in. Japanese is the default; English is complete; the citizen-facing pages (phone,
/// kiosk, board, public office pages) also come in Simplified Chinese, Korean, Vietnamese and やさしい日本語.
enum Language: String, CaseIterable, Sendable {
    case ja, en
    case zhHans = "zh-Hans"
    case ko, vi
    case jaEasy = "ja-easy"

    /// The `lang` attribute: やさしい日本語 is Japanese.
    var htmlTag: String { self == .jaEasy ? "ja" : rawValue }

    /// The speech voice the board and the kiosk's "read aloud" ask the browser for.
    var voice: String {
        switch self {
        case .ja, .jaEasy: "ja-JP"
        case .en: "en-US"
        case .zhHans: "zh-CN"
        case .ko: "ko-KR"
        case .vi: "vi-VN"
        }
    }

    /// What the office's own ja/en names fall back to.
    var isJapanese: Bool { self == .ja || self == .jaEasy }

    /// Staff pages (console) come in these only.
    static let staff: [Language] = [.ja, .en]

    /// From the `?lang=` switcher, then the `lang` cookie, then `Accept-Language`, then Japanese.
    static func of(_ request: Request) -> (language: Language, fromSwitcher: Bool) {
        if let asked = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) { return (asked, true) }
        if let cookie = request.cookies["lang"]?.value, let kept = Language(rawValue: cookie) { return (kept, false) }
        if let header = request.headers[.acceptLanguage] { return (fromAcceptLanguage(header), false) }
        return (.ja, false)
    }

    /// The first supported tag by quality: `zh-CN` and `zh` read as Simplified Chinese, `ko-KR` as Korean.
    static func fromAcceptLanguage(_ header: String) -> Language {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (String, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q, index)
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }
        for (tag, q, _) in ranked where q > 0 {
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            switch primary {
            case "ja": return .ja
            case "en": return .en
            case "zh": return .zhHans
            case "ko": return .ko
            case "vi": return .vi
            default: continue
            }
        }
        return .ja
    }
}

/// Every string of the pages, one JSON file per language under `Resources/i18n`. `text(key)` in a language that
/// lacks a key is a bug the catalogue test catches; at run time it falls back to English, then to the key.
struct Catalog: Sendable {
    let strings: [Language: [String: String]]
    /// Each language's strings for templates, built once at load (see `table`).
    private let tables: [Language: [String: String]]

    init(strings: [Language: [String: String]]) {
        self.strings = strings
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            var out: [String: String] = [:]
            for (key, value) in strings[.en] ?? [:] { out[key.replacingOccurrences(of: ".", with: "_")] = value }
            for (key, value) in strings[language] ?? [:] { out[key.replacingOccurrences(of: ".", with: "_")] = value }
            tables[language] = out
        }
        self.tables = tables
    }

    static func load() throws -> Catalog {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Resources/i18n") else {
                throw CatalogError.missing(language.rawValue)
            }
            strings[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        return Catalog(strings: strings)
    }

    enum CatalogError: Error { case missing(String) }

    func text(_ key: String, _ language: Language, _ arguments: [String: String] = [:]) -> String {
        var value = strings[language]?[key] ?? strings[.en]?[key] ?? key
        for (name, argument) in arguments { value = value.replacingOccurrences(of: "{\(name)}", with: argument) }
        return value
    }

    func has(_ key: String, _ language: Language) -> Bool { strings[language]?[key] != nil }

    /// A strings table for a template: every key of the language (English where it lacks one), dots turned into
    /// underscores (`t.ticket_title`).
    func table(_ language: Language) -> [String: String] { tables[language] ?? [:] }
}
