import Foundation
import QueueCore

/// Scores a replay's predictions against what happened, per method, over the tickets that had to wait (first call
/// a minute or more after issue): RMSE, RRASE (RMSE / mean actual remaining wait), MAE, bias, and the 80% range's
/// coverage and mean width; overall and by hour of the prediction.
public struct Scorer {
    public struct Tally: Sendable {
        public var n = 0
        var squared = 0.0
        var absolute = 0.0
        var error = 0.0
        var actual = 0.0
        var covered = 0
        var width = 0.0

        mutating func add(predicted p: Prediction, actual y: Double) {
            n += 1
            let e = p.mean - y
            squared += e * e
            absolute += abs(e)
            error += e
            actual += y
            if p.p10 <= y && y <= p.p90 { covered += 1 }
            width += p.p90 - p.p10
        }

        /// Seconds.
        public var rmse: Double { n > 0 ? (squared / Double(n)).squareRoot() : .nan }
        public var rrase: Double { n > 0 && actual > 0 ? rmse / (actual / Double(n)) : .nan }
        public var mae: Double { n > 0 ? absolute / Double(n) : .nan }
        public var bias: Double { n > 0 ? error / Double(n) : .nan }
        public var coverage: Double { n > 0 ? Double(covered) / Double(n) : .nan }
        public var meanWidth: Double { n > 0 ? width / Double(n) : .nan }
    }

    let truth: Truth
    public private(set) var overall: [Method: Tally] = [:]
    public private(set) var byHour: [Int: [Method: Tally]] = [:]
    public private(set) var skipped = 0

    public init(truth: Truth) { self.truth = truth }

    public mutating func add(_ row: ReplayRow) {
        guard truth.hadToWait(row.ticket), let y = truth.remainingWait(row.ticket, from: row.at) else {
            skipped += 1
            return
        }
        overall[row.method, default: Tally()].add(predicted: row.prediction, actual: y)
        let hour = Int(CivilTime.localSeconds(row.at, offsetSeconds: row.utcOffsetSeconds).seconds / 3600)
        byHour[hour, default: [:]][row.method, default: Tally()].add(predicted: row.prediction, actual: y)
    }

    /// Reads one line of `replay`'s CSV; nil for the header. Throws on a malformed line.
    public static func parse(_ line: Substring, lineNumber: Int) throws -> ReplayRow? {
        let f = line.split(separator: ",", omittingEmptySubsequences: false)
        if f.first == "ticket" { return nil }
        guard f.count == 9, let (at, offset) = EventTime.parse(String(f[3])), let method = Method(rawValue: String(f[4])),
            let mean = Double(f[5]), let p10 = Double(f[6]), let p50 = Double(f[7]), let p90 = Double(f[8])
        else { throw ScoreError(line: lineNumber, text: String(line.prefix(120))) }
        return ReplayRow(
            ticket: TicketID(String(f[0])), office: OfficeID(String(f[1])), service: ServiceID(String(f[2])), at: at,
            utcOffsetSeconds: offset, method: method, prediction: Prediction(mean: mean, p10: p10, p50: p50, p90: p90))
    }

    public struct ScoreError: Error, CustomStringConvertible {
        public var line: Int
        public var text: String
        public var description: String { "line \(line): not a prediction row (\(Replay.header)): \(text)" }
    }

    /// The tables `madoguchi score` prints; times in minutes.
    public var text: String {
        let methods = Method.allCases.filter { overall[$0] != nil }
        func f(_ v: Double, _ digits: Int = 2) -> String { v.isNaN ? "-" : String(format: "%.\(digits)f", v) }
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var out = "method        n     RMSE   RRASE    MAE    bias  cover80  width   (minutes; tickets that waited ≥ 1 min)\n"
        for m in methods {
            let t = overall[m]!
            out +=
                m.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + pad("\(t.n)", 8) + pad(f(t.rmse / 60), 9)
                + pad(f(t.rrase, 3), 8) + pad(f(t.mae / 60), 7) + pad(f(t.bias / 60), 8) + pad(f(t.coverage, 3), 9)
                + pad(f(t.meanWidth / 60, 1), 7) + "\n"
        }
        out += "\nby hour: RRASE / 80% coverage\nhour       n"
        for m in methods { out += pad(m.rawValue, 15) }
        out += "\n"
        for hour in byHour.keys.sorted() {
            let cells = byHour[hour]!
            out += (hour < 10 ? "0" : "") + "\(hour):00" + pad("\(cells[methods[0]]?.n ?? 0)", 7)
            for m in methods {
                let t = cells[m] ?? Tally()
                out += pad(f(t.rrase, 3) + " / " + f(t.coverage, 2), 15)
            }
            out += "\n"
        }
        return out
    }
}

extension Replay {
    static let header = ReplayRow.csvHeader
}
