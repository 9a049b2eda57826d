import Forecast
import Foundation
import QueueCore

// The cost of a prediction (bench/forecast.sh): learns an office from an event log, takes the moment of the log's
// last day with the most tickets waiting, tops the line up to WAITING tickets (procedures in the day's mix, joined
// over the past hour), and times every estimator on all of them, side by side. Prints one line per estimator.
// Usage: ForecastBench EVENTS.jsonl [WAITING] [RUNS]

let arguments = CommandLine.arguments
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: ForecastBench EVENTS.jsonl [WAITING] [RUNS]\n".utf8))
    exit(64)
}
let waitingTarget = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
let runs = arguments.count > 3 ? Int(arguments[3]) ?? 200 : 200

let events = try data.split(separator: 0x0A).map { try EventLine.decode($0) }
let office = events[0].office
let mine = events.filter { $0.office == office }
let lastDay = CivilTime.localSeconds(mine.last!.at, offsetSeconds: mine.last!.utcOffsetSeconds).day

var learner = Learner()
var fold = OfficeFold(office: office)
var busiest: (count: Int, at: Date)?
for e in mine {
    let day = CivilTime.localSeconds(e.at, offsetSeconds: e.utcOffsetSeconds).day
    if day < lastDay {
        for h in fold.apply(e) { learner.add(h) }
    } else {
        fold.apply(e)
        if fold.waitingCount > (busiest?.count ?? -1) { busiest = (fold.waitingCount, e.at) }
    }
}
// The busiest moment of the last day, replayed up to it.
var moment = OfficeFold(office: office)
for e in mine where CivilTime.localSeconds(e.at, offsetSeconds: e.utcOffsetSeconds).day == lastDay && e.at <= busiest!.at {
    moment.apply(e)
}
var observation = moment.observation(at: busiest!.at)
let found = observation.waiting.count
var rng = SystemRandomNumberGenerator()
let mix = observation.waiting.map(\.procedure)
while observation.waiting.count < waitingTarget {
    let k = observation.waiting.count
    observation.waiting.append(
        Waiter(
            ticket: TicketID("bench\(k)"), procedure: mix.randomElement(using: &rng) ?? 0, priority: 0,
            queuedAt: observation.now - Double.random(in: 0..<3600, using: &rng), sequence: 10_000 + k))
}
let fixed = observation
let estimators = Estimators(learned: learner.learned, runs: runs)
print(
    "office \(office): \(observation.waiting.count) waiting (\(found) in the log at its busiest), \(observation.counters.count) counters, \(runs) runs"
)

/// Times `body` for at least 2 s; a function, so that the timed loop reads no main-actor globals.
func time(_ label: String, tickets: Int, _ body: () -> [Prediction]) {
    var repetitions = 0
    var sink = 0.0
    let started = Date()
    while Date().timeIntervalSince(started) < 2 || repetitions < 3 {
        sink += body().reduce(0) { $0 + $1.mean }
        repetitions += 1
    }
    let seconds = Date().timeIntervalSince(started) / Double(repetitions)
    print(
        String(
            format: "%-34@ %9.3f ms a call  %8.4f ms a ticket  (%d calls; checksum %.0f)",
            label as NSString, seconds * 1000, seconds * 1000 / Double(tickets), repetitions, sink / Double(repetitions)))
}
for method in Method.allCases {
    time("\(method.rawValue), all tickets at once", tickets: fixed.waiting.count) { estimators.predict(method, fixed) }
}
time("twin, the last ticket alone", tickets: 1) { estimators.predict(.twin, fixed, tickets: [fixed.waiting.count - 1]) }
