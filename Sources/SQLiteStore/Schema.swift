import GRDB
import QueueCore

/// The SQLite schema, as migrations. Every SQL dialect choice of the default store lives in this module.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE office (
                        id TEXT PRIMARY KEY NOT NULL,
                        position INTEGER NOT NULL,
                        config TEXT NOT NULL
                    );
                    CREATE TABLE counter_state (
                        office TEXT NOT NULL REFERENCES office(id),
                        counter TEXT NOT NULL,
                        open INTEGER NOT NULL,
                        current TEXT,
                        priority_streak INTEGER NOT NULL,
                        PRIMARY KEY (office, counter)
                    ) WITHOUT ROWID;
                    -- One row per (office, procedure, business date), bumped in the issuing transaction: numbers are
                    -- unique and contiguous (never max(number)+1).
                    CREATE TABLE number_sequence (
                        office TEXT NOT NULL,
                        service TEXT NOT NULL,
                        business_date TEXT NOT NULL,
                        last INTEGER NOT NULL,
                        PRIMARY KEY (office, service, business_date)
                    ) WITHOUT ROWID;
                    CREATE TABLE ticket (
                        id TEXT PRIMARY KEY NOT NULL,
                        office TEXT NOT NULL,
                        service TEXT NOT NULL,
                        prefix TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        business_date TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        language TEXT NOT NULL,
                        status TEXT NOT NULL,
                        issued_at INTEGER NOT NULL,
                        queued_at INTEGER NOT NULL,
                        called_at INTEGER,
                        serving_at INTEGER,
                        finished_at INTEGER,
                        counter TEXT,
                        deferrals INTEGER NOT NULL,
                        recalls INTEGER NOT NULL,
                        stage INTEGER NOT NULL,
                        UNIQUE (office, business_date, prefix, sequence)
                    );
                    -- Covers the line queries (heads, position) without touching the table rows.
                    CREATE INDEX ticket_line ON ticket (office, business_date, status, service, priority, queued_at, sequence, id);
                    CREATE TABLE event (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        office TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        ticket TEXT,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX event_office ON event (office, seq);
                    CREATE INDEX event_office_time ON event (office, at);
                    CREATE TABLE idempotency (
                        office TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        key TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        ticket TEXT NOT NULL,
                        PRIMARY KEY (office, scope, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE staff_account (
                        token_hash TEXT PRIMARY KEY NOT NULL,
                        role TEXT NOT NULL,
                        office TEXT,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // Console logins (issue 3): a username and a password hash; sessions are staff_account rows.
        migrator.registerMigration("v2-staff-user") { db in
            try db.execute(
                sql: """
                    CREATE TABLE staff_user (
                        username TEXT PRIMARY KEY NOT NULL,
                        password_hash TEXT NOT NULL,
                        role TEXT NOT NULL,
                        office TEXT,
                        created_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // Alerts (issue 6): contacts live for their ticket's business day; the outbox is written in the transaction
        // of the change that causes an alert, and unique per (ticket, kind, round, channel).
        migrator.registerMigration("v3-alerts") { db in
            try db.execute(
                sql: """
                    CREATE INDEX event_ticket ON event (ticket, type) WHERE ticket IS NOT NULL;
                    CREATE TABLE contact (
                        ticket TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        office TEXT NOT NULL,
                        business_date TEXT NOT NULL,
                        address TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (ticket, channel)
                    ) WITHOUT ROWID;
                    CREATE INDEX contact_date ON contact (office, business_date);
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ticket TEXT NOT NULL,
                        office TEXT NOT NULL,
                        business_date TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        round INTEGER NOT NULL,
                        channel TEXT NOT NULL,
                        number TEXT NOT NULL,
                        counter_label TEXT,
                        language TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        sent_at INTEGER,
                        failed_at INTEGER,
                        last_error TEXT,
                        UNIQUE (ticket, kind, round, channel)
                    );
                    CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
                    CREATE INDEX outbox_date ON outbox (office, business_date);
                    CREATE TABLE link_code (
                        code TEXT PRIMARY KEY NOT NULL,
                        ticket TEXT NOT NULL,
                        office TEXT NOT NULL,
                        business_date TEXT NOT NULL,
                        channel TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE server_key (
                        name TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE webhook_event (
                        id TEXT PRIMARY KEY NOT NULL,
                        seen_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // Reforms are read by type; few rows, so a partial index.
        migrator.registerMigration("v4-reforms") { db in
            try db.execute(sql: "CREATE INDEX event_reform ON event (office, seq) WHERE type = 'reform.recorded'")
        }
        // A counter's skills changed for one day by a supervisor (the 60-minute guard's "switch skills").
        migrator.registerMigration("v5-counter-skills") { db in
            try db.execute(
                sql: """
                    ALTER TABLE counter_state ADD COLUMN skills TEXT;
                    ALTER TABLE counter_state ADD COLUMN skills_date TEXT;
                    """)
        }
        // Arrival check-in: a remote ticket whose holder is on their way keeps its place but is not called.
        migrator.registerMigration("v6-arrival-check-in") { db in
            try db.execute(sql: "ALTER TABLE ticket ADD COLUMN on_the_way INTEGER NOT NULL DEFAULT 0")
        }
        // What holders filled in of a form-writing guide: one row per ticket, deleted with its day's contacts.
        migrator.registerMigration("v7-guide-answers") { db in
            try db.execute(
                sql: """
                    CREATE TABLE guide_answer (
                        ticket TEXT PRIMARY KEY NOT NULL,
                        office TEXT NOT NULL,
                        business_date TEXT NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX guide_answer_day ON guide_answer (office, business_date);
                    """)
        }
        // Line counts (`QueueCore.LineRank`): a waiting ticket's place without counting everyone ahead of it. Built
        // here from the tickets already waiting; from then on kept by every change, in its transaction.
        migrator.registerMigration("v8-line-rank") { db in
            let levels = (0..<LineRank.levels).map { "(\($0))" }.joined(separator: ", ")
            try db.execute(
                sql: """
                    CREATE TABLE line_rank (
                        office TEXT NOT NULL,
                        business_date TEXT NOT NULL,
                        service TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        level INTEGER NOT NULL,
                        bucket INTEGER NOT NULL,
                        waiting INTEGER NOT NULL,
                        PRIMARY KEY (office, business_date, service, priority, level, bucket)
                    ) WITHOUT ROWID;
                    WITH levels (level) AS (VALUES \(levels))
                    INSERT INTO line_rank (office, business_date, service, priority, level, bucket, waiting)
                    SELECT t.office, t.business_date, t.service, t.priority, l.level, t.queued_at >> (\(LineRank.bitsPerLevel) * l.level), COUNT(*)
                    FROM ticket t, levels l WHERE t.status = 'waiting' GROUP BY 1, 2, 3, 4, 5, 6;
                    """)
        }
        // Each save of an office writes a new revision, so that reading it costs its text only when it changed
        // (`QueueCore.OfficeCache`).
        migrator.registerMigration("v9-office-revision") { db in
            try db.execute(sql: "ALTER TABLE office ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }
}
