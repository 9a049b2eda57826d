import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Who a request comes from. Behind a reverse proxy every TCP peer is the proxy, so a limit keyed on the peer
/// would make the whole city share one allowance; but `X-Forwarded-For` is whatever a client writes, so it is
/// believed only from the proxies the operator names (`--trusted-proxy CIDR`).
public struct TrustedProxies: Sendable, Equatable {
    /// One CIDR block: an address's bytes, and how many leading bits must match.
    struct Block: Sendable, Equatable {
        var bytes: [UInt8]
        var prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var bits = prefix
            for (a, b) in zip(address, bytes) {
                if bits <= 0 { return true }
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    var blocks: [Block] = []

    public static let none = TrustedProxies()

    public init() {}

    /// Parses `10.0.0.0/8`, `127.0.0.1`, `fd00::/8` and the like; throws a message naming the bad one.
    public init(cidrs: [String]) throws {
        for text in cidrs {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = parts.first.flatMap(Self.bytes(of:)) else {
                throw SettingsError(problems: ["--trusted-proxy \(text): not an IP address or CIDR block"])
            }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else {
                throw SettingsError(problems: ["--trusted-proxy \(text): the prefix length must be 0-\(bytes.count * 8)"])
            }
            blocks.append(Block(bytes: bytes, prefix: prefix))
        }
    }

    public var isEmpty: Bool { blocks.isEmpty }

    func trusts(_ address: String) -> Bool {
        guard !blocks.isEmpty, let bytes = Self.bytes(of: address) else { return false }
        return blocks.contains { $0.contains(bytes) }
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy, the nearest address in
    /// `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the peer it saw, so the rightmost
    /// untrusted entry is the one no client could forge).
    func client(peer: String?, forwardedFor: String?) -> String {
        guard let peer else { return "unknown" }
        guard trusts(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trusts(hop) {
            return Self.bytes(of: hop) == nil ? peer : hop
        }
        return hops.first.flatMap { Self.bytes(of: $0) == nil ? nil : $0 } ?? peer
    }

    /// The address's bytes (4 for IPv4, 16 for IPv6), or nil when it is not an address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// Sets the request context's client address once, first of all middleware, so that every limit and every log
/// line after it sees the same client.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = MadoguchiContext
    let trusted: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if !trusted.isEmpty {
            context.client = trusted.client(peer: context.peer, forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!])
        }
        return try await next(request, context)
    }
}
