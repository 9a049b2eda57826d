import Foundation
import Synchronization
import Twin

// The twin's side of bench/twin-vs-ciw.sh: simulates `days` independent days of a scenario's first office and
// prints one JSON line: visitors, seconds (drawing the days plus running them), and each day's mean wait of the
// tickets that joined before CUT minutes after opening (all of them without CUT).
// Usage: TwinBench SCENARIO.yaml DAYS SEED [CUT_MINUTES] [THREADS]
// With THREADS > 1 the days are split over that many threads (each day is independent).

/// The timed loop lives in a function: top-level variables are main-actor globals, and reading one inside a
/// closure costs an executor check per call.
func measure(_ model: OfficeModel, days: Int, seed: UInt64, cut: Double, threads: Int) -> String {
    let started = Date()
    let parts = Mutex([Int: (visitors: Int, means: [Double])]())
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        var visitors = 0
        var means: [Double] = []
        for day in stride(from: thread, to: days, by: threads) {
            var engine = DayEngine(model: model, visitors: Visitors.draw(model, seed: seed, office: 0, day: day))
            let result = engine.run()
            visitors += engine.visitorCount
            var sum = 0.0
            var count = 0
            for w in result.waits where w.joinedAt < cut {
                sum += w.seconds
                count += 1
            }
            means.append(sum / Double(max(count, 1)) / 60)
        }
        parts.withLock { $0[thread] = (visitors, means) }
    }
    let seconds = Date().timeIntervalSince(started)
    let all = parts.withLock { $0 }
    let visitors = all.values.reduce(0) { $0 + $1.visitors }
    let means = (0..<threads).flatMap { all[$0]!.means }
    let meanList = means.map { String(format: "%.4f", $0) }.joined(separator: ",")
    return
        "{\"engine\":\"madoguchi\",\"visitors\":\(visitors),\"seconds\":\(seconds),\"threads\":\(threads),\"dayMeanWaitMinutes\":[\(meanList)]}"
}

let arguments = CommandLine.arguments
guard (4...6).contains(arguments.count), let days = Int(arguments[2]), let seed = UInt64(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: TwinBench SCENARIO.yaml DAYS SEED [CUT_MINUTES]\n".utf8))
    exit(64)
}
do {
    let scenario = try Scenario.load(path: arguments[1])
    let cut = arguments.count >= 5 ? (Double(arguments[4]) ?? .infinity) * 60 : .infinity
    let threads = arguments.count == 6 ? max(1, Int(arguments[5]) ?? 1) : 1
    print(measure(scenario.offices[0], days: days, seed: seed, cut: cut, threads: threads))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
