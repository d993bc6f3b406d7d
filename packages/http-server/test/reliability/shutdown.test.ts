// SIGTERM under load (SPEC §7): in-flight requests finish or fail cleanly, the program exits 0, and every
// write it acknowledged is there after a restart.
import { afterAll, expect, it } from "vitest";
import {
  type Answer,
  type EventListBody,
  eventsOf,
  finish,
  models,
  resultOf,
  type StartAnswer,
  start,
  type TaskList,
  tasksOf,
  trigger,
} from "./support/api-calls.js";
import { Sandbox } from "./support/program.js";

const EACH = 15;
const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());

type Outcome = { answer: Answer } | { failed: string };
async function attempt(request: Promise<Answer>): Promise<Outcome> {
  try {
    return { answer: await request };
  } catch (error) {
    return { failed: String((error as Error).cause ?? error) };
  }
}
const status = (outcome: Outcome) => ("answer" in outcome ? outcome.answer.status : undefined);

it("drains in-flight requests on SIGTERM, exits 0, and loses no acknowledged write", async () => {
  const data = await sandbox.tempDir();
  // Generous, so the callback-2 starts (PT1S timers) end within the drain rather than being cut off.
  const program = await sandbox.start(data, ["--drain-timeout", "20000"]);
  const { url } = program;

  // Waiting tasks and events to finish and trigger under load.
  const tasks: { correlationId: string; taskId: string }[] = [];
  const events: { correlationId: string; eventId: string }[] = [];
  for (let i = 0; i < EACH; i++) {
    const review = (await start(url, models.review, { correlationId: `task-${i}` })).body as StartAnswer;
    const task = ((await tasksOf(url, review.correlationId)).body as TaskList).userTasks[0];
    const waiting = (await start(url, models.await, { correlationId: `event-${i}` })).body as StartAnswer;
    const event = ((await eventsOf(url, waiting.correlationId)).body as EventListBody).events[0];
    if (!task || !event) throw new Error("the fixtures did not reach their wait states");
    tasks.push({ correlationId: review.correlationId, taskId: task.id });
    events.push({ correlationId: waiting.correlationId, eventId: event.eventId });
  }

  // The load: finishes, triggers, new starts, and starts that wait for their instance's end.
  let answered = 0;
  let signalled = false;
  const track = (request: Promise<Answer>) =>
    attempt(request).then((outcome) => {
      // SIGTERM once a few answers came back, with the rest in flight.
      if (++answered === 5 && !signalled) {
        signalled = true;
        program.child.kill("SIGTERM");
      }
      return outcome;
    });
  const waits = Array.from({ length: 3 }, (_, i) =>
    track(
      start(
        url,
        models.linger,
        { correlationId: `wait-${i}`, inputValues: { i } },
        { startCallbackType: "2" },
      ),
    ),
  );
  // The waiting starts are in flight once their correlations exist (409: nothing finished yet).
  for (let i = 0; i < 3; i++) {
    let seen = await resultOf(url, models.linger.key, `wait-${i}`);
    while (seen.status === 404) seen = await resultOf(url, models.linger.key, `wait-${i}`);
    expect(seen.status).toBe(409);
  }
  const finishes = tasks.map((t, i) => track(finish(url, t.correlationId, t.taskId, i)));
  const triggers = events.map((e, i) => track(trigger(url, e.correlationId, e.eventId, { n: i })));
  const starts = Array.from({ length: EACH }, (_, i) =>
    track(start(url, models.review, { correlationId: `new-${i}` })),
  );
  const [finished, triggered, started, waited] = await Promise.all([
    Promise.all(finishes),
    Promise.all(triggers),
    Promise.all(starts),
    Promise.all(waits),
  ]);
  expect(signalled).toBe(true);
  expect(await program.exited).toBe(0);

  // Finish or fail cleanly: an answer is the operation's success, never an error; otherwise no answer at all.
  // A request still in the listen backlog when the listener closes is reset by the kernel, unread.
  for (const outcome of [...finished, ...triggered, ...started]) {
    if ("failed" in outcome)
      expect(outcome.failed).toMatch(/ECONNRESET|ECONNREFUSED|EPIPE|other side closed/);
  }
  for (const outcome of finished) expect([204, undefined]).toContain(status(outcome));
  for (const outcome of triggered) expect([204, undefined]).toContain(status(outcome));
  for (const outcome of started) expect([200, undefined]).toContain(status(outcome));
  // A request in flight when SIGTERM came is finished: the callback-2 starts were all running before it.
  for (const outcome of waited) expect(status(outcome)).toBe(200);

  const restarted = await sandbox.start(data);
  for (const [i, outcome] of finished.entries()) {
    const { correlationId } = tasks[i] as (typeof tasks)[number];
    const result = await resultOf(restarted.url, models.review.key, correlationId);
    const waiting = ((await tasksOf(restarted.url, correlationId)).body as TaskList).userTasks;
    if (status(outcome) === 204) {
      expect(result.body).toMatchObject({ result: { formFields: { n: i } } });
      expect(waiting).toEqual([]);
    } else {
      // Not acknowledged: finished, or still waiting — exactly one of the two.
      expect(waiting.length + (result.status === 200 ? 1 : 0)).toBe(1);
    }
  }
  for (const [i, outcome] of triggered.entries()) {
    const { correlationId } = events[i] as (typeof events)[number];
    const result = await resultOf(restarted.url, models.await.key, correlationId);
    const waiting = ((await eventsOf(restarted.url, correlationId)).body as EventListBody).events;
    if (status(outcome) === 204) {
      expect(result.body).toMatchObject({ result: { n: i } });
      expect(waiting).toEqual([]);
    } else {
      expect(waiting.length + (result.status === 200 ? 1 : 0)).toBe(1);
    }
  }
  for (const [i, outcome] of started.entries()) {
    const list = await tasksOf(restarted.url, `new-${i}`);
    if (status(outcome) === 200) {
      const answer = (outcome as { answer: Answer }).answer.body as StartAnswer;
      expect((list.body as TaskList).userTasks.map((t) => t.processInstanceId)).toEqual([
        answer.processInstanceId,
      ]);
    } else {
      expect(list.status === 404 || (list.body as TaskList).userTasks.length <= 1).toBe(true);
    }
  }
  for (const [i] of waited.entries()) {
    const result = await resultOf(restarted.url, models.linger.key, `wait-${i}`);
    expect(result.body).toMatchObject({ endEventKey: models.linger.end, result: { i } });
  }
  restarted.child.kill("SIGTERM");
  expect(await restarted.exited).toBe(0);
});
