import Foundation
import Synchronization

/// Decoded office configurations, keyed by their stored text: a command reads the office on every call, and
/// decoding the JSON each time would dominate the issue path. A changed row has other text, so the cache is
/// never stale.
public final class OfficeCache: Sendable {
    private let entries = Mutex<[String: (text: String, office: Office)]>([:])

    public init() {}

    public func decode(id: String, text: String) throws -> Office {
        if let hit = entries.withLock({ $0[id] }), hit.text == text { return hit.office }
        let office = try JSONDecoder().decode(Office.self, from: Data(text.utf8))
        entries.withLock { $0[id] = (text, office) }
        return office
    }
}
