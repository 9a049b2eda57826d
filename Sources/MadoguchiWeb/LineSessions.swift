import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Notify
import QueueCore
import Synchronization

/// The LIFF mini-app's sign-in. The page sends LINE's ID token once (`POST /api/v1/line/session`); the server checks
/// it (`LineLogin`), refuses a token it has seen before, and answers with a *pass*: the LINE user id and an expiry,
/// sealed (ChaCha20-Poly1305) under a key kept in the database, so every node reads it and nobody else can make or
/// read one. The page then takes tickets with `X-Line-Pass`, each bound to that LINE user for "come now".
final class LineSessions: Sendable {
    let login: LineLogin
    let store: any QueueStore
    /// A pass lasts as long as its ID token, and two hours at most.
    static let lifetimeSeconds: Double = 2 * 3600
    static let header = "X-Line-Pass"
    private let key = Mutex<SymmetricKey?>(nil)

    init(login: LineLogin, store: any QueueStore) {
        self.login = login
        self.store = store
    }

    struct Pass: Codable {
        /// The LINE user id.
        var u: String
        /// Expiry, Unix seconds.
        var e: Double
    }

    /// The ID token checked and spent: a pass, or a 401 saying why not.
    func exchange(idToken: String) async throws -> (pass: String, expires: Date) {
        let token: LineIDToken
        do {
            token = try await login.verify(idToken)
        } catch .keysUnavailable(let why) {
            throw ApiError(.serviceUnavailable, "line_unavailable", "LINE's signing keys cannot be read just now (\(why)).")
        } catch {
            throw ApiError(.unauthorized, "invalid_id_token", error.reason)
        }
        guard try await store.firstUse(credential: token.digest) else {
            throw ApiError(.unauthorized, "id_token_replayed", "This ID token was used before; open the mini-app again.")
        }
        let expires = min(token.expires, store.clock.now().addingTimeInterval(Self.lifetimeSeconds))
        let sealed = try ChaChaPoly.seal(
            try JSONEncoder().encode(Pass(u: token.user, e: expires.timeIntervalSince1970.rounded(.down))), using: try await sealingKey())
        return (Base64URL.encode(sealed.combined), expires)
    }

    /// The LINE user a pass names, or a 401 when it is forged, damaged or expired.
    func user(pass: String) async throws -> String {
        let refused = ApiError(.unauthorized, "invalid_line_pass", "The LINE pass is not valid; open the mini-app again.")
        guard pass.utf8.count <= 512, let bytes = Base64URL.decode(pass), let box = try? ChaChaPoly.SealedBox(combined: bytes),
            let opened = try? ChaChaPoly.open(box, using: try await sealingKey()),
            let decoded = try? JSONDecoder().decode(Pass.self, from: opened),
            Date(timeIntervalSince1970: decoded.e) > store.clock.now()
        else { throw refused }
        return decoded.u
    }

    /// The sealing key: made once, kept in the database (`serverKey`), the same on every node and after a restart.
    private func sealingKey() async throws -> SymmetricKey {
        if let known = key.withLock({ $0 }) { return known }
        let kept = try await store.serverKey(
            "line-pass", candidate: Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes(Array.init)))
        guard let raw = Base64URL.decode(kept), raw.count == 32 else {
            throw QueueError.storageUnavailable("the stored LINE pass key is not 32 bytes of base64url")
        }
        let made = SymmetricKey(data: raw)
        key.withLock { $0 = made }
        return made
    }
}

extension Api {
    static let lineSessionPath = "/api/v1/line/session"

    /// `POST /api/v1/line/session` `{"idToken": …}` → 201 `{"pass": …, "expiresAt": …}`.
    func lineSession(_ request: Request) async throws -> Response {
        struct Body: Decodable { var idToken: String }
        guard let line else { throw Self.liffOff }
        let body = try await JSONBody.decode(Body.self, from: request)
        guard !body.idToken.isEmpty else { throw QueueError.invalidInput(field: "idToken", reason: "the ID token from liff.getIDToken()") }
        let (pass, expires) = try await line.exchange(idToken: body.idToken)
        return JSONBody.response(["pass": pass, "expiresAt": ISO8601DateFormatter().string(from: expires)], status: .created)
    }

    /// The LINE user of a ticket request carrying `X-Line-Pass`, nil without one. The ticket must then be a `line`
    /// ticket.
    func lineUser(_ request: Request, channel: Channel) async throws -> String? {
        guard let pass = request.headers[HTTPField.Name(LineSessions.header)!] else { return nil }
        guard let line else { throw Self.liffOff }
        let user = try await line.user(pass: pass)
        guard channel == .line else {
            throw QueueError.invalidInput(field: "channel", reason: "a ticket taken with a LINE pass is a line ticket")
        }
        return user
    }

    static let liffOff = ApiError(.notFound, "liff_disabled", "This server has no LINE mini-app (see docs/notifications.md).")
}
