import QueueCore
import Testing

/// The one My Number guard: what it refuses, and what it lets through.
@Suite struct MyNumberTests {
    /// 4681 3579 0240: a valid My Number (its check digit is 0); ...0241 is the same with a wrong one.
    static let valid = "468135790240"

    @Test func theCheckDigitFollowsTheMinistrysRule() {
        #expect(MyNumber.checkDigit(of: [4, 6, 8, 1, 3, 5, 7, 9, 0, 2, 4]) == 0)
        #expect(MyNumber.checkDigit(of: [0, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8]) == 4)
    }

    @Test(arguments: [
        valid, "4681-3579-0240", "4681 3579 0240", "４６８１３５７９０２４０", "４６８１－３５７９－０２４０", "4681\u{3000}3579\u{3000}0240",
        "番号は4681-3579-0240です", "my number: 468135790240.", "tel 0120-123-456 4681-3579-0240", "090123456784",
    ])
    func aValidMyNumberIsFoundInAnyOfItsForms(_ text: String) {
        #expect(MyNumber.contains(in: text))
        #expect(throws: QueueError.myNumberRefused) { try MyNumber.refuse(["ok", text]) }
    }

    @Test(arguments: [
        "468135790241", "4681-3579-0241", "4681357902401", "1468135790240", "090-1234-5678", "+81 90-1234-5678",
        "2026-12-06 2026-12-07", "A-042", "", "certificates", "4681-3579-024",
    ])
    func otherNumbersAreNotRefused(_ text: String) {
        #expect(!MyNumber.contains(in: text))
    }
}
