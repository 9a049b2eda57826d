import Foundation

/// How every durable store keeps values that have no column type of their own, so that SQLite and PostgreSQL
/// hold the same thing.
public enum StoredForm {
    /// Times: whole milliseconds since 1970, as `QueueCommands.now()` makes them.
    public static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// A counter's procedures for the day: ids, comma-separated (ids are [a-z0-9-]).
    public static func skills(_ services: [ServiceID]?) -> String? { services.map { $0.map(\.rawValue).joined(separator: ",") } }
    public static func skills(parsing text: String?) -> [ServiceID]? { text.map { $0.split(separator: ",").map { ServiceID(String($0)) } } }
}
