import Foundation
import Hummingbird
import NIOCore
import QueueCore

/// An error as the API shows it: `{"error":{"code":"snake_case_code","message":"…"}}`, with a status that says
/// whose fault it is. Bad input is always a 4xx; a 5xx means the server could not keep its promise.
public struct ApiError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public init(_ error: QueueError) {
        self.init(Self.status(of: error), error.code, error.message)
        if case .storageUnavailable = error { headers[.retryAfter] = "2" }
    }

    static func status(of error: QueueError) -> HTTPResponse.Status {
        switch error {
        case .officeNotFound, .counterNotFound, .ticketNotFound: .notFound
        case .serviceNotFound, .serviceClosed, .idempotencyKeyReused, .sameService, .invalidInput, .counterCannotServe:
            .unprocessableContent
        case .officeClosedNow, .issuingStopped, .counterClosed, .counterBusy, .counterIdle, .invalidTransition, .graceNotElapsed,
            .reactivationWindowPassed, .deferralLimitReached, .alreadyRated:
            .conflict
        case .storageUnavailable: .serviceUnavailable
        case .myNumberRefused: .badRequest
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(ErrorEnvelope(error: .init(code: code, message: message)), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    static func badRequest(_ code: String, _ message: String) -> ApiError { ApiError(.badRequest, code, message) }
    static func invalid(_ code: String, _ message: String) -> ApiError { ApiError(.unprocessableContent, code, message) }

    static let unauthorized: ApiError = {
        var error = ApiError(.unauthorized, "unauthorized", "A valid staff bearer token is required.")
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }()

    static let forbidden = ApiError(.forbidden, "forbidden", "This account may not act on this office.")
}

struct ErrorEnvelope: Codable {
    struct Detail: Codable {
        var code: String
        var message: String
    }

    var error: Detail
}

/// Turns every error into the API's error shape, so that no route, not even one the router does not know, answers
/// with another format, and no domain refusal becomes a 500. A browser on a page (not the API) gets the same
/// refusal as a page in its language, with the same status, headers and code.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The pages, for refusals shown to a browser; nil: always JSON.
    var pages: Pages?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let api = Self.apiError(error, request: request, context: context)
            guard let pages, Self.wantsPage(request) else { throw api }
            let language = Language.of(request).language
            let key = "error.code.\(api.code)"
            let message = pages.catalog.has(key, language) || pages.catalog.has(key, .en) ? pages.catalog.text(key, language) : api.message
            var response = pages.render(
                "error", title: pages.catalog.text("error.refused", language),
                model: ["heading": pages.catalog.text("error.refused", language), "message": message, "code": api.code],
                language: language, status: api.status)
            for field in api.headers { response.headers.append(field) }
            return response
        }
    }

    /// A browser asking for a page: HTML accepted, and a path outside the API, open data, webhooks and probes.
    static func wantsPage(_ request: Request) -> Bool {
        let path = request.uri.path
        let machine = ["/api/", "/opendata/", "/line/", "/metrics", "/health", "/openapi.json"].contains { path.hasPrefix($0) }
        return !machine && (request.headers[.accept]?.contains("text/html") ?? false)
    }

    /// Every error as the API shows it.
    static func apiError(_ error: any Error, request: Request, context: Context) -> ApiError {
        switch error {
        case let error as ApiError:
            return error
        case let error as QueueError:
            if case .storageUnavailable(let detail) = error { context.logger.error("store unavailable: \(detail)") }
            return ApiError(error)
        case let error as HTTPError:
            let allowed = error.status == .notFound ? Api.allowedMethods(path: request.uri.path) : []
            if !allowed.isEmpty {
                var notAllowed = ApiError(
                    .methodNotAllowed, "method_not_allowed", "Use \(allowed.map(\.rawValue).joined(separator: ", ")) here.")
                notAllowed.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return notAllowed
            }
            return ApiError(error.status, Self.code(for: error.status), error.body ?? error.status.reasonPhrase)
        case is NIOTooManyBytesError:
            return ApiError(.contentTooLarge, "payload_too_large", "The body is larger than this route accepts.")
        case is CancellationError:
            return ApiError(.serviceUnavailable, "shutting_down", "The server is shutting down.")
        default:
            context.logger.error("unexpected error: \(String(reflecting: error))")
            return ApiError(.internalServerError, "internal_error", "Something went wrong on the server.")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "payload_too_large"
        case 400: "bad_request"
        default: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
        }
    }
}
