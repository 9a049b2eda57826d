import Crypto
import Foundation
import NIOPosix
import Synchronization
import _CryptoExtras

/// Console passwords, stored as scrypt hashes (RFC 7914) with a random salt. N = 2¹⁴, r = 8, p = 5: the
/// OWASP-listed equivalent of N = 2¹⁷, p = 1 in work, at 16 MiB of memory a try instead of 128 MiB (several
/// sign-ins at once must not exhaust a small server); docs/pages.md has the measured cost. Hashes made with older
/// parameters still verify: each carries its own. The password itself is never stored or logged.
public enum Passwords {
    static let rounds = 1 << 14, blockSize = 8, parallelism = 5

    /// A hash of no one's password, verified against when the username is unknown.
    static let dummyHash: String = (try? hash(StaffTokens.generate())) ?? "scrypt$16384$8$5$AAAA$AAAA"

    /// The sign-ins one server checks at once. Past `limit`, a sign-in is told to retry: each holds 16 MiB and a
    /// core for its scrypt. One per server (the console's routes hold it), not one per process, so that servers
    /// sharing a process (the tests) do not turn each other's sign-ins away.
    final class Gate: Sendable {
        let limit: Int
        private let checking = Atomic<Int>(0)

        init(limit: Int = 16) { self.limit = limit }

        /// `verify` off Swift's cooperative pool, on NIO's thread pool: a scrypt blocks its thread for its whole
        /// run, and on the cooperative pool (one thread a core) two sign-ins at once would stall every request's
        /// async work. Throws 503 `busy` when `limit` are already being checked.
        func check(_ password: String, against stored: String) async throws -> Bool {
            guard checking.add(1, ordering: .relaxed).newValue <= limit else {
                checking.subtract(1, ordering: .relaxed)
                var busy = ApiError(.serviceUnavailable, "busy", "Too many sign-ins at once; retry in a few seconds.")
                busy.headers[.retryAfter] = "2"
                throw busy
            }
            defer { checking.subtract(1, ordering: .relaxed) }
            return try await NIOThreadPool.singleton.runIfActive { verify(password, against: stored) }
        }
    }

    /// `hash` on NIO's thread pool (see `check`).
    static func hashOffPool(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { try hash(password) }
    }

    public static func hash(_ password: String) throws -> String {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let key = try derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(key.base64EncodedString())"
    }

    static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            n <= 1 << 20, r <= 16, p <= 16,
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
            let actual = try? derive(password, salt: Array(salt), rounds: n, blockSize: r, parallelism: p)
        else { return false }
        // Constant time: compare every byte.
        return actual.count == expected.count && zip(actual, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int, blockSize: Int, parallelism: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: rounds, blockSize: blockSize,
            parallelism: parallelism)
        return key.withUnsafeBytes { Data($0) }
    }
}

/// Console sessions: signing in creates a `StaffAccount` whose token lives in an HttpOnly, same-site cookie. The
/// CSRF token of every staff form is derived from the session token, so it needs no storage and dies with it.
enum Sessions {
    static let cookieName = "session"
    /// A session lasts one working day.
    static let lifetimeSeconds: Double = 12 * 3600

    /// Without digits (`StaffTokens.formKey`): a hex token holding 12 digits with a valid check digit would have
    /// every form of that session refused by the My Number guard.
    static func csrfToken(for session: String) -> String {
        StaffTokens.formKey(hash: SHA256.hash(data: Data("csrf:\(session)".utf8)).hex)
    }

    static func csrfMatches(_ sent: String?, session: String) -> Bool {
        guard let sent else { return false }
        let expected = csrfToken(for: session)
        return sent.utf8.count == expected.utf8.count && zip(sent.utf8, expected.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
