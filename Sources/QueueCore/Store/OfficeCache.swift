import Foundation
import Synchronization

/// Decoded office configurations, keyed by the row's `revision`, a fresh random value that every save of the
/// office writes (`newRevision`): a command reads the office on every call, and reading and decoding its JSON
/// (10 KB for a ward office with its guides) each time would weigh on the issue path. A store asks for the text
/// only when its revision is not the one cached (`revision(of:)`). Random rather than counted: a save rolled back
/// after the cache saw it (a refused command) leaves a revision that no later save will write again, so the cache
/// is never stale.
public final class OfficeCache: Sendable {
    private let entries = Mutex<[String: (revision: Int64, office: Office)]>([:])

    public init() {}

    /// The revision of the office cached under `id`, if any: a store reads the text only when the row's differs.
    public func revision(of id: String) -> Int64? { entries.withLock { $0[id]?.revision } }

    /// The office at `revision`: decoded from `text`, or the cached one when the store left the text out because
    /// the cache had that revision. Nil when the text was left out but the cache has moved on meanwhile; read
    /// again with the text.
    public func office(id: String, revision: Int64, text: String?) throws -> Office? {
        if let hit = entries.withLock({ $0[id] }), hit.revision == revision { return hit.office }
        guard let text else { return nil }
        let office = try JSONDecoder().decode(Office.self, from: Data(text.utf8))
        entries.withLock { $0[id] = (revision, office) }
        return office
    }

    /// The revision a save of an office writes.
    public static func newRevision() -> Int64 { Int64.random(in: .min ... .max) }
}
