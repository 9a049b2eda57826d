import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OfficeRuntime
import QueueCore

/// `POST /line/webhook`: events from the city's LINE official account.
///
/// - Nothing is read before the signature passes: `x-line-signature` must be Base64 of HMAC-SHA256 over the raw
///   body with the channel secret, compared in constant time. Anything else is a 401 and changes nothing.
/// - Each event is acted on once, by its `webhookEventId` (LINE redelivers); a message carrying a link code links
///   the sender's user id to the ticket for the ticket's day. Nothing else of the message is kept.
/// - It answers at once: the work per event is one small write.
struct LineWebhook: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    let channelSecret: SymmetricKey
    let logger: Logger

    static let path = "/line/webhook"

    func register(on routes: Routes) {
        routes.post(Self.path) { request, _ in try await handle(request) }
    }

    /// The body was read whole by `InputGate`, up to its limit for this path.
    func handle(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: InputGate.maxWebhookBytes)
        let raw = Array(buffer: body)
        guard let header = request.headers[HTTPField.Name("x-line-signature")!], Self.verify(raw, signature: header, secret: channelSecret)
        else { throw ApiError(.unauthorized, "invalid_signature", "The x-line-signature header does not match the body.") }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(raw)) else {
            throw ApiError.badRequest("invalid_json", "The body is not a LINE webhook payload.")
        }
        for event in payload.events {
            guard let id = event.webhookEventId, let user = event.source?.userId, event.source?.type == "user" else { continue }
            do {
                if let contact = try await store.redeem(webhookEvent: id, text: event.message?.text, address: user) {
                    logger.info("LINE linked to a ticket of \(contact.office)")
                    hub.notifier?.wake()
                }
            } catch let error as QueueError {
                // A code for a ticket that ended, or an odd user id: nothing to link; LINE needs no error.
                logger.info("LINE webhook event not linked: \(error.code)")
            }
        }
        return JSONBody.response([String: String]())
    }

    /// Constant-time check of `signature` (Base64) against HMAC-SHA256(secret, body).
    static func verify(_ body: [UInt8], signature: String, secret: SymmetricKey) -> Bool {
        guard let mac = Data(base64Encoded: signature), mac.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: secret)
    }

    struct Payload: Decodable {
        var events: [WebhookEvent]
    }

    struct WebhookEvent: Decodable {
        struct Source: Decodable {
            var type: String?
            var userId: String?
        }

        struct Message: Decodable {
            var type: String?
            var text: String?
        }

        var type: String?
        var webhookEventId: String?
        var source: Source?
        var message: Message?
    }
}
