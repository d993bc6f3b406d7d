import type { ProcessStartRequestPayload } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { expectBadRequest, expectError, expectErrorHiding } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import { newCorrelationId, UUID_V4 } from "../ids.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingEvent, waitingTask } from "../steps.js";

export function startCases(options: ConformanceOptions): void {
  describe("start a process instance (SPEC §4.3)", () => {
    const h = useApi(options);

    it("answers correlationId and processInstanceId, without end event or payload, by default", async () => {
      const correlationId = newCorrelationId();
      const answer = await h.api.startProcessInstance(as.clerk, "Basic", "StartA", { correlationId });
      expect(answer.correlationId).toBe(correlationId);
      expect(typeof answer.processInstanceId).toBe("string");
      expect(answer.processInstanceId.length).toBeGreaterThan(0);
      expect(answer.endEventKey).toBeUndefined();
      expect(answer.tokenPayload).toBeUndefined();
    });

    it("callback type 1 answers once the instance started", async () => {
      const answer = await start(h.api, as.clerk, "Basic", "StartA", { callback: 1 });
      expect(answer.endEventKey).toBeUndefined();
      expect(answer.tokenPayload).toBeUndefined();
    });

    it("generates a UUID v4 correlation id when none is given", async () => {
      const answer = await h.api.startProcessInstance(as.clerk, "Basic", "StartA");
      expect(answer.correlationId).toMatch(UUID_V4);
      await waitingTask(h.api, as.clerk, answer.correlationId, "Review");
    });

    it("generates a correlation id when the payload has none", async () => {
      const answer = await h.api.startProcessInstance(as.clerk, "Basic", "StartA", { inputValues: { a: 1 } });
      expect(answer.correlationId).toMatch(UUID_V4);
    });

    it("gives every instance its own processInstanceId", async () => {
      const first = await start(h.api, as.clerk, "Basic", "StartA");
      const second = await start(h.api, as.clerk, "Basic", "StartA");
      expect(first.processInstanceId).not.toBe(second.processInstanceId);
    });

    it("starting again with the same correlation id adds an instance to it", async () => {
      const correlationId = newCorrelationId();
      const first = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const second = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      expect(userTasks.map((t) => t.processInstanceId).sort()).toEqual(
        [first.processInstanceId, second.processInstanceId].sort(),
      );
    });

    it("one correlation can hold instances of different models", async () => {
      const correlationId = newCorrelationId();
      await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      await start(h.api, as.clerk, "Forms", "FormsStart", { correlationId });
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      expect(userTasks.map((t) => t.processModelKey).sort()).toEqual(["Basic", "Forms"]);
    });

    it("inputValues become the token payload", async () => {
      const inputValues = { order: { id: "o-1", amount: 12.5 }, tags: ["a", "b"], note: null };
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA", { inputValues });
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      expect(task.tokenPayload).toEqual(inputValues);
    });

    it("accepts a callerId", async () => {
      const correlationId = newCorrelationId();
      const answer = await h.api.startProcessInstance(as.clerk, "Basic", "StartA", {
        correlationId,
        callerId: "conformance-caller",
      });
      expect(answer.correlationId).toBe(correlationId);
    });

    it("the chosen start event decides the path", async () => {
      const a = await start(h.api, as.clerk, "Basic", "StartA");
      await waitingTask(h.api, as.clerk, a.correlationId, "Review");
      const b = await start(h.api, as.clerk, "Basic", "StartB", { callback: 2, inputValues: { n: 1 } });
      expect(b.endEventKey).toBe("Echoed");
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, b.correlationId);
      expect(userTasks).toEqual([]);
    });

    it("read-your-writes: the user task is listed right after a callback-1 start", async () => {
      const { correlationId, processInstanceId } = await start(h.api, as.clerk, "Basic", "StartA", {
        callback: 1,
      });
      const { userTasks } = await h.api.getUserTasksForProcessModelInCorrelation(
        as.clerk,
        "Basic",
        correlationId,
      );
      expect(userTasks).toHaveLength(1);
      expect(userTasks[0]?.processInstanceId).toBe(processInstanceId);
    });

    it("read-your-writes: the waiting event is listed right after a callback-1 start", async () => {
      const { correlationId, processInstanceId } = await start(
        h.api,
        as.clerk,
        "MessageWait",
        "MessageWaitStart",
      );
      const event = await waitingEvent(h.api, as.clerk, correlationId, "Confirmation");
      expect(event.processInstanceId).toBe(processInstanceId);
    });

    it("a correlation id with spaces, slashes, reserved and non-ASCII characters works everywhere", async () => {
      const correlationId = `${newCorrelationId()} / Bestellung #5 ?&=% ü`;
      const answer = await start(h.api, as.clerk, "Basic", "StartA", { correlationId });
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      expect(task.correlationId).toBe(correlationId);
      const inModel = await h.api.getUserTasksForProcessModelInCorrelation(as.clerk, "Basic", correlationId);
      expect(inModel.userTasks.map((t) => t.id)).toEqual([task.id]);
      await h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
        formFields: { approved: true },
      });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Basic", correlationId);
      expect(result).toMatchObject({ correlationId, processInstanceId: answer.processInstanceId });
    });

    for (const [status, what, identity, model, startEvent] of [
      [404, "an unknown model", as.clerk, "NoSuchModel", "Start"],
      [404, "an unknown start event", as.clerk, "Basic", "NoSuchStart"],
      [404, "a non-executable process", as.both, "Draft", "DraftStart"],
      [404, "an end event key that is an end event, not a start event", as.clerk, "Basic", "Approved"],
      [
        403,
        "a model whose start events all lie in a lane the caller lacks",
        as.clerk,
        "ManagerOnly",
        "ManagerOnlyStart",
      ],
      [403, "a start event in a lane the caller lacks", as.clerk, "Lanes", "ManagerStart"],
    ] as const) {
      it(`${status} for ${what}`, async () => {
        // A 403 names no element the caller may not access, not even the one it asked for.
        await expectErrorHiding(
          h.api.startProcessInstance(identity, model, startEvent),
          status,
          status === 403 ? [startEvent] : [],
        );
      });
    }

    it("a start event in the caller's lane starts", async () => {
      const answer = await start(h.api, as.manager, "Lanes", "ManagerStart");
      await waitingTask(h.api, as.manager, answer.correlationId, "ManagerApproval");
    });

    it("400 naming correlationId when it is not a string", async () => {
      const payload = { correlationId: 42 } as unknown as ProcessStartRequestPayload;
      await expectBadRequest(
        h.api.startProcessInstance(as.clerk, "Basic", "StartA", payload),
        "correlationId",
      );
    });

    it("400 naming correlationId when it is empty", async () => {
      await expectBadRequest(
        h.api.startProcessInstance(as.clerk, "Basic", "StartA", { correlationId: "" }),
        "correlationId",
      );
    });

    it("400 naming callerId when it is not a string", async () => {
      const payload = { callerId: ["x"] } as unknown as ProcessStartRequestPayload;
      await expectBadRequest(h.api.startProcessInstance(as.clerk, "Basic", "StartA", payload), "callerId");
    });

    it("400 naming inputValues when it nests deeper than any binding accepts (100k levels)", async () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      await expectBadRequest(
        h.api.startProcessInstance(as.clerk, "Basic", "StartA", { inputValues: deep }),
        "inputValues",
      );
    });

    it("400 when the payload is not an object", async () => {
      const payload = "not a payload" as unknown as ProcessStartRequestPayload;
      await expectError(h.api.startProcessInstance(as.clerk, "Basic", "StartA", payload), 400);
    });
  });
}
