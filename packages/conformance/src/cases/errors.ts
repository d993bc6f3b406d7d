import { ConsumerApiError, type ProcessStartRequestPayload } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { type ErrorStatus, expectBadRequest, expectError } from "../expect-error.js";
import type { Harness } from "../harness.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingTask } from "../steps.js";

/** One way to provoke each status of SPEC §3. */
const provoke: Record<ErrorStatus, (h: Harness) => Promise<unknown>> = {
  400: (h) =>
    h.api.startProcessInstance(as.clerk, "Basic", "StartA", {
      correlationId: 7,
    } as unknown as ProcessStartRequestPayload),
  401: (h) => h.api.getProcessModels(as.invalid),
  403: (h) => h.api.getProcessModelByKey(as.clerk, "ManagerOnly"),
  404: (h) => h.api.getProcessModelByKey(as.clerk, "NoSuchModel"),
  409: (h) =>
    start(h.api, as.clerk, "Gateways", "Start", {
      callback: 3,
      endEvent: "Huge",
      inputValues: { amount: 1 },
    }),
  500: (h) => start(h.api, as.clerk, "Scripted", "FailStart", { callback: 2 }),
};

export function errorCases(options: ConformanceOptions): void {
  describe("errors (SPEC §3)", () => {
    const h = useApi(options);

    for (const [status, call] of Object.entries(provoke)) {
      it(`${status} is the contract's error class with status, title and detail`, async () => {
        const error = await expectError(call(h), Number(status) as ErrorStatus);
        expect(error).toBeInstanceOf(Error);
        expect(error).toBeInstanceOf(ConsumerApiError);
        expect(error.title.length).toBeGreaterThan(0);
        expect(error.detail.length).toBeGreaterThan(0);
      });
    }

    it("inputValues of every JSON type are accepted, never a 4xx or 500", async () => {
      for (const inputValues of [0, "text", true, null, [1, 2], { deep: { er: [null] } }]) {
        const answer = await start(h.api, as.clerk, "Basic", "StartA", { inputValues });
        expect(typeof answer.processInstanceId).toBe("string");
      }
    });

    it("bad input is a 400, never a 500: a form result with a nested object for a boolean", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const { userTasks } = await h.api.getUserTasksForCorrelation(as.clerk, correlationId);
      const task = userTasks[0];
      if (!task) return expect.fail("no waiting task");
      await expectError(
        h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, {
          formFields: { approved: { x: [1] } },
        }),
        400,
      );
    });

    // SPEC Part two: a body's fixed properties are closed, so a misspelt key is not silently another behaviour.
    it("a start payload with a property the contract does not define is a 400 naming it", async ({
      skip,
    }) => {
      if (!h.supports.applicationInfo) skip("a level-1 server (no GET /info)");
      const payload = { corelationId: "x4" } as unknown as ProcessStartRequestPayload;
      await expectBadRequest(
        h.api.startProcessInstance(as.clerk, "Basic", "StartA", payload),
        "corelationId",
      );
    });

    it("a user task result with an unknown key beside formFields is a 400 naming it; the task keeps waiting", async ({
      skip,
    }) => {
      if (!h.supports.applicationInfo) skip("a level-1 server (no GET /info)");
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Review");
      const result = { formFields: { approved: true }, comment: "x" } as {
        formFields: Record<string, unknown>;
      };
      await expectBadRequest(
        h.api.finishUserTask(as.clerk, "Basic", correlationId, task.id, result),
        "comment",
      );
      await waitingTask(h.api, as.clerk, correlationId, "Review");
    });

    it("data takes any JSON: inputValues with keys of any name are the token payload", async () => {
      const inputValues = { corelationId: "x4", nested: { anything: [1] } };
      const { correlationId } = await start(h.api, as.clerk, "Basic", "StartA", { inputValues });
      expect((await waitingTask(h.api, as.clerk, correlationId, "Review")).tokenPayload).toEqual(inputValues);
    });

    // Keys travel as URL path segments: "." and ".." would be normalised into another route, and a lone
    // surrogate cannot be percent-encoded. Every binding refuses them the same way (contracts' ConsumerKey).
    it.each([
      ["an empty", ""],
      ['a "."', "."],
      ['a ".."', ".."],
      ["a lone-surrogate", "c\uD800"],
    ])("%s correlation id is a 400 naming it, never another route's answer or a 500", async (_, key) => {
      const error = await expectError(h.api.getUserTasksForCorrelation(as.clerk, key), 400);
      expect(error.detail).toMatch(/correlation/i);
    });
  });
}
