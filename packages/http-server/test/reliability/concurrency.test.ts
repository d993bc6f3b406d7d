// Races over HTTP (SPEC §4.5, §4.7): one winner per waiting task or event, every start into one correlation kept.
import { type InternalConsumerApi, openInternalConsumerApi } from "@consumer-api/client-internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/index.js";
import {
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
import { reliabilityFixtures, Sandbox } from "./support/program.js";

const RACERS = 12;
const ROUNDS = 5;
const sandbox = new Sandbox();
let api: InternalConsumerApi;
let server: RunningServer;

beforeAll(async () => {
  api = await openInternalConsumerApi({
    models: reliabilityFixtures.models,
    data: await sandbox.tempDir(),
    identities: reliabilityFixtures.identities,
  });
  server = await startServer({ api, authenticate: (context) => api.authenticate(context) });
});
afterAll(async () => {
  await server?.close();
  await api?.close();
  await sandbox.cleanup();
});

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe("concurrency over HTTP", () => {
  it("finishes a user task exactly once: one 204, every other racer 404 or 409", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const correlationId = `finish-race-${round}`;
      expect((await start(server.url, models.review, { correlationId })).status).toBe(200);
      const [task] = ((await tasksOf(server.url, correlationId)).body as TaskList).userTasks;
      if (!task) throw new Error("the started instance waits on no task");

      const answers = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => finish(server.url, correlationId, task.id, i)),
      );
      const counts = tally(answers.map((a) => a.status));
      expect(counts[204]).toBe(1);
      expect((counts[404] ?? 0) + (counts[409] ?? 0)).toBe(RACERS - 1);
      for (const answer of answers.filter((a) => a.status !== 204)) {
        expect(answer.contentType).toBe("application/problem+json");
      }
      // The winner's values are the result, and the instance ended once.
      const winner = answers.findIndex((a) => a.status === 204);
      const result = await resultOf(server.url, models.review.key, correlationId);
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({
        processInstanceId: task.processInstanceId,
        result: { formFields: { n: winner } },
      });
      expect(((await tasksOf(server.url, correlationId)).body as TaskList).userTasks).toEqual([]);
    }
  });

  it("triggers a waiting event exactly once: one 204, every other racer 404 or 409", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const correlationId = `trigger-race-${round}`;
      expect((await start(server.url, models.await, { correlationId })).status).toBe(200);
      const [event] = ((await eventsOf(server.url, correlationId)).body as EventListBody).events;
      if (!event) throw new Error("the started instance waits on no event");

      const answers = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          trigger(server.url, correlationId, event.eventId, { racer: i }),
        ),
      );
      const counts = tally(answers.map((a) => a.status));
      expect(counts[204]).toBe(1);
      expect((counts[404] ?? 0) + (counts[409] ?? 0)).toBe(RACERS - 1);
      const winner = answers.findIndex((a) => a.status === 204);
      const result = await resultOf(server.url, models.await.key, correlationId);
      expect(result.body).toMatchObject({
        processInstanceId: event.processInstanceId,
        result: { racer: winner },
      });
      expect(((await eventsOf(server.url, correlationId)).body as EventListBody).events).toEqual([]);
    }
  });

  it("records every one of many concurrent starts into one correlation", async () => {
    const correlationId = "start-race";
    const answers = await Promise.all(
      Array.from({ length: RACERS * 2 }, (_, i) =>
        start(server.url, models.review, { correlationId, inputValues: { i } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const started = answers.map((a) => (a.body as StartAnswer).processInstanceId);
    expect(new Set(started).size).toBe(RACERS * 2);
    for (const answer of answers) expect((answer.body as StartAnswer).correlationId).toBe(correlationId);

    const tasks = ((await tasksOf(server.url, correlationId)).body as TaskList).userTasks;
    expect(tasks.map((t) => t.processInstanceId).sort()).toEqual([...started].sort());
  });
});
