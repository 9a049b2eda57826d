import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the peer address, which the look-up rate limit keys on.
struct MadoguchiContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text, or "unknown" (tests, Unix sockets).
    var clientKey: String { remoteAddress?.ipAddress ?? "unknown" }
}
