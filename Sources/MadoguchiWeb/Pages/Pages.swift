import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import Twin

/// Renders pages: Mustache templates from `Resources/templates` with a view model per page, the strings of the
/// request's language, and the headers every page carries: a CSP with no inline script or style, and a referrer
/// only to this site, since a ticket page's URL holds its token. (`no-referrer` would also make browsers send
/// `Origin: null` on the pages' own forms, which the same-origin check must refuse.)
struct Pages: Sendable {
    let library: MustacheLibrary
    let catalog: Catalog

    static func load() throws -> Pages {
        guard let directory = Bundle.module.url(forResource: "templates", withExtension: nil, subdirectory: "Resources") else {
            throw Catalog.CatalogError.missing("templates")
        }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        // Charts are drawn with the twin report's own partial.
        try library.register(try Report.template("chart"), named: "chart")
        return Pages(library: library, catalog: try Catalog.load())
    }

    /// The pages' CSP: only this site's scripts and styles, none inline. The LIFF page adds LINE's SDK origin to
    /// `scripts` and LINE's API origins to `connects`.
    static func contentSecurityPolicy(scripts: [String] = [], connects: [String] = []) -> String {
        "default-src 'self'; script-src \((["'self'"] + scripts).joined(separator: " ")); style-src 'self'; img-src 'self' data:; "
            + "connect-src \((["'self'"] + connects).joined(separator: " ")); "
            + "base-uri 'none'; form-action 'self' https://line.me; frame-ancestors 'none'; object-src 'none'"
    }

    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, contentSecurityPolicy()),
        (HTTPField.Name("Referrer-Policy")!, "same-origin"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
    ]

    /// The page `template` for `model`, with the common frame (language switcher, strings) filled in.
    func render(
        _ template: String, title: String, model: [String: Any], language: Language, languages: [Language] = Language.allCases,
        status: HTTPResponse.Status = .ok, rememberLanguage: Bool = false, csp: String? = nil
    ) -> Response {
        // Only the page's own model can hold nils; the common frame added below never does.
        var context = Self.withoutNils(model) as? [String: Any] ?? model
        context["lang"] = language.htmlTag
        context["voice"] = language.voice
        context["title"] = title
        context["t"] = catalog.table(language)
        context["languages"] = languages.map { l -> [String: Any] in
            ["code": l.rawValue, "tag": l.htmlTag, "label": Self.languageNames[l] ?? l.rawValue, "current": l == language]
        }
        let html = library.render(context, withTemplate: template) ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        for (name, value) in Self.securityHeaders { headers[name] = value }
        if let csp { headers[.contentSecurityPolicy] = csp }
        var response = Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        if rememberLanguage {
            response.setCookie(
                Cookie(name: "lang", value: language.rawValue, maxAge: 365 * 86_400, path: "/", httpOnly: true, sameSite: .lax))
        }
        return response
    }

    /// The model with every `nil` left out and every optional unwrapped: view models write `value as Any`, and
    /// Mustache would take a boxed `nil` for a value and open its section.
    static func withoutNils(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return withoutNils(wrapped)
        }
        if let dictionary = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (key, item) in dictionary { if let kept = withoutNils(item) { out[key] = kept } }
            return out
        }
        if let array = value as? [Any] { return array.compactMap(withoutNils) }
        return value
    }

    /// Each language named in itself, for the switcher.
    static let languageNames: [Language: String] = [
        .ja: "日本語", .en: "English", .zhHans: "简体中文", .ko: "한국어", .vi: "Tiếng Việt", .jaEasy: "やさしい日本語",
    ]

    /// A 303 to `location`, the answer to a page form.
    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        for (name, value) in securityHeaders { headers[name] = value }
        return Response(status: .seeOther, headers: headers)
    }
}
