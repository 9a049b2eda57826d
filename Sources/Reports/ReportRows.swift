import Foundation
import QueueCore

/// Which visits a report looks at.
public struct ReportFilter: Sendable, Equatable {
    public var offices: Set<OfficeID>?
    public var from: LocalDate
    public var to: LocalDate
    public var procedure: ServiceID?
    /// Office-local hour the visit joined its line.
    public var hour: Int?

    public init(offices: Set<OfficeID>? = nil, from: LocalDate, to: LocalDate, procedure: ServiceID? = nil, hour: Int? = nil) {
        self.offices = offices
        self.from = from
        self.to = to
        self.procedure = procedure
        self.hour = hour
    }

    public func admits(_ v: Visit) -> Bool {
        v.date >= from && v.date <= to && (offices?.contains(v.office) ?? true) && (procedure.map { $0 == v.procedure } ?? true)
            && (hour.map { $0 == v.hour } ?? true)
    }

    /// Ratings have a procedure (the last line) but no hour; a filter on hour leaves them all out.
    public func admits(_ r: Rating) -> Bool {
        r.date >= from && r.date <= to && (offices?.contains(r.office) ?? true)
            && (procedure.map { $0 == r.procedure } ?? true) && hour == nil
    }
}

/// What a report's rows are split by.
public struct Breakdown: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let office = Breakdown(rawValue: 1)
    public static let date = Breakdown(rawValue: 2)
    public static let procedure = Breakdown(rawValue: 4)
    public static let hour = Breakdown(rawValue: 8)
}

/// One line of a report: the figures of the visits sharing a key (the parts not broken down are nil).
public struct ReportRow: Sendable, Equatable {
    public var office: OfficeID?
    public var date: LocalDate?
    public var procedure: ServiceID?
    public var hour: Int?
    public var figures: WaitFigures

    public init(office: OfficeID? = nil, date: LocalDate? = nil, procedure: ServiceID? = nil, hour: Int? = nil, figures: WaitFigures) {
        self.office = office
        self.date = date
        self.procedure = procedure
        self.hour = hour
        self.figures = figures
    }

    /// Rows for every key present, sorted by office, date, procedure, hour.
    public static func rows(visits: [Visit], ratings: [Rating] = [], by breakdown: Breakdown) -> [ReportRow] {
        struct Key: Hashable {
            var office: OfficeID?, date: LocalDate?, procedure: ServiceID?, hour: Int?
        }
        func key(_ office: OfficeID, _ date: LocalDate, _ procedure: ServiceID?, _ hour: Int?) -> Key {
            Key(
                office: breakdown.contains(.office) ? office : nil, date: breakdown.contains(.date) ? date : nil,
                procedure: breakdown.contains(.procedure) ? procedure : nil, hour: breakdown.contains(.hour) ? hour : nil)
        }
        let groups = Dictionary(grouping: visits) { key($0.office, $0.date, $0.procedure, $0.hour) }
        // A rating has no hour: rows by hour carry none.
        let rated = breakdown.contains(.hour) ? [:] : Dictionary(grouping: ratings) { key($0.office, $0.date, $0.procedure, nil) }
        return groups.map { k, v in
            ReportRow(
                office: k.office, date: k.date, procedure: k.procedure, hour: k.hour,
                figures: WaitFigures(visits: v, ratings: rated[k] ?? []))
        }
        .sorted {
            ($0.office?.rawValue ?? "", $0.date?.description ?? "", $0.procedure?.rawValue ?? "", $0.hour ?? -1)
                < ($1.office?.rawValue ?? "", $1.date?.description ?? "", $1.procedure?.rawValue ?? "", $1.hour ?? -1)
        }
    }
}
