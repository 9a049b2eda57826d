import ArgumentParser
import Forecast
import Foundation
import QueueCore

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay an event log as if live and write every wait prediction of every estimator (docs/prediction.md).")

    @Option(help: "Event log, JSONL (madoguchi export events, or simulate --events).") var events: String
    @Option(
        help:
            "Business days to learn from and to calibrate the 80% ranges on (each quarter predicted by what the rest teach); later days are predicted."
    )
    var trainDays: Int
    @Option(help: "Where to write the predictions, CSV.") var out: String
    @Option(help: "Forward runs of the twin estimator per prediction.") var runs = 200
    @Option(help: "Comma-separated estimators: ql-sched, les, hol, twin.") var methods = Method.allCases.map(\.rawValue).joined(
        separator: ",")
    @Option(help: "Random seed of the twin estimator.") var seed: UInt64 = 0x5EED

    func validate() throws {
        if trainDays < 1 { throw ValidationError("--train-days must be at least 1") }
        if !(1...10_000).contains(runs) { throw ValidationError("--runs must be 1-10000") }
        if parsedMethods == nil {
            throw ValidationError("--methods: one or more of \(Method.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    var parsedMethods: [Method]? {
        let list = methods.split(separator: ",").map { Method(rawValue: String($0.trimmingCharacters(in: .whitespaces))) }
        guard !list.isEmpty, list.allSatisfy({ $0 != nil }) else { return nil }
        return list.compactMap { $0 }
    }

    func run() throws {
        let log = try readEventLog(events)
        var writer = try LineWriter(path: out)
        writer.write(ReplayRow.csvHeader)
        let started = Date()
        let replay = Replay(trainDays: trainDays, methods: parsedMethods ?? Method.allCases, runs: runs, seed: seed)
        let outcome: Replay.Outcome
        do {
            outcome = try replay.run(events: log) { writer.write($0.csv) }
        } catch let problem as Replay.Problem {
            throw ValidationError(problem.description)
        }
        try writer.close()
        let elapsed = Date().timeIntervalSince(started)
        print(
            "learned from \(outcome.fitDays.count) days, calibrated on \(outcome.calibrationDays.count), predicted \(outcome.testDays.count)"
        )
        for method in replay.methods {
            let q = outcome.calibration.adjustment[method].map { String(format: "%+.3f", $0) } ?? "none"
            print("  \(method.rawValue): range adjustment \(q) scales (\(outcome.calibration.counts[method] ?? 0) held-out predictions)")
        }
        print(String(format: "%d predictions in %.1f s → %@", outcome.rows, elapsed, out))
    }
}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score", abstract: "Score replay predictions against what the event log says happened.")

    @Argument(help: "Predictions CSV from madoguchi replay.") var predictions: String
    @Option(help: "The event log the predictions were made from, JSONL.") var events: String

    func run() throws {
        let truth = Truth(events: try readEventLog(events))
        guard let data = FileManager.default.contents(atPath: predictions) else { throw ValidationError("cannot read \(predictions)") }
        var scorer = Scorer(truth: truth)
        var number = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            number += 1
            do {
                if let row = try Scorer.parse(line, lineNumber: number) { scorer.add(row) }
            } catch let error as Scorer.ScoreError {
                throw ValidationError(error.description)
            }
        }
        print(scorer.text, terminator: "")
    }
}

/// Reads a JSONL event log, naming the first bad line.
func readEventLog(_ path: String) throws -> [Event] {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    var events: [Event] = []
    var number = 0
    for line in data.split(separator: 0x0A) {
        number += 1
        do {
            events.append(try EventLine.decode(line))
        } catch {
            throw ValidationError("\(path) line \(number): not an event: \(error)")
        }
    }
    return events
}
