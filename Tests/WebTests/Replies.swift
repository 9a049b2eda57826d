import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QueueCore

@testable import MadoguchiWeb

// Replies read as the API's own Codable bodies (`TicketBody`, `ReportBody`, …), as a Swift client would: a
// field renamed, retyped or gone fails to decode instead of passing as a nil cast.

/// The OpenAPI document's version and, per path, its operations (a file the server serves, not a body it builds).
struct OpenAPIReply: Decodable, Sendable {
    struct Operation: Decodable, Sendable {}

    var openapi: String
    var paths: [String: [String: Operation]]
}

/// A reply decoded as `T`, with its status and text (for messages when it does not decode).
struct Reply<T: Decodable & Sendable>: Sendable {
    var status: HTTPResponse.Status
    var value: T?
    var text: String

    /// The value, or a test failure saying what came instead.
    func decoded() throws -> T {
        guard let value else { throw UndecodableReply(type: String(describing: T.self), status: status, text: text) }
        return value
    }
}

struct UndecodableReply: Error, CustomStringConvertible {
    var type: String
    var status: HTTPResponse.Status
    var text: String
    var description: String { "expected \(type), got \(status): \(text.prefix(300))" }
}

extension TestClientProtocol {
    /// A JSON request whose answer is read as `T`.
    func reply<T: Decodable & Sendable>(
        _ type: T.Type, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, token: String? = nil, key: String? = nil
    ) async throws -> Reply<T> {
        let (status, _, text) = try await json(method, uri, body: body, token: token, key: key)
        return Reply(status: status, value: try? JSONDecoder().decode(T.self, from: Data(text.utf8)), text: text)
    }

    /// A ticket's reply (`TicketBody`).
    func ticket(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, token: String? = nil, key: String? = nil
    ) async throws -> Reply<TicketBody> {
        try await reply(TicketBody.self, method, uri, body: body, token: token, key: key)
    }
}

/// The API's error shape in `text`, when it is one.
func errorReply(_ text: String) -> ErrorEnvelope? { try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(text.utf8)) }
