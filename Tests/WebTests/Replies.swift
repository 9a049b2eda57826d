import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QueueCore

// The API's answers as a client reads them: typed, so that a field renamed, retyped or gone fails to decode
// instead of passing as a nil cast. Only what the tests read.

struct TicketReply: Decodable, Sendable {
    struct Estimate: Decodable, Sendable {
        var minutes: Int
        var low: Int
        var high: Int
    }

    struct CounterRef: Decodable, Sendable {
        var id: String
        var label: String
    }

    var token: String
    var number: String
    var office: String
    var service: String
    var status: String
    var channel: String
    var priority: Int
    var issuedAt: String
    var position: Int?
    var estimate: Estimate?
    var estimateMethod: String?
    var comeNow: Bool
    var comeNowSince: String?
    var counter: CounterRef?
}

struct ErrorReply: Decodable, Sendable {
    struct Detail: Decodable, Sendable {
        var code: String
        var message: String
    }

    var error: Detail
}

struct CounterStateReply: Decodable, Sendable {
    var id: String
    var open: Bool
}

struct OfficeReply: Decodable, Sendable {
    struct Service: Decodable, Sendable {
        var id: String
        var prefix: String
        var color: String
        var name: [String: String]
        var open: Bool
        var typicalMinutes: Int
    }

    struct Counter: Decodable, Sendable {
        var id: String
        var label: String
        var services: [String]
        var open: Bool
    }

    var id: String
    var name: [String: String]
    var timeZone: String
    var services: [Service]
    var counters: [Counter]
}

/// `POST /api/v1/tickets/{token}/line-link`.
struct LineLinkReply: Decodable, Sendable {
    var code: String
    var url: String
}

/// A ticket's contacts: the channels it is reachable on, and those the office offers.
struct ContactsReply: Decodable, Sendable {
    var channels: [String]
    var available: [String]
}

/// `GET /api/v1/reports/waits`: the figures' records are open-data records, keyed as the CSV's columns.
struct ReportReply: Decodable, Sendable {
    struct Histogram: Decodable, Sendable {
        var binMinutes: Int
        var counts: [Int]
    }

    var offices: [String]
    var overall: [String: JSONValue]
    var rows: [[String: JSONValue]]
    var histogram: Histogram
    var simulated: Bool
}

/// `GET /opendata/waits.json`.
struct OpenDataReply: Decodable, Sendable {
    var granularity: String
    var records: [[String: JSONValue]]
}

/// A reform with its before/after evaluation.
struct ReformReply: Decodable, Sendable {
    struct Evaluation: Decodable, Sendable {
        var beforeDays: Int
        var afterDays: Int
        var verdict: String
    }

    var effective: String
    var kind: String
    var recordedBy: String?
    var before: [String]
    var after: [String]?
    var evaluation: Evaluation?
    var simulated: Bool
}

struct ReformsReply: Decodable, Sendable {
    var reforms: [ReformReply]
}

/// `GET /api/v1/offices/{office}/forecast`: per weekday, each opening hour and the best ones.
struct ForecastReply: Decodable, Sendable {
    struct Day: Decodable, Sendable {
        struct Slot: Decodable, Sendable {
            var hour: Int
        }

        var weekday: Int
        var days: Int
        var best: [Int]
        var hours: [Slot]
    }

    var simulated: Bool
    var weekdays: [Day]
}

struct HealthReply: Decodable, Sendable {
    var status: String
}

/// `GET /api/v1/offices/{office}/queue`: per line, who waits, for how long.
struct QueueReply: Decodable, Sendable {
    struct Line: Decodable, Sendable {
        struct Entry: Decodable, Sendable {
            var number: String
            var service: String
            var priority: Int
            var channel: String
            var waitedSeconds: Int
        }

        var service: String
        var waiting: [Entry]
    }

    var office: String
    var lines: [Line]
}

/// The OpenAPI document's version and, per path, its operations.
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

    /// The error's code when the reply is the API's error shape.
    var errorCode: String? { (try? JSONDecoder().decode(ErrorReply.self, from: Data(text.utf8)))?.error.code }
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

    /// A ticket's reply (`TicketReply`).
    func ticket(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, token: String? = nil, key: String? = nil
    ) async throws -> Reply<TicketReply> {
        try await reply(TicketReply.self, method, uri, body: body, token: token, key: key)
    }
}

/// The API's error shape in `text`, when it is one.
func errorReply(_ text: String) -> ErrorReply? { try? JSONDecoder().decode(ErrorReply.self, from: Data(text.utf8)) }
