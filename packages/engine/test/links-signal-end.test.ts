import { afterEach, describe, expect, it } from "vitest";
import { closeEngines, open, record, removeTempDirs, trace } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

describe("link events and signal end events", () => {
  it("a link throw event continues at the link catch event of its name", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({ processModelKey: "LinkJump", startEventKey: "Start" });
    const ended = await engine.whenEnded(instance.processInstanceId);
    expect(ended).toMatchObject({ state: "finished", endEventKey: "End", result: { linked: true } });
    expect(trace(events, instance.processInstanceId)).toContain("event.reached:GoToB");
    expect(trace(events, instance.processInstanceId)).toContain("event.reached:ArriveB");
  });

  it("a signal end event resumes the waiters of its signal and ends its token", async () => {
    const engine = await open();
    const waiter = await engine.start({ processModelKey: "SignalEndWaiter", startEventKey: "WStart" });
    const { instance } = await engine.start({ processModelKey: "SignalEnd", startEventKey: "SStart" });
    expect(instance).toMatchObject({ state: "finished", endEventKey: "Broadcast" });
    expect(await engine.getInstance(waiter.instance.processInstanceId)).toMatchObject({
      state: "finished",
      endEventKey: "Heard",
    });
  });
});
