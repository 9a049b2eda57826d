import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import QueueCore

/// Every request passes here before any route reads it: the body is read whole up to its route's limit (413
/// `payload_too_large` past it), and every text the client sent — path segments, query values, the stored
/// `Idempotency-Key`, and the body's strings and numbers, JSON or form, decoded — is checked by QueueCore's
/// `MyNumber` guard (400 `my_number_refused`). As middleware, a new route or field is covered without remembering
/// to call it, and nothing holding a My Number reaches a store or a log.
struct InputGate: RouterMiddleware {
    typealias Context = MadoguchiContext

    /// The largest body any route reads: JSON and forms.
    static let maxBodyBytes = 16 * 1024
    /// LINE batches webhook events; its documented ceiling is far below this.
    static let maxWebhookBytes = 1024 * 1024

    /// The LIFF sign-in carries one ID token (at most `LineLogin.maxTokenBytes`), which a client may send
    /// escaped: room for it written as `\uXXXX` throughout.
    static let maxLineSessionBytes = 64 * 1024

    static func limit(path: String) -> Int {
        switch path {
        case LineWebhook.path: maxWebhookBytes
        case Api.lineSessionPath: maxLineSessionBytes
        default: maxBodyBytes
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        // The path and the query each as one decoded text: '/', '&' and '=' end a run of digits, so values cannot
        // join up. A form's GET writes spaces as '+'.
        var texts = [Self.decoded(request.uri.path)]
        if let query = request.uri.query, !query.isEmpty { texts.append(Self.decoded(query.replacingOccurrences(of: "+", with: " "))) }
        if let key = request.headers[HTTPField.Name("Idempotency-Key")!] { texts.append(key) }
        if request.method != .get && request.method != .head {
            let limit = Self.limit(path: request.uri.path)
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: limit)
            } catch {
                throw ApiError(.contentTooLarge, "payload_too_large", "The body is larger than \(limit) bytes, this route's limit.")
            }
            // The LINE webhook's body is checked by its signature first and keeps no text (docs/notifications.md).
            if request.uri.path != LineWebhook.path { texts += Self.texts(in: buffer, contentType: request.headers[.contentType]) }
        }
        try MyNumber.refuse(texts)
        return try await next(request, context)
    }

    private static func decoded(_ text: String) -> String {
        text.contains("%") ? text.removingPercentEncoding ?? text : text
    }

    /// The body as text, and each decoded string and number in it (JSON escapes and percent-encoding can hide
    /// digits from the raw text).
    static func texts(in buffer: ByteBuffer, contentType: String?) -> [String] {
        let raw = String(decoding: buffer.readableBytesView, as: UTF8.self)
        var texts = [raw]
        let type = contentType?.lowercased() ?? ""
        if type.hasPrefix("application/x-www-form-urlencoded") {
            texts += Form.parse(raw).flatMap { [$0.key, $0.value] }
        } else if let json = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView), options: [.fragmentsAllowed]) {
            collect(json, into: &texts)
        }
        return texts
    }

    private static func collect(_ value: Any, into texts: inout [String]) {
        switch value {
        case let string as String: texts.append(string)
        case let number as NSNumber: texts.append(number.stringValue)
        case let array as [Any]: for element in array { collect(element, into: &texts) }
        case let object as [String: Any]:
            for (key, element) in object {
                texts.append(key)
                collect(element, into: &texts)
            }
        default: break
        }
    }
}
