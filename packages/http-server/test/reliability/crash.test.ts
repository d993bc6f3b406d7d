// SPEC §7: state survives kill -9. A load generator drives the server program while the test SIGKILLs it at
// random moments; after every restart each acknowledged operation is reflected, and nothing happened twice.
import { afterAll, expect, it } from "vitest";
import { crashLoad } from "./support/crash-load.js";
import { type Program, Sandbox } from "./support/program.js";

const KILLS = 4;
const WORKERS = 6;
/** Each life is killed after a random number of acknowledged operations in this range (in flight: the rest). */
const KILL_AFTER = [20, 150] as const;

const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());
const { seed, random, cases, unexpected, worker, verify, waitForTimers } = crashLoad();

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
      Array.from({ length: WORKERS }, (_, id) => worker(() => running.url, life, id, acknowledged)),
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
