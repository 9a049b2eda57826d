import Foundation
import NIOSSL
import PostgresNIO
import QueueCore

/// Where the store's PostgreSQL is and how to talk to it, read from a `postgres://` URL:
///
///     postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=require&pool=8
///
/// - `sslmode`: `disable` (the default on loopback), `prefer`, `require` (encrypted, certificate not checked), or
///   `verify-full` (encrypted, certificate and host name checked against `sslrootcert` or the system's roots).
/// - `sslrootcert`: a PEM file of the certificate authority to trust with `verify-full`.
/// - `pool`: connections this node keeps (default 8); each runs one transaction at a time.
/// - `schema`: the schema to keep the tables in (default `public`); created when missing.
/// - `connect_timeout`: seconds to wait for a connection (default 3).
///
/// A password in the URL is optional; `PGPASSWORD` in the environment is used when it is absent, so that the
/// secret need not appear on a command line.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var rootCertificate: String?
    public var poolSize: Int
    public var schema: String
    public var connectTimeoutSeconds: Int

    public init(
        host: String = "127.0.0.1", port: Int = 5432, username: String = "postgres", password: String? = nil,
        database: String = "madoguchi", tls: TLSMode = .disable, rootCertificate: String? = nil, poolSize: Int = 8,
        schema: String = "public", connectTimeoutSeconds: Int = 3
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificate = rootCertificate
        self.poolSize = poolSize
        self.schema = schema
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Reads a `postgres://` (or `postgresql://`) URL; every problem is an `invalidInput` on `--db`.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ reason: String) -> QueueError { .invalidInput(field: "--db", reason: reason) }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let url = URLComponents(string: text) else {
            throw bad("not a postgres://USER@HOST[:PORT]/DATABASE URL")
        }
        guard let host = url.host, !host.isEmpty else { throw bad("the postgres URL names no host") }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !database.isEmpty, !database.contains("/") else { throw bad("the postgres URL names no database (…/DATABASE)") }
        self.init(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres",
            password: url.password ?? environment["PGPASSWORD"], database: database)
        for item in url.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw bad("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "sslrootcert": rootCertificate = value
            case "pool":
                guard let size = Int(value), (1...256).contains(size) else { throw bad("pool must be a whole number from 1 to 256") }
                poolSize = size
            case "schema":
                guard value.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                    throw bad("schema must be a lower-case SQL name")
                }
                schema = value
            case "connect_timeout":
                guard let seconds = Int(value), (1...60).contains(seconds) else { throw bad("connect_timeout must be 1 to 60 seconds") }
                connectTimeoutSeconds = seconds
            default: throw bad("unknown postgres URL option '\(item.name)'")
            }
        }
        if rootCertificate != nil && tls != .verifyFull { throw bad("sslrootcert needs sslmode=verify-full") }
    }

    /// The connection settings PostgresNIO takes; builds the TLS context once.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable:
            tlsSetting = .disable
        case .prefer, .require:
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: tlsConfiguration)
            tlsSetting = tls == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .fullVerification
            if let rootCertificate {
                tlsConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate))
            }
            tlsSetting = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
        configuration.options.connectTimeout = .seconds(Int64(connectTimeoutSeconds))
        configuration.options.additionalStartupParameters = [("search_path", schema), ("application_name", "madoguchi")]
        return configuration
    }

    /// The URL without its password, for logs.
    public var redacted: String {
        "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)&pool=\(poolSize)&schema=\(schema)"
    }
}
