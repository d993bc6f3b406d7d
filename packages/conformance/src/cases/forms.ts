import type { UserTaskResult } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { expectBadRequest } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";
import { start, waitingTask } from "../steps.js";

/** A complete, valid submission of the FillForm task. */
const VALID = {
  name: "Ada",
  count: 7,
  ratio: 0.25,
  approved: true,
  due: "2026-11-28T09:30:00.000Z",
  color: "red",
  comment: "fine",
};

export function formCases(options: ConformanceOptions): void {
  describe("forms (SPEC §4.6, §4.7)", () => {
    const h = useApi(options);
    const fillForm = async () => {
      const { correlationId } = await start(h.api, as.clerk, "Forms", "FormsStart");
      const task = await waitingTask(h.api, as.clerk, correlationId, "FillForm");
      return { correlationId, task };
    };
    const finish = async (formFields: Record<string, unknown>) => {
      const { correlationId, task } = await fillForm();
      return h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, { formFields });
    };

    it("lists every form field with id, type and label, in model order", async () => {
      const { task } = await fillForm();
      expect(task.name).toBe("Fill the form");
      expect(task.data.formFields.map((f) => [f.id, f.type, f.label])).toEqual([
        ["name", "string", "Name"],
        ["count", "long", "Count"],
        ["ratio", "number", "Ratio"],
        ["approved", "boolean", "Approved?"],
        ["due", "date", "Due date"],
        ["color", "enum", "Color"],
        ["comment", "string", "Comment"],
      ]);
    });

    it("converts default values to the field's type", async () => {
      const { task } = await fillForm();
      const defaults = Object.fromEntries(task.data.formFields.map((f) => [f.id, f.defaultValue]));
      expect(defaults).toEqual({
        name: undefined,
        count: 3,
        ratio: 1.5,
        approved: false,
        due: undefined,
        color: "green",
        comment: "none",
      });
    });

    it("lists an enum field's values with id and name", async () => {
      const { task } = await fillForm();
      const color = task.data.formFields.find((f) => f.id === "color");
      expect(color?.enumValues).toEqual([
        { id: "red", name: "Red" },
        { id: "green", name: "Green" },
      ]);
    });

    it("marks a field with a required constraint as required, and only that one", async () => {
      const { task } = await fillForm();
      const required = task.data.formFields.filter((f) => f.required === true).map((f) => f.id);
      expect(required).toEqual(["name"]);
    });

    it("a user task without a form lists no form fields", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Forms", "BareStart");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Bare");
      expect(task.data.formFields).toEqual([]);
    });

    it("a valid submission of every field type finishes the task and becomes the token payload", async () => {
      const { correlationId, task } = await fillForm();
      await h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, { formFields: VALID });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Forms", correlationId);
      expect(result.endEventKey).toBe("Submitted");
      expect(result.result).toEqual({ formFields: VALID });
    });

    it("optional fields may be left out", async () => {
      await expect(finish({ name: "Only the required one" })).resolves.toBeUndefined();
    });

    it("a task without a form finishes with no form fields", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Forms", "BareStart");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Bare");
      await h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, { formFields: {} });
      const result = await h.api.getProcessResultForCorrelation(as.clerk, "Forms", correlationId);
      expect(result.endEventKey).toBe("BareEnd");
    });

    it("400 naming a string field given a number", async () => {
      await expectBadRequest(finish({ ...VALID, name: 5 }), "name");
    });

    it("400 naming a long field given a fraction", async () => {
      await expectBadRequest(finish({ ...VALID, count: 1.5 }), "count");
    });

    it("400 naming a long field given a string", async () => {
      await expectBadRequest(finish({ ...VALID, count: "3" }), "count");
    });

    it("400 naming a number field given a string", async () => {
      await expectBadRequest(finish({ ...VALID, ratio: "much" }), "ratio");
    });

    it("400 naming a boolean field given a string", async () => {
      await expectBadRequest(finish({ ...VALID, approved: "yes" }), "approved");
    });

    it("400 naming a date field given something that is no date", async () => {
      await expectBadRequest(finish({ ...VALID, due: "not a date" }), "due");
    });

    it("400 naming an enum field given a value outside its enumValues", async () => {
      await expectBadRequest(finish({ ...VALID, color: "blue" }), "color");
    });

    it("400 naming an unknown field", async () => {
      await expectBadRequest(finish({ ...VALID, unexpected: 1 }), "unexpected");
    });

    it("400 naming an unknown field of a task without a form", async () => {
      const { correlationId } = await start(h.api, as.clerk, "Forms", "BareStart");
      const task = await waitingTask(h.api, as.clerk, correlationId, "Bare");
      await expectBadRequest(
        h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, { formFields: { stray: true } }),
        "stray",
      );
    });

    it("400 naming a missing required field", async () => {
      const { name: _omitted, ...withoutName } = VALID;
      await expectBadRequest(finish(withoutName), "name");
    });

    it("400 naming formFields when the result has none", async () => {
      const { correlationId, task } = await fillForm();
      await expectBadRequest(
        h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, {} as unknown as UserTaskResult),
        "formFields",
      );
    });

    it("400 naming formFields when it is not an object", async () => {
      const { correlationId, task } = await fillForm();
      await expectBadRequest(
        h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, {
          formFields: "name=Ada",
        } as unknown as UserTaskResult),
        "formFields",
      );
    });

    it("a rejected submission leaves the task waiting for a valid one", async () => {
      const { correlationId, task } = await fillForm();
      await expectBadRequest(
        h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, {
          formFields: { ...VALID, color: "blue" },
        }),
        "color",
      );
      const again = await waitingTask(h.api, as.clerk, correlationId, "FillForm");
      expect(again.id).toBe(task.id);
      await h.api.finishUserTask(as.clerk, "Forms", correlationId, task.id, { formFields: VALID });
    });
  });
}
