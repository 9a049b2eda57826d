import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OfficeRuntime
import QueueCore
import ServiceLifecycle

/// `text/event-stream` responses fed by the hub, one stream per watcher: a ticket's, the dashboard's. The office
/// streams, watched by thousands at once, share their frames' writes instead (`OfficeStreams`).
enum EventStreams {
    /// Subscribes to `topic` first and only then computes the opening frames, so that no change can fall between
    /// the snapshot and the subscription. Then sends whatever the hub publishes, until the client leaves or the
    /// server shuts down; each stream ends itself on graceful shutdown so that it never holds the server open.
    static func response(
        hub: OfficeHub, topic: OfficeHub.Topic, first: () async throws -> [LiveFrame]
    ) async throws -> Response {
        let (id, frames) = hub.subscribe(topic)
        let opening: [LiveFrame]
        do {
            opening = try await first()
        } catch {
            hub.unsubscribe(id)
            throw error
        }
        let body = ResponseBody { writer in
            try await withGracefulShutdownHandler {
                var first = ByteBuffer(string: "retry: 3000\n\n")
                for frame in opening {
                    var bytes = frame.bytes
                    first.writeBuffer(&bytes)
                }
                try await writer.write(first)
                for await frame in frames {
                    try await writer.write(frame.bytes)
                }
            } onGracefulShutdown: {
                hub.unsubscribe(id)
            }
            hub.unsubscribe(id)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Every event stream's response headers: not cached, not buffered by a proxy.
    static let headers: HTTPFields = [
        .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
    ]

    /// The `Last-Event-ID` a reconnecting client sends, if it is a sequence number.
    static func lastEventID(_ request: Request) -> Int64? {
        request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// Caps the live event streams one client holds open (`ConnectionLimits.streamsPerClient`): every stream route is
/// a GET whose path ends in `/events`, so a new one is covered without remembering it. Past the cap: 429 with
/// `Retry-After`; the slot is given back when the stream's body ends, however it ends.
struct StreamLimit: RouterMiddleware {
    typealias Context = MadoguchiContext
    let streams: ClientCounts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, request.uri.path.hasSuffix("/events") else { return try await next(request, context) }
        let client = context.client
        guard streams.open(client) else {
            var error = ApiError(
                .tooManyRequests, "too_many_streams", "Too many live streams from this address; close one or retry shortly.")
            error.headers[.retryAfter] = "10"
            throw error
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            streams.close(client)
            throw error
        }
        let body = response.body
        let streams = streams
        response.body = ResponseBody { writer in
            defer { streams.close(client) }
            try await body.write(writer)
        }
        return response
    }
}

extension LiveFrame {
    /// The frame as one Server-Sent Event: its id, its name, and each line of its data.
    var text: String {
        var out = ""
        if let id { out += "id: \(id)\n" }
        out += "event: \(event)\n"
        if !data.utf8.contains(UInt8(ascii: "\n")) {
            out += "data: \(data)\n"  // JSON as the hub writes it: one line
        } else {
            for line in data.split(separator: "\n", omittingEmptySubsequences: false) { out += "data: \(line)\n" }
        }
        return out + "\n"
    }

    /// `text` as bytes, made once per frame and written as they are to every watcher it goes to.
    var bytes: ByteBuffer { encoding.value { ByteBuffer(string: text) } }
}
