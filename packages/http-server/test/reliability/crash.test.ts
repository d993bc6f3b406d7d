// SPEC §7: state survives kill -9. A load generator drives the server program while the test SIGKILLs it at
// random moments; after every restart each acknowledged operation is reflected, and nothing happened twice.
import { afterAll, expect, it } from "vitest";
import {
  type Answer,
  type EventListBody,
  eventsOf,
  finish,
  models,
  type ResultBody,
  resultOf,
  type StartAnswer,
  start,
  type TaskList,
  tasksOf,
  trigger,
} from "./support/api-calls.js";
import { type Program, Sandbox } from "./support/program.js";

const KILLS = 4;
const WORKERS = 6;
/** Each life is killed after a random number of acknowledged operations in this range (in flight: the rest). */
const KILL_AFTER = [20, 150] as const;

type Kind = "review" | "await" | "delay";
type Outcome = "no" | "doubt" | "acked";
interface Case {
  kind: Kind;
  correlationId: string;
  /** The value its finish (form field n) or trigger (payload { n }) carries. */
  n: number;
  /** "doubt": the request went out and no answer came back (the server died). */
  started: Exclude<Outcome, "no">;
  processInstanceId?: string;
  /** The finish or trigger; a delay instance moves on by itself. */
  done: Outcome;
  /** The waiting task or event the done operation went to, to prove it never waits again. */
  waitingId?: string;
  busy: boolean;
}

const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());

// A small seeded PRNG, so a failure can be replayed with CRASH_SEED.
const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
let state = seed;
function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];

const cases: Case[] = [];
/** Answers no conformant server gives to this load, collected rather than thrown inside workers. */
const unexpected: string[] = [];
const modelOf = (kind: Kind) => models[kind];

class ServerGone extends Error {}
async function send(request: Promise<Answer>): Promise<Answer> {
  try {
    return await request;
  } catch {
    throw new ServerGone();
  }
}

/** One worker: starts instances, finishes tasks and triggers events until the server dies under it. */
/**
 * One worker: starts instances, finishes tasks and triggers events until the server dies under it.
 * `acknowledged` is called after each answered operation; it kills the server at the chosen count.
 */
async function worker(url: string, life: number, id: number, acknowledged: () => void): Promise<number> {
  let operations = 0;
  for (;;) {
    try {
      const waiting = cases.filter(
        (c) => !c.busy && c.started === "acked" && c.done === "no" && c.kind !== "delay",
      );
      const target = random() < 0.55 ? pick(waiting) : undefined;
      if (target) {
        target.busy = true;
        try {
          await advance(url, target);
        } finally {
          target.busy = false;
        }
      } else {
        await startCase(
          url,
          pick(["review", "await", "delay"] as const) ?? "review",
          `${life}-${id}-${operations}`,
        );
      }
      operations++;
      acknowledged();
    } catch (error) {
      if (error instanceof ServerGone) return operations;
      throw error;
    }
  }
}

async function startCase(url: string, kind: Kind, suffix: string): Promise<void> {
  const c: Case = {
    kind,
    correlationId: `${kind}-${suffix}`,
    n: cases.length,
    started: "doubt",
    done: "no",
    busy: true,
  };
  cases.push(c);
  const answer = await send(
    start(url, modelOf(kind), { correlationId: c.correlationId, inputValues: { n: c.n } }),
  );
  c.busy = false;
  if (answer.status !== 200) return void unexpected.push(`start ${c.correlationId}: ${answer.status}`);
  c.started = "acked";
  c.processInstanceId = (answer.body as StartAnswer).processInstanceId;
}

async function advance(url: string, c: Case): Promise<void> {
  if (c.kind === "review") {
    const list = await send(tasksOf(url, c.correlationId));
    const task = (list.body as TaskList).userTasks?.[0];
    if (list.status !== 200 || !task)
      return void unexpected.push(`tasks of ${c.correlationId}: ${list.status}`);
    c.done = "doubt";
    c.waitingId = task.id;
    const answer = await send(finish(url, c.correlationId, task.id, c.n));
    if (answer.status !== 204) return void unexpected.push(`finish ${c.correlationId}: ${answer.status}`);
  } else {
    const list = await send(eventsOf(url, c.correlationId));
    const event = (list.body as EventListBody).events?.[0];
    if (list.status !== 200 || !event)
      return void unexpected.push(`events of ${c.correlationId}: ${list.status}`);
    c.done = "doubt";
    c.waitingId = event.eventId;
    const answer = await send(trigger(url, c.correlationId, event.eventId, { n: c.n }));
    if (answer.status !== 204) return void unexpected.push(`trigger ${c.correlationId}: ${answer.status}`);
  }
  c.done = "acked";
}

/** The waiting occurrences (tasks or events) of a case's correlation, and its result if one finished. */
async function observe(
  url: string,
  c: Case,
): Promise<{ waiting: string[]; instances: string[]; result?: ResultBody }> {
  const list =
    c.kind === "await" ? await eventsOf(url, c.correlationId) : await tasksOf(url, c.correlationId);
  const result = await resultOf(url, modelOf(c.kind).key, c.correlationId);
  const where = `${c.correlationId} (seed ${seed})`;
  // 404: a start in doubt that never happened leaves no correlation.
  expect([200, 404], where).toContain(list.status);
  expect([200, 404, 409], where).toContain(result.status);
  const items =
    list.status !== 200
      ? []
      : c.kind === "await"
        ? (list.body as EventListBody).events.map((e) => ({ id: e.eventId, pid: e.processInstanceId }))
        : (list.body as TaskList).userTasks.map((t) => ({ id: t.id, pid: t.processInstanceId }));
  return {
    waiting: items.map((i) => i.id),
    instances: items.map((i) => i.pid),
    ...(result.status === 200 ? { result: result.body as ResultBody } : {}),
  };
}

/** After a restart: every acknowledged operation is there, nothing twice, what waited still waits. */
async function verify(url: string): Promise<void> {
  for (const c of cases) {
    const where = `${c.correlationId} (seed ${seed})`;
    const seen = await observe(url, c);
    const finished = seen.result ? 1 : 0;
    // One start, one instance: never a duplicate, whatever was in doubt.
    expect(seen.instances.length + finished, where).toBeLessThanOrEqual(1);
    if (c.started === "doubt") {
      if (seen.instances.length + finished === 1) {
        c.started = "acked";
        c.processInstanceId = seen.instances[0] ?? seen.result?.processInstanceId;
      } else if (c.kind !== "delay") {
        continue;
      }
    }
    if (c.kind === "delay") continue; // checked in waitForTimers, a timer may still be pending
    if (c.done === "doubt") c.done = seen.result ? "acked" : "no";
    if (c.done === "no") {
      expect(seen.instances, where).toEqual([c.processInstanceId]);
      expect(seen.result, where).toBeUndefined();
    } else {
      expect(seen.waiting, where).toEqual([]);
      expect(seen.result, where).toMatchObject({
        processInstanceId: c.processInstanceId,
        endEventKey: modelOf(c.kind).end,
        result: c.kind === "review" ? { formFields: { n: c.n } } : { n: c.n },
      });
      // Finished or triggered once; the occurrence it went to never comes back.
      if (c.waitingId !== undefined) {
        const again =
          c.kind === "review"
            ? await finish(url, c.correlationId, c.waitingId, c.n)
            : await trigger(url, c.correlationId, c.waitingId, { n: c.n });
        expect([404, 409], where).toContain(again.status);
      }
    }
  }
}

/** Every acknowledged timer instance reaches its end after the restart (PT1S timers; a bounded poll). */
async function waitForTimers(url: string): Promise<void> {
  const pending = cases.filter((c) => c.kind === "delay" && c.started === "acked");
  for (let attempt = 0; attempt < 100 && pending.length > 0; attempt++) {
    for (const c of [...pending]) {
      const result = await resultOf(url, models.delay.key, c.correlationId);
      expect([200, 409], `${c.correlationId} (seed ${seed})`).toContain(result.status);
      if (result.status === 200) {
        expect(result.body).toMatchObject({
          processInstanceId: c.processInstanceId,
          endEventKey: models.delay.end,
          result: { n: c.n },
        });
        pending.splice(pending.indexOf(c), 1);
      }
    }
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(
    pending.map((c) => c.correlationId),
    `timers that never fired (seed ${seed})`,
  ).toEqual([]);
}

it(`keeps every acknowledged operation across ${KILLS} kill -9 under load, and nothing happens twice`, async () => {
  const data = await sandbox.tempDir();
  let program: Program | undefined;
  let operations = 0;
  for (let life = 0; life <= KILLS; life++) {
    program = await sandbox.start(data);
    await verify(program.url);
    if (life === KILLS) break;

    // A random moment into the load, counted in answered operations, so the other workers' are in flight.
    const killAt = KILL_AFTER[0] + Math.floor(random() * (KILL_AFTER[1] - KILL_AFTER[0]));
    let answered = 0;
    const running = program;
    const acknowledged = () => {
      if (++answered === killAt) running.child.kill("SIGKILL");
    };
    const load = Promise.all(
      Array.from({ length: WORKERS }, (_, id) => worker(running.url, life, id, acknowledged)),
    );
    operations += (await load).reduce((a, b) => a + b, 0);
    expect(await program.exited).toBe("SIGKILL");
  }
  if (!program) throw new Error("no program ran");
  // CRASH_DEBUG=1 shows how much the run did (and its seed, for CRASH_SEED).
  if (process.env.CRASH_DEBUG)
    console.log(
      JSON.stringify({
        seed,
        operations,
        cases: cases.length,
        acked: cases.filter((c) => c.done === "acked").length,
        startDoubt: cases.filter((c) => c.started === "doubt").length,
        delays: cases.filter((c) => c.kind === "delay").length,
      }),
    );
  await waitForTimers(program.url);

  expect(unexpected, `seed ${seed}`).toEqual([]);
  // The load did real work: acknowledged starts and finishes of every kind.
  expect(operations).toBeGreaterThan(KILLS * 10);
  for (const kind of ["review", "await"] as const) {
    expect(cases.some((c) => c.kind === kind && c.done === "acked")).toBe(true);
  }

  program.child.kill("SIGTERM");
  expect(await program.exited).toBe(0);
  // Four restarts of the server program under load: over three minutes beside four CPU burners.
}, 600_000);
