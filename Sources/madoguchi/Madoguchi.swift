import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MadoguchiWeb
import OfficeRuntime
import QueueCore

@main
struct Madoguchi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "madoguchi",
        abstract: "窓口: a service-counter queue for city halls.",
        subcommands: [
            Serve.self, Token.self, User.self, Import.self, Export.self, Simulate.self, Plan.self, ReplayCommand.self,
            ScoreCommand.self, Vapid.self,
        ])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server.")

    @Option(
        help:
            "sqlite:PATH (durable, the default; one node), postgres://USER@HOST[:PORT]/DATABASE?sslmode=…&pool=N (several nodes; docs/deploy.md), or memory."
    ) var db = "sqlite:madoguchi.sqlite"
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Seconds a counter waits on a called ticket before it may mark a no-show (overrides each office).")
    var noShowGrace: Int?
    @Flag(help: "Load the Kumamoto reference city when the database has no offices.") var demo = false
    @Option(help: "With --demo: weeks of simulated history (from the twin, labelled simulated) before today; 0 for none.")
    var demoHistoryWeeks = 8
    @Option(help: "Ticket look-ups by token each client address may burst.") var lookupBurst = 300
    @Option(help: "Ticket look-ups by token per second per client address, after the burst.") var lookupsPerSecond = 10.0
    @Option(help: "Remote tickets one client address may take per office per hour (a lobby's Wi-Fi shares one address).")
    var issuesPerHour = 60
    @Option(
        help:
            "\"Come now\": tell a remote holder to set out when the chance of being called within their travel time plus the buffer exceeds this."
    )
    var comeNowRisk = 0.1
    @Option(help: "\"Come now\": minutes added to the holder's travel time.") var comeNowBuffer = 5
    @Option(help: "text, or json: one JSON object a line with the request id (docs/deploy.md).") var logFormat = "text"
    @Flag(help: "Log a line for every request: method, route, status, time, client, request id.") var accessLog = false
    @OptionGroup(title: "Connections (defaults derived from the file limit, raised at start to the hard limit; docs/deploy.md)")
    var connections: ConnectionOptions
    @OptionGroup(title: "Alerts (each channel off unless set; secrets from the environment, see docs/notifications.md)")
    var alerts: AlertOptions

    func validate() throws {
        if !(1...65535).contains(port) { throw ValidationError("--port must be 1-65535") }
        if let noShowGrace, !(0...3600).contains(noShowGrace) { throw ValidationError("--no-show-grace must be 0-3600") }
        if lookupBurst < 1 || !(lookupsPerSecond > 0) { throw ValidationError("--lookup-burst and --lookups-per-second must be positive") }
        if !(comeNowRisk > 0 && comeNowRisk < 1) { throw ValidationError("--come-now-risk must be between 0 and 1") }
        if !(0...120).contains(comeNowBuffer) { throw ValidationError("--come-now-buffer must be 0-120 minutes") }
        if logFormat != "text" && logFormat != "json" { throw ValidationError("--log-format must be text or json") }
        if !(1...1_000_000).contains(issuesPerHour) { throw ValidationError("--issues-per-hour must be 1-1000000") }
        if !(0...52).contains(demoHistoryWeeks) { throw ValidationError("--demo-history-weeks must be 0-52") }
    }

    func run() async throws {
        if logFormat == "json" { LoggingSystem.bootstrap(JSONLogHandler.init(label:)) }
        var logger = Logger(label: "madoguchi")
        logger.logLevel = .info
        let store = try await StoreFactory.open(db, commands: QueueCommands(noShowGraceOverride: noShowGrace))
        if demo, try await store.offices().isEmpty {
            let events = try await OfficesFile.demo().load(into: store)
            let count = try await store.offices().count
            logger.info("loaded the demo city: \(count) offices, \(events.count) events")
            _ = try await DemoHistory.fill(store: store, weeks: demoHistoryWeeks, logger: logger)
        }
        var settings = ServerSettings(
            host: host, port: port, lookupBurst: lookupBurst, lookupsPerSecond: lookupsPerSecond, comeNowRisk: comeNowRisk,
            comeNowBufferMinutes: comeNowBuffer)
        settings.alerts = alerts.settings()
        settings.issuesPerHour = issuesPerHour
        settings.accessLog = accessLog
        settings.fileLimit = ConnectionLimits.raiseFileLimit()
        settings.connections = connections.limits(fileLimit: settings.fileLimit)
        settings.trustedProxies = try TrustedProxies(cidrs: connections.trustedProxy)
        logger.info(
            "connections: at most \(settings.connections.maxConnections), \(settings.connections.perClient) per client address, \(settings.connections.streamsPerClient) live streams per client (file limit \(settings.fileLimit))"
        )
        if settings.alerts.webPushSubject != nil { settings.alerts.vapidKey = try await AlertSetup.loadVAPIDKey(store: store) }
        let app = try buildApplication(settings: settings, store: store, logger: logger)
        try await app.runService()
    }
}

/// `serve`'s connection options: each unset one is derived from the process's file limit.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Connections open at once, all clients together.") var maxConnections: Int?
    @Option(help: "Connections open at once from one client address (a trusted proxy's are not capped).") var maxConnectionsPerClient: Int?
    @Option(help: "Live event streams open at once from one client address.") var maxStreamsPerClient: Int?
    @Option(help: "Seconds a new connection has to send its first request's head.") var headerTimeout = 10
    @Option(help: "Seconds a connection may sit idle between requests or pause inside one.") var idleTimeout = 30
    @Option(help: "A reverse proxy (IP or CIDR, repeatable) whose X-Forwarded-For names the client, for limits and logs.")
    var trustedProxy: [String] = []

    func limits(fileLimit: Int) -> ConnectionLimits {
        var limits = ConnectionLimits(fileLimit: fileLimit)
        if let maxConnections {
            limits.maxConnections = maxConnections
            limits.perClient = min(limits.perClient, maxConnections)
            limits.streamsPerClient = min(limits.streamsPerClient, limits.perClient)
        }
        if let maxConnectionsPerClient {
            limits.perClient = maxConnectionsPerClient
            limits.streamsPerClient = min(limits.streamsPerClient, maxConnectionsPerClient)
        }
        if let maxStreamsPerClient { limits.streamsPerClient = maxStreamsPerClient }
        limits.headerTimeoutSeconds = headerTimeout
        limits.idleTimeoutSeconds = idleTimeout
        return limits
    }
}

/// `serve`'s alert options; each falls back to its `MADOGUCHI_…` environment variable.
struct AlertOptions: ParsableArguments {
    @Option(help: "The server's public origin, for links in alerts (MADOGUCHI_PUBLIC_URL).") var publicUrl: String?
    @Option(help: "SMS/voice gateway webhook URL; needs MADOGUCHI_GATEWAY_SECRET (MADOGUCHI_GATEWAY_URL).") var gatewayUrl: String?
    @Option(
        help:
            "LINE official account basic id, e.g. @123abcde; needs MADOGUCHI_LINE_ACCESS_TOKEN and MADOGUCHI_LINE_CHANNEL_SECRET (MADOGUCHI_LINE_ACCOUNT)."
    )
    var lineAccount: String?
    @Option(help: "LINE Messaging API origin (MADOGUCHI_LINE_API).") var lineApi: String?
    @Option(help: "The LIFF mini-app's id, 1234567890-AbcdEfgh; needs the LINE settings (MADOGUCHI_LIFF_ID).")
    var liffId: String?
    @Option(help: "Where the LIFF page loads LINE's SDK from (MADOGUCHI_LIFF_SDK; LINE's own address by default).")
    var liffSdk: String?
    @Option(help: "Web Push: the VAPID contact, mailto:… or https://…, which switches it on (MADOGUCHI_WEB_PUSH_SUBJECT).")
    var webPushSubject: String?
    @Option(
        help:
            "Web Push: the push services' origins posted to, comma-separated (https://*.example.com for subdomains); default the big browsers'."
    )
    var webPushOrigins: String?
    @Option(help: "E-mail: the SMTP relay's host, which switches e-mail on (MADOGUCHI_SMTP_HOST).") var smtpHost: String?
    @Option(help: "E-mail: the relay's port (submission, 587).") var smtpPort = 587
    @Option(help: "E-mail: the sender address (MADOGUCHI_SMTP_FROM).") var smtpFrom: String?
    @Option(help: "E-mail: the relay login; the password comes from MADOGUCHI_SMTP_PASSWORD.") var smtpUser: String?
    @Option(help: "E-mail: a PEM file of CA certificates to trust for the relay instead of the system's.") var smtpCaFile: String?
    @Flag(help: "E-mail: send even when the relay offers no STARTTLS (only for a relay on the same host).") var smtpAllowPlaintext = false
    @Option(help: "Attempts per alert before giving up.") var alertAttempts = 6

    func validate() throws {
        if !(1...20).contains(alertAttempts) { throw ValidationError("--alert-attempts must be 1-20") }
    }

    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) -> AlertSettings {
        var settings = AlertSettings()
        settings.publicURL = publicUrl ?? environment["MADOGUCHI_PUBLIC_URL"]
        settings.gatewayURL = gatewayUrl ?? environment["MADOGUCHI_GATEWAY_URL"]
        settings.lineAccountID = lineAccount ?? environment["MADOGUCHI_LINE_ACCOUNT"]
        if let api = lineApi ?? environment["MADOGUCHI_LINE_API"] { settings.lineAPIBase = api }
        settings.liffID = liffId ?? environment["MADOGUCHI_LIFF_ID"]
        if let sdk = liffSdk ?? environment["MADOGUCHI_LIFF_SDK"] { settings.liffSDK = sdk }
        settings.webPushSubject = webPushSubject ?? environment["MADOGUCHI_WEB_PUSH_SUBJECT"]
        if let origins = webPushOrigins ?? environment["MADOGUCHI_WEB_PUSH_ORIGINS"] {
            settings.webPushOrigins = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        settings.smtpHost = smtpHost ?? environment["MADOGUCHI_SMTP_HOST"]
        settings.smtpPort = smtpPort
        settings.smtpFrom = smtpFrom ?? environment["MADOGUCHI_SMTP_FROM"]
        settings.smtpUsername = smtpUser
        settings.smtpTrustRootsFile = smtpCaFile
        settings.smtpAllowPlaintext = smtpAllowPlaintext
        settings.retry.maxAttempts = alertAttempts
        settings.readSecrets(from: environment)
        return settings
    }
}

struct Vapid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The server's Web Push (VAPID) key.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the VAPID public key (base64url), making the key pair first if the database has none.")
        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String

        func run() async throws {
            let store = try await StoreFactory.open(db, commands: QueueCommands())
            print(try await AlertSetup.vapidPublicKey(store: store))
        }
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Staff bearer tokens.", subcommands: [Create.self, Revoke.self, Export.self, Import.self])

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke bearer tokens at once on every node: the one read from stdin, or every one with a name.")
        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
        @Option(help: "Revoke every token created with this --name.") var name: String?
        @Flag(help: "Read the token itself from standard input.") var tokenStdin = false

        func run() async throws {
            guard tokenStdin != (name != nil) else { throw ValidationError("give either --token-stdin or --name") }
            let hash = tokenStdin ? StaffTokens.hash((readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)) : nil
            let store = try await StoreFactory.open(db)
            let gone = try await store.revokeTokens(tokenHash: hash, name: name)
            guard gone > 0 else { throw ValidationError("no such token") }
            print("revoked \(gone) token(s)")
        }
    }

    /// One account per line; only the token's hash, never the token.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every token's account (its hash, role, office, name; never the token) as JSON lines to stdout.")

        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String

        func run() async throws {
            let store = try await StoreFactory.open(db)
            let encoder = Token.encoder()
            for account in try await store.staffAccounts() {
                print(String(decoding: try encoder.encode(account), as: UTF8.self))
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the accounts `token export` wrote (from another store), so that the tokens people hold keep working.")

        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
        @Argument(help: "The JSON lines file; - for stdin.") var file: String

        func run() async throws {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            var accounts: [StaffAccount] = []
            for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                do {
                    accounts.append(try decoder.decode(StaffAccount.self, from: Data(line.utf8)))
                } catch {
                    throw ValidationError("line \(number + 1) is not an exported account: \(error)")
                }
            }
            let store = try await StoreFactory.open(db)
            let added = try await store.importStaff(accounts)
            print("imported \(added) of \(accounts.count) accounts (\(accounts.count - added) were there already)")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it alone on stdout; only its hash is kept.")

        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
        @Option(help: "admin, supervisor, staff, or device (a kiosk or lobby board of one office).") var role: String
        @Option(help: "The office it may act on; omit for every office (admin and city-wide supervisors only).")
        var office: String?
        @Option(help: "Who holds it, for the audit trail (a role or desk name, not a personal name).") var name = "staff"

        func run() async throws {
            guard let role = StaffAccount.Role(rawValue: role) else {
                throw ValidationError("--role must be admin, supervisor, staff or device")
            }
            if (role == .staff || role == .device) && office == nil { throw ValidationError("a \(role.rawValue) token needs --office") }
            let store = try await StoreFactory.open(db)
            let token = StaffTokens.generate()
            try await store.createStaff(
                StaffAccount(
                    tokenHash: StaffTokens.hash(token), role: role, office: office.map { OfficeID($0) }, name: name,
                    createdAt: store.clock.now()))
            print(token)
        }
    }
}

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Console logins.", subcommands: [Add.self, Password.self, Remove.self])

    /// The password on stdin's first line, at least 8 characters.
    static func readPassword() throws -> String {
        let password = readLine(strippingNewline: true) ?? ""
        guard password.count >= 8 else { throw ValidationError("the password needs at least 8 characters") }
        return password
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a console login's password (read from stdin); every session signed in with the old one ends at once.")
        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
        @Option(help: "The login.") var username: String
        @Flag(help: "Read the password from standard input (the only way).") var passwordStdin = false

        func run() async throws {
            guard passwordStdin else { throw ValidationError("give the password on stdin with --password-stdin") }
            let hash = try Passwords.hash(try User.readPassword())
            let store = try await StoreFactory.open(db)
            try await store.changePassword(username: username, passwordHash: hash)
            print("password changed for \(username); its sessions ended")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a console login; its sessions end at once on every node.")
        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
        @Option(help: "The login.") var username: String

        func run() async throws {
            let store = try await StoreFactory.open(db)
            guard try await store.removeUser(username: username) else { throw ValidationError("no user '\(username)'") }
            print("removed \(username)")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console login; the password is read from stdin and only its hash is kept.")

        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
        @Option(help: "The office it may work; omit for every office (admin and city-wide supervisors only).") var office: String?
        @Option(help: "admin, supervisor or staff.") var role: String
        @Option(help: "3-40 of a-z, 0-9, '.', '_', '-': a desk or role name, not a person's full name.") var username: String
        @Flag(help: "Read the password from standard input (the only way; it never appears in the process list).")
        var passwordStdin = false

        func run() async throws {
            guard passwordStdin else { throw ValidationError("give the password on stdin with --password-stdin") }
            guard let role = StaffAccount.Role(rawValue: role), role != .device else {
                throw ValidationError("--role must be admin, supervisor or staff")
            }
            if role == .staff && office == nil { throw ValidationError("a staff login needs --office") }
            let password = try User.readPassword()
            let store = try await StoreFactory.open(db)
            try await store.createUser(
                StaffUser(
                    username: username, passwordHash: try Passwords.hash(password), role: role,
                    office: office.map { OfficeID($0) }, createdAt: store.clock.now()))
            print("added \(username)")
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load or update offices, procedures and counters from YAML (docs/offices.md).")

    @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
    @Argument(help: "The offices YAML file.") var file: String

    func run() async throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let store = try await StoreFactory.open(db)
        let parsed = try OfficesFile.parse(text)
        _ = try await parsed.load(into: store)
        let ids = parsed.offices.map(\.id)
        FileHandle.standardError.write(Data("imported \(ids.count) offices: \(ids.joined(separator: ", "))\n".utf8))
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export data.", subcommands: [Events.self])

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write one office's events of one business day as JSONL to stdout.")

        @Option(help: "sqlite:PATH, postgres://USER@HOST/DATABASE, or memory.") var db: String
        @Option(help: "Office id.") var office: String
        @Option(help: "Business date, YYYY-MM-DD, in the office's time zone.") var date: String

        func run() async throws {
            guard let day = LocalDate(parsing: date) else { throw ValidationError("--date must be YYYY-MM-DD") }
            let store = try await StoreFactory.open(db)
            guard try await store.offices().contains(where: { $0.id.rawValue == office }) else {
                throw ValidationError("no office '\(office)'")
            }
            var after: Int64 = 0
            while true {
                let page = try await store.events(office: OfficeID(office), date: day, afterSeq: after, limit: 5000)
                guard let last = page.last else { break }
                var chunk = ""
                for event in page {
                    chunk += EventLine.encode(event)
                    chunk += "\n"
                }
                FileHandle.standardOutput.write(Data(chunk.utf8))
                after = last.seq
            }
        }
    }
}
