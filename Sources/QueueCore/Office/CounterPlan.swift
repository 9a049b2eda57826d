import Foundation

/// One counter's plan for one business day, as a `roster.planned` event carries it: the procedures it serves and
/// when it is planned to be open. The live server and the twin write it at the start of the day; prediction reads it,
/// so that a forecast knows the rest of the day's roster and not only the counters open now.
public struct CounterPlan: Sendable, Equatable {
    public var counter: CounterID
    public var procedures: [ServiceID]
    /// Planned open intervals in seconds after local midnight, in order and not overlapping.
    public var open: [Range<Int>]

    public init(counter: CounterID, procedures: [ServiceID], open: [Range<Int>]) {
        self.counter = counter
        self.procedures = procedures
        self.open = open
    }

    /// `{"procedures": ["certificates", …], "open": [{"from": "08:30", "to": "12:00"}, …]}`.
    public var data: [String: JSONValue] {
        [
            PayloadKey.procedures.rawValue: .array(procedures.map { .string($0.rawValue) }),
            "open": .array(open.map { .object(["from": .string(Self.clock($0.lowerBound)), "to": .string(Self.clock($0.upperBound))]) }),
        ]
    }

    /// The event that announces this plan at `at` (the start of the business day).
    public func event(office: OfficeID, at: Date, zone: TimeZone) -> Event {
        Event(
            at: at, utcOffsetSeconds: zone.secondsFromGMT(for: at), office: office, type: .rosterPlanned, counter: counter,
            data: data)
    }

    /// Reads a `roster.planned` event; nil when it is not one or its data is malformed.
    public init?(event: Event) {
        guard event.type == .rosterPlanned, let counter = event.counter,
            case .array(let services)? = event.data[PayloadKey.procedures], case .array(let intervals)? = event.data["open"]
        else { return nil }
        var procedures: [ServiceID] = []
        for s in services {
            guard let raw = s.stringValue else { return nil }
            procedures.append(ServiceID(rawValue: raw))
        }
        var open: [Range<Int>] = []
        for i in intervals {
            guard case .object(let o) = i, let from = o["from"]?.stringValue.flatMap(Self.seconds),
                let to = o["to"]?.stringValue.flatMap(Self.seconds), from < to, from >= (open.last?.upperBound ?? 0)
            else { return nil }
            open.append(from..<to)
        }
        self.init(counter: counter, procedures: procedures, open: open)
    }

    /// Merges per-period open flags into intervals: `starts[i]..<ends[i]` is open when `isOpen[i]`.
    public static func intervals(starts: [Int], ends: [Int], isOpen: [Bool]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for i in starts.indices where isOpen[i] && starts[i] < ends[i] {
            if let last = result.last, last.upperBound == starts[i] {
                result[result.count - 1] = last.lowerBound..<ends[i]
            } else {
                result.append(starts[i]..<ends[i])
            }
        }
        return result
    }

    /// "08:30", or "08:30:15" when the seconds are not zero.
    static func clock(_ seconds: Int) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let base = two(seconds / 3600) + ":" + two(seconds / 60 % 60)
        return seconds % 60 == 0 ? base : base + ":" + two(seconds % 60)
    }

    static func seconds(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0.count == 2 }),
            let h = Int(parts[0]), let m = Int(parts[1]), let s = parts.count == 3 ? Int(parts[2]) : 0,
            (0...24).contains(h), (0..<60).contains(m), (0..<60).contains(s), h * 3600 + m * 60 + s <= 86_400
        else { return nil }
        return h * 3600 + m * 60 + s
    }
}
