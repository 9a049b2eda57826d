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
        SHA256.hash(data: Data(token.utf8)).hex
    }

    /// A hash as a page's form carries it (a token to revoke, the CSRF token): hex with its digits 0–9 written as
    /// g–p. Every form field passes the My Number guard, and about one hex hash in fifty holds a run of 12 digits
    /// that passes the check digit; written without digits, none is ever refused as one.
    public static func formKey(hash: String) -> String {
        String(String.UnicodeScalarView(hash.unicodeScalars.map { s in (48...57).contains(s.value) ? Unicode.Scalar(s.value + 55)! : s }))
    }

    /// The hash a `formKey` stands for.
    public static func hash(formKey: String) -> String {
        String(
            String.UnicodeScalarView(formKey.unicodeScalars.map { s in (103...112).contains(s.value) ? Unicode.Scalar(s.value - 55)! : s }))
    }
}
