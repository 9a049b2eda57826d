import Foundation
import Hummingbird
import NIOCore

/// The OpenAPI 3.1 document, kept as a resource file beside the code and checked against `Api.routes` by a test.
enum OpenAPIDocument {
    static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw ApiError(.internalServerError, "internal_error", "openapi.json is missing from the build.")
        }
        return try Data(contentsOf: url)
    }

    static func response() throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try data())))
    }
}
