import Foundation
import Hummingbird
import NIOCore
import QueueCore

/// JSON in and out, with the limits every public endpoint needs.
enum JSONBody {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads and decodes a JSON object body; malformed JSON is a 400 `malformed_json`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: InputGate.maxBodyBytes)
        } catch {
            throw ApiError(.contentTooLarge, "payload_too_large", "The body is larger than \(InputGate.maxBodyBytes) bytes.")
        }
        let data = Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw ApiError.invalid("invalid_input", "\(path(context)): wrong type or missing value.")
        } catch DecodingError.keyNotFound(let key, _) {
            throw ApiError.invalid("invalid_input", "\(key.stringValue): required.")
        } catch {
            throw ApiError.badRequest("malformed_json", "The body is not a valid JSON object.")
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".").isEmpty
            ? "body" : context.codingPath.map(\.stringValue).joined(separator: ".")
    }
}
