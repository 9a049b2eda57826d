/// マイナンバー (Individual Number): a queue system may never collect one (My Number Act §20). This is the one
/// guard: every door through which a person's or a client's text comes in (API bodies, forms, query strings,
/// stored headers, contacts, reform texts, imported files) asks it, and refuses what it finds with
/// `my_number_refused`, before anything is stored or logged.
///
/// What counts: 12 digits whose last is the valid check digit of the first 11, written together or in groups
/// split by spaces or hyphens (ASCII or full-width), anywhere in a text. An ordinary 12-digit string whose check
/// digit fails is not one, and passes; so does a longer unbroken run of digits (a 13-digit corporate number, say).
public enum MyNumber {
    /// True when a My Number stands anywhere in `text`: a run of digit groups (split only by spaces or hyphens)
    /// some consecutive groups of which hold exactly 12 digits with a valid check digit.
    public static func contains(in text: String) -> Bool {
        // Most texts are ASCII with few digits: those cannot hold one, and need no look at Unicode properties.
        var asciiDigits = 0
        var onlyASCII = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                onlyASCII = false
                break
            }
            if byte >= 0x30 && byte <= 0x39 { asciiDigits += 1 }
        }
        if onlyASCII && asciiDigits < 12 { return false }
        for parts in digitGroups(text) {
            // Every stretch of whole groups: "0120-123-456 1234-5678-9018" holds one in its last three groups.
            for start in parts.indices {
                var digits: [Int] = []
                for part in parts[start...] {
                    digits += part
                    if digits.count >= 12 { break }
                }
                if digits.count == 12, isMyNumber(digits) { return true }
            }
        }
        return false
    }

    /// Throws `myNumberRefused` when any of `texts` holds a My Number.
    public static func refuse(_ texts: [String]) throws {
        if texts.contains(where: contains(in:)) { throw QueueError.myNumberRefused }
    }

    /// The check digit of an 11-digit body (総務省令 check digit rule): weights 2..7 from the right, mod 11.
    public static func checkDigit(of body: [Int]) -> Int {
        var sum = 0
        for (n, digit) in body.reversed().enumerated() {
            let index = n + 1
            let weight = index <= 6 ? index + 1 : index - 5
            sum += digit * weight
        }
        let remainder = sum % 11
        return remainder <= 1 ? 0 : 11 - remainder
    }

    private static func isMyNumber(_ digits: [Int]) -> Bool {
        digits.count == 12 && checkDigit(of: Array(digits.prefix(11))) == digits[11]
    }

    /// The runs of digit groups in `text`: digits (any script's decimal digits, full-width ones included, as NFKC
    /// would read them) split by spaces or hyphens. Anything else ends a run.
    private static func digitGroups(_ text: String) -> [[[Int]]] {
        var runs: [[[Int]]] = []
        var run: [[Int]] = []
        var group: [Int] = []
        func endGroup() {
            if !group.isEmpty { run.append(group) }
            group = []
        }
        func endRun() {
            endGroup()
            if !run.isEmpty { runs.append(run) }
            run = []
        }
        for scalar in text.unicodeScalars {
            if isDigit(scalar), let value = scalar.properties.numericValue {
                group.append(Int(value))
            } else if isSeparator(scalar) {
                endGroup()
            } else {
                endRun()
            }
        }
        endRun()
        return runs
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.numericType == .decimal
    }

    /// Spaces (U+3000 too) and the hyphens and dashes people type between digit groups.
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || separators.contains(scalar)
    }

    private static let separators: Set<Unicode.Scalar> = [
        "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}", "\u{30FC}", "\u{FF0D}", "\u{FE63}",
        "\u{FF70}",
    ]
}
