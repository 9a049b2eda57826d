import Foundation
import QueueCore
import YAMLInput

/// The offices YAML that `madoguchi import` loads (see docs/offices.md). Omitted fields take the defaults of
/// `Office`; every problem in the file is reported at once.
public struct OfficesFile: Decodable, Sendable {
    public struct OfficeEntry: Decodable, Sendable {
        public var id: String
        var name: LocalizedText
        var timeZone: String?
        var openingHours: OpeningHours?
        var policy: OfficePolicy.Overrides?
        var procedures: [ProcedureEntry]
        var counters: [CounterEntry]?
        /// Counters to open when the office is first loaded (the demo opens all of them).
        var openCounters: Bool?
        /// The languages the lobby board shows and speaks a call in, in order.
        var boardLanguages: [String]?
    }

    struct ProcedureEntry: Decodable, Sendable {
        var id: String
        var prefix: String
        var color: String
        var name: LocalizedText
        var typicalMinutes: Double
        var open: Bool?
    }

    struct CounterEntry: Decodable, Sendable {
        var id: String
        var label: String
        var services: [String]
        var hours: [String]?
    }

    public var offices: [OfficeEntry]
    /// Form-writing guides by procedure id, for every office that has the procedure.
    var guides: [String: FormGuide]?

    public static func parse(_ text: String) throws -> OfficesFile {
        do {
            return try StrictYAML.decode(OfficesFile.self, from: text)
        } catch let problems as StrictYAML.Problems {
            throw QueueError.invalidInput(field: "offices file", reason: problems.description)
        }
    }

    /// The offices, checked; throws one error naming every problem.
    public func resolved() throws -> [(office: Office, openCounters: Bool)] {
        let built = offices.map { entry -> (Office, Bool) in
            let policy = OfficePolicy(entry.policy)
            let office = Office(
                id: OfficeID(entry.id), name: entry.name, timeZone: entry.timeZone ?? "Asia/Tokyo",
                openingHours: entry.openingHours ?? .cityHall,
                procedures: entry.procedures.map {
                    Procedure(
                        id: ServiceID($0.id), prefix: $0.prefix, color: $0.color, name: $0.name,
                        typicalServiceSeconds: Int(($0.typicalMinutes * 60).rounded()), open: $0.open ?? true,
                        guide: guides?[$0.id])
                },
                counters: (entry.counters ?? []).map {
                    Counter(id: CounterID($0.id), label: $0.label, services: $0.services.map { ServiceID($0) }, hours: $0.hours)
                },
                policy: policy, boardLanguages: entry.boardLanguages)
            return (office, entry.openCounters ?? false)
        }
        var problems = built.flatMap { $0.0.problems() }
        if Set(offices.map(\.id)).count != offices.count { problems.append("an office id appears twice") }
        if offices.isEmpty { problems.append("no offices") }
        let procedures = Set(offices.flatMap { $0.procedures.map(\.id) })
        for id in (guides ?? [:]).keys.sorted() where !procedures.contains(id) {
            problems.append("guides: no office has a procedure '\(id)'")
        }
        guard problems.isEmpty else { throw QueueError.invalidInput(field: "offices file", reason: problems.joined(separator: "; ")) }
        return built.map { (office: $0.0, openCounters: $0.1) }
    }

    /// Loads the offices into `store`, opening counters where the file asks. Returns the events it caused.
    public func load(into store: any OfficeLog & TicketDesk) async throws -> [Event] {
        var events: [Event] = []
        for (office, openCounters) in try resolved() {
            events += try await store.importOffice(office)
            if openCounters {
                for counter in office.counters {
                    events += try await store.setCounter(office: office.id, counter: counter.id, open: true).events
                }
            }
        }
        return events
    }

    /// The reference city of KUMAMOTO.md, shipped as a resource.
    public static func demo() throws -> OfficesFile {
        guard let url = Bundle.module.url(forResource: "demo-kumamoto", withExtension: "yaml", subdirectory: "Resources")
        else { throw QueueError.invalidInput(field: "demo", reason: "demo-kumamoto.yaml is missing from the build") }
        return try parse(String(decoding: try Data(contentsOf: url), as: UTF8.self))
    }
}
