import Foundation
import Testing

@testable import Twin

enum TwinFixtures {
    static func scenario(_ name: String) throws -> Scenario {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Scenarios"))
        return try Scenario.load(path: url.path)
    }

    static func scenario(yaml: String) throws -> Scenario {
        try Scenario.compile(ScenarioFile.parse(yaml))
    }

    /// An M/M/s office open round the clock with one procedure.
    static func mmc(servers: Int, arrivalsPerHour: Double, meanServiceMinutes: Double) throws -> Scenario {
        try scenario(
            yaml: """
                name: M/M/\(servers)
                offices:
                  - id: mmc
                    opens: "00:00"
                    closes: "23:59"
                    procedures:
                      - {id: single, prefix: A, service: {exponential: {mean: \(meanServiceMinutes)}}}
                    groups:
                      - {id: desk, services: [single], counters: \(servers)}
                    roster:
                      - {from: "00:00", to: "23:59", open: {desk: \(servers)}}
                    arrivals:
                      rates: {single: {"00:00": \(arrivalsPerHour)}}
                """)
    }
}

/// Mean and a 95% half-width over independent replications (Student t, large-sample 1.96 above 30).
struct Replications {
    var values: [Double] = []
    var mean: Double { values.reduce(0, +) / Double(values.count) }
    var halfWidth: Double {
        let m = mean
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
        return 1.96 * (variance / Double(values.count)).squareRoot()
    }
}
