import ArgumentParser
import Forecast
import Foundation
import QueueCore
import Twin

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the digital twin: simulate a scenario's offices over many days (docs/scenarios.md).")

    @Argument(help: "Scenario YAML.") var scenario: String
    @Option(help: "Days to simulate (default: the scenario's).") var days: Int?
    @Option(help: "Random seed (default: the scenario's).") var seed: UInt64?
    @Option(help: "Write the event log, one JSON line per event, to this file.") var events: String?
    @Option(help: "Write an HTML report with SVG plots to this file.") var report: String?
    @Flag(help: "Skip the comparison of \"come now\" rules for remote holders.") var noComeNowComparison = false

    func validate() throws {
        if let days, !(1...100_000).contains(days) { throw ValidationError("--days must be 1-100000") }
    }

    func run() throws {
        let scenario = try loadScenario(self.scenario)
        let days = days ?? scenario.days
        let seed = seed ?? scenario.seed
        let progress = Progress(label: "simulating", total: days)
        var writer = try events.map { try LineWriter(path: $0) }
        let started = Date()
        let advisor = ComeNowAdvisors(scenario: scenario, seed: seed, progress: progress)
        let summaries = Simulation.run(
            scenario, days: days, seed: seed, advisor: advisor.factory(),
            log: writer == nil ? nil : { writer!.write(EventLine.encode($0)) },
            progress: { progress.update($0) })
        try writer?.close()
        let elapsed = Date().timeIntervalSince(started)
        progress.finish()
        for (summary, model) in zip(summaries, scenario.offices) { print(summary.text(office: model.office.id.rawValue)) }
        let visitors = summaries.map(\.visitors).reduce(0, +)
        print(
            String(
                format: "%d visitors in %.2f s (%.0f visitors/s), seed %llu", visitors, elapsed, Double(visitors) / max(elapsed, 1e-9), seed
            ))
        if !noComeNowComparison && scenario.offices.contains(where: { $0.behaviour.remoteShare > 0 }) {
            print(advisor.comparison(days: days, progress: progress))
            print(advisor.checkInComparison(days: days, progress: progress))
        }
        if let report {
            try Report.simulation(scenario: scenario, summaries: summaries, seed: seed).write(
                toFile: report, atomically: true, encoding: .utf8)
            print("report: \(report)")
        }
    }
}

/// Reads a scenario, turning its problems into one readable error.
func loadScenario(_ path: String) throws -> Scenario {
    do {
        return try Scenario.load(path: path)
    } catch let error as ScenarioError {
        throw ValidationError(error.description)
    }
}

/// A line on the terminal that counts up; silent when stderr is not a terminal.
final class Progress {
    let label: String
    let total: Int
    let enabled = isatty(STDERR_FILENO) != 0
    private var shown = -1

    init(label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let percent = total == 0 ? 100 : done * 100 / total
        guard percent != shown else { return }
        shown = percent
        FileHandle.standardError.write(Data("\r\(label) \(done)/\(total) (\(percent)%)".utf8))
    }

    func note(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(text)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Buffered lines to a file.
struct LineWriter {
    let handle: FileHandle
    var buffer = Data()

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        self.handle = handle
    }

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count > 1 << 20 { flush() }
    }

    mutating func flush() {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        flush()
        try handle.close()
    }
}
