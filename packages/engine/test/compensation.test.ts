import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEngine } from "../src/index.js";
import { type Engine, ModelLoadError } from "../src/types.js";
import {
  closeEngines,
  finishTask as finish,
  open,
  record,
  removeTempDirs,
  tempDir,
  trace,
  waitingKeys as waiting,
} from "./helpers.js";

// Compensation (BPMN 2.0.2 §10.5.5): handlers of completed activities, newest completion first, one after
// the other; transactions cancelled by a cancel end event compensate what completed inside them.

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

const tasks = (engine: Engine, correlationId: string) => engine.listUserTasks({ correlationId });

const started = (events: ReturnType<typeof record>, id: string) =>
  trace(events, id)
    .filter((entry) => entry.startsWith("activity.started:"))
    .map((entry) => entry.slice("activity.started:".length));

describe("compensation", () => {
  it("compensates every completed activity of the scope, newest first, each handler with its activity's payload", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({ processModelKey: "CompAll", startEventKey: "CA_Start" });
    const { correlationId, processInstanceId } = instance;
    await finish(engine, correlationId, "CA_B", { b: 1 });
    // B completed last: its handler runs first, and A's waits for it.
    expect(await waiting(engine, correlationId)).toEqual(["CA_UndoB"]);
    expect((await tasks(engine, correlationId))[0]?.tokenPayload).toEqual({ formFields: { b: 1 } });
    expect(started(events, processInstanceId)).not.toContain("CA_UndoA");
    await finish(engine, correlationId, "CA_UndoB");
    // UndoA ran (a script, with A's payload); then the throw event went on with its own payload.
    expect(started(events, processInstanceId)).toEqual([
      "CA_A",
      "CA_B",
      "CA_C",
      "CA_UndoB",
      "CA_UndoA",
      "CA_After",
    ]);
    expect((await tasks(engine, correlationId)).map((task) => [task.key, task.tokenPayload])).toEqual([
      ["CA_After", { formFields: { b: 1 } }],
    ]);
    expect(await finish(engine, correlationId, "CA_After")).toMatchObject({
      state: "finished",
      endEventKey: "CA_End",
    });
  });

  it("compensates only the activityRef, and a completion only once", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "CompRef", startEventKey: "CR_Start" });
    const { correlationId } = instance;
    expect(await waiting(engine, correlationId)).toEqual(["CR_UndoA"]);
    await finish(engine, correlationId, "CR_UndoA");
    // The second throw compensates what is left: B, not A again.
    expect(await waiting(engine, correlationId)).toEqual(["CR_UndoB"]);
    expect(await finish(engine, correlationId, "CR_UndoB")).toMatchObject({
      state: "finished",
      endEventKey: "CR_End",
    });
  });

  it("compensates each completion of an activity in a loop, newest first, and not an activity still running", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "CompLoop", startEventKey: "CL_Start" });
    const { correlationId } = instance;
    await finish(engine, correlationId, "CL_A", { n: 1, again: true });
    await finish(engine, correlationId, "CL_A", { n: 2 });
    // The compensation end event: UndoA for the second completion first; B is active, not compensated.
    expect((await tasks(engine, correlationId)).map((task) => [task.key, task.tokenPayload])).toEqual([
      ["CL_B", undefined],
      ["CL_UndoA", { formFields: { n: 2 } }],
    ]);
    await finish(engine, correlationId, "CL_UndoA");
    expect((await tasks(engine, correlationId)).map((task) => [task.key, task.tokenPayload])).toEqual([
      ["CL_B", undefined],
      ["CL_UndoA", { formFields: { n: 1, again: true } }],
    ]);
    await finish(engine, correlationId, "CL_UndoA");
    expect(await waiting(engine, correlationId)).toEqual(["CL_B"]);
    expect(await finish(engine, correlationId, "CL_B")).toMatchObject({
      state: "finished",
      endEventKey: "CL_EndB",
    });
  });

  it("compensates a completed sub-process through the activities inside it, newest first", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({ processModelKey: "CompSub", startEventKey: "CS_Start" });
    const { correlationId, processInstanceId } = instance;
    for (const key of ["CS_UndoZ", "CS_UndoY", "CS_UndoX"]) {
      expect(await waiting(engine, correlationId)).toEqual([key]);
      await finish(engine, correlationId, key);
    }
    expect(started(events, processInstanceId).slice(-3)).toEqual(["CS_UndoZ", "CS_UndoY", "CS_UndoX"]);
    expect(await engine.getInstance(processInstanceId)).toMatchObject({
      state: "finished",
      endEventKey: "CS_End",
    });
  });

  it("compensates, from inside a sub-process, only what completed in that sub-process", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "CompScope", startEventKey: "CP_Start" });
    const { correlationId } = instance;
    expect(await waiting(engine, correlationId)).toEqual(["CP_UndoX"]);
    await finish(engine, correlationId, "CP_UndoX");
    expect(await waiting(engine, correlationId)).toEqual(["CP_After"]);
  });

  it("compensates a sub-process with a handler of its own by that handler alone", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "CompOwn", startEventKey: "CO_Start" });
    const { correlationId } = instance;
    expect(await waiting(engine, correlationId)).toEqual(["CO_UndoSub"]);
    expect(await finish(engine, correlationId, "CO_UndoSub")).toMatchObject({
      state: "finished",
      endEventKey: "CO_End",
    });
  });

  it("runs a handler that is a sub-process, and goes on once it completed", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "CompHandlerSub", startEventKey: "CH_Start" });
    const { correlationId } = instance;
    expect(await waiting(engine, correlationId)).toEqual(["CH_UndoStep"]);
    await finish(engine, correlationId, "CH_UndoStep");
    expect(await waiting(engine, correlationId)).toEqual(["CH_After"]);
  });

  it("keeps what is to be compensated across a restart", async () => {
    const data = tempDir();
    const first = await open({ data });
    const { instance } = await first.start({ processModelKey: "CompLoop", startEventKey: "CL_Start" });
    const { correlationId } = instance;
    await finish(first, correlationId, "CL_A", { n: 1, again: true });
    await first.close();
    const second = await open({ data });
    await finish(second, correlationId, "CL_A", { n: 2 });
    await finish(second, correlationId, "CL_UndoA");
    expect(
      (await tasks(second, correlationId)).find((task) => task.key === "CL_UndoA")?.tokenPayload,
    ).toEqual({
      formFields: { n: 1, again: true },
    });
  });
});

describe("transactions", () => {
  it("a cancel end event withdraws what runs inside, compensates newest first, then leaves by the cancel boundary event", async () => {
    const engine = await open();
    const events = record(engine);
    const { instance } = await engine.start({ processModelKey: "CompTx", startEventKey: "CT_Start" });
    const { correlationId, processInstanceId } = instance;
    await finish(engine, correlationId, "CT_Book", { booked: true });
    await finish(engine, correlationId, "CT_Pay", { amount: 12, cancel: true });
    // Side is withdrawn at once; Pay's handler (a script) ran first, Book's (a user task) waits.
    expect(await waiting(engine, correlationId)).toEqual(["CT_UndoBook"]);
    expect((await tasks(engine, correlationId))[0]?.tokenPayload).toEqual({ formFields: { booked: true } });
    expect(started(events, processInstanceId).slice(-2)).toEqual(["CT_UndoPay", "CT_UndoBook"]);
    const after = await finish(engine, correlationId, "CT_UndoBook");
    expect(after).toMatchObject({
      state: "finished",
      endEventKey: "CT_CancelledEnd",
      result: { formFields: { amount: 12, cancel: true } },
    });
    expect(trace(events, processInstanceId)).toContain("event.triggered:CT_Cancelled");
  });

  it("completes as a sub-process when it is not cancelled", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "CompTx", startEventKey: "CT_Start" });
    const { correlationId } = instance;
    await finish(engine, correlationId, "CT_Book");
    await finish(engine, correlationId, "CT_Pay", { amount: 12 });
    expect(await waiting(engine, correlationId)).toEqual(["CT_Side"]);
    expect(await finish(engine, correlationId, "CT_Side")).toMatchObject({
      state: "finished",
      endEventKey: "CT_Done",
    });
  });
});

/** A model file with one executable process of the given body. */
function modelOf(body: string): string {
  const dir = tempDir("engine-compensation-");
  writeFileSync(
    path.join(dir, "refused.bpmn"),
    `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="t">
  <bpmn:process id="Refused" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="A" />
    ${body}
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`,
  );
  return dir;
}

const handled = `<bpmn:task id="A" /><bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="End" />
  <bpmn:boundaryEvent id="CompA" attachedToRef="A"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
  <bpmn:task id="UndoA" isForCompensation="true" />`;
const association = `<bpmn:association id="AsA" sourceRef="CompA" targetRef="UndoA" />`;

describe("compensation and transactions refused at load, naming file, element and what", () => {
  const cases: [string, string, string, RegExp][] = [
    ["a compensation boundary event without association", handled, "CompA", /exactly one association/],
    [
      "a compensation handler with sequence flows",
      `${handled}${association}<bpmn:sequenceFlow id="F9" sourceRef="UndoA" targetRef="End" />`,
      "UndoA",
      /compensation handler has no sequence flows/,
    ],
    [
      'waitForCompletion="false"',
      `<bpmn:task id="A" /><bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="T" />
       <bpmn:intermediateThrowEvent id="T"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:intermediateThrowEvent>
       <bpmn:sequenceFlow id="F3" sourceRef="T" targetRef="End" />`,
      "T",
      /waitForCompletion="false"/,
    ],
    [
      "an activityRef outside the throw event's scope",
      `<bpmn:subProcess id="A"><bpmn:startEvent id="S" /><bpmn:sequenceFlow id="S1" sourceRef="S" targetRef="In" />
         <bpmn:task id="In" /><bpmn:sequenceFlow id="S2" sourceRef="In" targetRef="SE" /><bpmn:endEvent id="SE" /></bpmn:subProcess>
       <bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="T" />
       <bpmn:intermediateThrowEvent id="T"><bpmn:compensateEventDefinition activityRef="In" /></bpmn:intermediateThrowEvent>
       <bpmn:sequenceFlow id="F3" sourceRef="T" targetRef="End" />`,
      "T",
      /activityRef "In" must name an activity in the compensation event's scope/,
    ],
    [
      "a cancel end event outside a transaction",
      `<bpmn:task id="A" /><bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="C" />
       <bpmn:endEvent id="C"><bpmn:cancelEventDefinition /></bpmn:endEvent><bpmn:sequenceFlow id="F3" sourceRef="A" targetRef="End" />`,
      "C",
      /cancel end event belongs directly in a transaction/,
    ],
    [
      "a transaction with a cancel end event and no cancel boundary event",
      `<bpmn:transaction id="A"><bpmn:startEvent id="S" /><bpmn:sequenceFlow id="S1" sourceRef="S" targetRef="C" />
         <bpmn:endEvent id="C"><bpmn:cancelEventDefinition /></bpmn:endEvent></bpmn:transaction>
       <bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="End" />`,
      "A",
      /needs a cancel boundary event/,
    ],
    [
      "a cancel boundary event on a sub-process",
      `<bpmn:subProcess id="A"><bpmn:startEvent id="S" /><bpmn:sequenceFlow id="S1" sourceRef="S" targetRef="SE" /><bpmn:endEvent id="SE" /></bpmn:subProcess>
       <bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="End" />
       <bpmn:boundaryEvent id="B" attachedToRef="A"><bpmn:cancelEventDefinition /></bpmn:boundaryEvent>
       <bpmn:sequenceFlow id="F3" sourceRef="B" targetRef="End" />`,
      "B",
      /cancel boundary event belongs on a transaction/,
    ],
    [
      "a transaction protocol other than ##Compensate",
      `<bpmn:transaction id="A" method="##Image"><bpmn:startEvent id="S" /><bpmn:sequenceFlow id="S1" sourceRef="S" targetRef="SE" /><bpmn:endEvent id="SE" /></bpmn:transaction>
       <bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="End" />`,
      "A",
      /transaction method="##Image"/,
    ],
    [
      "a compensation event sub-process",
      `<bpmn:task id="A" /><bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="End" />
       <bpmn:subProcess id="Handler" triggeredByEvent="true">
         <bpmn:startEvent id="CompStart"><bpmn:compensateEventDefinition /></bpmn:startEvent>
         <bpmn:sequenceFlow id="H1" sourceRef="CompStart" targetRef="HEnd" /><bpmn:endEvent id="HEnd" />
       </bpmn:subProcess>`,
      // Refused at the event sub-process today; at its compensation start event once event sub-processes run.
      "Handler|CompStart",
      /event sub-process/,
    ],
  ];
  for (const [what, body, element, reason] of cases) {
    it(what, async () => {
      const dir = modelOf(body);
      const error = await openEngine({ models: dir, data: ":memory:" }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ModelLoadError);
      expect(error).toMatchObject({ file: path.join(dir, "refused.bpmn") });
      expect((error as ModelLoadError).elementId).toMatch(new RegExp(`^(${element})$`));
      expect((error as ModelLoadError).reason).toMatch(reason);
    });
  }
});
