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
            do {
                return try await PostgresStore.open(PostgresSettings(url: url), commands: commands)
            } catch QueueError.storageUnavailable(let detail) {
                // Said in full: an operator starting a node needs the cause (refused, TLS, password), not "retry".
                throw OpenError(description: detail)
            }
        }
        throw QueueError.invalidInput(field: "--db", reason: "'\(url)' is not sqlite:PATH, postgres://USER@HOST/DATABASE or memory")
    }
}

extension StoreFactory {
    /// A store that could not be opened, with its cause.
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }
}
