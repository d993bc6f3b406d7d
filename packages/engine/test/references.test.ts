import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openEngine } from "../src/index.js";
import { ModelLoadError } from "../src/types.js";
import { closeEngines, open, removeTempDirs, tempDir } from "./helpers.js";

afterEach(async () => {
  await closeEngines();
  removeTempDirs();
});

describe("references in the XML", () => {
  it("collapses whitespace around ids in IDREF text and attributes: a padded model loads and runs", async () => {
    const engine = await open();
    const model = engine.models.get("PaddedIds");
    expect(model?.flowNodes.get("Ask")?.lane).toBe("Clerks");
    const { instance } = await engine.start({ processModelKey: "PaddedIds", startEventKey: "Start" });
    const [task] = await engine.listUserTasks({ correlationId: instance.correlationId });
    expect(task).toMatchObject({ key: "Ask", lane: "Clerks" });
    const done = await engine.finishUserTask(task?.id as string, { formFields: {} });
    expect(done.instance).toMatchObject({ state: "finished", endEventKey: "End", endEventLane: "Clerks" });
  });

  it("runs an error end event given by eventDefinitionRef as an error end event", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "ErrorByRef", startEventKey: "Start" });
    expect(instance).toMatchObject({ state: "failed", failure: { kind: "error", flowNodeKey: "Failed" } });
    expect(instance.failure?.message).toContain("Refused");
  });

  it("waits at a message catch event given by eventDefinitionRef, with the message's name", async () => {
    const engine = await open();
    const { instance } = await engine.start({ processModelKey: "MessageByRef", startEventKey: "MStart" });
    const [event] = await engine.listEvents({ correlationId: instance.correlationId });
    expect(event).toMatchObject({ key: "Wait", eventType: "message", eventName: "by-ref" });
  });
});

/** A process Start → <node> → End, in a .bpmn file of its own. */
function modelWith(node: string, extra = ""): string {
  const dir = tempDir("engine-refusal-");
  writeFileSync(
    path.join(dir, "refused.bpmn"),
    `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Defs" targetNamespace="t">
  ${extra}
  <bpmn:process id="Refused" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="X" />
    ${node}
    <bpmn:sequenceFlow id="F2" sourceRef="X" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`,
  );
  return dir;
}

async function refusal(dir: string): Promise<ModelLoadError> {
  const error = await openEngine({ models: dir, data: ":memory:" }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

describe("attributes the engine would ignore are refused at load, naming file, element and what", () => {
  const cases: [string, string, RegExp, string?][] = [
    ["startQuantity 0", `<bpmn:task id="X" startQuantity="0" />`, /startQuantity="0"/],
    ["completionQuantity 0", `<bpmn:manualTask id="X" completionQuantity="0" />`, /completionQuantity="0"/],
    [
      "isForCompensation without a compensation boundary event",
      `<bpmn:task id="X" isForCompensation="true" />`,
      /isForCompensation activity that no compensation boundary event is associated with/,
    ],
    [
      "a call activity naming no process of the loaded models",
      `<bpmn:callActivity id="X" calledElement="Nowhere" />`,
      /calledElement "Nowhere" is no process of the loaded models/,
    ],
    ["a call activity without calledElement", `<bpmn:callActivity id="X" />`, /without calledElement/],
    [
      "a call activity bound to a version",
      `<bpmn:callActivity id="X" calledElement="Refused" camunda:calledElementBinding="version" camunda:calledElementVersion="2" />`,
      /calledElementBinding="version"/,
    ],
    [
      "multi-instance over data inputs",
      `<bpmn:task id="X"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>Data</bpmn:loopDataInputRef></bpmn:multiInstanceLoopCharacteristics></bpmn:task><bpmn:dataObject id="Data" />`,
      /multi-instance with loopDataInputRef/,
    ],
    [
      "multi-instance without a count",
      `<bpmn:task id="X"><bpmn:multiInstanceLoopCharacteristics /></bpmn:task>`,
      /needs a loopCardinality or a camunda:collection/,
    ],
    [
      "multi-instance with a behavior that throws events",
      `<bpmn:task id="X"><bpmn:multiInstanceLoopCharacteristics behavior="One"><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`,
      /behavior="One"/,
    ],
    [
      "a loop expression in another language",
      `<bpmn:task id="X"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality xsi:type="bpmn:tFormalExpression" language="groovy">2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`,
      /loopCardinality in language "groovy"/,
    ],
    [
      "a loop expression that does not compile (JUEL)",
      `<bpmn:task id="X"><bpmn:multiInstanceLoopCharacteristics camunda:collection="\${items}" /></bpmn:task>`,
      /does not compile/,
    ],
    [
      "a standard loop that never ends",
      `<bpmn:task id="X"><bpmn:standardLoopCharacteristics /></bpmn:task>`,
      /needs a loopCondition or a loopMaximum/,
    ],
    [
      "parallelMultiple",
      `<bpmn:intermediateCatchEvent id="X" parallelMultiple="true"><bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent>`,
      /parallelMultiple/,
    ],
    [
      "an execution listener",
      `<bpmn:task id="X"><bpmn:extensionElements><camunda:executionListener class="a.B" event="start" /></bpmn:extensionElements></bpmn:task>`,
      /camunda:executionListener/,
    ],
    [
      "a task listener",
      `<bpmn:userTask id="X"><bpmn:extensionElements><camunda:taskListener class="a.B" event="create" /></bpmn:extensionElements></bpmn:userTask>`,
      /camunda:taskListener/,
    ],
    [
      "camunda:inputOutput",
      `<bpmn:task id="X"><bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="a">1</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements></bpmn:task>`,
      /camunda:inputOutput/,
    ],
    [
      "camunda:resultVariable",
      `<bpmn:scriptTask id="X" scriptFormat="javascript" camunda:resultVariable="r"><bpmn:script>return 1;</bpmn:script></bpmn:scriptTask>`,
      /resultVariable/,
    ],
    [
      "an external script resource",
      `<bpmn:scriptTask id="X" scriptFormat="javascript" camunda:resource="a.js" />`,
      /camunda:resource/,
    ],
    [
      "a data input association",
      `<bpmn:task id="X"><bpmn:dataInputAssociation id="DIA"><bpmn:sourceRef>Data</bpmn:sourceRef><bpmn:targetRef>X</bpmn:targetRef></bpmn:dataInputAssociation></bpmn:task><bpmn:dataObject id="Data" />`,
      /dataInputAssociation/,
    ],
    [
      "an error end event by reference to an unsupported definition kind",
      `<bpmn:task id="X" /><bpmn:endEvent id="Esc"><bpmn:eventDefinitionRef>TimerDef</bpmn:eventDefinitionRef></bpmn:endEvent><bpmn:sequenceFlow id="F3" sourceRef="X" targetRef="Esc" />`,
      /EndEvent with TimerEventDefinition/,
      `<bpmn:timerEventDefinition id="TimerDef" />`,
    ],
  ];
  for (const [what, node, reason, extra] of cases) {
    it(what, async () => {
      const dir = modelWith(node, extra);
      const error = await refusal(dir);
      expect(error.file).toBe(path.join(dir, "refused.bpmn"));
      expect(error.elementId).toBe(what.startsWith("an error end event") ? "Esc" : "X");
      expect(error.reason).toMatch(reason);
    });
  }

  it("a condition in another language than JavaScript", async () => {
    const dir = modelWith(
      `<bpmn:exclusiveGateway id="X" default="F2" /><bpmn:sequenceFlow id="F3" sourceRef="X" targetRef="End"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="groovy">amount &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>`,
    );
    const error = await refusal(dir);
    expect(error.elementId).toBe("F3");
    expect(error.reason).toMatch(/condition language "groovy"/);
  });
});
