/// A store shared by several nodes tells each of them when an office's log grew, whichever node wrote it, so that
/// every node can show its own watchers the change (`OfficeHub.readChanges`). A store of one process has no feed.
public protocol ChangeFeed: Sendable {
    /// Calls `changed` with each office whose log grew, until cancelled; `nil` means "anything may have changed"
    /// (at the start, and after the feed lost its connection and got it back), so the caller reads every office
    /// from where it left off. Returns when the task is cancelled.
    func followChanges(_ changed: @escaping @Sendable (OfficeID?) async -> Void) async
}
