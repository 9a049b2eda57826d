import HTTPTypes
import Hummingbird

/// The router as the route files see it: every route goes through here, which registers it and writes it down, so
/// that a test can hold the authorisation matrix (and anything else) to exactly the routes that are served.
struct Routes {
    struct Entry: Hashable, Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        /// As registered: `{name}` for a parameter.
        var path: String
        var description: String { "\(method) \(path)" }
    }

    /// What was registered, in order.
    final class Table {
        fileprivate(set) var entries: [Entry] = []
    }

    typealias Handler = @Sendable (Request, MadoguchiContext) async throws -> Response

    let router: Router<MadoguchiContext>
    let table = Table()

    func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        table.entries.append(Entry(method: method, path: path))
        router.on(RouterPath(path), method: method) { request, context in try await handler(request, context) }
    }

    func get(_ path: String, _ handler: @escaping Handler) { on(.get, path, handler) }
    func post(_ path: String, _ handler: @escaping Handler) { on(.post, path, handler) }
}
