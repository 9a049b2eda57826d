import Crypto
import Foundation
import QueueCore

/// RFC 8291 message encryption for Web Push, `aes128gcm` content coding (RFC 8188), one record.
public enum WebPushCrypto {
    /// The record size written in the header; one record always suffices for an alert.
    public static let recordSize: UInt32 = 4096

    public enum Failure: Error, Equatable {
        case badKey(String)
        case tooLong
    }

    /// Encrypts `plaintext` to a subscription's `p256dh` (65-byte uncompressed point) and `auth` (16 bytes) with a
    /// fresh sender key and salt.
    public static func encrypt(_ plaintext: [UInt8], p256dh: [UInt8], auth: [UInt8]) throws -> [UInt8] {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &generator) }
        return try encrypt(plaintext, p256dh: p256dh, auth: auth, sender: P256.KeyAgreement.PrivateKey(), salt: salt)
    }

    /// The same with a given sender key and salt (RFC 8291 Appendix A gives both, so a test can hold the output to
    /// the published bytes).
    public static func encrypt(
        _ plaintext: [UInt8], p256dh: [UInt8], auth: [UInt8], sender: P256.KeyAgreement.PrivateKey, salt: [UInt8]
    ) throws -> [UInt8] {
        guard auth.count == 16 else { throw Failure.badKey("auth must be 16 bytes") }
        guard salt.count == 16 else { throw Failure.badKey("salt must be 16 bytes") }
        let receiver: P256.KeyAgreement.PublicKey
        do { receiver = try P256.KeyAgreement.PublicKey(x963Representation: p256dh) } catch {
            throw Failure.badKey("p256dh is not a P-256 point")
        }
        // One record: the plaintext, the last-record delimiter 0x02, the 16-byte tag, within the record size.
        guard plaintext.count + 1 + 16 <= Int(recordSize) - 86 else { throw Failure.tooLong }
        let senderPublic = [UInt8](sender.publicKey.x963Representation)
        let shared = try sender.sharedSecretFromKeyAgreement(with: receiver)
        let ecdhSecret = shared.withUnsafeBytes { [UInt8]($0) }
        // RFC 8291 §3.4: IKM from the ECDH secret, keyed by the auth secret, bound to both public keys.
        let prkKey = hmac(key: auth, ecdhSecret)
        let keyInfo = Array("WebPush: info".utf8) + [0] + p256dh + senderPublic
        let ikm = hmac(key: prkKey, keyInfo + [1])
        // RFC 8188 §2.2–2.3: the content-encryption key and the nonce.
        let prk = hmac(key: salt, ikm)
        let cek = Array(hmac(key: prk, Array("Content-Encoding: aes128gcm".utf8) + [0, 1]).prefix(16))
        let nonce = Array(hmac(key: prk, Array("Content-Encoding: nonce".utf8) + [0, 1]).prefix(12))
        let sealed = try AES.GCM.seal(plaintext + [2], using: SymmetricKey(data: cek), nonce: AES.GCM.Nonce(data: nonce))
        var header = salt
        withUnsafeBytes(of: recordSize.bigEndian) { header += $0 }
        header.append(UInt8(senderPublic.count))
        header += senderPublic
        return header + sealed.ciphertext + sealed.tag
    }

    static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        [UInt8](HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }
}

/// RFC 8292 VAPID: the application server's identity to push services, an ES256 JWT over the push service's
/// origin, with the public key.
public struct VAPID: Sendable {
    public let key: P256.Signing.PrivateKey
    /// `mailto:` or `https:` contact the push service may use (RFC 8292 §2.1).
    public let subject: String

    public init(key: P256.Signing.PrivateKey, subject: String) {
        self.key = key
        self.subject = subject
    }

    /// The public key as browsers take it for `applicationServerKey`: base64url of the 65-byte point.
    public var publicKey: String { Base64URL.encode(key.publicKey.x963Representation) }

    /// `Authorization: vapid t=<JWT>, k=<public key>` for a push to `endpoint`, valid 12 hours from `now`.
    public func authorization(endpoint: URL, now: Date) throws -> String {
        guard let scheme = endpoint.scheme, let host = endpoint.host else { throw WebPushCrypto.Failure.badKey("endpoint has no origin") }
        let audience = "\(scheme)://\(host)" + (endpoint.port.map { ":\($0)" } ?? "")
        let header = Base64URL.encode(Array(#"{"typ":"JWT","alg":"ES256"}"#.utf8))
        let claims = try JSONSerialization.data(
            withJSONObject: ["aud": audience, "exp": Int(now.timeIntervalSince1970) + 12 * 3600, "sub": subject],
            options: [.sortedKeys, .withoutEscapingSlashes])
        let signingInput = header + "." + Base64URL.encode(claims)
        let signature = try key.signature(for: Data(signingInput.utf8))
        return "vapid t=\(signingInput).\(Base64URL.encode(signature.rawRepresentation)), k=\(publicKey)"
    }
}

/// Web Push (RFC 8030) to the browser that subscribed on the ticket page: the message encrypted to the
/// subscription (RFC 8291), signed for the push service (RFC 8292), only to push services on the allow-list (a
/// subscription is the citizen's input: without the list, the server could be made to post anywhere).
public struct WebPushTransport: AlertTransport {
    public let channel = AlertChannel.webPush
    let http: AlertHTTP
    let vapid: VAPID
    let allowedOrigins: [String]
    let now: @Sendable () -> Date

    /// The big browsers' push services.
    public static let defaultOrigins = [
        "https://fcm.googleapis.com", "https://updates.push.services.mozilla.com", "https://web.push.apple.com",
        "https://*.notify.windows.com",
    ]

    public init(http: AlertHTTP, vapid: VAPID, allowedOrigins: [String] = defaultOrigins, now: @escaping @Sendable () -> Date = { Date() })
    {
        self.http = http
        self.vapid = vapid
        self.allowedOrigins = allowedOrigins
        self.now = now
    }

    /// Whether `endpoint`'s origin is on the list (`https://*.example.com` matches any subdomain).
    public static func allows(_ endpoint: URL, origins: [String]) -> Bool {
        guard let scheme = endpoint.scheme?.lowercased(), let host = endpoint.host?.lowercased() else { return false }
        let origin = "\(scheme)://\(host)" + (endpoint.port.map { ":\($0)" } ?? "")
        return origins.contains { allowed in
            let allowed = allowed.lowercased()
            if allowed == origin { return true }
            guard let star = allowed.range(of: "://*.") else { return false }
            let prefix = allowed[..<star.lowerBound] + "://"
            let suffix = "." + allowed[star.upperBound...]
            return origin.hasPrefix(prefix) && origin.hasSuffix(suffix) && endpoint.port == nil
        }
    }

    public struct Subscription: Decodable {
        public struct Keys: Decodable {
            public var p256dh: String
            public var auth: String
        }

        public var endpoint: String
        public var keys: Keys
    }

    public func send(_ message: AlertMessage, to address: String, key: String) async throws(DeliveryError) {
        guard let subscription = try? JSONDecoder().decode(Subscription.self, from: Data(address.utf8)),
            let endpoint = URL(string: subscription.endpoint),
            let p256dh = Base64URL.decode(subscription.keys.p256dh), let auth = Base64URL.decode(subscription.keys.auth)
        else { throw .permanent("not a push subscription") }
        guard Self.allows(endpoint, origins: allowedOrigins) else { throw .permanent("push service not on the allow-list") }
        var payload: [String: String] = ["title": message.title, "body": message.body, "tag": key]
        if let url = message.url { payload["url"] = url }
        let body: [UInt8]
        let authorization: String
        do {
            let json = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])
            body = try WebPushCrypto.encrypt([UInt8](json), p256dh: p256dh, auth: auth)
            authorization = try vapid.authorization(endpoint: endpoint, now: now())
        } catch {
            throw .permanent("could not encrypt: \(error)")
        }
        // Topic (RFC 8030 §5.4): a retry of the same alert replaces an undelivered first copy.
        let topic = Base64URL.encode(SHA256.hash(data: Data(key.utf8)).prefix(24))
        try await http.post(
            subscription.endpoint, body: body,
            headers: [
                ("Content-Type", "application/octet-stream"), ("Content-Encoding", "aes128gcm"), ("TTL", "3600"),
                ("Urgency", "high"), ("Topic", topic), ("Authorization", authorization),
            ])
    }
}
