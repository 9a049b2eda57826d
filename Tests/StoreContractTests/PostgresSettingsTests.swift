import PostgresStore
import QueueCore
import Testing

/// `--db postgres://…`: what a URL says, and every mistake refused with the option named.
@Suite("PostgreSQL settings")
struct PostgresSettingsTests {
    @Test("a full URL sets every option; the password may come from PGPASSWORD")
    func full() throws {
        let s = try PostgresSettings(
            url:
                "postgres://app:secret@db.internal:6543/madoguchi?sslmode=verify-full&sslrootcert=/etc/ca.pem&pool=16&schema=city_a&connect_timeout=5",
            environment: [:])
        #expect(
            s
                == PostgresSettings(
                    host: "db.internal", port: 6543, username: "app", password: "secret", database: "madoguchi", tls: .verifyFull,
                    rootCertificate: "/etc/ca.pem", poolSize: 16, schema: "city_a", connectTimeoutSeconds: 5))
        #expect(!s.redacted.contains("secret"))
        let bare = try PostgresSettings(url: "postgresql://db/q", environment: ["PGPASSWORD": "from-env"])
        #expect(
            bare.password == "from-env" && bare.port == 5432 && bare.username == "postgres" && bare.poolSize == 8 && bare.tls == .disable)
    }

    @Test(
        "mistakes are refused, naming --db",
        arguments: [
            "postgres://", "postgres://db", "postgres://db/", "postgres://db/a/b", "mysql://db/x", "postgres://db/x?sslmode=maybe",
            "postgres://db/x?pool=0", "postgres://db/x?pool=many", "postgres://db/x?pool=300", "postgres://db/x?schema=Bad-Name",
            "postgres://db/x?sslrootcert=/ca.pem", "postgres://db/x?connect_timeout=0", "postgres://db/x?colour=blue",
        ])
    func refused(url: String) {
        #expect {
            try PostgresSettings(url: url, environment: [:])
        } throws: { error in
            if case QueueError.invalidInput(let field, _) = error { field == "--db" } else { false }
        }
    }
}
