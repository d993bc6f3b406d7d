import type { ConsumerContext, ProcessInstance } from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingTask } from "../steps.js";

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function instanceQueryCases(options: ConformanceOptions): void {
  describe("queries by identity and by process instance (SPEC §10)", () => {
    const h = useApi(options);

    beforeEach(({ skip }) => {
      if (!h.supports.instanceQueries) skip("instanceQueries not supported");
    });

    // A server may be shared with earlier runs: the cases look at what they add, at the end of each list
    // ("later work sorts last", SPEC §9).
    const ownTasks = async (context: ConsumerContext) => {
      const { totalCount } = await h.api.getWaitingUserTasksByIdentity(context, 0, 0);
      const count = totalCount as number;
      const last = await h.api.getWaitingUserTasksByIdentity(context, Math.max(count - 1, 0), 1);
      return { count, last: last.userTasks[0] };
    };
    const lastOwnInstance = async (context: ConsumerContext): Promise<ProcessInstance | undefined> => {
      const { totalCount } = await h.api.getProcessInstancesByIdentity(context, 0, 0);
      const page = await h.api.getProcessInstancesByIdentity(
        context,
        Math.max((totalCount as number) - 1, 0),
        1,
      );
      return page.processInstances[0];
    };

    it("getWaitingUserTasksByIdentity lists the caller's tasks of every model, under the lane rule", async () => {
      const clerkBefore = await ownTasks(as.clerk);
      const managerBefore = await ownTasks(as.manager);
      const { processInstanceId, correlationId } = await start(h.api, as.clerk, "Lanes", "ClerkStart");
      const clerkAfter = await ownTasks(as.clerk);
      expect(clerkAfter.count).toBe(clerkBefore.count + 1);
      expect(clerkAfter.last).toMatchObject({ key: "ClerkReview", processInstanceId, correlationId });
      expect((await ownTasks(as.manager)).count).toBe(managerBefore.count);

      // Another model, started by someone else: a lane-free task is everyone's work.
      const open = await start(h.api, as.manager, "Basic", "StartA");
      const clerkLast = await ownTasks(as.clerk);
      expect(clerkLast.count).toBe(clerkAfter.count + 1);
      expect(clerkLast.last).toMatchObject({ key: "Review", processInstanceId: open.processInstanceId });
      expect((await ownTasks(as.manager)).count).toBe(managerBefore.count + 1);
    });

    it("a finished task leaves the caller's list", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const before = await ownTasks(as.clerk);
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      expect(before.last?.id).toBe(task.id);
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      expect((await ownTasks(as.clerk)).count).toBe(before.count - 1);
    });

    it("getUserTasksForProcessInstance lists its waiting tasks, lane-filtered; a finished one none; unknown 404", async () => {
      const { processInstanceId, correlationId } = await start(h.api, as.clerk, "Lanes", "ClerkStart");
      const clerk = await h.api.getUserTasksForProcessInstance(as.clerk, processInstanceId);
      expect(clerk.userTasks.map((task) => task.key)).toEqual(["ClerkReview"]);
      expect(clerk.totalCount).toBe(1);
      expect(await h.api.getUserTasksForProcessInstance(as.manager, processInstanceId)).toEqual({
        userTasks: [],
        totalCount: 0,
      });
      const task = clerk.userTasks[0];
      if (!task) return expect.fail("no task");
      await h.api.finishUserTask(as.clerk, "Lanes", correlationId, task.id, {
        formFields: { route: "clerk" },
      });
      expect((await h.api.getUserTasksForProcessInstance(as.clerk, processInstanceId)).userTasks).toEqual([]);
      await expectError(h.api.getUserTasksForProcessInstance(as.clerk, "no-such-instance"), 404);
    });

    it("getProcessModelByProcessInstanceId answers the model filtered for the caller, without a 403; unknown 404", async () => {
      const { processInstanceId } = await start(h.api, as.manager, "ManagerOnly", "ManagerOnlyStart");
      const forManager = await h.api.getProcessModelByProcessInstanceId(as.manager, processInstanceId);
      expect(forManager.key).toBe("ManagerOnly");
      expect(forManager.startEvents.map((event) => event.key)).toEqual(["ManagerOnlyStart"]);
      const forClerk = await h.api.getProcessModelByProcessInstanceId(as.clerk, processInstanceId);
      expect(forClerk).toMatchObject({ key: "ManagerOnly", startEvents: [] });
      await expectError(h.api.getProcessModelByProcessInstanceId(as.clerk, "no-such-instance"), 404);
    });

    it("getProcessInstancesByIdentity lists the instances the caller started, with state and times", async () => {
      const { processInstanceId, correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const running = await lastOwnInstance(as.clerk);
      expect(running).toEqual({
        processInstanceId,
        processModelKey: "Basic",
        correlationId,
        state: "running",
        startedAt: expect.stringMatching(ISO_MS),
      });
      // Started by the clerk: not the manager's.
      expect((await lastOwnInstance(as.manager))?.processInstanceId).not.toBe(processInstanceId);
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      const finished = await lastOwnInstance(as.clerk);
      expect(finished).toMatchObject({
        processInstanceId,
        state: "finished",
        finishedAt: expect.stringMatching(ISO_MS),
      });
      expect(Date.parse(finished?.finishedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(running?.startedAt as string),
      );
    });

    it.each([
      ["terminated", "Endings", "TerminateStart"],
      ["failed", "Endings", "ErrorStart"],
      ["failed", "Scripted", "FailStart"],
    ])("getProcessInstancesByIdentity: state %s for %s/%s", async (state, model, startEvent) => {
      const { processInstanceId } = await start(h.api, as.clerk, model, startEvent);
      const instance = await lastOwnInstance(as.clerk);
      expect(instance).toMatchObject({ processInstanceId, state, finishedAt: expect.stringMatching(ISO_MS) });
    });

    it("getEventsForProcessModel lists the model's waiting events of every correlation, lane-filtered; unknown 404", async () => {
      const count = async (context: ConsumerContext) =>
        (await h.api.getEventsForProcessModel(context, "Lanes", 0, 0)).totalCount as number;
      const [clerk, both] = [await count(as.clerk), await count(as.both)];
      const { processInstanceId } = await start(h.api, as.clerk, "Lanes", "EventStart");
      expect(await count(as.clerk)).toBe(clerk + 1);
      expect(await count(as.both)).toBe(both + 2);
      const last = await h.api.getEventsForProcessModel(as.clerk, "Lanes", clerk, 1);
      expect(last.events).toMatchObject([
        { eventKey: "ClerkNote", processInstanceId, processModelKey: "Lanes" },
      ]);
      await expectError(h.api.getEventsForProcessModel(as.clerk, "NoSuchModel"), 404);
      await expectError(h.api.getEventsForProcessModel(as.both, "Draft"), 404);
    });
  });
}
