import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import QueueCore
import Synchronization

/// The HTTP client every HTTP channel shares: no redirects (an address must not lead the server elsewhere), a
/// connect timeout, and the caller's deadline per request.
public final class AlertHTTP: Sendable {
    /// Made at the first send: a notifier that never sends (or is composed and never run) holds no client.
    private let made = Mutex<HTTPClient?>(nil)

    public init() {}

    var client: HTTPClient {
        made.withLock { made in
            if let client = made { return client }
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            made = client
            return client
        }
    }

    public func shutdown() async {
        let client = made.withLock { made in
            defer { made = nil }
            return made
        }
        try? await client?.shutdown()
    }

    /// POSTs `body`; success for 2xx, and for 409 when `duplicateIsSuccess` (the provider saw this key before).
    /// 429 and 5xx are transient, other 4xx permanent.
    func post(
        _ url: String, body: [UInt8], headers: [(String, String)], timeoutSeconds: Double = 10, duplicateIsSuccess: Bool = false
    ) async throws(DeliveryError) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: HTTPResponseStatus
        var detail = ""
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            status = response.status
            // The answer's first words, for the log; an answer too long to read changes nothing about the status.
            if let answer = try? await response.body.collect(upTo: 16 * 1024) {
                detail = String(buffer: answer).prefix(200).replacingOccurrences(of: "\n", with: " ")
            }
        } catch {
            // Only the host: a push endpoint's path identifies a browser, and logs outlive the day.
            throw .transient("\(URL(string: url)?.host ?? "?"): \(error)")
        }
        switch status.code {
        case 200..<300: return
        case 409 where duplicateIsSuccess: return
        case 408, 425, 429, 500..<600: throw .transient("HTTP \(status.code) \(detail)")
        default: throw .permanent("HTTP \(status.code) \(detail)")
        }
    }
}

/// SMS and voice-call providers: a JSON POST to the city's gateway URL, signed with HMAC-SHA256 over
/// `timestamp + "." + body` in `X-Madoguchi-Signature: t=<unix seconds>,v1=<hex>` (the receiver refuses old
/// timestamps, so a captured request cannot be replayed), with the alert's `Idempotency-Key`.
public struct GatewayTransport: AlertTransport {
    public let channel = AlertChannel.gateway
    let http: AlertHTTP
    let url: String
    let secret: SymmetricKey
    let now: @Sendable () -> Date

    public init(http: AlertHTTP, url: String, secret: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.url = url
        self.secret = SymmetricKey(data: Data(secret.utf8))
        self.now = now
    }

    public struct Payload: Codable, Sendable, Equatable {
        public var to: String
        public var text: String
        public var key: String
    }

    public func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(Payload(to: address, text: message.text, key: key)) else {
            throw .permanent("could not encode the gateway request")
        }
        let timestamp = String(Int(now().timeIntervalSince1970))
        let signature = Self.signature(secret: secret, timestamp: timestamp, body: Array(body))
        try await http.post(
            url, body: Array(body),
            headers: [
                ("Content-Type", "application/json"), ("Idempotency-Key", key),
                ("X-Madoguchi-Signature", "t=\(timestamp),v1=\(signature)"),
            ],
            duplicateIsSuccess: true)
    }

    public static func signature(secret: SymmetricKey, timestamp: String, body: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(timestamp.utf8) + [UInt8(ascii: ".")] + body, using: secret)
        return mac.hex
    }
}

/// LINE Messaging API push messages: only the generic text with the office and the number (the 2021 government
/// guideline on LINE: no personal data on LINE). `X-Line-Retry-Key` is a UUID derived from the delivery key, so
/// LINE accepts a retried push once and answers 409 to the repeat.
public struct LineTransport: AlertTransport {
    public let channel = AlertChannel.line
    let http: AlertHTTP
    /// `https://api.line.me` in production; a local fake server in tests.
    let apiBase: String
    let accessToken: String

    public init(http: AlertHTTP, apiBase: String, accessToken: String) {
        self.http = http
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.accessToken = accessToken
    }

    public func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError) {
        let body: [String: Any] = ["to": address, "messages": [["type": "text", "text": String(message.text.prefix(5000))]]]
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else {
            throw .permanent("could not encode the LINE request")
        }
        try await http.post(
            "\(apiBase)/v2/bot/message/push", body: Array(data),
            headers: [
                ("Content-Type", "application/json"), ("Authorization", "Bearer \(accessToken)"),
                ("X-Line-Retry-Key", Self.retryKey(key)),
            ],
            duplicateIsSuccess: true)
    }

    /// A UUID (version 4 layout) from the first 16 bytes of SHA-256(key): the same key always gives the same UUID.
    public static func retryKey(_ key: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(key.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.hex
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }
}
