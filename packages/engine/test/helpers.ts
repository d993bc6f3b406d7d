import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { openEngine } from "../src/index.js";
import type { Engine, EngineEvent, EngineOptions, InstanceRecord } from "../src/types.js";

export const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));
export const invalidFixture = (name: string) => path.join(fixtures, "invalid", name);

const tempDirs: string[] = [];

export function tempDir(prefix = "engine-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A temp models dir holding copies of the given fixture files (paths relative to fixtures/). */
export function modelsDir(...files: string[]): string {
  const dir = tempDir("engine-models-");
  mkdirSync(dir, { recursive: true });
  for (const file of files) cpSync(path.join(fixtures, file), path.join(dir, path.basename(file)));
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Reads rows of an engine's SQLite file directly (read-only, beside a running engine): for state the public
 * API does not expose, such as timer rows or script jobs.
 */
export function sqliteRows<T = Record<string, unknown>>(
  data: string,
  sql: string,
  ...params: unknown[]
): T[] {
  const db = new Database(path.join(data, "engine.sqlite"), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** The `n` of a `SELECT COUNT(*) AS n …` over the engine's SQLite file. */
export const sqliteCount = (data: string, sql: string, ...params: unknown[]): number =>
  sqliteRows<{ n: number }>(data, sql, ...params)[0]?.n ?? 0;

const openEngines: Engine[] = [];

export async function open(options: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = await openEngine({ models: fixtures, data: ":memory:", ...options });
  openEngines.push(engine);
  return engine;
}

/**
 * Races of two timers (timer-race-late.bpmn: ShortWait an hour, LongWait two) left waiting by an engine that
 * closed; `moveBack` makes them overdue in the store, ShortWait due first in each (the instance ids in start
 * order); an engine opened again fires them. Answers each race's end event.
 */
export async function overdueRaces(
  options: Partial<EngineOptions>,
  moveBack: (ids: string[]) => Promise<void> | void,
): Promise<(string | undefined)[]> {
  const first = await open(options);
  const ids: string[] = [];
  for (let i = 0; i < 24; i++) {
    const { instance } = await first.start({ processModelKey: "TimerRaceLate", startEventKey: "RaceStart" });
    ids.push(instance.processInstanceId);
  }
  await first.close();
  await moveBack(ids);
  const again = await open(options);
  const ended = await Promise.all(ids.map((id) => again.whenEnded(id)));
  return ended.map((instance) => instance.endEventKey);
}

export async function closeEngines(): Promise<void> {
  for (const engine of openEngines.splice(0)) await engine.close();
}

/** Records every engine event of an engine. */
export function record(engine: Engine): EngineEvent[] {
  const events: EngineEvent[] = [];
  engine.on((event) => events.push(event));
  return events;
}

/** "type:flowNodeKey" for each event of one instance, for compact order assertions. */
export function trace(events: EngineEvent[], processInstanceId: string): string[] {
  return events
    .filter((event) => event.processInstanceId === processInstanceId)
    .map((event) => ("flowNodeKey" in event ? `${event.type}:${event.flowNodeKey}` : event.type));
}

/** Resolves once `count` engine events match. */
export function eventsSeen(
  engine: Engine,
  count: number,
  match: (event: EngineEvent) => boolean,
): Promise<EngineEvent[]> {
  const seen: EngineEvent[] = [];
  return new Promise((resolve) => {
    engine.on((event) => {
      if (!match(event)) return;
      seen.push(event);
      if (seen.length === count) resolve(seen);
    });
  });
}

export const events2 = path.join(fixtures, "events2");

/** The keys of the events waiting in a correlation, sorted. */
export const eventKeys = async (engine: Engine, correlationId: string): Promise<string[]> =>
  (await engine.listEvents({ correlationId })).map((event) => event.key).sort();

/** The waiting event with this key in the correlation. */
export async function waiting(engine: Engine, correlationId: string, key: string) {
  const event = (await engine.listEvents({ correlationId })).find((candidate) => candidate.key === key);
  if (!event) throw new Error(`event ${key} does not wait`);
  return event;
}

/** The keys of the user tasks waiting in a correlation, sorted. */
export const waitingKeys = async (engine: Engine, correlationId: string): Promise<string[]> =>
  (await engine.listUserTasks({ correlationId })).map((task) => task.key).sort();

/** Finishes the first waiting user task with this key in the correlation; returns its instance after. */
export async function finishTask(
  engine: Engine,
  correlationId: string,
  key: string,
  formFields: object = {},
): Promise<InstanceRecord> {
  const tasks = await engine.listUserTasks({ correlationId });
  const task = tasks.find((candidate) => candidate.key === key);
  if (!task)
    throw new Error(`user task ${key} does not wait (${tasks.map((other) => other.key).join(", ")})`);
  return (await engine.finishUserTask(task.id, { formFields })).instance;
}
