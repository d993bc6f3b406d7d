import {
  BpmnError,
  type ConsumerApi,
  type ConsumerContext,
  createExternalTaskWorker,
  type ExternalTask,
} from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { about, collector } from "../collector.js";
import { expectBadRequest, expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { start } from "../steps.js";

const MODEL = "ExternalTasks";
const START = "ExternalStart";
const CHARGE = "conformance.charge";
const SHIP = "conformance.ship";
const LONG_LOCK = 600_000;
/** Cases that wait on a long poll: generous, so a busy machine passes; a missed wake-up exceeds it. */
const POLL_CASE_TIMEOUT_MS = 30_000;
/**
 * The worker case runs four instances through polls of 5 s; on PostgreSQL under load (CI beside other work)
 * it took over 30 s. It asserts outcomes, not speed, so its budget is the suite's usual generous one.
 */
const WORKER_CASE_TIMEOUT_MS = 120_000;

const newWorker = (name: string) => `conformance-${name}-${newCorrelationId()}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Locks the task of `correlationId` on `topic` for the worker. Tasks of other correlations (left by earlier
 * runs) that come along are locked too and ignored. Retries for a little while: an expired lock or a task
 * being created may need a moment.
 */
async function lockOwn(
  api: ConsumerApi,
  context: ConsumerContext,
  workerId: string,
  topic: string,
  correlationId: string,
  lockDuration = LONG_LOCK,
): Promise<ExternalTask> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { externalTasks } = await api.fetchAndLockExternalTasks(
      context,
      workerId,
      topic,
      50,
      0,
      lockDuration,
    );
    const own = externalTasks.find((task) => task.correlationId === correlationId);
    if (own) return own;
    if (Date.now() > deadline) expect.fail(`no external task on ${topic} for correlation ${correlationId}`);
    if (externalTasks.length === 0) await pause(20);
  }
}

/** Locks away every available task of the topics, so a following long poll sees only new ones. */
async function drain(api: ConsumerApi, topics: string[]): Promise<void> {
  const workerId = newWorker("drain");
  for (;;) {
    const { externalTasks } = await api.fetchAndLockExternalTasks(
      as.both,
      workerId,
      topics,
      100,
      0,
      LONG_LOCK,
    );
    if (externalTasks.length === 0) return;
  }
}

/** Whether any of `calls` fetched the task of the correlation. */
const fetched = (tasks: ExternalTask[], correlationId: string) =>
  tasks.some((task) => task.correlationId === correlationId);

export function externalTaskCases(options: ConformanceOptions): void {
  describe.skipIf(!resolveSupports(options).externalTasks)("external tasks (SPEC §13)", () => {
    const h = useApi(options);
    const startCharge = (inputValues?: unknown) =>
      start(h.api, as.clerk, MODEL, START, inputValues === undefined ? {} : { inputValues });

    it("fetch locks a task with the token payload; a finish's result becomes the token payload", async () => {
      const { correlationId, processInstanceId } = await startCharge({ amount: 5 });
      const workerId = newWorker("w");
      const task = await lockOwn(h.api, as.clerk, workerId, CHARGE, correlationId);
      expect(task).toMatchObject({
        workerId,
        topic: CHARGE,
        processModelKey: MODEL,
        processInstanceId,
        correlationId,
        flowNodeKey: "Charge",
        payload: { amount: 5 },
      });
      expect(Number.isNaN(Date.parse(task.lockExpirationTime))).toBe(false);
      await h.api.finishExternalTask(as.clerk, workerId, task.id, { charged: true });
      const ship = await lockOwn(h.api, as.manager, workerId, SHIP, correlationId);
      expect(ship.payload).toEqual({ charged: true });
      await h.api.finishExternalTask(as.manager, workerId, ship.id, null);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, MODEL, correlationId);
      expect(result).toMatchObject({ endEventKey: "ExternalDone", result: null });
      await expectError(h.api.finishExternalTask(as.manager, workerId, ship.id, null), 404);
    });

    it("a locked task goes to no other worker; only its holder may extend, finish or report (409)", async () => {
      const { correlationId } = await startCharge();
      const holder = newWorker("holder");
      const other = newWorker("other");
      const task = await lockOwn(h.api, as.clerk, holder, CHARGE, correlationId);
      const { externalTasks } = await h.api.fetchAndLockExternalTasks(as.clerk, other, CHARGE, 100, 0, 1000);
      expect(fetched(externalTasks, correlationId)).toBe(false);
      await expectError(h.api.extendLock(as.clerk, other, task.id, 1000), 409);
      await expectError(h.api.finishExternalTask(as.clerk, other, task.id, {}), 409);
      await expectError(h.api.handleBpmnError(as.clerk, other, task.id, "declined"), 409);
      await expectError(h.api.handleServiceError(as.clerk, other, task.id, "down"), 409);
      await h.api.extendLock(as.clerk, holder, task.id, LONG_LOCK);
      await h.api.finishExternalTask(as.clerk, holder, task.id, {});
    });

    it("an expired lock makes the task fetchable; the new locker holds it and the old one gets 409", async () => {
      const { correlationId } = await startCharge();
      const first = newWorker("first");
      const second = newWorker("second");
      const task = await lockOwn(h.api, as.clerk, first, CHARGE, correlationId, 1);
      const relocked = await lockOwn(h.api, as.clerk, second, CHARGE, correlationId);
      expect(relocked).toMatchObject({ id: task.id, workerId: second });
      await expectError(h.api.finishExternalTask(as.clerk, first, task.id, {}), 409);
      await expectError(h.api.extendLock(as.clerk, first, task.id, 1000), 409);
      await h.api.finishExternalTask(as.clerk, second, task.id, { by: "second" });
      const ship = await lockOwn(h.api, as.manager, second, SHIP, correlationId);
      expect(ship.payload).toEqual({ by: "second" });
    });

    it("the holder of an expired lock may still act while no other worker took the task", async () => {
      const { correlationId } = await startCharge();
      const workerId = newWorker("late");
      const task = await lockOwn(h.api, as.clerk, workerId, CHARGE, correlationId, 1);
      await pause(20);
      // Extending after expiry re-arms the lock: another worker then cannot take it.
      await h.api.extendLock(as.clerk, workerId, task.id, LONG_LOCK);
      const { externalTasks } = await h.api.fetchAndLockExternalTasks(
        as.clerk,
        newWorker("x"),
        CHARGE,
        100,
        0,
        1,
      );
      expect(fetched(externalTasks, correlationId)).toBe(false);
      await h.api.finishExternalTask(as.clerk, workerId, task.id, { late: true });
    });

    it(
      "a long poll answers as soon as a task appears",
      async () => {
        await drain(h.api, [CHARGE]);
        const workerId = newWorker("poller");
        const polling = h.api.fetchAndLockExternalTasks(
          as.clerk,
          workerId,
          [CHARGE, SHIP],
          1,
          120_000,
          LONG_LOCK,
        );
        await pause(50);
        const { correlationId } = await startCharge();
        const { externalTasks } = await polling;
        expect(externalTasks.map((task) => [task.correlationId, task.flowNodeKey])).toEqual([
          [correlationId, "Charge"],
        ]);
      },
      POLL_CASE_TIMEOUT_MS,
    );

    it("a long poll without a task answers with an empty list after longPollingTimeout", async () => {
      const answer = await h.api.fetchAndLockExternalTasks(
        as.clerk,
        newWorker("idle"),
        "conformance.no-such-topic",
        5,
        100,
        1000,
      );
      expect(answer).toEqual({ externalTasks: [] });
    });

    it(
      "a caller that goes away ends its wait; a task locked for an answer never delivered is fetchable again",
      async () => {
        await drain(h.api, [CHARGE]);
        const caller = new AbortController();
        const polling = h.api
          .fetchAndLockExternalTasks(
            { ...as.clerk, signal: caller.signal },
            newWorker("gone"),
            CHARGE,
            1,
            120_000,
            1,
          )
          .then(
            () => "answered",
            () => "rejected",
          );
        await pause(50);
        caller.abort();
        expect(await polling).toBe("rejected");
        const { correlationId } = await startCharge();
        const task = await lockOwn(h.api, as.clerk, newWorker("next"), CHARGE, correlationId);
        expect(task.flowNodeKey).toBe("Charge");
      },
      POLL_CASE_TIMEOUT_MS,
    );

    it("lane rule: fetch sees only accessible tasks; acting on another lane's task is 403", async () => {
      const { correlationId } = await startCharge();
      const workerId = newWorker("lanes");
      // A task in no lane is open to an identity without claims.
      const charge = await lockOwn(h.api, as.none, workerId, CHARGE, correlationId);
      await h.api.finishExternalTask(as.none, workerId, charge.id, {});
      const clerkView = await h.api.fetchAndLockExternalTasks(as.clerk, workerId, SHIP, 100, 0, LONG_LOCK);
      expect(fetched(clerkView.externalTasks, correlationId)).toBe(false);
      const ship = await lockOwn(h.api, as.manager, workerId, SHIP, correlationId);
      // 403 even for the holder's own workerId: the identity decides access, the workerId the lock.
      await expectError(h.api.extendLock(as.clerk, workerId, ship.id, 1000), 403);
      await expectError(h.api.finishExternalTask(as.clerk, workerId, ship.id, {}), 403);
      await expectError(h.api.handleBpmnError(as.clerk, workerId, ship.id, "declined"), 403);
      await expectError(h.api.handleServiceError(as.clerk, workerId, ship.id, "down"), 403);
      await h.api.finishExternalTask(as.manager, workerId, ship.id, {});
    });

    it("404 for an unknown task on every operation", async () => {
      const workerId = newWorker("unknown");
      await expectError(h.api.extendLock(as.clerk, workerId, "no-such-task", 1000), 404);
      await expectError(h.api.finishExternalTask(as.clerk, workerId, "no-such-task", {}), 404);
      await expectError(h.api.handleBpmnError(as.clerk, workerId, "no-such-task", "declined"), 404);
      await expectError(h.api.handleServiceError(as.clerk, workerId, "no-such-task", "down"), 404);
    });

    describe("400 naming the field", () => {
      const w = "conformance-w";
      const fetchWith = (
        args: Partial<Record<"workerId" | "topicName" | "maxTasks" | "long" | "lock", unknown>>,
      ) =>
        h.api.fetchAndLockExternalTasks(
          as.clerk,
          (args.workerId ?? w) as string,
          (args.topicName ?? CHARGE) as string,
          (args.maxTasks ?? 1) as number,
          (args.long ?? 0) as number,
          (args.lock ?? 1000) as number,
        );
      it.each([
        ["workerId", { workerId: "" }],
        ["topicName", { topicName: [] }],
        ["topicName", { topicName: 7 }],
        ["maxTasks", { maxTasks: 0 }],
        ["maxTasks", { maxTasks: 1.5 }],
        ["longPollingTimeout", { long: -1 }],
        ["lockDuration", { lock: 0 }],
      ] as const)("fetch: %s %j", async (field, args) => {
        await expectBadRequest(fetchWith(args), field);
      });

      it("extendLock: workerId, additionalDuration", async () => {
        await expectBadRequest(h.api.extendLock(as.clerk, "", "some-task", 1000), "workerId");
        await expectBadRequest(h.api.extendLock(as.clerk, w, "some-task", 0), "additionalDuration");
      });

      it("finish: result is required (null is a result)", async () => {
        await expectBadRequest(h.api.finishExternalTask(as.clerk, w, "some-task", undefined), "result");
      });

      it("handleBpmnError: errorCode; handleServiceError: errorMessage", async () => {
        await expectBadRequest(h.api.handleBpmnError(as.clerk, w, "some-task", ""), "errorCode");
        await expectBadRequest(
          h.api.handleServiceError(as.clerk, w, "some-task", 5 as unknown as string),
          "errorMessage",
        );
      });
    });

    it.each([
      ["declined", "the task's own error boundary event", "Paid"],
      ["fraud", "the enclosing sub-process's error boundary event", "FraudEnd"],
    ])("a BPMN error %j goes to %s", async (code, _where, endEventKey) => {
      const correlationId = newCorrelationId();
      const pending = h.api.startProcessInstance(
        as.clerk,
        "ExternalErrors",
        "ErrorsStart",
        { correlationId, inputValues: { code } },
        2,
      );
      const workerId = newWorker("bpmn");
      const task = await lockOwn(h.api, as.clerk, workerId, "conformance.risky", correlationId);
      await h.api.handleBpmnError(as.clerk, workerId, task.id, code, "as the worker says");
      const answer = await pending;
      expect(answer.endEventKey).toBe(endEventKey);
      // The token carries on with its payload as the task had it.
      expect(answer.tokenPayload).toEqual({ code });
    });

    it.each([
      [
        "a service error fails the instance even where error boundary events wait",
        (workerId: string, id: string) =>
          h.api.handleServiceError(as.clerk, workerId, id, "declined", undefined, "declined"),
      ],
      [
        "a BPMN error no boundary event matches fails the instance",
        (workerId: string, id: string) => h.api.handleBpmnError(as.clerk, workerId, id, "unexpected"),
      ],
    ] as const)("%s", async (_, report) => {
      const correlationId = newCorrelationId();
      const pending = h.api.startProcessInstance(
        as.clerk,
        "ExternalErrors",
        "ErrorsStart",
        { correlationId },
        2,
      );
      // Observed from the start: the 500 may arrive before the worker's own answer does.
      const failed = expectError(pending, 500);
      const workerId = newWorker("failing");
      const task = await lockOwn(h.api, as.clerk, workerId, "conformance.risky", correlationId);
      await report(workerId, task.id);
      await failed;
    });

    for (const outcome of ["service error", "uncaught BPMN error"] as const) {
      it(`a ${outcome} fails the instance: a callback-2 waiter gets 500, ProcessInstanceTerminated`, async () => {
        const correlationId = newCorrelationId();
        const c = collector();
        if (h.supports.notifications) {
          h.track(await h.api.onSystemEvent(as.clerk, MODEL, c.callback, { correlationId }));
        }
        const pending = h.api.startProcessInstance(as.clerk, MODEL, START, { correlationId }, 2);
        const outcomeOfStart = pending.then(
          () => undefined,
          (error: unknown) => error,
        );
        const workerId = newWorker("failing");
        const task = await lockOwn(h.api, as.clerk, workerId, CHARGE, correlationId);
        if (outcome === "service error") {
          await h.api.handleServiceError(as.clerk, workerId, task.id, "card API down", { retry: 3 }, "E42");
        } else {
          await h.api.handleBpmnError(as.clerk, workerId, task.id, "declined", "no funds");
        }
        await expectError(pending, 500);
        expect(await outcomeOfStart).toBeDefined();
        await expectError(h.api.finishExternalTask(as.clerk, workerId, task.id, {}), 404);
        if (h.supports.notifications) {
          await c.waitFor(about(correlationId, "ProcessInstanceTerminated"), "ProcessInstanceTerminated");
        }
      });
    }

    it("exactly once: of concurrent finishes and reports by the holder one succeeds", async ({ skip }) => {
      if (!h.supports.concurrency) skip("concurrency not supported");
      const { correlationId } = await startCharge();
      const workerId = newWorker("racer");
      const task = await lockOwn(h.api, as.clerk, workerId, CHARGE, correlationId);
      const outcomes = await Promise.allSettled([
        h.api.finishExternalTask(as.clerk, workerId, task.id, { n: 1 }),
        h.api.finishExternalTask(as.clerk, workerId, task.id, { n: 2 }),
        h.api.handleServiceError(as.clerk, workerId, task.id, "x"),
        h.api.finishExternalTask(as.clerk, workerId, task.id, { n: 3 }),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === "rejected") expect([404, 409]).toContain((o.reason as { status?: number }).status);
      }
    });

    it("an external task is an activity for notifications: started and finished", async ({ skip }) => {
      if (!h.supports.notifications) skip("notifications not supported");
      const correlationId = newCorrelationId();
      const c = collector();
      h.track(await h.api.onActivity(as.clerk, MODEL, "Charge", c.callback, { correlationId }));
      await start(h.api, as.clerk, MODEL, START, { correlationId });
      await c.waitFor(about(correlationId, "started"), "Charge started");
      const workerId = newWorker("notified");
      const task = await lockOwn(h.api, as.clerk, workerId, CHARGE, correlationId);
      await h.api.finishExternalTask(as.clerk, workerId, task.id, { done: 1 });
      const finished = await c.waitFor(about(correlationId, "finished"), "Charge finished");
      expect(finished.payload).toEqual({ done: 1 });
    });

    it(
      "the worker API processes the model end to end; a throwing handler does not stop the worker",
      async () => {
        const worker = createExternalTaskWorker(h.api, { context: as.both, workerId: newWorker("api") });
        const ours = new Set<string>();
        let thrown = 0;
        try {
          worker.subscribe(
            CHARGE,
            async (task) => {
              if (!ours.has(task.correlationId)) return null;
              const payload = task.payload as { fail?: string; amount?: number };
              if (payload.fail === "bpmn") throw new BpmnError("declined", "no funds");
              if (payload.fail === "service") {
                thrown++;
                throw new Error("card API down");
              }
              return { charged: payload.amount };
            },
            { lockDuration: 10_000, maxTasks: 5, concurrency: 2, longPollingTimeout: 5_000 },
          );
          worker.subscribe(SHIP, (task) => ({ shipped: task.payload }), { longPollingTimeout: 5_000 });
          const run = async (inputValues: unknown) => {
            const correlationId = newCorrelationId();
            ours.add(correlationId);
            return h.api.startProcessInstance(as.clerk, MODEL, START, { correlationId, inputValues }, 2);
          };
          await expectError(run({ fail: "service" }), 500);
          await expectError(run({ fail: "bpmn" }), 500);
          const answers = await Promise.all([run({ amount: 1 }), run({ amount: 2 })]);
          expect(answers.map((answer) => answer.tokenPayload)).toEqual([
            { shipped: { charged: 1 } },
            { shipped: { charged: 2 } },
          ]);
          expect(thrown).toBe(1);
        } finally {
          await worker.stop();
        }
      },
      WORKER_CASE_TIMEOUT_MS,
    );
  });
}
