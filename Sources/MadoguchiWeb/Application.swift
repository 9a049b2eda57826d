import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Notify
import OfficeRuntime
import QueueCore
import ServiceLifecycle

/// Settings for `madoguchi serve`, read once.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    public var heartbeatSeconds: Double
    /// Ticket look-ups by token per client address: a burst, then a steady rate.
    public var lookupBurst: Int
    public var lookupsPerSecond: Double
    /// "Come now": a remote holder sets out when P(called within travel + buffer) exceeds the risk.
    public var comeNowRisk: Double
    public var comeNowBufferMinutes: Int
    /// Alerts to citizens: every channel off unless configured.
    public var alerts: AlertSettings = AlertSettings()
    /// Caps on connections and streams, and their timeouts; by default derived from the file limit.
    public var connections = ConnectionLimits(fileLimit: 1024)
    /// The process's limit on open files, which every cap must stay below (`ConnectionLimits.raiseFileLimit`).
    public var fileLimit = 1024
    /// A log line for every request (`--access-log`); off by default, since a reverse proxy usually keeps one.
    public var accessLog = false
    /// Remote tickets one client address may take per office per hour.
    public var issuesPerHour = 60
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); none by default.
    public var trustedProxies = TrustedProxies.none

    public init(
        host: String = "127.0.0.1", port: Int = 8080, heartbeatSeconds: Double = 15, lookupBurst: Int = 300,
        lookupsPerSecond: Double = 10, comeNowRisk: Double = 0.1, comeNowBufferMinutes: Int = 5
    ) {
        self.comeNowRisk = comeNowRisk
        self.comeNowBufferMinutes = comeNowBufferMinutes
        self.host = host
        self.port = port
        self.heartbeatSeconds = heartbeatSeconds
        self.lookupBurst = lookupBurst
        self.lookupsPerSecond = lookupsPerSecond
    }
}

/// The composition root: the one place that wires a store, the hub and the routes into an application.
public func buildApplication(
    settings: ServerSettings, store: any QueueStore, logger: Logger = Logger(label: "madoguchi")
) throws -> some ApplicationProtocol {
    let composed = try Composition(settings: settings, store: store, logger: logger)
    let limits = settings.connections
    return Application(
        router: composed.routes.router,
        server: limits.server(trusted: settings.trustedProxies, counts: composed.connections),
        configuration: .init(
            address: .hostname(settings.host, port: settings.port), serverName: "madoguchi",
            availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
        services: composed.services,
        logger: logger)
}

/// Everything `serve` runs, wired in one place: the routes over the store, and beside them the hub (live views and
/// estimates), the notifier and the day closer. `buildApplication` serves it; the web tests compose the same way,
/// so a route sees the hub, notifier and settings production gives it.
struct Composition {
    let routes: Routes
    /// The services that run beside the server, in the order they start.
    let services: [any Service]
    /// Connections per client address, shared by the server's gate and `/metrics`.
    let connections: ClientCounts

    /// `hub` and `limiter`: made by the caller (a test that steps the estimates or the limiter's clock itself)
    /// instead of from the settings.
    init(
        settings: ServerSettings, store: any QueueStore, logger: Logger, hub given: OfficeHub? = nil, limiter: RateLimiter? = nil
    ) throws {
        let problems = settings.alerts.problems + settings.connections.problems(fileLimit: settings.fileLimit)
        guard problems.isEmpty else { throw SettingsError(problems: problems) }
        let pages = try Pages.load()
        let hub: OfficeHub
        if let given {
            hub = given
        } else {
            let composer = AlertComposer(store: store, catalog: pages.catalog, publicURL: settings.alerts.publicURL)
            let notifier = try AlertSetup.notifier(settings: settings.alerts, store: store, logger: logger) {
                await composer.message(for: $0)
            }
            hub = OfficeHub(
                store: store, estimates: LiveEstimates(risk: settings.comeNowRisk, bufferMinutes: settings.comeNowBufferMinutes),
                notifier: notifier, heartbeatSeconds: settings.heartbeatSeconds, logger: logger)
        }
        let limits = settings.connections
        connections = ClientCounts(cap: limits.perClient)
        routes = buildRoutes(
            store: store, hub: hub, limiter: limiter ?? RateLimiter(burst: settings.lookupBurst, perSecond: settings.lookupsPerSecond),
            pages: pages, alerts: settings.alerts, trusted: settings.trustedProxies,
            streams: ClientCounts(cap: limits.streamsPerClient), connections: connections,
            issues: IssueAllowance(perHour: settings.issuesPerHour),
            accessLogLevel: settings.accessLog ? .info : .debug, logger: logger)
        let closer = DayCloser(store: store, sessionLifetimeSeconds: Sessions.lifetimeSeconds, logger: logger)
        services = [hub] + (hub.notifier.map { [$0] } ?? []) + [closer, MemoryReturner(connections: connections, logger: logger)]
    }
}

/// Settings that cannot run, each problem named.
public struct SettingsError: Error, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

/// The router and the table of every route it serves (`Routes`). `connections` are the server's, for `/metrics`.
func buildRoutes(
    store: any QueueStore, hub: OfficeHub, limiter: RateLimiter, pages: Pages, alerts: AlertSettings = AlertSettings(),
    trusted: TrustedProxies = .none, streams: ClientCounts = ClientCounts(cap: 64), connections: ClientCounts? = nil,
    issues: IssueAllowance = IssueAllowance(perHour: 60), accessLogLevel: Logger.Level = .debug,
    logger: Logger = Logger(label: "madoguchi")
) -> Routes {
    _ = Telemetry.registry  // swift-metrics' backend, before the first metric is made
    let router = Router(context: MadoguchiContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware(pages: pages))
    router.add(middleware: ClientAddressMiddleware(trusted: trusted))
    router.add(middleware: AccessLog(level: accessLogLevel))
    router.add(middleware: InputGate())
    router.add(middleware: StreamLimit(streams: streams))
    router.add(middleware: TicketLookupLimit(limiter: limiter))
    router.add(middleware: SameOrigin())
    let routes = Routes(router: router)
    let line = alerts.liffChannel.map { channel in
        LineSessions(login: LineLogin(apiBase: alerts.lineAPIBase, channelID: channel, now: { store.clock.now() }), store: store)
    }
    Api(store: store, hub: hub, officeStreams: OfficeStreams(hub: hub), alerts: alerts, issues: issues, line: line).register(on: routes)
    if alerts.lineEnabled, let secret = alerts.lineChannelSecret {
        LineWebhook(store: store, hub: hub, channelSecret: SymmetricKey(data: Data(secret.utf8)), logger: logger).register(on: routes)
    }
    MetricsRoute(store: store, hub: hub, connections: connections, streams: streams).register(on: routes)
    let citizen = PageRoutes(store: store, hub: hub, pages: pages, alerts: alerts, issues: issues)
    citizen.register(on: routes)
    LIFFPages(citizen: citizen, view: LIFFView(alerts)).register(on: routes)
    KioskRoutes(store: store, hub: hub, pages: pages).register(on: routes)
    BoardRoutes(store: store, pages: pages).register(on: routes)
    let console = ConsoleRoutes(store: store, hub: hub, pages: pages)
    console.register(on: routes)
    ReceptionPages(store: store, hub: hub, pages: pages, console: console).register(on: routes)
    ReportPages(store: store, hub: hub, pages: pages, console: console).register(on: routes)
    AuditPages(store: store, pages: pages, console: console).register(on: routes)
    DashboardPages(store: store, hub: hub, pages: pages, console: console).register(on: routes)
    AdminPages(store: store, pages: pages, console: console, logger: logger).register(on: routes)
    return routes
}

extension OfficeHub {
    /// The hub as the web composes it: a watched ticket's frames carry the API's `TicketBody`.
    public convenience init(
        store: any QueueStore, estimates: LiveEstimates = LiveEstimates(), notifier: Notifier? = nil,
        heartbeatSeconds: Double = 15, logger: Logger = Logger(label: "madoguchi.hub")
    ) {
        self.init(
            store: store, estimates: estimates, notifier: notifier, heartbeatSeconds: heartbeatSeconds, logger: logger,
            renderTicket: { OfficeHub.json(TicketBody($0, live: $1)) })
    }

    /// A ticket as the API and the streams show it, with its live estimate when the hub has one.
    func body(_ view: TicketView) -> TicketBody { TicketBody(view, live: liveEntry(view)) }
}
