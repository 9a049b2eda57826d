/// マイナンバー (Individual Number): a queue system may never collect one (My Number Act §20).
public enum MyNumber {
    /// True for 12 digits whose last is the valid check digit of the first 11; such input is refused, never stored
    /// and never logged.
    public static func looksLikeMyNumber(_ text: String) -> Bool {
        let digits = text.unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "-" }
        guard digits.count == 12 else { return false }
        var values: [Int] = []
        for scalar in digits {
            // Full-width digits count too: NFKC would turn them into ASCII.
            guard let value = scalar.properties.numericType == .decimal ? scalar.properties.numericValue : nil else {
                return false
            }
            values.append(Int(value))
        }
        return checkDigit(of: Array(values.prefix(11))) == values[11]
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
}
