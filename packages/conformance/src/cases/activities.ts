import { describe, expect, it } from "vitest";
import { collector } from "../collector.js";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import { type ConformanceOptions, resolveSupports } from "../options.js";
import { eventually, start, waitingEvent, waitingTask } from "../steps.js";

/** SPEC §6.1 activities: call activities, multi-instance, standard loops, token quantities. */
export function activityCases(options: ConformanceOptions): void {
  const level2 = resolveSupports(options).bpmnLevel2;
  describe.skipIf(!level2)("call activities (SPEC §6.1)", () => {
    const h = useApi(options);
    const tasksOf = async (correlationId: string) =>
      (await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks;
    /** Starts CallCaller and returns the called process's waiting review task. */
    const startCall = async (inputValues: unknown) => {
      const started = await start(h.api, as.clerk, "CallCaller", "CallCallerStart", { inputValues });
      const review = await waitingTask(h.api, as.clerk, started.correlationId, "CallReviewTask");
      return { ...started, review };
    };

    it("the called process is an instance in the caller's correlation, started with the token payload; its user task is listed like any", async () => {
      const { correlationId, processInstanceId, review } = await startCall({ order: 7 });
      expect(review.processModelKey).toBe("CallReviewed");
      expect(review.processInstanceId).not.toBe(processInstanceId);
      expect(review.tokenPayload).toEqual({ order: 7 });
      expect(review.data.formFields).toEqual([
        { id: "comment", label: "Comment", type: "string", defaultValue: "fine" },
      ]);
      const byModel = await h.api.getUserTasksForProcessModelInCorrelation(
        as.clerk,
        "CallReviewed",
        correlationId,
      );
      expect(byModel.userTasks.map((task) => task.id)).toEqual([review.id]);
      // The lane rule holds inside the called process too.
      expect((await h.api.getUserTasksForCorrelation(as.manager, correlationId)).userTasks).toEqual([]);
    });

    it("finishing the called process's user task completes the caller with its result", async () => {
      const { correlationId, processInstanceId, review } = await startCall({ order: 9 });
      await h.api.finishUserTask(as.clerk, "CallReviewed", correlationId, review.id, {
        formFields: { comment: "ok" },
      });
      expect(await tasksOf(correlationId)).toEqual([]);
      const called = await h.api.getProcessResultForCorrelation(as.clerk, "CallReviewed", correlationId);
      expect(called).toMatchObject({ processModelKey: "CallReviewed", endEventKey: "CallReviewedEnd" });
      expect(called.processInstanceId).toBe(review.processInstanceId);
      expect(called.result).toEqual({ formFields: { comment: "ok" } });
      const caller = await h.api.getProcessResultForCorrelation(as.clerk, "CallCaller", correlationId);
      expect(caller).toMatchObject({ processInstanceId, endEventKey: "CallCallerEnd" });
      expect(caller.result).toEqual({ formFields: { comment: "ok" } });
    });

    it("a caller waiting with callback 2 is answered with the called process's result", async () => {
      const correlationId = newCorrelationId();
      const answer = h.api.startProcessInstance(
        as.clerk,
        "CallCaller",
        "CallCallerStart",
        { correlationId, inputValues: { order: 10 } },
        2,
      );
      answer.catch(() => undefined);
      const review = await eventually(() => waitingTask(h.api, as.clerk, correlationId, "CallReviewTask"));
      await h.api.finishUserTask(as.clerk, "CallReviewed", correlationId, review.id, {
        formFields: { comment: "late" },
      });
      expect(await answer).toMatchObject({
        endEventKey: "CallCallerEnd",
        tokenPayload: { formFields: { comment: "late" } },
      });
    });

    it("a BPMN error ending the called process reaches the call activity's error boundary event", async () => {
      const answer = await start(h.api, as.clerk, "CallCaller", "CallCallerStart", {
        inputValues: { reject: true },
        callback: 2,
      });
      expect(answer.endEventKey).toBe("CallRejectedEnd");
      expect(await tasksOf(answer.correlationId)).toEqual([]);
      await expectError(
        h.api.getProcessResultForCorrelation(as.clerk, "CallReviewed", answer.correlationId),
        409,
      );
    });

    it("an interrupting boundary event of the call activity terminates the called instance: its task vanishes and cannot be finished", async ({
      skip,
    }) => {
      const correlationId = newCorrelationId();
      const terminated = collector();
      if (h.supports.notifications) {
        h.track(await h.api.onSystemEvent(as.clerk, "CallReviewed", terminated.callback, { correlationId }));
      }
      await start(h.api, as.clerk, "CallCaller", "CallCallerStart", { correlationId });
      const review = await waitingTask(h.api, as.clerk, correlationId, "CallReviewTask");
      const abort = await waitingEvent(h.api, as.clerk, correlationId, "CallAbort");
      expect(abort.eventData).toMatchObject({ eventType: "message", attachedToKey: "CallReview" });
      await h.api.triggerEvent(as.clerk, "CallCaller", correlationId, abort.eventId);
      expect(await tasksOf(correlationId)).toEqual([]);
      const { userTasks } = await h.api.getUserTasksForProcessModel(as.clerk, "CallReviewed");
      expect(userTasks.some((task) => task.id === review.id)).toBe(false);
      await expectError(
        h.api.finishUserTask(as.clerk, "CallReviewed", correlationId, review.id, { formFields: {} }),
        404,
      );
      const caller = await h.api.getProcessResultForCorrelation(as.clerk, "CallCaller", correlationId);
      expect(caller.endEventKey).toBe("CallAbortedEnd");
      if (!h.supports.notifications) skip("notifications not supported");
      const message = await terminated.waitFor(
        (m) => m.event_key === "ProcessInstanceTerminated",
        "the called instance's ProcessInstanceTerminated",
      );
      expect(message).toMatchObject({
        process_model_key: "CallReviewed",
        process_instance_id: review.processInstanceId,
      });
    });
  });

  describe.skipIf(!level2)("multi-instance (SPEC §6.1)", () => {
    const h = useApi(options);
    const tasksOf = async (correlationId: string) =>
      (await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks;

    it("parallel over a collection and sequential by cardinality: token.loop, results in iteration order, a completionCondition", async () => {
      const answer = await start(h.api, as.clerk, "MiScripts", "MiScriptsStart", {
        inputValues: { items: ["a", "b"] },
        callback: 2,
      });
      // MiEach gives two results; MiTimes runs 2 + 2 times at most, and stops once an iteration gives 30.
      expect(answer.tokenPayload).toEqual([10, 20, 30]);
      const history = await h.api.getProcessResultForCorrelation(as.clerk, "MiScripts", answer.correlationId);
      expect(history.result).toEqual([10, 20, 30]);
    });

    it("parallel user-task instances are separate waiting tasks, each finished on its own", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MiApprovals", "MiApprovalsStart", {
        inputValues: { approvers: ["ann", "bob", "cy"] },
      });
      // Tasks that began waiting in the same step have no order among them: by approver.
      const approver = (task: { tokenPayload: unknown }) =>
        (task.tokenPayload as { approver: string }).approver;
      const waiting = (await tasksOf(correlationId)).sort((a, b) => approver(a).localeCompare(approver(b)));
      expect(waiting.map((task) => [task.key, (task.tokenPayload as { approver: string }).approver])).toEqual(
        [
          ["MiApprove", "ann"],
          ["MiApprove", "bob"],
          ["MiApprove", "cy"],
        ],
      );
      const [ann, bob, cy] = waiting as [(typeof waiting)[0], (typeof waiting)[0], (typeof waiting)[0]];
      await h.api.finishUserTask(as.clerk, "MiApprovals", correlationId, cy.id, {
        formFields: { approved: true },
      });
      expect((await tasksOf(correlationId)).map((task) => task.id).sort()).toEqual([ann.id, bob.id].sort());
      await expectError(
        h.api.finishUserTask(as.clerk, "MiApprovals", correlationId, cy.id, {
          formFields: { approved: true },
        }),
        404,
      );
      await h.api.finishUserTask(as.clerk, "MiApprovals", correlationId, ann.id, {
        formFields: { approved: true },
      });
      await h.api.finishUserTask(as.clerk, "MiApprovals", correlationId, bob.id, {
        formFields: { approved: true },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MiApprovals", correlationId);
      expect(result.endEventKey).toBe("MiApprovalsEnd");
      // In iteration order, not in the order they were finished.
      expect(result.result).toEqual([
        { formFields: { approved: true } },
        { formFields: { approved: true } },
        { formFields: { approved: true } },
      ]);
    });

    it("a completionCondition that holds ends the activity and withdraws the iterations still waiting", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MiApprovals", "MiApprovalsStart", {
        inputValues: { approvers: ["ann", "bob", "cy"] },
      });
      const approvals = await tasksOf(correlationId);
      const ann = approvals.find((task) => (task.tokenPayload as { approver: string }).approver === "ann");
      const bob = approvals.find((task) => (task.tokenPayload as { approver: string }).approver === "bob");
      await h.api.finishUserTask(as.clerk, "MiApprovals", correlationId, bob?.id as string, {
        formFields: { approved: false },
      });
      expect(await tasksOf(correlationId)).toEqual([]);
      await expectError(
        h.api.finishUserTask(as.clerk, "MiApprovals", correlationId, ann?.id as string, {
          formFields: { approved: true },
        }),
        404,
      );
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MiApprovals", correlationId);
      expect(result.result).toEqual([{ formFields: { approved: false } }]);
    });

    it("a boundary event applies to the whole activity: armed once, interrupting, it cancels every iteration", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MiApprovals", "MiApprovalsStart", {
        inputValues: { approvers: ["ann", "bob"] },
      });
      const { events } = await h.api.getEventsForCorrelation(as.clerk, correlationId);
      expect(events.map((event) => event.eventKey)).toEqual(["MiAbort"]);
      await h.api.triggerEvent(as.clerk, "MiApprovals", correlationId, events[0]?.eventId as string);
      expect(await tasksOf(correlationId)).toEqual([]);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MiApprovals", correlationId);
      expect(result.endEventKey).toBe("MiAbortedEnd");
    });

    it("on a call activity: one called instance per element, each with its own task; the output is their results", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MiCalls", "MiCallsStart", {
        inputValues: { reviewers: ["ann", "bob"] },
      });
      const reviewer = (task: { tokenPayload: unknown }) =>
        (task.tokenPayload as { reviewer: string }).reviewer;
      const reviews = (await tasksOf(correlationId)).sort((a, b) => reviewer(a).localeCompare(reviewer(b)));
      expect(
        reviews.map((task) => [task.processModelKey, (task.tokenPayload as { reviewer: string }).reviewer]),
      ).toEqual([
        ["CallReviewed", "ann"],
        ["CallReviewed", "bob"],
      ]);
      expect(new Set(reviews.map((task) => task.processInstanceId)).size).toBe(2);
      for (const [task, comment] of [
        [reviews[1], "second"],
        [reviews[0], "first"],
      ] as const) {
        await h.api.finishUserTask(as.clerk, "CallReviewed", correlationId, task?.id as string, {
          formFields: { comment },
        });
      }
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MiCalls", correlationId);
      expect(result.result).toEqual([
        { formFields: { comment: "first" } },
        { formFields: { comment: "second" } },
      ]);
    });

    it("on a sub-process, sequential: one iteration at a time, its inside sees token.loop", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MiSub", "MiSubStart");
      const first = await waitingTask(h.api, as.clerk, correlationId, "MiSubTask");
      expect(first.tokenPayload).toEqual({ round: 1 });
      await h.api.finishUserTask(as.clerk, "MiSub", correlationId, first.id, { formFields: {} });
      const second = await waitingTask(h.api, as.clerk, correlationId, "MiSubTask");
      expect(second.id).not.toBe(first.id);
      expect(second.tokenPayload).toEqual({ round: 2 });
      await h.api.finishUserTask(as.clerk, "MiSub", correlationId, second.id, { formFields: {} });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "MiSub", correlationId);
      expect(result.result).toEqual([{ formFields: {} }, { formFields: {} }]);
    });
  });

  describe.skipIf(!level2)("standard loops and token quantities (SPEC §6.1)", () => {
    const h = useApi(options);

    for (const [input, output] of [
      // Do-while: runs until n reaches 2; test-before: 2 < 2 already, so it runs none.
      [
        { n: 0, until: 2 },
        { n: 2, until: 2, runs: 2 },
      ],
      // loopMaximum stops the first at 5 runs; the second runs while n < 9.
      [
        { n: 0, until: 9 },
        { n: 9, until: 9, runs: 5, again: 4 },
      ],
      // Do-while runs once even when the condition fails at once.
      [
        { n: 3, until: 1 },
        { n: 4, until: 1, runs: 1 },
      ],
    ] as const) {
      it(`loopCondition, loopMaximum, testBefore: ${JSON.stringify(input)} → ${JSON.stringify(output)}`, async () => {
        const answer = await start(h.api, as.clerk, "LoopUntil", "LoopUntilStart", {
          inputValues: input,
          callback: 2,
        });
        expect(answer.tokenPayload).toEqual(output);
      });
    }

    it("startQuantity waits for that many tokens, completionQuantity sends that many", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Quantities", "QuantitiesStart");
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      expect(userTasks.map((task) => task.key)).toEqual(["QuantitiesTask", "QuantitiesTask"]);
    });
  });
}
