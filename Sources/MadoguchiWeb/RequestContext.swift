import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the connection, whose peer address the look-up rate
/// limit keys on. The address is read only when asked for: most routes never need it.
struct MadoguchiContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// The client's IP address as text, or "unknown" (tests, Unix sockets).
    var clientKey: String { remoteAddress?.ipAddress ?? "unknown" }
}
