// SPEC §7.1: a node killed with kill -9 loses nothing acknowledged, the other serves on and takes over what
// it held. Two server programs on one PostgreSQL database share a load that alternates between them; one of
// them, chosen at random, is SIGKILLed at a random moment. Then the survivor alone shows every acknowledged
// operation, nothing twice, and fires the timers the dead node armed; the dead node restarts and rejoins.
// Last, one node is stopped with SIGTERM under load: it drains, and the other serves on.
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { crashLoad } from "../reliability/support/crash-load.js";
import { type Program, Sandbox } from "../reliability/support/program.js";

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
    const doomed = nodes[victim] as Program;
    const acknowledged = () => {
      if (++answered === killAt) doomed.child.kill("SIGKILL");
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
    await waitForTimers(alone);
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
  const load = Array.from({ length: WORKERS }, (_, id) => {
    let next = id;
    const urls = [draining.url, serving.url];
    return worker(
      () => urls[next++ % 2] as string,
      KILLS,
      id,
      () => {
        if (++answered === 30) draining.child.kill("SIGTERM");
      },
    );
  });
  await Promise.all(load);
  expect(await draining.exited).toBe(0);
  await verify(serving.url);
  await waitForTimers(serving.url);
  expect(unexpected, `seed ${seed}`).toEqual([]);
  serving.child.kill("SIGTERM");
  expect(await serving.exited).toBe(0);
}, 600_000);
