import Synchronization

/// Told of the events this process committed, right after their transaction commits (the office runtime's hub).
public protocol CommitListener: AnyObject, Sendable {
    func committed(_ events: [Event])
}

/// What a store committed, told to whoever listens: every command's events, after its transaction commits and
/// before its caller hears back. The store owns one and publishes from the one place every command passes
/// (`QueueStore where Self: LedgerDatabase`), so no caller has to remember to tell anyone. Listeners are held
/// weakly: a listener that is gone is dropped.
public final class Commits: Sendable {
    private struct Entry: @unchecked Sendable {
        weak var listener: (any CommitListener)?
    }

    private let listeners = Mutex<[Entry]>([])

    public init() {}

    public func listen(_ listener: any CommitListener) {
        listeners.withLock { $0.append(Entry(listener: listener)) }
    }

    public func publish(_ events: [Event]) {
        guard !events.isEmpty else { return }
        let live = listeners.withLock { entries in
            entries.removeAll { $0.listener == nil }
            return entries.compactMap(\.listener)
        }
        for listener in live { listener.committed(events) }
    }
}
