import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "../src/sqlite-migrations.js";

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
});
