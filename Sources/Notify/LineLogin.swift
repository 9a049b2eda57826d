import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import QueueCore

/// Who opened the city's LIFF mini-app, from the ID token LINE gave it (`liff.getIDToken()`), checked here rather
/// than trusted: an ES256 JWT signed with one of LINE's keys (`{api}/oauth2/v2.1/certs`), issued by
/// `https://access.line.me` for the city's LINE Login channel, and not expired. LIFF tokens are always ES256;
/// HS256 (web login) and anything else is refused.
public struct LineIDToken: Sendable, Equatable {
    /// The LINE user id (`U` and 32 hex digits), the same one the Messaging API pushes to when both channels are
    /// under one provider.
    public var user: String
    public var issuedAt: Date
    public var expires: Date
    /// SHA-256 of the raw token (hex): what the replay ledger keeps, never the token itself.
    public var digest: String
}

/// Why an ID token was refused. `reason` is the human half of the 401; the code is always `invalid_id_token`.
public enum LineLoginError: Error, Equatable, Sendable {
    case malformed
    case algorithm(String)
    case unknownKey
    case signature
    case issuer
    case audience
    case expired
    case notYetValid
    case lifetime
    case subject
    /// LINE's keys could not be read (and none were cached): a 503, not the holder's fault.
    case keysUnavailable(String)

    public var reason: String {
        switch self {
        case .malformed: "The ID token is not a JWT."
        case .algorithm(let alg): "The ID token is signed with \(alg); a LIFF token is ES256."
        case .unknownKey: "The ID token names a key LINE does not publish."
        case .signature: "The ID token's signature does not verify."
        case .issuer: "The ID token was not issued by LINE."
        case .audience: "The ID token is for another LINE channel."
        case .expired: "The ID token has expired; open the mini-app again."
        case .notYetValid: "The ID token is dated in the future."
        case .lifetime: "The ID token lives longer than a day."
        case .subject: "The ID token does not name a LINE user."
        case .keysUnavailable: "LINE's signing keys cannot be read just now."
        }
    }
}

/// Checks LIFF ID tokens for one LINE Login channel. LINE's public keys are fetched once and kept; a token naming a
/// key not yet seen fetches them again, at most once a minute (so forged key ids cannot make the server hammer
/// LINE).
public final class LineLogin: Sendable {
    public static let issuer = "https://access.line.me"
    /// How far the server's clock may be behind LINE's.
    static let skewSeconds: Double = 60
    /// A token living longer than this is refused: the replay ledger keeps a token's digest for a day.
    static let maxLifetimeSeconds: Double = 86_400
    static let refetchSeconds: Double = 60
    /// The longest ID token read: LINE's are well under 1 KB with the `openid` scope, a little more with `profile`.
    public static let maxTokenBytes = 2048

    let keysURL: String
    public let channelID: String
    let now: @Sendable () -> Date
    private let cache = KeyCache()

    /// `channelID` is the LINE Login channel's id, the tokens' audience: the digits a LIFF id starts with.
    public init(apiBase: String, channelID: String, now: @escaping @Sendable () -> Date = { Date() }) {
        keysURL = (apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase) + "/oauth2/v2.1/certs"
        self.channelID = channelID
        self.now = now
    }

    /// The LINE Login channel a LIFF id belongs to (`1234567890-AbcdEfgh` → `1234567890`), or nil when `liffID`
    /// is not shaped like one.
    public static func channel(ofLIFF liffID: String) -> String? {
        let parts = liffID.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...20).contains(parts[0].count), parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber),
            (1...32).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        return String(parts[0])
    }

    /// The token's user, or why it is refused.
    public func verify(_ token: String) async throws(LineLoginError) -> LineIDToken {
        let jwt = try JWT(token)
        guard jwt.header.alg == "ES256" else { throw .algorithm(jwt.header.alg ?? "nothing") }
        guard let kid = jwt.header.kid else { throw .unknownKey }
        guard let key = try await cache.key(kid, now: now(), url: keysURL) else { throw .unknownKey }
        return try Self.check(jwt, key: key, channelID: channelID, now: now())
    }

    /// The claims' checks, after the key is known: pure, so the tests can state each refusal.
    static func check(_ jwt: JWT, key: P256.Signing.PublicKey, channelID: String, now: Date) throws(LineLoginError) -> LineIDToken {
        guard jwt.signature.count == 64, let signature = try? P256.Signing.ECDSASignature(rawRepresentation: jwt.signature),
            key.isValidSignature(signature, for: Array(jwt.signed.utf8))
        else { throw .signature }
        let claims = jwt.claims
        guard claims.iss == issuer else { throw .issuer }
        guard claims.aud == channelID else { throw .audience }
        guard let exp = claims.exp, let iat = claims.iat else { throw .malformed }
        let expires = Date(timeIntervalSince1970: exp)
        let issued = Date(timeIntervalSince1970: iat)
        guard expires > now else { throw .expired }
        guard issued <= now.addingTimeInterval(skewSeconds) else { throw .notYetValid }
        guard expires.timeIntervalSince(now) <= maxLifetimeSeconds else { throw .lifetime }
        guard let user = claims.sub, Contact.problem(channel: .line, address: user) == nil else { throw .subject }
        let digest = SHA256.hash(data: Data(jwt.raw.utf8)).hex
        return LineIDToken(user: user, issuedAt: issued, expires: expires, digest: digest)
    }

    /// The key set's bytes. AsyncHTTPClient's shared client: it needs no shutdown, and the URL is the
    /// configuration's own, not a holder's.
    static func get(_ url: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 * 1024)
        guard response.status == .ok else { throw DeliveryError.permanent("HTTP \(response.status.code)") }
        return Array(buffer: body)
    }

    /// The P-256 signing keys of a JWK set, by key id; other keys are skipped.
    static func keys(fromJWKS body: [UInt8]) -> [String: P256.Signing.PublicKey] {
        struct Set: Decodable { var keys: [Key] }
        struct Key: Decodable {
            var kty: String?
            var crv: String?
            var kid: String?
            var x: String?
            var y: String?
        }
        guard let set = try? JSONDecoder().decode(Set.self, from: Data(body)) else { return [:] }
        var out: [String: P256.Signing.PublicKey] = [:]
        for key in set.keys where key.kty == "EC" && key.crv == "P-256" {
            guard let kid = key.kid, let x = key.x.flatMap(Base64URL.decode), let y = key.y.flatMap(Base64URL.decode),
                x.count == 32, y.count == 32, let made = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
            else { continue }
            out[kid] = made
        }
        return out
    }
}

/// LINE's published keys, kept: read at the first token, and again for a key id not yet seen at most once a
/// minute. Callers that arrive while a read is under way wait for it (the first tokens after a start all pass).
actor KeyCache {
    private var keys: [String: P256.Signing.PublicKey] = [:]
    private var attempted: Date?
    private var reading: Task<[String: P256.Signing.PublicKey]?, Never>?

    func key(_ kid: String, now: Date, url: String) async throws(LineLoginError) -> P256.Signing.PublicKey? {
        if let known = keys[kid] { return known }
        if let reading {
            absorb(await reading.value)
            return try found(kid)
        }
        if let attempted, now.timeIntervalSince(attempted) < LineLogin.refetchSeconds { return try found(kid) }
        attempted = now
        let read = Task { () -> [String: P256.Signing.PublicKey]? in
            guard let body = try? await LineLogin.get(url) else { return nil }
            return LineLogin.keys(fromJWKS: body)
        }
        reading = read
        absorb(await read.value)
        reading = nil
        return try found(kid)
    }

    /// A read's keys kept, whichever caller resumes first (a failed or empty read keeps the old ones).
    private func absorb(_ fetched: [String: P256.Signing.PublicKey]?) {
        if let fetched, !fetched.isEmpty { keys = fetched }
    }

    /// The key, nil when LINE does not publish it, or `keysUnavailable` when no key could be read at all.
    private func found(_ kid: String) throws(LineLoginError) -> P256.Signing.PublicKey? {
        guard !keys.isEmpty else { throw .keysUnavailable("LINE's key set could not be read") }
        return keys[kid]
    }
}

/// A compact JWS as LINE sends it: three base64url parts, the header and claims read, nothing trusted yet.
struct JWT: Sendable {
    struct Header: Decodable, Sendable {
        var alg: String?
        var kid: String?
    }

    struct Claims: Decodable, Sendable {
        var iss: String?
        var sub: String?
        var aud: String?
        var exp: Double?
        var iat: Double?
    }

    let raw: String
    let header: Header
    let claims: Claims
    /// `header.payload`, the bytes the signature covers.
    let signed: String
    let signature: [UInt8]

    init(_ raw: String) throws(LineLoginError) {
        let parts = raw.split(separator: ".", omittingEmptySubsequences: false)
        guard raw.utf8.count <= LineLogin.maxTokenBytes, parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
            let claimBytes = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2])),
            let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)),
            let claims = try? JSONDecoder().decode(Claims.self, from: Data(claimBytes))
        else { throw .malformed }
        self.raw = raw
        self.header = header
        self.claims = claims
        signed = "\(parts[0]).\(parts[1])"
        self.signature = signature
    }
}
