import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One log line per request: method, route (the template, never the path: a ticket page's path holds its token),
/// status, milliseconds, client address, and Hummingbird's request id, which every other line of the request
/// carries too and which the response returns as `X-Request-Id` so that a desk can quote it.
struct AccessLog: RouterMiddleware {
    typealias Context = MadoguchiContext
    /// Info with `serve --access-log`; otherwise debug, below the server's level, so the line costs nothing.
    var level: Logger.Level = .debug

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let began = ContinuousClock.now
        var status: HTTPResponse.Status = .internalServerError
        defer {
            if context.logger.logLevel <= level {
                let elapsed = began.duration(to: .now)
                let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                context.logger.log(
                    level: level, "request",
                    metadata: [
                        "method": .string(request.method.rawValue), "route": .string(context.endpointPath ?? "(none)"),
                        "status": .stringConvertible(status.code), "ms": .string(String(format: "%.1f", milliseconds)),
                        "client": .string(context.client),
                    ])
            }
        }
        do {
            var response = try await next(request, context)
            status = response.status
            response.headers[HTTPField.Name("X-Request-Id")!] = context.id
            return response
        } catch let error as any HTTPResponseError {
            status = error.status
            throw error
        }
    }
}

/// Log lines as JSON objects, one per line on standard error (`madoguchi serve --log-format json`): `time`,
/// `level`, `label`, `message`, `request_id` when the line belongs to a request, and the line's metadata.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        let merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged { fields[key == "hb.request.id" ? "request_id" : key] = value.description }
        fields["time"] = Date().formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return }
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }
}
