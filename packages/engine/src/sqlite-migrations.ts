import type Database from "better-sqlite3";

// The SQLite schema as a list of versioned migrations: PRAGMA user_version holds how many have run. A new
// schema change is a new entry appended at the end — never an edit of an entry that has shipped, because a
// data directory created by an older version has already run it. Version 1 is the level-1 schema; it uses
// IF NOT EXISTS because data directories from before the versioning have its tables at user_version 0.

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS model_sources (
  hash TEXT PRIMARY KEY,
  file TEXT NOT NULL,
  source TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY,
  model_key TEXT NOT NULL,
  model_hash TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  caller_id TEXT,
  state TEXT NOT NULL,
  end_event_key TEXT,
  end_event_lane TEXT,
  result TEXT,
  failure TEXT,
  runtime TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  end_seq INTEGER
);
CREATE INDEX IF NOT EXISTS instances_latest_finished
  ON instances (correlation_id, model_key, end_seq) WHERE end_seq IS NOT NULL;
CREATE INDEX IF NOT EXISTS instances_running_hash ON instances (model_hash) WHERE state = 'running';

CREATE TABLE IF NOT EXISTS correlations (
  correlation_id TEXT NOT NULL,
  model_key TEXT NOT NULL,
  PRIMARY KEY (correlation_id, model_key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS user_tasks (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  instance_id TEXT NOT NULL,
  key TEXT NOT NULL,
  model_key TEXT NOT NULL,
  model_hash TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  lane TEXT,
  payload TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS user_tasks_by_correlation ON user_tasks (correlation_id, model_key);
CREATE INDEX IF NOT EXISTS user_tasks_by_model ON user_tasks (model_key);

CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  instance_id TEXT NOT NULL,
  key TEXT NOT NULL,
  model_key TEXT NOT NULL,
  model_hash TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  lane TEXT,
  event_type TEXT NOT NULL,
  event_name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_correlation ON events (correlation_id, model_key);
CREATE INDEX IF NOT EXISTS events_by_model ON events (model_key);
CREATE INDEX IF NOT EXISTS events_by_name ON events (event_type, event_name);

CREATE TABLE IF NOT EXISTS timers (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  key TEXT NOT NULL,
  due_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS timers_by_due ON timers (due_at);`,
  // 2: scripts that outlast their step run as jobs; a job left by a crash runs again at open.
  `CREATE TABLE script_jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  instance_id TEXT NOT NULL,
  key TEXT NOT NULL,
  model_key TEXT NOT NULL,
  model_hash TEXT NOT NULL,
  input TEXT NOT NULL,
  created_at TEXT NOT NULL
);`,
  // 3: a waiting boundary event names the activity it is attached to.
  "ALTER TABLE events ADD COLUMN attached_to_key TEXT;",
  // 4: timer start events: the next occurrence of each, moved on in the step that starts its instance.
  `CREATE TABLE start_timers (
  model_key TEXT NOT NULL,
  event_key TEXT NOT NULL,
  spec TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  occurrence INTEGER NOT NULL,
  PRIMARY KEY (model_key, event_key)
) WITHOUT ROWID;
CREATE INDEX start_timers_by_due ON start_timers (due_at);`,
  // 5: SPEC §9 pages. Every list query is "these equality filters, lane in the caller's set or null, ordered
  // by (created_at, id)": per filter shape an index ending in (lane, created_at, id), so a page and its
  // totalCount are index range reads per lane, never a scan of other rows (see the engine README). They
  // replace the level-1 indexes that are their prefixes.
  `DROP INDEX IF EXISTS user_tasks_by_correlation;
DROP INDEX IF EXISTS user_tasks_by_model;
CREATE INDEX user_tasks_by_lane ON user_tasks (lane, created_at, id);
CREATE INDEX user_tasks_by_model_lane ON user_tasks (model_key, lane, created_at, id);
CREATE INDEX user_tasks_by_correlation_lane ON user_tasks (correlation_id, model_key, lane, created_at, id);
CREATE INDEX user_tasks_by_instance ON user_tasks (instance_id, lane, created_at, id);
DROP INDEX IF EXISTS events_by_correlation;
DROP INDEX IF EXISTS events_by_model;
CREATE INDEX events_by_lane ON events (lane, created_at, id);
CREATE INDEX events_by_model_lane ON events (model_key, lane, created_at, id);
CREATE INDEX events_by_correlation_lane ON events (correlation_id, model_key, lane, created_at, id);
CREATE INDEX events_by_instance ON events (instance_id, lane, created_at, id);`,
  // 6: SPEC §10 "the instances I started": who started an instance. Instances from before belong to nobody
  // (NULL), which the partial index leaves out.
  `ALTER TABLE instances ADD COLUMN starter_id TEXT;
CREATE INDEX instances_by_starter ON instances (starter_id, started_at, id) WHERE starter_id IS NOT NULL;`,
  // 7: external tasks (SPEC §13). worker_id is the holder (the last locker); lock_expires_at in epoch ms.
  `CREATE TABLE external_tasks (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  instance_id TEXT NOT NULL,
  key TEXT NOT NULL,
  model_key TEXT NOT NULL,
  model_hash TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  lane TEXT,
  topic TEXT NOT NULL,
  payload TEXT,
  created_at TEXT NOT NULL,
  worker_id TEXT,
  lock_expires_at INTEGER
);
CREATE INDEX external_tasks_by_topic ON external_tasks (topic, seq);`,
  // 8: SPEC §9 deep pages of "every model" user tasks (§10 getWaitingUserTasksByIdentity). An OFFSET walks
  // the index up to the offset, so how many tasks wait per lane (lane_key: '' no lane, '=' || lane) is kept by
  // the hour, minute and second they began waiting (bucket: created_at's first `level` characters), in the
  // same transaction as the rows by triggers. A page descends hour → minute → second to the second holding
  // its offset and walks only that second's rows; totalCount is the sum of the hour counts.
  `CREATE TABLE user_task_counts (
  level INTEGER NOT NULL,
  lane_key TEXT NOT NULL,
  bucket TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (level, lane_key, bucket)
) WITHOUT ROWID;
INSERT INTO user_task_counts (level, lane_key, bucket, n)
  SELECT levels.level, CASE WHEN lane IS NULL THEN '' ELSE '=' || lane END, substr(created_at, 1, levels.level), COUNT(*)
  FROM user_tasks, (SELECT 13 AS level UNION ALL SELECT 16 UNION ALL SELECT 19) AS levels
  GROUP BY 1, 2, 3;
CREATE TRIGGER user_task_counts_insert AFTER INSERT ON user_tasks BEGIN
  INSERT INTO user_task_counts (level, lane_key, bucket, n)
    SELECT levels.level, CASE WHEN NEW.lane IS NULL THEN '' ELSE '=' || NEW.lane END, substr(NEW.created_at, 1, levels.level), 1
    FROM (SELECT 13 AS level UNION ALL SELECT 16 UNION ALL SELECT 19) AS levels WHERE true
  ON CONFLICT (level, lane_key, bucket) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER user_task_counts_delete AFTER DELETE ON user_tasks BEGIN
  UPDATE user_task_counts SET n = n - 1
    WHERE level IN (13, 16, 19) AND lane_key = CASE WHEN OLD.lane IS NULL THEN '' ELSE '=' || OLD.lane END
      AND bucket = substr(OLD.created_at, 1, level);
  DELETE FROM user_task_counts
    WHERE level IN (13, 16, 19) AND lane_key = CASE WHEN OLD.lane IS NULL THEN '' ELSE '=' || OLD.lane END
      AND bucket = substr(OLD.created_at, 1, level) AND n = 0;
END;`,
  // 9: the counts of migration 8 are kept by the store instead (SqliteStatements.applyCountChanges): the
  // triggers ran 3 statements per task begun and 6 per task ended (≈ 10 % of the CPU of a user-task round
  // trip, measured); the store adds up a transaction's changes per bucket and applies them once at its commit.
  `DROP TRIGGER user_task_counts_insert;
DROP TRIGGER user_task_counts_delete;`,
];

/** Runs the migrations the database has not run yet, each in its own transaction with its version bump. */
export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the data directory was written by a newer engine (schema version ${current}, this engine knows ${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
