import Foundation
import Twin

// The twin's side of bench/twin-vs-ciw.sh: simulates `days` independent days of a scenario's first office and
// prints one JSON line: visitors, seconds (drawing the days plus running them), and each day's mean wait of the
// tickets that joined before CUT minutes after opening (all of them without CUT).
// Usage: TwinBench SCENARIO.yaml DAYS SEED [CUT]
let arguments = CommandLine.arguments
guard (4...5).contains(arguments.count), let days = Int(arguments[2]), let seed = UInt64(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: TwinBench SCENARIO.yaml DAYS SEED [CUT_MINUTES]\n".utf8))
    exit(64)
}
let cut = arguments.count == 5 ? (Double(arguments[4]) ?? .infinity) * 60 : .infinity
do {
    let scenario = try Scenario.load(path: arguments[1])
    let model = scenario.offices[0]
    var visitors = 0
    var means: [Double] = []
    var drawSeconds = 0.0
    let started = Date()
    for day in 0..<days {
        let t0 = Date()
        let v = Visitors.draw(model, seed: seed, office: 0, day: day)
        drawSeconds += Date().timeIntervalSince(t0)
        var engine = DayEngine(model: model, visitors: v)
        let result = engine.run()
        visitors += v.count
        let kept = result.waits.filter { $0.joinedAt < cut }
        means.append(kept.reduce(0) { $0 + $1.seconds } / Double(max(kept.count, 1)) / 60)
    }
    let seconds = Date().timeIntervalSince(started)
    let meanList = means.map { String(format: "%.4f", $0) }.joined(separator: ",")
    print("{\"engine\":\"madoguchi\",\"visitors\":\(visitors),\"seconds\":\(seconds),\"drawSeconds\":\(drawSeconds),\"dayMeanWaitMinutes\":[\(meanList)]}")
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
