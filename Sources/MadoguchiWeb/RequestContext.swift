import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus who sent the request. `client` is the peer's address
/// until `ClientAddressMiddleware` replaces it with the one a trusted proxy forwarded; limits and logs key on it.
struct MadoguchiContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer's IP address, or nil (tests, Unix sockets).
    let peer: String?
    /// The client's IP address as text, or "unknown".
    var client: String
    /// The connection, for streams written from its event loop (`OfficeStreams`).
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        peer = source.channel.remoteAddress?.ipAddress
        client = peer ?? "unknown"
    }
}
