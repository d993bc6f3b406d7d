// Races over HTTP (SPEC §4.5, §4.7, §7.1): one winner per waiting task or event, every start into one
// correlation kept — on one server, or with the racers spread over the nodes of a cluster.
import { describe, expect, it } from "vitest";
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
} from "./api-calls.js";

const RACERS = 12;
const ROUNDS = 5;

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export function concurrencyCases(name: string, nodes: () => readonly string[]): void {
  /** Racer i calls node i mod n; setup and checks go to the first node. */
  const node = (i: number) => nodes()[i % nodes().length] as string;
  describe(name, () => {
    it("finishes a user task exactly once: one 204, every other racer 404 or 409", async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const correlationId = `finish-race-${round}`;
        expect((await start(node(0), models.review, { correlationId })).status).toBe(200);
        const [task] = ((await tasksOf(node(0), correlationId)).body as TaskList).userTasks;
        if (!task) throw new Error("the started instance waits on no task");

        const answers = await Promise.all(
          Array.from({ length: RACERS }, (_, i) => finish(node(i), correlationId, task.id, i)),
        );
        const counts = tally(answers.map((a) => a.status));
        expect(counts[204]).toBe(1);
        expect((counts[404] ?? 0) + (counts[409] ?? 0)).toBe(RACERS - 1);
        for (const answer of answers.filter((a) => a.status !== 204)) {
          expect(answer.contentType).toBe("application/problem+json");
        }
        // The winner's values are the result, and the instance ended once.
        const winner = answers.findIndex((a) => a.status === 204);
        const result = await resultOf(node(0), models.review.key, correlationId);
        expect(result.status).toBe(200);
        expect(result.body).toMatchObject({
          processInstanceId: task.processInstanceId,
          result: { formFields: { n: winner } },
        });
        expect(((await tasksOf(node(0), correlationId)).body as TaskList).userTasks).toEqual([]);
      }
    });

    it("triggers a waiting event exactly once: one 204, every other racer 404 or 409", async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const correlationId = `trigger-race-${round}`;
        expect((await start(node(0), models.await, { correlationId })).status).toBe(200);
        const [event] = ((await eventsOf(node(0), correlationId)).body as EventListBody).events;
        if (!event) throw new Error("the started instance waits on no event");

        const answers = await Promise.all(
          Array.from({ length: RACERS }, (_, i) =>
            trigger(node(i), correlationId, event.eventId, { racer: i }),
          ),
        );
        const counts = tally(answers.map((a) => a.status));
        expect(counts[204]).toBe(1);
        expect((counts[404] ?? 0) + (counts[409] ?? 0)).toBe(RACERS - 1);
        const winner = answers.findIndex((a) => a.status === 204);
        const result = await resultOf(node(0), models.await.key, correlationId);
        expect(result.body).toMatchObject({
          processInstanceId: event.processInstanceId,
          result: { racer: winner },
        });
        expect(((await eventsOf(node(0), correlationId)).body as EventListBody).events).toEqual([]);
      }
    });

    it("records every one of many concurrent starts into one correlation", async () => {
      const correlationId = "start-race";
      const answers = await Promise.all(
        Array.from({ length: RACERS * 2 }, (_, i) =>
          start(node(i), models.review, { correlationId, inputValues: { i } }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      const started = answers.map((a) => (a.body as StartAnswer).processInstanceId);
      expect(new Set(started).size).toBe(RACERS * 2);
      for (const answer of answers) expect((answer.body as StartAnswer).correlationId).toBe(correlationId);

      const tasks = ((await tasksOf(node(0), correlationId)).body as TaskList).userTasks;
      expect(tasks.map((t) => t.processInstanceId).sort()).toEqual([...started].sort());
    });
  });
}
