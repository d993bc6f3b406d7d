import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingTask } from "../steps.js";

export function userTaskCases(options: ConformanceOptions): void {
  describe("user tasks (SPEC §4.6, §4.7)", () => {
    const h = useApi(options);

    it("getUserTasksForCorrelation lists the waiting task with its form and token payload", async () => {
      const inputValues = { order: "o-7" };
      const { correlationId, processInstanceId } = await start(h.api, as.clerk, "Basic", "StartA", {
        inputValues,
      });
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      expect(userTasks).toHaveLength(1);
      const task = userTasks[0];
      expect(typeof task?.id).toBe("string");
      expect(task).toMatchObject({
        key: "Review",
        name: "Review order",
        processInstanceId,
        processModelKey: "Basic",
        correlationId,
        data: { formFields: [{ id: "approved", type: "boolean", label: "Approved?", defaultValue: false }] },
        tokenPayload: inputValues,
      });
    });

    it("getUserTasksForProcessModel lists the tasks of every correlation of the model", async () => {
      const a = await start(h.api, as.clerk, "Basic", "StartA");
      const b = await start(h.api, as.clerk, "Basic", "StartA");
      const { userTasks } = await h.api.getUserTasksForProcessModel(as.clerk, "Basic");
      const ours = userTasks.filter(
        (t) => t.correlationId === a.correlationId || t.correlationId === b.correlationId,
      );
      expect(ours.map((t) => t.processInstanceId).sort()).toEqual(
        [a.processInstanceId, b.processInstanceId].sort(),
      );
      expect(userTasks.every((t) => t.processModelKey === "Basic")).toBe(true);
    });

    it("getUserTasksForProcessModelInCorrelation lists only that model's tasks", async () => {
      const correlationId = newCorrelationId();
      await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      await start(h.api, as.clerk, "Forms", "FormsStart", { correlationId });
      const { userTasks } = await h.api.getUserTasksForProcessModelInCorrelation(
        as.clerk,
        "Forms",
        correlationId,
      );
      expect(userTasks.map((t) => t.key)).toEqual(["FillForm"]);
      expect(userTasks[0]?.correlationId).toBe(correlationId);
    });

    it("a correlation whose instances wait on no user task lists none", async () => {
      const { correlationId } = await start(h.api, as.clerk, "MessageWait", "MessageWaitStart");
      expect((await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks).toEqual([]);
    });

    it("getUserTasksForCorrelation: 404 for an unknown correlation", async () => {
      await expectError(h.api.getUserTasksForCorrelation(as.clerk, newCorrelationId()), 404);
    });

    it("getUserTasksForProcessModel: 404 for an unknown model", async () => {
      await expectError(h.api.getUserTasksForProcessModel(as.clerk, "NoSuchModel"), 404);
    });

    it("getUserTasksForProcessModel: 404 for a non-executable process", async () => {
      await expectError(h.api.getUserTasksForProcessModel(as.both, "Draft"), 404);
    });

    it("getUserTasksForProcessModelInCorrelation: 404 for an unknown correlation", async () => {
      await expectError(
        h.api.getUserTasksForProcessModelInCorrelation(as.clerk, "Basic", newCorrelationId()),
        404,
      );
    });

    it("getUserTasksForProcessModelInCorrelation: 404 for an unknown model", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      await expectError(
        h.api.getUserTasksForProcessModelInCorrelation(as.clerk, "NoSuchModel", correlationId),
        404,
      );
    });

    it("getUserTasksForProcessModelInCorrelation: 404 for a model not in the correlation", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      await expectError(
        h.api.getUserTasksForProcessModelInCorrelation(as.clerk, "Forms", correlationId),
        404,
      );
    });

    it("finishUserTask answers, the task no longer waits and the instance moves on", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await expect(
        h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, { formFields: { approved: true } }),
      ).resolves.toBeUndefined();
      expect((await h.api.getUserTasksForCorrelation(as.clerk, correlationId)).userTasks).toEqual([]);
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId);
      expect(result.endEventKey).toBe("Approved");
      expect(result.result).toEqual({ formFields: { approved: true } });
    });

    it("the task's result decides the path after it", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: false },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId);
      expect(result.endEventKey).toBe("Rejected");
    });

    it("read-your-writes: the next task is listed right after finishing, with the result as token payload", async () => {
      const { correlationId } = await start(h.api, as.clerk, "History", "HistoryStart");
      const first = await waitingTask(h.api, as.clerk, correlationId, "First");
      await h.api.finishUserTask(as.clerk, "History", correlationId, first.id, { formFields: { a: 2 } });
      const second = await waitingTask(h.api, as.clerk, correlationId, "Second");
      expect(second.id).not.toBe(first.id);
      expect(second.tokenPayload).toEqual({ formFields: { a: 2 } });
    });

    it("finishUserTask: 404 once the task was finished", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      await expectError(
        h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, { formFields: { approved: true } }),
        404,
      );
    });

    it("finishUserTask: 404 for an unknown task", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      await expectError(
        h.api.finishUserTask(as.clerk, "Basic", correlationId, "no-such-task", {
          formFields: { approved: true },
        }),
        404,
      );
    });

    it("finishUserTask: 404 for an unknown model", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await expectError(
        h.api.finishUserTask(as.clerk, "NoSuchModel", correlationId, task.id, {
          formFields: { approved: true },
        }),
        404,
      );
    });

    it("finishUserTask: 404 for an unknown correlation", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await expectError(
        h.api.finishUserTask(as.clerk, "Basic", newCorrelationId(), task.id, {
          formFields: { approved: true },
        }),
        404,
      );
    });

    it("finishUserTask: 404 for a task of another correlation, which keeps waiting", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const other = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      await expectError(
        h.api.finishUserTask(as.clerk, "Basic", other.correlationId, task.id, {
          formFields: { approved: true },
        }),
        404,
      );
      await waitingTask(h.api, as.clerk, correlationId, "Review");
    });
  });
}
