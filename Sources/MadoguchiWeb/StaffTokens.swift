import Crypto
import Foundation
import QueueCore

/// Staff bearer tokens: 256 random bits shown once; only their SHA-256 is stored.
public enum StaffTokens {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "mdg_" + Base64URL.encode(bytes)
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
