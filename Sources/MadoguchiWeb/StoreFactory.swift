import Foundation
import MemoryStore
import PostgresStore
import QueueCore
import SQLiteStore

/// Opens the store a `--db` URL names: `sqlite:PATH` (the default, durable, one node), `postgres://…` (several
/// nodes on one database; `PostgresSettings` lists the options), or `memory` (tests and demos).
public enum StoreFactory {
    public static func open(_ url: String, commands: QueueCommands = QueueCommands()) async throws -> any QueueStore {
        if url == "memory" || url == "memory:" { return MemoryStore(commands: commands) }
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw QueueError.invalidInput(field: "--db", reason: "sqlite: needs a file path") }
            return try SQLiteStore(path: path, commands: commands)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await PostgresStore.open(PostgresSettings(url: url), commands: commands)
        }
        throw QueueError.invalidInput(field: "--db", reason: "'\(url)' is not sqlite:PATH, postgres://USER@HOST/DATABASE or memory")
    }
}
