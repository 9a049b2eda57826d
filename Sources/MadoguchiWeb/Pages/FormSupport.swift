import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An `application/x-www-form-urlencoded` body as a dictionary (the last value of a name wins). `InputGate` has
/// read it whole, within its limit, and checked it.
enum Form {
    static func read(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: InputGate.maxBodyBytes)
        return parse(String(buffer: buffer))
    }

    /// A staff page's form: its fields, once its CSRF token matches the session's (403 `csrf` otherwise).
    static func signed(_ request: Request, session token: String) async throws -> [String: String] {
        let form = try await read(request)
        guard Sessions.csrfMatches(form["csrf"], session: token) else {
            throw ApiError(.forbidden, "csrf", "The form is out of date; reload the page.")
        }
        return form
    }

    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

/// Page forms are refused when the browser says they come from another site: on every POST outside the JSON API,
/// `Origin`, which browsers send on every POST, must name this host (an opaque `null` origin is refused too). A
/// request without `Origin` is not from a browser form and passes. As middleware, a new form is covered without
/// remembering to call it.
struct SameOrigin: RouterMiddleware {
    typealias Context = MadoguchiContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post && !request.uri.path.hasPrefix("/api/") { try Self.check(request) }
        return try await next(request, context)
    }

    static func check(_ request: Request) throws {
        guard let origin = request.headers[.origin] else { return }
        let host = request.head.authority ?? ""
        guard let url = URL(string: origin), let originHost = url.host else {
            throw ApiError(.forbidden, "cross_site", "This form must be sent from this site.")
        }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard originAuthority == host || originHost == host else {
            throw ApiError(.forbidden, "cross_site", "This form must be sent from this site.")
        }
    }
}

/// The pages' CSS and scripts from `Resources/static`, by exact name only.
enum StaticFiles {
    static let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]

    /// The Web Push service worker, served from the root so that its scope covers the ticket pages.
    static func serviceWorker() throws -> Response {
        var response = try response("sw.js")
        response.headers[HTTPField.Name("Service-Worker-Allowed")!] = "/"
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    static func response(_ name: String) throws -> Response {
        let parts = name.split(separator: ".")
        guard parts.count == 2, parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
            let type = types[String(parts[1])],
            let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "Resources/static")
        else { throw ApiError(.notFound, "not_found", "No such file.") }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }
}

/// A procedure's signage colour, checked (only `#rgb` or `#rrggbb` reaches a style sheet) and paired with the text
/// colour that reads on it: black or white, whichever has the higher WCAG contrast (always at least 4.5:1).
struct ProcedureColor {
    let hex: String
    let readableText: String

    init(_ configured: String) {
        let digits = configured.hasPrefix("#") ? String(configured.dropFirst()) : ""
        let valid = (digits.count == 3 || digits.count == 6) && digits.allSatisfy(\.isHexDigit)
        let full = !valid ? "4b5563" : digits.count == 3 ? digits.map { "\($0)\($0)" }.joined() : digits
        hex = "#" + full.lowercased()
        let value = Int(full, radix: 16) ?? 0
        func channel(_ shift: Int) -> Double {
            let c = Double((value >> shift) & 0xFF) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
        // Pure black and white: with either, some colour reaches at least 4.58:1 (the worst case, L ≈ 0.18).
        let onWhite = 1.05 / (luminance + 0.05)
        let onBlack = (luminance + 0.05) / 0.05
        readableText = onWhite >= onBlack ? "#ffffff" : "#000000"
    }
}
