import type { ProcessModel } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";
import { expectError } from "../expect-error.js";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";
import { keysOf } from "../steps.js";

/** Every executable fixture model that has a start event outside every lane. */
const OPEN_MODELS = [
  "Basic",
  "Scripted",
  "Gateways",
  "NoMatch",
  "Parallel",
  "Events",
  "MessageWait",
  "Timer",
  "Signals",
  "Lanes",
  "NestedLanes",
  "Endings",
  "Forms",
  "History",
  "Embedded",
];

const startKeys = (model: ProcessModel) => keysOf(model.startEvents, (e) => e.key);
const endKeys = (model: ProcessModel) => keysOf(model.endEvents, (e) => e.key);

export function processModelCases(options: ConformanceOptions): void {
  describe("process models (SPEC §4.1, §4.2)", () => {
    const h = useApi(options);
    const listed = async (context: (typeof as)[keyof typeof as]) => {
      const { processModels } = await h.api.getProcessModels(context);
      return new Map(processModels.map((model) => [model.key, model]));
    };

    it("getProcessModels lists every executable model the caller may start", async () => {
      const models = await listed(as.clerk);
      for (const key of OPEN_MODELS) expect(models.has(key), `model ${key} is listed`).toBe(true);
    });

    it("getProcessModels does not list a non-executable process", async () => {
      expect((await listed(as.both)).has("Draft")).toBe(false);
    });

    it("getProcessModels answers key, startEvents and endEvents with data objects", async () => {
      const basic = (await listed(as.clerk)).get("Basic") as ProcessModel;
      expect(basic.key).toBe("Basic");
      expect(startKeys(basic)).toEqual(["StartA", "StartB"]);
      expect(endKeys(basic)).toEqual(["Approved", "Echoed", "Rejected"]);
      for (const event of [...basic.startEvents, ...basic.endEvents]) {
        expect(typeof event.data).toBe("object");
        expect(event.data).not.toBeNull();
      }
    });

    it("getProcessModels lists only the start and end events a clerk may access", async () => {
      const lanes = (await listed(as.clerk)).get("Lanes") as ProcessModel;
      expect(startKeys(lanes)).toEqual(["ClerkStart", "EventStart", "OpenStart"]);
      expect(endKeys(lanes)).toEqual(["ClerkEnd", "NotesDone", "OpenEnd"]);
    });

    it("getProcessModels lists only the start and end events a manager may access", async () => {
      const lanes = (await listed(as.manager)).get("Lanes") as ProcessModel;
      expect(startKeys(lanes)).toEqual(["EventStart", "ManagerStart", "OpenStart"]);
      expect(endKeys(lanes)).toEqual(["CheckedEnd", "ManagerEnd", "NotesDone", "OpenEnd"]);
    });

    it("getProcessModels lists the events of every lane to an identity holding both claims", async () => {
      const lanes = (await listed(as.both)).get("Lanes") as ProcessModel;
      expect(startKeys(lanes)).toEqual(["ClerkStart", "EventStart", "ManagerStart", "OpenStart"]);
      expect(endKeys(lanes)).toEqual(["CheckedEnd", "ClerkEnd", "ManagerEnd", "NotesDone", "OpenEnd"]);
    });

    it("getProcessModels lists only lane-free events to an identity without claims", async () => {
      const models = await listed(as.none);
      for (const key of OPEN_MODELS) expect(models.has(key), `model ${key} is listed`).toBe(true);
      const lanes = models.get("Lanes") as ProcessModel;
      expect(startKeys(lanes)).toEqual(["EventStart", "OpenStart"]);
      expect(endKeys(lanes)).toEqual(["NotesDone", "OpenEnd"]);
    });

    it("getProcessModels does not list a model whose only start event lies in a lane the caller lacks", async () => {
      expect((await listed(as.clerk)).has("ManagerOnly")).toBe(false);
      expect((await listed(as.none)).has("ManagerOnly")).toBe(false);
    });

    it("getProcessModels lists that model to an identity holding the lane", async () => {
      const model = (await listed(as.manager)).get("ManagerOnly") as ProcessModel;
      expect(startKeys(model)).toEqual(["ManagerOnlyStart"]);
      expect(endKeys(model)).toEqual(["ManagerOnlyEnd"]);
    });

    it("getProcessModelByKey answers the same entry as the list", async () => {
      const models = await listed(as.clerk);
      const basic = await h.api.getProcessModelByKey(as.clerk, "Basic");
      const fromList = models.get("Basic") as ProcessModel;
      expect(basic.key).toBe("Basic");
      expect(startKeys(basic)).toEqual(startKeys(fromList));
      expect(endKeys(basic)).toEqual(endKeys(fromList));
    });

    it("getProcessModelByKey lists only the events the caller may access", async () => {
      const lanes = await h.api.getProcessModelByKey(as.clerk, "Lanes");
      expect(startKeys(lanes)).toEqual(["ClerkStart", "EventStart", "OpenStart"]);
      expect(endKeys(lanes)).toEqual(["ClerkEnd", "NotesDone", "OpenEnd"]);
    });

    it("getProcessModelByKey answers a model with its only start event in the caller's lane", async () => {
      const model = await h.api.getProcessModelByKey(as.manager, "ManagerOnly");
      expect(startKeys(model)).toEqual(["ManagerOnlyStart"]);
    });

    it("getProcessModelByKey: 404 for an unknown model", async () => {
      await expectError(h.api.getProcessModelByKey(as.clerk, "NoSuchModel"), 404);
    });

    it("getProcessModelByKey: 404 for a non-executable process", async () => {
      await expectError(h.api.getProcessModelByKey(as.both, "Draft"), 404);
    });

    it("getProcessModelByKey: 403 when the caller may access no start event", async () => {
      await expectError(h.api.getProcessModelByKey(as.clerk, "ManagerOnly"), 403);
    });

    it("getProcessModelByKey: 403 for an identity without claims", async () => {
      await expectError(h.api.getProcessModelByKey(as.none, "ManagerOnly"), 403);
    });
  });
}
