// The load of the kill -9 tests (SPEC §7, §7.1): workers start instances, finish tasks and trigger events
// until the server they call dies under them; every case remembers what was acknowledged and what is in
// doubt, so that after a restart (or on a surviving node) each acknowledged operation is checked to be
// reflected, and nothing to have happened twice.
import { expect } from "vitest";
import {
  type Answer,
  type EventListBody,
  eventsOf,
  finish,
  type InstanceListBody,
  instancesOf,
  models,
  type ResultBody,
  resultOf,
  type StartAnswer,
  start,
  type TaskList,
  tasksOf,
  trigger,
} from "./api-calls.js";

/** The delay model's timer (PT1S). */
const DELAY_MS = 1000;

export type Kind = "review" | "await" | "delay";
type Outcome = "no" | "doubt" | "acked";
export interface Case {
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

/** One run's load and its bookkeeping; CRASH_SEED replays a failed run's random choices. */
export function crashLoad(seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000)) {
  // A small seeded PRNG, so a failure can be replayed with CRASH_SEED.
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

  /**
   * One worker: starts instances, finishes tasks and triggers events until the server dies under it.
   * `acknowledged` is called after each answered operation; it kills the server at the chosen count.
   */
  async function worker(
    urlOf: () => string,
    life: number,
    id: number,
    acknowledged: () => void,
  ): Promise<number> {
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
            await advance(urlOf(), target);
          } finally {
            target.busy = false;
          }
        } else {
          await startCase(
            urlOf(),
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

  /**
   * Every acknowledged timer instance reaches its end (PT1S timers; a poll patient enough for a loaded
   * machine). With `bound`, each also ended in time by the server's own clock: at most `withinMs` after its
   * due time or the node's death (`killedAt`, this machine's clock, as the server's), whichever is later.
   */
  async function waitForTimers(url: string, bound?: { killedAt: number; withinMs: number }): Promise<void> {
    const pending = cases.filter((c) => c.kind === "delay" && c.started === "acked");
    const all = [...pending];
    const giveUp = Date.now() + 120_000;
    while (pending.length > 0 && Date.now() < giveUp) {
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
    if (!bound) return;
    const answer = await instancesOf(url);
    expect(answer.status).toBe(200);
    const byId = new Map(
      (answer.body as InstanceListBody).processInstances.map((i) => [i.processInstanceId, i]),
    );
    const late = all.flatMap((c) => {
      const instance = byId.get(c.processInstanceId as string);
      if (!instance?.finishedAt) return [`${c.correlationId}: no finishedAt`];
      const due = Date.parse(instance.startedAt) + DELAY_MS;
      const latest = Math.max(due, bound.killedAt) + bound.withinMs;
      const finished = Date.parse(instance.finishedAt);
      return finished <= latest ? [] : [`${c.correlationId}: ended ${finished - latest} ms after its bound`];
    });
    expect(late, `timers that fired late (seed ${seed})`).toEqual([]);
  }

  return { seed, random, cases, unexpected, worker, verify, waitForTimers };
}
