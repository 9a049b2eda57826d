import Foundation
import Testing

@testable import Twin

@Suite struct ScenarioValidationTests {
    static let valid = """
        name: small
        offices:
          - id: small
            procedures:
              - {id: cert, prefix: A, service: {lognormal: {median: 5, sigma: 0.5}}}
            groups:
              - {id: desk, services: [cert], counters: 2}
            roster:
              - {from: "09:00", to: "16:30", open: {desk: 2}}
            arrivals:
              perDay: 100
              hourly: {"09:00": 0.5, "12:00": 0.5}
              mix: {cert: 1}
        """

    @Test func aValidScenarioCompiles() throws {
        let s = try TwinFixtures.scenario(yaml: Self.valid)
        #expect(s.offices[0].periods.count == 8)
        #expect(s.offices[0].hours.count == 8)
        // 50 a day over 09:00–12:00, so 50/3 an hour.
        #expect(abs(s.offices[0].arrivalRates[0][0] * 3600 - 50.0 / 3) < 1e-9)
    }

    @Test func unknownKeysAreNamed() throws {
        let yaml = Self.valid + "\n    behaviour: {remoteshare: 0.2}"
        let error = #expect(throws: ScenarioError.self) { try TwinFixtures.scenario(yaml: yaml) }
        #expect(error?.description.contains("offices[0].behaviour.remoteshare: unknown key") == true, "\(error?.description ?? "")")
    }

    @Test func everyProblemIsListedAtOnce() throws {
        let yaml = Self.valid
            .replacingOccurrences(of: "services: [cert]", with: "services: [cert, nope]")
            .replacingOccurrences(of: "\"12:00\": 0.5", with: "\"12:00\": 0.7")
            .replacingOccurrences(of: "open: {desk: 2}", with: "open: {desk: 3}")
            .replacingOccurrences(of: "sigma: 0.5", with: "sigma: -1")
        let error = #expect(throws: ScenarioError.self) { try TwinFixtures.scenario(yaml: yaml) }
        let text = error?.description ?? ""
        print(text)
        #expect(text.contains("unknown procedure 'nope'"))
        #expect(text.contains("shares sum to 1.2"))
        #expect(text.contains("open.desk: 0 to 2"))
        #expect(text.contains("sigma"))
    }

    @Test func transferCyclesAreRefused() throws {
        let yaml = """
            name: cycle
            offices:
              - id: cycle
                procedures:
                  - {id: a, prefix: A, service: {fixed: 5}, next: [{to: b, probability: 0.5}]}
                  - {id: b, prefix: B, service: {fixed: 5}, next: [{to: a, probability: 0.5}]}
                groups:
                  - {id: desk, services: [a, b], counters: 1}
                roster:
                  - {from: "09:00", to: "16:30", open: {desk: 1}}
                arrivals:
                  rates: {a: {"09:00": 5}}
            """
        let error = #expect(throws: ScenarioError.self) { try TwinFixtures.scenario(yaml: yaml) }
        #expect(error?.description.contains("come back to it") == true)
    }

    @Test func badYAMLSaysWhere() throws {
        let error = #expect(throws: ScenarioError.self) { try TwinFixtures.scenario(yaml: "name: x\noffices: 3") }
        #expect(error?.description.contains("offices") == true)
    }
}
