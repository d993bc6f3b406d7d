import type pg from "pg";

// The PostgreSQL schema as a list of versioned migrations, in the style of sqlite-migrations.ts: the table
// engine_schema holds how many have run; a change is a new entry at the end, never an edit of one that has
// shipped. Several nodes may start at once on one database: migrate() runs under an advisory lock, so one
// node migrates and the others find the work done. Text that is ordered or compared (ids, timestamps,
// lanes) is COLLATE "C": byte order, the same as SQLite's BINARY order and SPEC §9's UTF-16 order for the
// ASCII keys stored here, whatever the database's default collation. JSON is kept as text, as written:
// jsonb would reorder object keys.

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE model_sources (
  hash text COLLATE "C" PRIMARY KEY,
  file text NOT NULL,
  source text NOT NULL
);

CREATE SEQUENCE instance_end_seq;

CREATE TABLE instances (
  id text COLLATE "C" PRIMARY KEY,
  model_key text COLLATE "C" NOT NULL,
  model_hash text COLLATE "C" NOT NULL,
  correlation_id text COLLATE "C" NOT NULL,
  caller_id text,
  starter_id text COLLATE "C",
  state text NOT NULL,
  end_event_key text,
  end_event_lane text,
  result text,
  failure text,
  runtime text,
  started_at text COLLATE "C" NOT NULL,
  finished_at text,
  end_seq bigint
);
CREATE INDEX instances_latest_finished
  ON instances (correlation_id, model_key, end_seq) WHERE end_seq IS NOT NULL;
CREATE INDEX instances_running_hash ON instances (model_hash) WHERE state = 'running';
CREATE INDEX instances_by_starter ON instances (starter_id, started_at, id) WHERE starter_id IS NOT NULL;

CREATE TABLE correlations (
  correlation_id text COLLATE "C" NOT NULL,
  model_key text COLLATE "C" NOT NULL,
  PRIMARY KEY (correlation_id, model_key)
);

CREATE TABLE user_tasks (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  instance_id text COLLATE "C" NOT NULL,
  key text NOT NULL,
  model_key text COLLATE "C" NOT NULL,
  model_hash text NOT NULL,
  correlation_id text COLLATE "C" NOT NULL,
  lane text COLLATE "C",
  payload text,
  created_at text COLLATE "C" NOT NULL
);
CREATE INDEX user_tasks_by_lane ON user_tasks (lane, created_at, id);
CREATE INDEX user_tasks_by_model_lane ON user_tasks (model_key, lane, created_at, id);
CREATE INDEX user_tasks_by_correlation_lane ON user_tasks (correlation_id, model_key, lane, created_at, id);
CREATE INDEX user_tasks_by_instance ON user_tasks (instance_id, lane, created_at, id);

CREATE TABLE events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  instance_id text COLLATE "C" NOT NULL,
  key text NOT NULL,
  model_key text COLLATE "C" NOT NULL,
  model_hash text NOT NULL,
  correlation_id text COLLATE "C" NOT NULL,
  lane text COLLATE "C",
  event_type text COLLATE "C" NOT NULL,
  event_name text COLLATE "C" NOT NULL,
  attached_to_key text,
  created_at text COLLATE "C" NOT NULL
);
CREATE INDEX events_by_lane ON events (lane, created_at, id);
CREATE INDEX events_by_model_lane ON events (model_key, lane, created_at, id);
CREATE INDEX events_by_correlation_lane ON events (correlation_id, model_key, lane, created_at, id);
CREATE INDEX events_by_instance ON events (instance_id, lane, created_at, id);
CREATE INDEX events_by_name ON events (event_type, event_name, correlation_id);

CREATE TABLE timers (
  id text COLLATE "C" PRIMARY KEY,
  instance_id text COLLATE "C" NOT NULL,
  key text NOT NULL,
  due_at bigint NOT NULL
);
CREATE INDEX timers_by_due ON timers (due_at);

CREATE TABLE start_timers (
  model_key text COLLATE "C" NOT NULL,
  event_key text COLLATE "C" NOT NULL,
  spec text NOT NULL,
  due_at bigint NOT NULL,
  occurrence integer NOT NULL,
  PRIMARY KEY (model_key, event_key)
);
CREATE INDEX start_timers_by_due ON start_timers (due_at);

CREATE TABLE script_jobs (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  instance_id text COLLATE "C" NOT NULL,
  key text NOT NULL,
  model_key text NOT NULL,
  model_hash text NOT NULL,
  input text NOT NULL,
  created_at text NOT NULL
);

CREATE TABLE external_tasks (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  instance_id text COLLATE "C" NOT NULL,
  key text NOT NULL,
  model_key text NOT NULL,
  model_hash text NOT NULL,
  correlation_id text NOT NULL,
  lane text COLLATE "C",
  topic text COLLATE "C" NOT NULL,
  payload text,
  created_at text NOT NULL,
  worker_id text,
  lock_expires_at bigint
);
CREATE INDEX external_tasks_by_topic ON external_tasks (topic, seq);`,
];

/** Any constant of our own: the advisory lock that lets one starting node migrate at a time. */
const MIGRATION_LOCK = 7_355_014;

/**
 * Runs the migrations the database has not run yet, all in one transaction under a transaction-scoped
 * advisory lock: nodes starting together queue on the lock, and each finds the version the previous left.
 */
export async function migratePostgres(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS engine_schema (version integer NOT NULL)");
    const { rows } = await client.query<{ version: number }>("SELECT version FROM engine_schema");
    const current = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query("INSERT INTO engine_schema (version) VALUES (0)");
    if (current > POSTGRES_MIGRATIONS.length) {
      throw new Error(
        `the database was written by a newer engine (schema version ${current}, this engine knows ${POSTGRES_MIGRATIONS.length})`,
      );
    }
    for (let version = current; version < POSTGRES_MIGRATIONS.length; version++) {
      await client.query(POSTGRES_MIGRATIONS[version] as string);
    }
    await client.query("UPDATE engine_schema SET version = $1", [POSTGRES_MIGRATIONS.length]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
