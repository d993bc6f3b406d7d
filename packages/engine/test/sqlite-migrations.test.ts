import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "../src/sqlite-migrations.js";
import { SqliteStore } from "../src/sqlite-store.js";
import { removeTempDirs, tempDir } from "./helpers.js";

afterEach(() => removeTempDirs());

describe("sqlite migrations", () => {
  it("brings a new database to the latest version and is idempotent", () => {
    const db = new Database(":memory:");
    migrate(db);
    migrate(db);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(expect.arrayContaining(["instances", "user_tasks", "events", "timers"]));
    db.close();
  });

  it("adopts a data directory from before versioning (tables present, user_version 0)", () => {
    const db = new Database(":memory:");
    db.exec(MIGRATIONS[0] as string);
    db.prepare(
      "INSERT INTO instances (id, model_key, model_hash, correlation_id, state, started_at) VALUES ('i', 'M', 'h', 'c', 'running', 'now')",
    ).run();
    migrate(db);
    expect(db.prepare("SELECT COUNT(*) FROM instances").pluck().get()).toBe(1);
    // SPEC §10: an instance from before starters were recorded belongs to nobody.
    expect(db.prepare("SELECT starter_id FROM instances WHERE id = 'i'").pluck().get()).toBeNull();
    db.close();
  });

  it("refuses a database written by a newer engine", () => {
    const db = new Database(":memory:");
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer engine/);
    db.close();
  });

  it("keeps the user-task counts of a version-8 database (kept by triggers) when the store takes them over", async () => {
    const data = tempDir("migration-9-");
    const db = new Database(path.join(data, "engine.sqlite"));
    for (const migration of MIGRATIONS.slice(0, 8)) db.exec(migration);
    db.pragma("user_version = 8");
    const insert = db.prepare(
      `INSERT INTO user_tasks (id, instance_id, key, model_key, model_hash, correlation_id, lane, payload, created_at)
       VALUES (?, 'i', 'K', 'M', 'h', 'c', NULL, '{}', ?)`,
    );
    for (const [id, at] of [
      ["a", "2026-01-01T00:00:00.000Z"],
      ["b", "2026-01-01T00:00:01.000Z"],
      ["c", "2026-01-01T01:00:00.000Z"],
    ]) {
      insert.run(id, at);
    }
    db.close();
    const store = new SqliteStore({ data, synchronous: "FULL" });
    try {
      await store.transaction(async (tx) => {
        await tx.takeUserTask("a");
      });
      const page = await store.pageUserTasks({ lanes: [] }, { offset: 1, limit: 5 });
      expect({ ids: page.items.map((row) => row.id), totalCount: page.totalCount }).toEqual({
        ids: ["c"],
        totalCount: 2,
      });
    } finally {
      await store.close();
    }
    const after = new Database(path.join(data, "engine.sqlite"));
    expect(after.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    // No trigger counts a second time beside the store.
    expect(after.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'").pluck().get()).toBe(0);
    expect(after.prepare("SELECT SUM(n) FROM user_task_counts WHERE level = 19").pluck().get()).toBe(2);
    after.close();
  });
});
