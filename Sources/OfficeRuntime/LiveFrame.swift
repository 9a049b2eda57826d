import Synchronization

/// One live message for a watcher: what changed (`event`), its data as JSON, and the log position it stands for.
/// The web module writes it as a Server-Sent Event.
///
/// A frame is made once and sent to every watcher of its topic; `encoding` keeps the one wire form the web module
/// makes of it, so that 20,000 watchers cost one encoding, not 20,000.
public struct LiveFrame: Sendable, Equatable {
    public var id: Int64?
    public var event: String
    public var data: String
    public let encoding = Encoding()

    public init(id: Int64?, event: String, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }

    public static let heartbeat = LiveFrame(id: nil, event: "ping", data: "{}")

    public static func == (a: LiveFrame, b: LiveFrame) -> Bool { a.id == b.id && a.event == b.event && a.data == b.data }

    /// Room for a frame's wire form, made by the first watcher that needs it and shared by the rest.
    public final class Encoding: Sendable {
        private let made = Mutex<(any Sendable)?>(nil)

        public init() {}

        public func value<Wire: Sendable>(orMake make: () -> Wire) -> Wire {
            made.withLock { made in
                if let wire = made as? Wire { return wire }
                let wire = make()
                made = wire
                return wire
            }
        }
    }
}
