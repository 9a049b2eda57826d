import Foundation
import QueueFixtures
import Testing

@testable import SQLiteStore

/// What the default store promises of its file: an acknowledged change is synced to the disk before anyone hears of
/// it, and no copy of a changed page goes to a temporary file outside the database.
@Suite("SQLite durability")
struct SQLiteDurabilityTests {
    @Test("the writer syncs each commit (synchronous FULL) and journals savepoints in memory, on a new file and on reopening")
    func writerPragmas() throws {
        let path = Fixtures.temporaryPath()
        for _ in 0..<2 {
            // GRDB turns the writer to NORMAL when it sets WAL: this failed before the store set FULL after it.
            let pragmas = try SQLiteStore(path: path).writerPragmas()
            #expect(pragmas.synchronous == 2, "PRAGMA synchronous: 2 is FULL, 1 NORMAL")
            #expect(pragmas.tempStore == 2, "PRAGMA temp_store: 2 is MEMORY")
        }
    }
}
