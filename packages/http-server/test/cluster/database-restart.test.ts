// A cluster outlives a restart of its PostgreSQL (an operator's restart, a failover): while the database is
// down each node answers a plain 500 and tells its operator why, and neither crashes; once it is back both
// serve on without being restarted themselves — nothing acknowledged before is lost, a caller that waited
// across the outage for an instance's end (callback 2) is answered when the other node finishes it, and a
// timer that came due meanwhile fires.
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type Answer,
  finish,
  type InstanceListBody,
  instancesOf,
  models,
  resultOf,
  type StartAnswer,
  start,
  type TaskList,
  tasksOf,
} from "../reliability/support/api-calls.js";
import { type Program, Sandbox } from "../reliability/support/program.js";

const sandbox = new Sandbox();
let postgres: TestPostgres;
let a: Program;
let b: Program;

beforeAll(async () => {
  postgres = await startTestPostgres();
  const data = await postgres.createDatabase("restart");
  [a, b] = (await Promise.all([sandbox.start(data), sandbox.start(data)])) as [Program, Program];
});
afterAll(async () => {
  await sandbox.cleanup();
  await postgres?.stop();
});

/**
 * Starts back to back on one node until stopped, as load that is in flight when the database goes: what was
 * acknowledged (200), and whether the node ever failed to answer at all (it crashed).
 */
function load(url: string, name: string) {
  const acknowledged: string[] = [];
  let unanswered: unknown;
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const correlationId = `${name}-${i}`;
      try {
        const answer = await start(url, models.review, { correlationId });
        if (answer.status === 200) acknowledged.push(correlationId);
        // Anything else must be a problem answer: a 500 while the database is down.
        else if (answer.contentType !== "application/problem+json") unanswered ??= answer;
      } catch (error) {
        unanswered ??= error;
        return;
      }
    }
  })();
  return {
    acknowledged,
    stop: async () => {
      stopped = true;
      await done;
      return unanswered;
    },
  };
}

/** Calls `attempt` until `done` holds for its answer (a bounded wait for a reconnect, not a clock). */
async function until(attempt: () => Promise<Answer>, done: (answer: Answer) => boolean): Promise<Answer> {
  for (let tries = 0; ; tries++) {
    const answer = await attempt();
    if (done(answer) || tries === 300) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until `condition` holds, bounded as `until`. */
const untilHolds = (condition: () => boolean) =>
  until(
    async () => ({ status: condition() ? 1 : 0, contentType: null, body: null }),
    (answer) => answer.status === 1,
  );

it("serves on across a restart of its PostgreSQL, losing nothing acknowledged", async () => {
  // Acknowledged before the outage: a finished review, and a review whose caller waits for its end on a.
  const done = (await start(a.url, models.review, { correlationId: "before" })).body as StartAnswer;
  const [task] = ((await tasksOf(b.url, "before")).body as TaskList).userTasks;
  expect((await finish(b.url, "before", task?.id as string, 1)).status).toBe(204);
  const waiting = start(a.url, models.review, { correlationId: "across" }, { startCallbackType: "2" });
  // Awaited below; should it fail first, the test fails there rather than as an unhandled rejection.
  waiting.catch(() => {});
  const across = await until(
    () => tasksOf(b.url, "across"),
    (answer) => answer.status === 200 && (answer.body as TaskList).userTasks.length === 1,
  );
  const acrossTask = (across.body as TaskList).userTasks[0]?.id as string;
  // A PT2S timer: due while the database is down (waited for below).
  const lingerStarted = Date.now();
  const lingering = (await start(a.url, models.linger, { correlationId: "lingering" })).body as StartAnswer;
  expect(lingering.processInstanceId).toBeTypeOf("string");

  // Load on both nodes, in flight as the database goes: two loops of starts on each.
  const loads = [
    load(a.url, "load-a1"),
    load(a.url, "load-a2"),
    load(b.url, "load-b1"),
    load(b.url, "load-b2"),
  ];
  await untilHolds(() => loads.every((each) => each.acknowledged.length >= 3));
  await postgres.shutDown();
  const down = await start(b.url, models.review, { correlationId: "refused" });
  expect(down.status).toBe(500);
  expect(down.contentType).toBe("application/problem+json");
  // The client learns only that it failed; the operator's log says why.
  expect((down.body as { detail: string }).detail).not.toMatch(/ECONNREFUSED|terminat/);
  await untilHolds(() => b.output().includes("unexpected error"));
  expect(b.output()).toMatch(/ECONNREFUSED|terminat|shut down|starting up/);
  // The timer comes due while the database is down.
  const due = lingerStarted + 2_000 + 500;
  if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  await postgres.startAgain();

  // Each node reconnects by itself.
  for (const node of [a, b]) {
    const again = await until(
      () => start(node.url, models.review, { correlationId: `after-${node === a ? "a" : "b"}` }),
      (answer) => answer.status === 200,
    );
    expect(again.status).toBe(200);
  }
  // The load went on across the outage: every request answered (no node died under it).
  const acknowledgedBefore = loads.map((each) => each.acknowledged.length);
  await untilHolds(() =>
    loads.every((each, i) => each.acknowledged.length >= (acknowledgedBefore[i] ?? 0) + 3),
  );
  const unanswered = await Promise.all(loads.map((each) => each.stop()));
  expect(unanswered).toEqual([undefined, undefined, undefined, undefined]);
  const acknowledged = loads.flatMap((each) => each.acknowledged);
  // The caller that waited on a across the outage is answered when b finishes its task.
  expect((await finish(b.url, "across", acrossTask, 2)).status).toBe(204);
  const answered = await waiting;
  expect(answered.status).toBe(200);
  expect((answered.body as StartAnswer).endEventKey).toBe(models.review.end);
  // The timer that came due while the database was down fired.
  const lingered = await until(
    () => resultOf(b.url, models.linger.key, "lingering"),
    (answer) => answer.status === 200,
  );
  expect(lingered.status).toBe(200);
  // Everything acknowledged is there, on both nodes; the refused start left nothing behind.
  for (const node of [a, b]) {
    const { processInstances } = (await instancesOf(node.url)).body as InstanceListBody;
    const correlations = processInstances.map((instance) => instance.correlationId);
    // A start answered 500 may have committed before the connection went: only the acknowledged are sure.
    expect(correlations.filter((id) => !id.startsWith("load-")).sort()).toEqual([
      "across",
      "after-a",
      "after-b",
      "before",
      "lingering",
    ]);
    expect(acknowledged.filter((id) => !correlations.includes(id))).toEqual([]);
    expect(
      processInstances.find((instance) => instance.processInstanceId === done.processInstanceId)?.state,
    ).toBe("finished");
  }
  expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);
}, 300_000);
