import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEngine } from "../src/index.js";
import { ModelLoadError } from "../src/types.js";
import {
  closeEngines,
  fixtures,
  invalidFixture,
  modelsDir,
  open,
  removeTempDirs,
  tempDir,
} from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

async function loadError(dir: string): Promise<ModelLoadError> {
  const error = await openEngine({ models: dir, data: ":memory:" }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

describe("model loading", () => {
  it("knows every process with its start and end events, flow nodes and file", async () => {
    const engine = await open();
    const order = engine.models.get("Order");
    expect(order).toMatchObject({
      key: "Order",
      name: "Order process",
      executable: true,
      file: path.join(fixtures, "order.bpmn"),
    });
    expect(order?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(order?.startEvents).toEqual([
      { key: "StartWeb", name: "Web order", type: "StartEvent", lane: "Sales" },
      { key: "StartPhone", name: "Phone order", type: "StartEvent", lane: "Sales" },
    ]);
    expect(order?.endEvents.map((event) => [event.key, event.lane])).toEqual([
      ["EndBig", "Accounting"],
      ["EndSmall", null],
    ]);
    expect(order?.flowNodes.get("Amount")).toEqual({
      key: "Amount",
      name: "Amount?",
      type: "ExclusiveGateway",
      lane: "Accounting",
    });
  });

  it("loads non-executable processes without validating them strictly", async () => {
    const engine = await open();
    const draft = engine.models.get("Draft");
    expect(draft?.executable).toBe(false);
    expect(draft?.startEvents.map((event) => event.key)).toEqual(["DraftStart"]);
    expect(draft?.flowNodes.get("DraftService")?.type).toBe("ServiceTask");
  });

  it("computes the innermost lane of nested lanes", async () => {
    const order = (await open()).models.get("Order");
    expect(order?.flowNodes.get("Review")?.lane).toBe("Managers");
    expect(order?.flowNodes.get("Calc")?.lane).toBe("Sales");
    expect(order?.flowNodes.get("EndSmall")?.lane).toBeNull();
  });

  it("gives nodes inside a sub-process the sub-process's lane unless they have their own", async () => {
    const sub = (await open()).models.get("Sub");
    expect(sub?.flowNodes.get("Inner")?.lane).toBe("Back office");
    expect(sub?.flowNodes.get("InnerTask")?.lane).toBe("Back office");
    expect(sub?.flowNodes.get("InnerStart")?.lane).toBe("Back office");
    expect(sub?.flowNodes.get("InnerApprove")?.lane).toBe("Front office");
    expect(sub?.startEvents.map((event) => event.key)).toEqual(["Start"]);
    expect(sub?.endEvents.map((event) => event.key)).toEqual(["End"]);
  });

  it("parses camunda forms: every field type, converted defaults, enum values, required", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "Order", startEventKey: "StartWeb" });
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    expect(task?.formFields).toEqual([
      { id: "customer", label: "Customer", type: "string", defaultValue: "ACME" },
      { id: "amount", label: "Amount", type: "long", defaultValue: 42, required: true },
      { id: "price", label: "Price", type: "number", defaultValue: 1.5 },
      { id: "approved", label: "Approved?", type: "boolean", defaultValue: false },
      { id: "due", label: "Due", type: "date", defaultValue: "2026-01-31" },
      {
        id: "priority",
        label: "Priority",
        type: "enum",
        defaultValue: "low",
        enumValues: [
          { id: "low", name: "Low" },
          { id: "high", name: "High" },
        ],
      },
      { id: "note", type: "string" },
    ]);
  });

  describe("errors name the file and the element", () => {
    it("unparseable XML", async () => {
      const dir = modelsDir("invalid/unparseable.bpmn");
      const error = await loadError(dir);
      expect(error.file).toBe(path.join(dir, "unparseable.bpmn"));
      expect(error.reason).toMatch(/unparseable/);
      expect(error.message).toContain("unparseable.bpmn");
    });

    it("an unsupported element in an executable process", async () => {
      const dir = modelsDir("invalid/unsupported.bpmn");
      const error = await loadError(dir);
      expect(error.file).toBe(path.join(dir, "unsupported.bpmn"));
      expect(error.elementId).toBe("CallService");
      expect(error.reason).toMatch(/unsupported element: ServiceTask/);
      expect(error.message).toContain('"CallService"');
    });

    it("a conditional boundary event whose condition is not JavaScript", async () => {
      const error = await loadError(modelsDir("invalid/boundary.bpmn"));
      expect(error.file).toMatch(/boundary\.bpmn$/);
      expect(error.elementId).toBe("Deadline");
      expect(error.reason).toMatch(/condition language "groovy"/);
    });

    it("a conditional start event of a process (only event sub-processes start by a condition)", async () => {
      const error = await loadError(modelsDir("invalid/conditional-start.bpmn"));
      expect(error.elementId).toBe("ConditionalStart");
      expect(error.reason).toMatch(/unsupported element: StartEvent with ConditionalEventDefinition/);
    });

    it("an event sub-process with a sequence flow into it", async () => {
      const error = await loadError(modelsDir("invalid/esp-with-flow.bpmn"));
      expect(error.elementId).toBe("Handler");
      expect(error.reason).toMatch(/event sub-process has a sequence flow in or out/);
    });

    it("a non-interrupting error start event (BPMN 2.0.2: error event sub-processes interrupt)", async () => {
      const error = await loadError(modelsDir("invalid/esp-error-non-interrupting.bpmn"));
      expect(error.elementId).toBe("ErrorStart");
      expect(error.reason).toMatch(/isInterrupting="false" on an error start event/);
    });

    it("an interrupting and a non-interrupting escalation event sub-process of one code in one scope (Camunda 7 refuses them too)", async () => {
      const error = await loadError(modelsDir("invalid/esp-escalation-twice.bpmn"));
      expect(error.elementId).toBe("LateNote");
      expect(error.reason).toMatch(/a second catcher of escalation "LATE" in one scope \(beside LateStop\)/);
    });

    it("two catch-all error boundary events on one activity", async () => {
      const error = await loadError(modelsDir("invalid/boundary-error-catch-all-twice.bpmn"));
      expect(error.elementId).toBe("AnyErrorAgain");
      expect(error.reason).toMatch(/a second catcher of error \(any\) in one scope \(beside AnyError\)/);
    });

    it("an event sub-process whose start event has no trigger", async () => {
      const error = await loadError(modelsDir("invalid/esp-none-start.bpmn"));
      expect(error.elementId).toBe("PlainStart");
      expect(error.reason).toMatch(/needs an event definition/);
    });

    it("a message end event with a Camunda implementation instead of its message", async () => {
      const error = await loadError(modelsDir("invalid/message-end-class.bpmn"));
      expect(error.elementId).toBe("Notify");
      expect(error.reason).toMatch(/camunda:class on EndEvent/);
    });

    it("a conditional event limited to changes of named variables (camunda:variableName)", async () => {
      const error = await loadError(modelsDir("invalid/conditional-variable.bpmn"));
      expect(error.elementId).toBe("When");
      expect(error.reason).toMatch(/camunda:variableName/);
    });

    it("a script that does not compile", async () => {
      const error = await loadError(modelsDir("invalid/bad-script.bpmn"));
      expect(error.file).toMatch(/bad-script\.bpmn$/);
      expect(error.elementId).toBe("Broken");
      expect(error.reason).toMatch(/does not compile/);
    });

    it("a condition that does not compile", async () => {
      const error = await loadError(modelsDir("invalid/bad-condition.bpmn"));
      expect(error.file).toMatch(/bad-condition\.bpmn$/);
      expect(error.elementId).toBe("BadFlow");
      expect(error.reason).toMatch(/does not compile/);
    });

    it("a timer duration that is not ISO 8601", async () => {
      const error = await loadError(modelsDir("invalid/bad-timer.bpmn"));
      expect(error.elementId).toBe("Soon");
      expect(error.reason).toMatch(/ISO 8601/);
    });

    it("a form default that does not match its type", async () => {
      const error = await loadError(modelsDir("invalid/bad-form.bpmn"));
      expect(error.elementId).toBe("Ask");
      expect(error.reason).toMatch(/not a long/);
    });

    it("a process id defined in two files", async () => {
      const dir = modelsDir("invalid/duplicate-a.bpmn", "invalid/duplicate-b.bpmn");
      const error = await loadError(dir);
      expect(error.file).toBe(path.join(dir, "duplicate-b.bpmn"));
      expect(error.elementId).toBe("Dup");
      expect(error.reason).toContain("duplicate-a.bpmn");
    });

    it("a duplicate element id within one file", async () => {
      const dir = tempDir();
      cpSync(invalidFixture("duplicate-a.bpmn"), path.join(dir, "dup.bpmn"));
      const source = readFileSync(path.join(dir, "dup.bpmn"), "utf8");
      writeFileSync(path.join(dir, "dup.bpmn"), source.replace('id="Enda"', 'id="Starta"'));
      const error = await loadError(dir);
      expect(error.file).toBe(path.join(dir, "dup.bpmn"));
      expect(error.reason).toMatch(/Starta/);
    });
  });
});

describe("elements without an implementation are refused with the reason", () => {
  for (const [what, node, reason] of [
    [
      "a complex gateway",
      `<bpmn:complexGateway id="X" />`,
      /^unsupported element: ComplexGateway \(its activationCondition and two-phase join are not implemented\)$/,
    ],
    [
      "an ad-hoc sub-process",
      `<bpmn:adHocSubProcess id="X"><bpmn:task id="In" /></bpmn:adHocSubProcess>`,
      /^unsupported element: AdHocSubProcess \(activities started at will, without sequence flow, are not implemented\)$/,
    ],
  ] as const) {
    it(what, async () => {
      const dir = tempDir("engine-refused-");
      const file = path.join(dir, "refused.bpmn");
      writeFileSync(
        file,
        `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="t">
  <bpmn:process id="Refused" isExecutable="true">
    <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="X" />
    ${node}
    <bpmn:sequenceFlow id="F2" sourceRef="X" targetRef="End" /><bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`,
      );
      const error = await loadError(dir);
      expect(error).toMatchObject({ file, elementId: "X" });
      expect(error.reason).toMatch(reason);
    });
  }
});
