import { afterEach, describe, expect, it } from "vitest";
import { closeEngines, modelsDir, open, removeTempDirs } from "./helpers.js";

// A step reads a thrown signal's waiters when it completes (the store is asynchronous; behaviours are not),
// yet only the catch events waiting at the moment of the throw may receive it.

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

describe("a signal thrown within a step", () => {
  it("misses a catch event that begins to wait after the throw, in the same step", async () => {
    const engine = await open({ models: modelsDir("signal-moment.bpmn") });
    const { instance } = await engine.start({ processModelKey: "ThrowThenCatch", startEventKey: "TStart" });
    expect(instance.state).toBe("running");
    const waiting = await engine.listEvents({ correlationId: instance.correlationId });
    expect(waiting.map((event) => event.key)).toEqual(["THear"]);
  });

  it("reaches a catch event that began to wait before the throw, in the same step", async () => {
    const engine = await open({ models: modelsDir("signal-moment.bpmn") });
    const { instance } = await engine.start({ processModelKey: "CatchThenThrow", startEventKey: "CStart" });
    expect(instance).toMatchObject({ state: "finished" });
    expect(await engine.listEvents({ correlationId: instance.correlationId })).toEqual([]);
  });
});
