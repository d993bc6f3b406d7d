// SPEC §7.1: a node killed with kill -9 loses nothing acknowledged, the other serves on and takes over what
// it held. Two server programs on one PostgreSQL database share a load that alternates between them; one of
// them, chosen at random, is SIGKILLed at a random moment. Then the survivor alone shows every acknowledged
// operation, nothing twice, and fires the timers the dead node armed within the stated bound; the dead node
// restarts and rejoins. Last, one node is stopped with SIGTERM under load: it drains, and the other serves
// on. A second test puts a node in the state the bound is about — it claimed due timers and did not fire
// them — before it kills it, which a random kill reaches only by chance.
import { fileURLToPath } from "node:url";
import { DEFAULT_LEASE_MS, DEFAULT_SWEEP_MS } from "@consumer-api/engine";
import { openLockSession, startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type InstanceListBody,
  instancesOf,
  resultOf,
  type StartAnswer,
  start,
} from "../reliability/support/api-calls.js";
import { crashLoad } from "../reliability/support/crash-load.js";
import { type Program, Sandbox } from "../reliability/support/program.js";

/** SPEC §7.1, the engine README: a dead node's claimed timers fire on a survivor within lease + sweep. */
const TAKEOVER_MS = DEFAULT_LEASE_MS + DEFAULT_SWEEP_MS;
// Slack for this machine, not for the engine: two shared cores at load 20 stall a process for seconds
// (queued fsyncs, event-loop lag, the survivor's own load). The bound is there to tell "taken over by the
// survivor" from "only once the dead node restarted" or "never", not to measure speed — a lease that is
// not honoured, or a survivor that does not sweep, misses it by far more than this.
const SLACK_MS = 15_000;
const BOUND = TAKEOVER_MS + SLACK_MS;

const KILLS = 3;
const WORKERS = 6;
const KILL_AFTER = [20, 150] as const;

const sandbox = new Sandbox();
let postgres: TestPostgres;
let data: string;
beforeAll(async () => {
  postgres = await startTestPostgres();
  data = await postgres.createDatabase("crash");
});
afterAll(async () => {
  await sandbox.cleanup();
  await postgres?.stop();
});

const { seed, random, cases, unexpected, worker, verify, waitForTimers } = crashLoad();

it(`keeps every acknowledged operation when one of two nodes is killed ${KILLS} times under load`, async () => {
  const nodes: Program[] = await Promise.all([sandbox.start(data), sandbox.start(data)]);
  let operations = 0;
  for (let life = 0; life < KILLS; life++) {
    const victim = random() < 0.5 ? 0 : 1;
    const survivor = (1 - victim) as 0 | 1;
    const killAt = KILL_AFTER[0] + Math.floor(random() * (KILL_AFTER[1] - KILL_AFTER[0]));
    let answered = 0;
    let killedAt = 0;
    const doomed = nodes[victim] as Program;
    const acknowledged = () => {
      if (++answered !== killAt) return;
      killedAt = Date.now();
      doomed.child.kill("SIGKILL");
    };
    const urls = nodes.map((node) => node.url);
    // Each worker alternates between the nodes: it stops at its first call that the dead node cannot answer.
    const load = Array.from({ length: WORKERS }, (_, id) => {
      let next = id;
      return worker(() => urls[next++ % urls.length] as string, life, id, acknowledged);
    });
    operations += (await Promise.all(load)).reduce((a, b) => a + b, 0);
    expect(await doomed.exited).toBe("SIGKILL");

    // The survivor alone: everything acknowledged on either node, nothing twice, the dead node's timers fired.
    const alone = (nodes[survivor] as Program).url;
    await verify(alone);
    await waitForTimers(alone, { killedAt, withinMs: BOUND });
    nodes[victim] = await sandbox.start(data);
    // The restarted node rejoins: it answers for everything, the survivor's work included.
    await verify((nodes[victim] as Program).url);
  }
  if (process.env.CRASH_DEBUG) console.log(JSON.stringify({ seed, operations, cases: cases.length }));
  expect(unexpected, `seed ${seed}`).toEqual([]);
  expect(operations).toBeGreaterThan(KILLS * 10);
  for (const kind of ["review", "await", "delay"] as const) {
    expect(cases.some((c) => c.kind === kind && c.started === "acked")).toBe(true);
  }
  // SIGTERM on one node under load drains it (exit 0) while the other serves on with everything.
  const [draining, serving] = nodes as [Program, Program];
  let answered = 0;
  let stoppedAt = 0;
  const load = Array.from({ length: WORKERS }, (_, id) => {
    let next = id;
    const urls = [draining.url, serving.url];
    return worker(
      () => urls[next++ % 2] as string,
      KILLS,
      id,
      () => {
        if (++answered !== 30) return;
        stoppedAt = Date.now();
        draining.child.kill("SIGTERM");
      },
    );
  });
  await Promise.all(load);
  expect(await draining.exited).toBe(0);
  await verify(serving.url);
  await waitForTimers(serving.url, { killedAt: stoppedAt, withinMs: BOUND });
  expect(unexpected, `seed ${seed}`).toEqual([]);
  serving.child.kill("SIGTERM");
  expect(await serving.exited).toBe(0);
}, 600_000);

it("fires the due timers a killed node had claimed on the survivor within lease + sweep", async () => {
  const takeover = await postgres.createDatabase("takeover");
  const models = fileURLToPath(new URL("./fixtures/takeover", import.meta.url));
  const [victim, survivor] = (await Promise.all([
    sandbox.start(takeover, [], {}, models),
    sandbox.start(takeover, [], {}, models),
  ])) as [Program, Program];
  const survivorPid = survivor.child.pid as number;
  const locks = await openLockSession(takeover);
  let stopped = false;
  try {
    // While the survivor is frozen, the victim alone sees the timers come due: it claims them.
    process.kill(survivorPid, "SIGSTOP");
    stopped = true;
    const correlations = ["takeover-0", "takeover-1", "takeover-2"];
    const started = await Promise.all(
      correlations.map((correlationId) =>
        start(victim.url, { key: "Takeover", start: "Armed" }, { correlationId }),
      ),
    );
    expect(started.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const ids = started.map((answer) => (answer.body as StartAnswer).processInstanceId);
    // The step that fires a timer takes its instance's row (the PostgreSQL store's SELECT … FOR UPDATE):
    // locked here before the PT10S timers are due (ten seconds: three starts on a loaded machine can take
    // several), the victim's first fire step waits after its claim.
    const locked = await locks.query("SELECT id FROM instances WHERE id = ANY($1::text[]) FOR UPDATE", [ids]);
    expect(locked).toHaveLength(ids.length);
    for (let waited = 0; (await locks.blocked()) === 0; waited += 100) {
      expect(waited, "the victim never tried to fire its due timers").toBeLessThan(60_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const killedAt = Date.now();
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    process.kill(survivorPid, "SIGCONT");
    stopped = false;
    await locks.release();

    // The survivor alone fires them all: what the victim claimed once its lease expired, the rest at once.
    for (const correlationId of correlations) {
      for (let waited = 0; ; waited += 100) {
        const result = await resultOf(survivor.url, "Takeover", correlationId);
        if (result.status === 200) break;
        expect(result.status).toBe(409);
        expect(waited, `${correlationId} never fired`).toBeLessThan(120_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const answer = await instancesOf(survivor.url);
    const finished = (answer.body as InstanceListBody).processInstances.map((instance) => ({
      correlationId: instance.correlationId,
      afterKill: Date.parse(instance.finishedAt as string) - killedAt,
    }));
    if (process.env.CRASH_DEBUG) console.log(JSON.stringify(finished));
    expect(finished).toHaveLength(correlations.length);
    for (const { correlationId, afterKill } of finished) {
      expect(afterKill, `${correlationId}: ended ${afterKill} ms after the kill`).toBeLessThanOrEqual(BOUND);
    }
  } finally {
    if (stopped) process.kill(survivorPid, "SIGCONT");
    await locks.release();
  }
  survivor.child.kill("SIGTERM");
  expect(await survivor.exited).toBe(0);
}, 300_000);
