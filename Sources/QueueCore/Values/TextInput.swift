import Foundation

/// Text a person typed, as the domain keeps it: NFC, trimmed, one line, no control or invisible formatting
/// characters (bidi overrides and zero-width characters can make a stored text read differently from what it
/// holds), and never a My Number.
public enum TextInput {
    /// The cleaned line, or `invalidInput` naming `field` (`myNumberRefused` for a My Number).
    public static func line(_ text: String, field: String, maxCharacters: Int) throws -> String {
        try MyNumber.refuse([text])
        let line = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxCharacters).contains(line.count) else {
            throw QueueError.invalidInput(field: field, reason: "1-\(maxCharacters) characters on one line")
        }
        if let bad = line.unicodeScalars.first(where: isRefused) {
            let code = String(bad.value, radix: 16, uppercase: true)
            throw QueueError.invalidInput(
                field: field,
                reason:
                    "U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) (a control or invisible formatting character) is not accepted"
            )
        }
        return line
    }

    /// Controls (line breaks included) and format characters: bidi embeddings, overrides and isolates, zero-width
    /// spaces and joiners, the byte-order mark.
    static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
