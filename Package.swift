// swift-tools-version:6.0
import PackageDescription

/// The modules that compute (event lines, routing, visits and figures, the twin, the estimators) are compiled with
/// optimisation in debug builds too: unoptimised Swift read events 4–5 times slower and ran the twin many times
/// slower, and `swift run` (the demo) and CI run debug builds. Their tests still build with `-enable-testing`.
let optimisedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Madoguchi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "madoguchi", targets: ["madoguchi"]),
        .library(name: "QueueCore", targets: ["QueueCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The domain: value types, the ticket state machine, routing, events. Foundation only.
        .target(name: "QueueCore", swiftSettings: optimisedEvenInDebug),
        // Configuration files (offices, scenarios) read strictly: every problem listed, unknown keys refused.
        .target(
            name: "YAMLInput",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // The digital twin: scenarios, the discrete-event engine on QueueCore's routing and lifecycle, the planner,
        // and the HTML report.
        .target(
            name: "Twin",
            dependencies: [
                "QueueCore", "YAMLInput",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: optimisedEvenInDebug
        ),
        // Wait estimators (QL-sched, LES, HOL, the twin run forward), learning from the log, conformal ranges,
        // replay and scoring.
        .target(name: "Forecast", dependencies: ["QueueCore", "Twin"], swiftSettings: optimisedEvenInDebug),
        // Indicators from the event log: visits, wait figures against the 60-minute target, report rows, CSV, and
        // the before/after evaluation of reforms.
        .target(name: "Reports", dependencies: ["QueueCore"], swiftSettings: optimisedEvenInDebug),
        // The in-memory store, for tests and the twin.
        .target(name: "MemoryStore", dependencies: ["QueueCore"]),
        // The default durable store: SQLite through GRDB.
        .target(
            name: "SQLiteStore",
            dependencies: ["QueueCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The store for several nodes: PostgreSQL through PostgresNIO, under the same contract; NOTIFY/LISTEN tells every
        // node what changed.
        .target(
            name: "PostgresStore",
            dependencies: [
                "QueueCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Alerts to citizens: the outbox sender, Web Push (RFC 8291/8292), LINE, SMTP, the SMS/voice gateway.
        .target(
            name: "Notify",
            dependencies: [
                "QueueCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A QR code encoder (byte mode, error correction M), for tickets and the console's scanner: no dependency.
        .target(name: "QRCode"),
        // The office as it runs, without HTTP: the hub that hears the store's commits and keeps live views, the live
        // estimates with their come-now and guard decisions, the day closer, the report source, the offices file,
        // the demo history, the alert set-up and the store factory.
        .target(
            name: "OfficeRuntime",
            dependencies: [
                "QueueCore", "MemoryStore", "SQLiteStore", "PostgresStore", "YAMLInput", "Twin", "Forecast", "Notify", "Reports",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        // HTTP: routes, pages, SSE framing, the edge, staff auth, OpenAPI; composes the runtime into an application.
        .target(
            name: "MadoguchiWeb",
            dependencies: [
                "QueueCore", "OfficeRuntime", "QRCode", "Twin", "Forecast", "Notify", "Reports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources")]
        ),
        // The twin's side of the Ciw benchmark (bench/twin-vs-ciw.sh).
        .executableTarget(name: "TwinBench", dependencies: ["Twin"], path: "Sources/TwinBench"),
        // The cost of a wait prediction (bench/forecast.sh).
        .executableTarget(name: "ForecastBench", dependencies: ["Forecast"], path: "Sources/ForecastBench"),
        // A client holding thousands of live event streams on 127.0.0.1 (bench/watchers.sh).
        .executableTarget(
            name: "WatcherBench",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Sources/WatcherBench"),
        // The executable only composes.
        .executableTarget(
            name: "madoguchi",
            dependencies: [
                "MadoguchiWeb", "OfficeRuntime", "Twin", "Forecast",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The test office and the instant every test's clock starts at (Monday 2026-03-30 10:00 in Tokyo), shared by
        // all the test targets.
        .target(name: "QueueFixtures", dependencies: ["QueueCore"], path: "Tests/QueueFixtures"),
        // The domain's tests: QueueCore alone.
        .testTarget(name: "QueueCoreTests", dependencies: ["QueueCore", "QueueFixtures"]),
        // One contract, every store (memory, SQLite, PostgreSQL when MADOGUCHI_TEST_POSTGRES names a server), and the
        // state-machine property tests run on each.
        .testTarget(
            name: "StoreContractTests",
            dependencies: ["QueueCore", "QueueFixtures", "MemoryStore", "SQLiteStore", "PostgresStore"]),
        .testTarget(
            name: "TwinTests", dependencies: ["Twin", "QueueCore", "QueueFixtures", "MemoryStore"], resources: [.copy("Scenarios")]),
        .testTarget(name: "ForecastTests", dependencies: ["Forecast", "Twin", "QueueCore"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "QueueCore", "Twin"]),
        .testTarget(name: "NotifyTests", dependencies: ["Notify", "QueueCore", "QueueFixtures", "MemoryStore"]),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode"]),
        // The office runtime without HTTP: the hub, the live estimates' decisions.
        .testTarget(name: "OfficeRuntimeTests", dependencies: ["OfficeRuntime", "QueueCore", "QueueFixtures", "MemoryStore"]),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "MadoguchiWeb", "OfficeRuntime", "QueueFixtures", "Notify", "Forecast",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
