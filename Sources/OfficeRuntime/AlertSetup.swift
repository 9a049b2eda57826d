import Crypto
import Foundation
import Logging
import Notify
import QueueCore

/// Which alert channels the city switched on, and how to reach them (`docs/notifications.md`). Every channel is off
/// by default. Secrets come from the environment only, never from the command line (which `ps` shows).
public struct AlertSettings: Sendable {
    /// The server's public origin (`https://madoguchi.city.example.jp`), for links in alerts.
    public var publicURL: String?
    /// SMS and voice: the provider's webhook and the HMAC secret it checks (`MADOGUCHI_GATEWAY_SECRET`).
    public var gatewayURL: String?
    public var gatewaySecret: String?
    /// LINE Messaging API: the API origin (a local fake in tests), the channel access token
    /// (`MADOGUCHI_LINE_ACCESS_TOKEN`) and channel secret (`MADOGUCHI_LINE_CHANNEL_SECRET`), and the official
    /// account's basic id (`@123abcde`) for the "get LINE alerts" link.
    public var lineAPIBase: String = "https://api.line.me"
    public var lineAccessToken: String?
    public var lineChannelSecret: String?
    public var lineAccountID: String?
    /// The city's LIFF mini-app (`1234567890-AbcdEfgh`, from the LINE Developers console): its id starts with the
    /// LINE Login channel's, the audience its ID tokens must name. Needs the LINE settings above, since the ticket
    /// it issues is told through the Messaging API.
    public var liffID: String?
    /// Where the LIFF page loads LINE's SDK from, at run time (a local fake in tests).
    public var liffSDK: String = "https://static.line-scdn.net/liff/edge/2/sdk.js"
    /// Web Push: the VAPID contact (`mailto:` or `https:`) that switches it on, the push services posted to, and the
    /// key (made once and kept in the database: `loadVAPIDKey`).
    public var webPushSubject: String?
    public var webPushOrigins: [String] = WebPushTransport.defaultOrigins
    public var vapidKey: P256.Signing.PrivateKey?
    /// E-mail: the city's SMTP relay, the sender, and a login (`MADOGUCHI_SMTP_PASSWORD`); STARTTLS is required
    /// unless `smtpAllowPlaintext` (a relay on the same host).
    public var smtpHost: String?
    public var smtpPort: Int = 587
    public var smtpFrom: String?
    public var smtpUsername: String?
    public var smtpPassword: String?
    public var smtpTrustRootsFile: String?
    public var smtpAllowPlaintext = false
    public var retry: RetryPolicy = RetryPolicy()
    /// How often the notifier looks at the outbox besides being woken.
    public var pollSeconds: Double = 1

    public init() {}

    /// The secrets from the environment.
    public mutating func readSecrets(from environment: [String: String] = ProcessInfo.processInfo.environment) {
        gatewaySecret = environment["MADOGUCHI_GATEWAY_SECRET"] ?? gatewaySecret
        lineAccessToken = environment["MADOGUCHI_LINE_ACCESS_TOKEN"] ?? lineAccessToken
        lineChannelSecret = environment["MADOGUCHI_LINE_CHANNEL_SECRET"] ?? lineChannelSecret
        smtpPassword = environment["MADOGUCHI_SMTP_PASSWORD"] ?? smtpPassword
    }

    /// What is wrong with the settings, each problem once; empty when they can run.
    public var problems: [String] {
        var out: [String] = []
        if gatewayURL != nil, (gatewaySecret ?? "").utf8.count < 16 {
            out.append("--gateway-url needs MADOGUCHI_GATEWAY_SECRET (16 bytes or more) in the environment")
        }
        if let url = gatewayURL, !Self.isHTTPURL(url) { out.append("--gateway-url: an http(s) URL") }
        if lineAccessToken != nil || lineChannelSecret != nil || lineAccountID != nil,
            lineAccessToken == nil || lineChannelSecret == nil || lineAccountID == nil
        {
            out.append("LINE needs --line-account, MADOGUCHI_LINE_ACCESS_TOKEN and MADOGUCHI_LINE_CHANNEL_SECRET together")
        }
        if !Self.isHTTPURL(lineAPIBase) { out.append("--line-api: an http(s) URL") }
        if let liffID {
            if LineLogin.channel(ofLIFF: liffID) == nil { out.append("--liff-id: the LIFF app's id, like 1234567890-AbcdEfgh") }
            if !lineEnabled { out.append("--liff-id needs LINE alerts on (--line-account and the two secrets)") }
        }
        if !Self.isHTTPURL(liffSDK) { out.append("--liff-sdk: an http(s) URL") }
        if let subject = webPushSubject, !(subject.hasPrefix("mailto:") || subject.hasPrefix("https://")) {
            out.append("--web-push-subject: a mailto: or https: contact for the push services")
        }
        if smtpHost != nil, smtpFrom.map({ Contact.problem(channel: .email, address: $0) != nil }) ?? true {
            out.append("--smtp-host needs --smtp-from, an e-mail address")
        }
        if !(1...65535).contains(smtpPort) { out.append("--smtp-port: 1-65535") }
        if smtpUsername != nil, smtpPassword == nil { out.append("--smtp-user needs MADOGUCHI_SMTP_PASSWORD in the environment") }
        if let file = smtpTrustRootsFile, !FileManager.default.isReadableFile(atPath: file) {
            out.append("--smtp-ca-file: \(file) is not readable")
        }
        if webPushSubject != nil, vapidKey == nil { out.append("Web Push needs the VAPID key (AlertSetup.loadVAPIDKey)") }
        for origin in webPushOrigins where !Self.isHTTPURL(origin.replacingOccurrences(of: "://*.", with: "://")) {
            out.append("--web-push-origins: \(origin) is not an origin")
        }
        return out
    }

    public var webPush: VAPID? {
        guard let subject = webPushSubject, let key = vapidKey else { return nil }
        return VAPID(key: key, subject: subject)
    }

    /// Whether a push subscription's endpoint may be posted to.
    public func allowsPush(_ address: String) -> Bool {
        guard let subscription = try? JSONDecoder().decode(WebPushTransport.Subscription.self, from: Data(address.utf8)),
            let url = URL(string: subscription.endpoint)
        else { return false }
        return WebPushTransport.allows(url, origins: webPushOrigins)
    }

    public var smtp: SMTPTransport.Settings? {
        guard let host = smtpHost, let from = smtpFrom else { return nil }
        var settings = SMTPTransport.Settings(host: host, port: smtpPort, from: from)
        settings.username = smtpUsername
        settings.password = smtpPassword
        settings.trustRootsFile = smtpTrustRootsFile
        settings.requireTLS = !smtpAllowPlaintext
        return settings
    }

    public var lineEnabled: Bool { lineAccessToken != nil && lineChannelSecret != nil && lineAccountID != nil }

    /// The LINE Login channel whose ID tokens the LIFF page sends, when the mini-app is on.
    public var liffChannel: String? {
        guard lineEnabled, let liffID else { return nil }
        return LineLogin.channel(ofLIFF: liffID)
    }

    public static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme, url.host != nil else { return false }
        return scheme == "https" || scheme == "http"
    }
}

/// The notifier as the server composes it: the transports the settings switch on, and each alert's words from
/// `compose` (the web module writes them from its page catalogue in the ticket's language).
public enum AlertSetup {
    public static func notifier(
        settings: AlertSettings, store: any QueueStore, logger: Logger,
        compose: @escaping @Sendable (OutboxAlert) async -> AlertMessage
    ) throws -> Notifier {
        var transports: [any AlertTransport] = []
        var http: AlertHTTP?
        func shared() -> AlertHTTP {
            if let http { return http }
            let made = AlertHTTP()
            http = made
            return made
        }
        if let url = settings.gatewayURL, let secret = settings.gatewaySecret {
            transports.append(GatewayTransport(http: shared(), url: url, secret: secret, now: { store.clock.now() }))
        }
        if settings.lineEnabled, let token = settings.lineAccessToken {
            transports.append(LineTransport(http: shared(), apiBase: settings.lineAPIBase, accessToken: token))
        }
        if let vapid = settings.webPush {
            transports.append(
                WebPushTransport(http: shared(), vapid: vapid, allowedOrigins: settings.webPushOrigins, now: { store.clock.now() }))
        }
        if let smtp = settings.smtp { transports.append(try SMTPTransport(settings: smtp, now: { store.clock.now() })) }
        return Notifier(
            store: store, transports: transports, policy: settings.retry, pollSeconds: settings.pollSeconds, http: http,
            logger: logger, compose: compose)
    }
}

extension AlertSetup {
    /// The server's VAPID key: made once, kept in the database, the same for every node and restart.
    public static func loadVAPIDKey(store: any AlertOutbox) async throws -> P256.Signing.PrivateKey {
        let candidate = Base64URL.encode(P256.Signing.PrivateKey().rawRepresentation)
        let kept = try await store.serverKey("vapid", candidate: candidate)
        guard let raw = Base64URL.decode(kept) else { throw QueueError.storageUnavailable("the stored VAPID key is not base64url") }
        return try P256.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// The VAPID public key as browsers take it (`applicationServerKey`), for `madoguchi vapid show`.
    public static func vapidPublicKey(store: any AlertOutbox) async throws -> String {
        Base64URL.encode(try await loadVAPIDKey(store: store).publicKey.x963Representation)
    }
}
