import QueueCore
import Testing

@testable import MadoguchiWeb

@Suite struct StaffTokenTests {
    @Test("a token hash that holds a My Number's digits goes through a form untouched by the guard, and back")
    func formKeysHaveNoDigits() throws {
        let body = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
        let hash = "ab" + (body + [MyNumber.checkDigit(of: body)]).map(String.init).joined() + "cd" + String(repeating: "0f", count: 25)
        #expect(MyNumber.contains(in: hash), "the hex hash itself would be refused")
        let key = StaffTokens.formKey(hash: hash)
        #expect(!MyNumber.contains(in: key) && !key.contains { $0.isNumber })
        #expect(StaffTokens.hash(formKey: key) == hash)
        let real = StaffTokens.hash(StaffTokens.generate())
        #expect(StaffTokens.hash(formKey: StaffTokens.formKey(hash: real)) == real)
    }
}
