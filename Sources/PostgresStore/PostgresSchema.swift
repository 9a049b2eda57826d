import QueueCore

/// The PostgreSQL schema, as numbered migrations: the same tables as SQLite's (`SQLiteStore.Schema`), in
/// PostgreSQL's words. Text is compared byte by byte (`COLLATE "C"`), as SQLite and Swift compare ids, so that line
/// order does not depend on the server's locale. Times are whole milliseconds since 1970.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        (
            "v1",
            """
            CREATE TABLE office (
                id TEXT COLLATE "C" PRIMARY KEY,
                position BIGINT NOT NULL,
                config TEXT NOT NULL
            );
            CREATE TABLE counter_state (
                office TEXT COLLATE "C" NOT NULL REFERENCES office(id),
                counter TEXT COLLATE "C" NOT NULL,
                open BOOLEAN NOT NULL,
                current TEXT COLLATE "C",
                priority_streak BIGINT NOT NULL,
                skills TEXT COLLATE "C",
                skills_date TEXT COLLATE "C",
                PRIMARY KEY (office, counter)
            );
            -- One row per (office, procedure, business date), bumped in the issuing transaction.
            CREATE TABLE number_sequence (
                office TEXT COLLATE "C" NOT NULL,
                service TEXT COLLATE "C" NOT NULL,
                business_date TEXT COLLATE "C" NOT NULL,
                last BIGINT NOT NULL,
                PRIMARY KEY (office, service, business_date)
            );
            CREATE TABLE ticket (
                id TEXT COLLATE "C" PRIMARY KEY,
                office TEXT COLLATE "C" NOT NULL,
                service TEXT COLLATE "C" NOT NULL,
                prefix TEXT COLLATE "C" NOT NULL,
                sequence BIGINT NOT NULL,
                business_date TEXT COLLATE "C" NOT NULL,
                channel TEXT COLLATE "C" NOT NULL,
                priority BIGINT NOT NULL,
                language TEXT COLLATE "C" NOT NULL,
                status TEXT COLLATE "C" NOT NULL,
                issued_at BIGINT NOT NULL,
                queued_at BIGINT NOT NULL,
                called_at BIGINT,
                serving_at BIGINT,
                finished_at BIGINT,
                counter TEXT COLLATE "C",
                deferrals BIGINT NOT NULL,
                recalls BIGINT NOT NULL,
                stage BIGINT NOT NULL,
                UNIQUE (office, business_date, prefix, sequence)
            );
            CREATE INDEX ticket_line ON ticket (office, business_date, status, service, priority, queued_at, sequence, id);
            CREATE TABLE event (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                office TEXT COLLATE "C" NOT NULL,
                at BIGINT NOT NULL,
                type TEXT COLLATE "C" NOT NULL,
                ticket TEXT COLLATE "C",
                body TEXT NOT NULL
            );
            CREATE INDEX event_office ON event (office, seq);
            CREATE INDEX event_office_time ON event (office, at);
            CREATE INDEX event_ticket ON event (ticket, type) WHERE ticket IS NOT NULL;
            CREATE INDEX event_reform ON event (office, seq) WHERE type = 'reform.recorded';
            CREATE TABLE idempotency (
                office TEXT COLLATE "C" NOT NULL,
                scope TEXT COLLATE "C" NOT NULL,
                key TEXT COLLATE "C" NOT NULL,
                fingerprint TEXT NOT NULL,
                ticket TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (office, scope, key)
            );
            CREATE TABLE staff_account (
                token_hash TEXT COLLATE "C" PRIMARY KEY,
                role TEXT COLLATE "C" NOT NULL,
                office TEXT COLLATE "C",
                name TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE staff_user (
                username TEXT COLLATE "C" PRIMARY KEY,
                password_hash TEXT NOT NULL,
                role TEXT COLLATE "C" NOT NULL,
                office TEXT COLLATE "C",
                created_at BIGINT NOT NULL
            );
            CREATE TABLE contact (
                ticket TEXT COLLATE "C" NOT NULL,
                channel TEXT COLLATE "C" NOT NULL,
                office TEXT COLLATE "C" NOT NULL,
                business_date TEXT COLLATE "C" NOT NULL,
                address TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (ticket, channel)
            );
            CREATE INDEX contact_date ON contact (office, business_date);
            CREATE INDEX contact_address ON contact (business_date, channel, address);
            CREATE TABLE outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                ticket TEXT COLLATE "C" NOT NULL,
                office TEXT COLLATE "C" NOT NULL,
                business_date TEXT COLLATE "C" NOT NULL,
                kind TEXT COLLATE "C" NOT NULL,
                round BIGINT NOT NULL,
                channel TEXT COLLATE "C" NOT NULL,
                number TEXT COLLATE "C" NOT NULL,
                counter_label TEXT,
                language TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                sent_at BIGINT,
                failed_at BIGINT,
                last_error TEXT,
                UNIQUE (ticket, kind, round, channel)
            );
            CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
            CREATE INDEX outbox_date ON outbox (office, business_date);
            CREATE TABLE link_code (
                code TEXT COLLATE "C" PRIMARY KEY,
                ticket TEXT COLLATE "C" NOT NULL,
                office TEXT COLLATE "C" NOT NULL,
                business_date TEXT COLLATE "C" NOT NULL,
                channel TEXT COLLATE "C" NOT NULL
            );
            CREATE TABLE server_key (
                name TEXT COLLATE "C" PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TABLE webhook_event (
                id TEXT COLLATE "C" PRIMARY KEY,
                seen_at BIGINT NOT NULL
            );
            """
        ),
        // Arrival check-in: a remote ticket whose holder is on their way keeps its place but is not called.
        ("v2-arrival-check-in", "ALTER TABLE ticket ADD COLUMN on_the_way BOOLEAN NOT NULL DEFAULT false;"),
        // What holders filled in of a form-writing guide: one row per ticket, deleted with its day's contacts.
        (
            "v3-guide-answers",
            """
            CREATE TABLE guide_answer (
                ticket TEXT COLLATE "C" PRIMARY KEY,
                office TEXT COLLATE "C" NOT NULL,
                business_date TEXT COLLATE "C" NOT NULL,
                body TEXT NOT NULL
            );
            CREATE INDEX guide_answer_day ON guide_answer (office, business_date);
            """
        ),
        // Line counts (`QueueCore.LineRank`): a waiting ticket's place without counting everyone ahead of it. Built
        // here from the tickets already waiting; from then on kept by every change, in its transaction.
        (
            "v4-line-rank",
            """
            CREATE TABLE line_rank (
                office TEXT COLLATE "C" NOT NULL,
                business_date TEXT COLLATE "C" NOT NULL,
                service TEXT COLLATE "C" NOT NULL,
                priority BIGINT NOT NULL,
                level BIGINT NOT NULL,
                bucket BIGINT NOT NULL,
                waiting BIGINT NOT NULL,
                PRIMARY KEY (office, business_date, service, priority, level, bucket)
            );
            WITH levels (level) AS (VALUES \((0..<LineRank.levels).map { "(\($0))" }.joined(separator: ", ")))
            INSERT INTO line_rank (office, business_date, service, priority, level, bucket, waiting)
            SELECT t.office, t.business_date, t.service, t.priority, l.level, t.queued_at >> (\(LineRank.bitsPerLevel) * l.level)::int, COUNT(*)
            FROM ticket t, levels l WHERE t.status = 'waiting' GROUP BY 1, 2, 3, 4, 5, 6;
            """
        ),
        // Each save of an office writes a new revision, so that reading it costs its text only when it changed
        // (`QueueCore.OfficeCache`).
        ("v5-office-revision", "ALTER TABLE office ADD COLUMN revision BIGINT NOT NULL DEFAULT 0"),
    ]
}
