import Crypto
import Foundation
import Notify
import QueueCore
import QueueFixtures
import Testing

@Suite("Web Push")
struct WebPushTests {
    // RFC 8291 Appendix A.
    static let plaintext = "When I grow up, I want to be a watermelon"
    static let senderPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
    static let senderPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
    static let receiverPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
    static let receiverPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    static let salt = "DGv6ra1nlYgDCS1FRnbzlw"
    static let auth = "BTBZMqHH6r4Tts7J_aSIgg"
    static let body =
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"

    @Test("RFC 8291 Appendix A: the same inputs give the same bytes")
    func appendixA() throws {
        let sender = try P256.KeyAgreement.PrivateKey(rawRepresentation: try #require(Base64URL.decode(Self.senderPrivate)))
        #expect(Base64URL.encode(sender.publicKey.x963Representation) == Self.senderPublic)
        let out = try WebPushCrypto.encrypt(
            Array(Self.plaintext.utf8), p256dh: try #require(Base64URL.decode(Self.receiverPublic)),
            auth: try #require(Base64URL.decode(Self.auth)), sender: sender, salt: try #require(Base64URL.decode(Self.salt)))
        #expect(Base64URL.encode(out) == Self.body)
    }

    @Test("a fresh encryption opens with the receiver's key, and a changed byte does not")
    func roundTrip() throws {
        let receiver = try P256.KeyAgreement.PrivateKey(rawRepresentation: try #require(Base64URL.decode(Self.receiverPrivate)))
        let auth = try #require(Base64URL.decode(Self.auth))
        let message = Array(#"{"title":"中央区役所","body":"整理券 A-012"}"#.utf8)
        let sealed = try WebPushCrypto.encrypt(message, p256dh: [UInt8](receiver.publicKey.x963Representation), auth: auth)
        #expect(try Self.open(sealed, receiver: receiver, auth: auth) == message)
        var tampered = sealed
        tampered[tampered.count - 20] ^= 1
        #expect(throws: (any Error).self) { try Self.open(tampered, receiver: receiver, auth: auth) }
        #expect(throws: WebPushCrypto.Failure.self) {
            try WebPushCrypto.encrypt(message, p256dh: [4] + [UInt8](repeating: 1, count: 64), auth: auth)
        }
    }

    @Test("VAPID: an ES256 JWT for the push service's origin that verifies with the published key")
    func vapid() throws {
        let key = P256.Signing.PrivateKey()
        let vapid = VAPID(key: key, subject: "mailto:madoguchi@city.example.jp")
        let header = try vapid.authorization(
            endpoint: try #require(URL(string: "https://fcm.googleapis.com:443/fcm/send/abc")),
            now: Fixtures.start)
        let parts = header.split(separator: " ")
        #expect(parts.first == "vapid")
        let token = String(parts[1].dropFirst(2).dropLast())  // t=…,
        let k = String(parts[2].dropFirst(2))
        #expect(k == vapid.publicKey && Base64URL.decode(k)?.count == 65)
        let pieces = token.split(separator: ".").map(String.init)
        #expect(pieces.count == 3)
        let claims = try JSONSerialization.jsonObject(with: Data(try #require(Base64URL.decode(pieces[1])))) as? [String: Any]
        #expect(claims?["aud"] as? String == "https://fcm.googleapis.com:443")
        #expect(claims?["exp"] as? Int == Int(Fixtures.start.timeIntervalSince1970) + 12 * 3600)
        #expect(claims?["sub"] as? String == "mailto:madoguchi@city.example.jp")
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: try #require(Base64URL.decode(pieces[2])))
        let publicKey = try P256.Signing.PublicKey(x963Representation: try #require(Base64URL.decode(k)))
        #expect(publicKey.isValidSignature(signature, for: Data((pieces[0] + "." + pieces[1]).utf8)))
    }

    @Test("only push services on the allow-list are posted to")
    func allowList() throws {
        let origins = WebPushTransport.defaultOrigins + ["http://127.0.0.1:8123"]
        for (url, allowed) in [
            ("https://fcm.googleapis.com/fcm/send/x", true), ("https://db5p.notify.windows.com/w/?token=x", true),
            ("https://web.push.apple.com/Q", true), ("http://127.0.0.1:8123/push/1", true),
            ("http://127.0.0.1:8124/push/1", false), ("https://notify.windows.com.evil.example/x", false),
            ("http://fcm.googleapis.com/x", false), ("https://169.254.169.254/latest", false),
            ("https://fcm.googleapis.com.evil.example/x", false),
        ] {
            #expect(WebPushTransport.allows(try #require(URL(string: url)), origins: origins) == allowed, "\(url)")
        }
    }

    /// The receiving browser's side (RFC 8291 §3.4 run the other way), for the round trip.
    static func open(_ body: [UInt8], receiver: P256.KeyAgreement.PrivateKey, auth: [UInt8]) throws -> [UInt8] {
        let salt = Array(body[0..<16])
        let keyLength = Int(body[20])
        let senderPublic = Array(body[21..<(21 + keyLength)])
        let sealed = Array(body[(21 + keyLength)...])
        let shared = try receiver.sharedSecretFromKeyAgreement(with: P256.KeyAgreement.PublicKey(x963Representation: senderPublic))
        func hmac(_ key: [UInt8], _ data: [UInt8]) -> [UInt8] {
            [UInt8](HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
        }
        let ikm = hmac(
            hmac(auth, shared.withUnsafeBytes { [UInt8]($0) }),
            Array("WebPush: info".utf8) + [0] + [UInt8](receiver.publicKey.x963Representation) + senderPublic + [1])
        let prk = hmac(salt, ikm)
        let cek = Array(hmac(prk, Array("Content-Encoding: aes128gcm".utf8) + [0, 1]).prefix(16))
        let nonce = Array(hmac(prk, Array("Content-Encoding: nonce".utf8) + [0, 1]).prefix(12))
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
        let padded = [UInt8](try AES.GCM.open(box, using: SymmetricKey(data: cek)))
        return Array(padded.prefix(through: try #require(padded.lastIndex(of: 2))).dropLast())
    }
}
