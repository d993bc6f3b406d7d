import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { BpmnModdle } from "bpmn-moddle";
import { compileCondition } from "./conditions.js";
import { FormError, parseForm } from "./forms.js";
import { collapseReferences } from "./id-references.js";
import { ignoredAttribute, isJavaScript, JAVASCRIPT_LANGUAGES } from "./ignored-attributes.js";
import { computeInclusiveReach } from "./inclusive-reach.js";
import { laneAssignments } from "./lanes.js";
import { collectionExpression, compileLoopScript, type LoopExpressions } from "./loop-script.js";
import type { ModdleElement } from "./moddle-element.js";
import type { BoundaryTrigger, CompiledProcess, FlowDef, NodeDef, NodeKind } from "./model.js";
import {
  checkCondition,
  compileChooser,
  compileScript,
  compileSelector,
  ScriptSyntaxError,
} from "./scripts.js";
import { parseTimer, type TimerDef } from "./timer-definitions.js";
import { type FlowNodeInfo, type LaneName, ModelLoadError, type ProcessModelInfo } from "./types.js";

const camundaDescriptor: unknown = createRequire(import.meta.url)(
  "camunda-bpmn-moddle/resources/camunda.json",
);

/** One .bpmn file's source, identified by its hash: the unit a running instance is pinned to. */
export interface ModelSource {
  hash: string;
  file: string;
  source: string;
}

export function hashSource(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/** Reads and validates every *.bpmn file of a directory. Throws ModelLoadError on the first problem. */
export async function loadModelDirectory(
  dir: string,
): Promise<{ sources: ModelSource[]; processes: CompiledProcess[] }> {
  const absolute = path.resolve(dir);
  const names = (await readdir(absolute)).filter((name) => name.toLowerCase().endsWith(".bpmn")).sort();
  const sources: ModelSource[] = [];
  const processes: CompiledProcess[] = [];
  const fileOf = new Map<string, string>();
  for (const name of names) {
    const file = path.join(absolute, name);
    const source = await readFile(file, "utf8");
    const hash = hashSource(source);
    sources.push({ hash, file, source });
    for (const compiled of await compileSource(file, source, hash)) {
      const earlier = fileOf.get(compiled.info.key);
      if (earlier !== undefined) {
        throw new ModelLoadError(file, compiled.info.key, `process id already defined in ${earlier}`);
      }
      fileOf.set(compiled.info.key, file);
      processes.push(compiled);
    }
  }
  checkCalledElements(processes);
  return { sources, processes };
}

/**
 * A call activity calls a process of the loaded models (they load as a set, so this runs once all are
 * compiled): an executable one with exactly one none start event, the one its instance starts at.
 */
function checkCalledElements(processes: CompiledProcess[]): void {
  const byKey = new Map(processes.map((compiled) => [compiled.info.key, compiled]));
  for (const compiled of processes) {
    for (const node of compiled.nodes.values()) {
      if (node.kind !== "callActivity") continue;
      const called = byKey.get(node.calledElement as string);
      const fail = (reason: string): never => {
        throw new ModelLoadError(compiled.info.file, node.key, reason);
      };
      if (!called) fail(`calledElement "${node.calledElement}" is no process of the loaded models`);
      else if (!called.info.executable)
        fail(`calledElement "${node.calledElement}" is not executable (isExecutable="true" is missing)`);
      else if (called.info.startEvents.length !== 1)
        fail(
          `the called process "${node.calledElement}" needs exactly one none start event (it has ${called.info.startEvents.length})`,
        );
    }
  }
}

/** Parses one file's source into its processes; executable ones are validated and compiled. */
export async function compileSource(file: string, source: string, hash: string): Promise<CompiledProcess[]> {
  const moddle = new BpmnModdle({ camunda: camundaDescriptor });
  let parsed: Awaited<ReturnType<BpmnModdle["fromXML"]>>;
  try {
    parsed = await moddle.fromXML(collapseReferences(source));
  } catch (error) {
    throw new ModelLoadError(file, undefined, `unparseable XML: ${oneLine(error)}`);
  }
  const warning = parsed.warnings[0];
  if (warning) {
    throw new ModelLoadError(file, warning.element?.id, `unparseable content: ${oneLine(warning)}`);
  }
  const definitions = parsed.rootElement as ModdleElement;
  return (definitions.rootElements ?? [])
    .filter((element) => element.$type === "bpmn:Process")
    .map((process) => new ProcessCompiler(file, hash, process).compile());
}

/** The code an error is matched by: its errorCode, else its id (Camunda 7 matches by errorCode). */
function errorCodeOf(error: ModdleElement | undefined): string | undefined {
  return error?.errorCode ?? error?.id;
}

/** The code an escalation is matched by: its escalationCode, else its id. */
function escalationCodeOf(escalation: ModdleElement | undefined): string | undefined {
  return escalation?.escalationCode ?? escalation?.id;
}

/** bpmn-moddle's messages span lines ("…detected", "line: 3", "nested error: duplicate ID <Start>"). */
function oneLine(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message ?? String(error);
  return String(message)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join(", ");
}

/** The activities a compensation boundary event may sit on. */
const COMPENSABLE_KINDS = new Set<NodeKind>([
  "activity",
  "userTask",
  "script",
  "receiveTask",
  "externalTask",
  "subProcess",
]);

const IGNORED_ELEMENTS = new Set(["bpmn:DataObject", "bpmn:DataObjectReference", "bpmn:DataStoreReference"]);

class ProcessCompiler {
  private readonly executable: boolean;
  private readonly lanes: Map<string, string>;
  private readonly flowNodes = new Map<string, FlowNodeInfo>();
  private readonly nodes = new Map<string, NodeDef>();
  /** Flow node id → id of the process or sub-process that contains it. */
  private readonly containerOf = new Map<string, string>();
  private readonly flows: ModdleElement[] = [];
  private readonly associations: ModdleElement[] = [];
  private readonly elements = new Map<string, ModdleElement>();
  /** The event sub-processes at the process level. */
  private readonly eventSubProcesses: string[] = [];

  constructor(
    private readonly file: string,
    private readonly hash: string,
    private readonly process: ModdleElement,
  ) {
    this.executable = process.isExecutable === true;
    this.lanes = laneAssignments(process);
  }

  compile(): CompiledProcess {
    const key = this.process.id ?? "";
    this.collect(this.process, null);
    if (this.executable) this.compileFlows();
    const topLevel = (this.process.flowElements ?? []).filter((element) => element.id !== undefined);
    const infoOf = (element: ModdleElement) => this.flowNodes.get(element.id as string) as FlowNodeInfo;
    const info: ProcessModelInfo = {
      key,
      executable: this.executable,
      file: this.file,
      hash: this.hash,
      // Only none start events: timer, message and signal ones start instances by themselves or by name.
      startEvents: topLevel
        .filter(
          (element) =>
            element.$type === "bpmn:StartEvent" &&
            !element.eventDefinitions?.length &&
            !element.eventDefinitionRef?.length,
        )
        .map(infoOf),
      // An instance also finishes through the end events of its process-level event sub-processes.
      endEvents: [
        ...topLevel,
        ...topLevel
          .filter((element) => element.$type === "bpmn:SubProcess" && element.triggeredByEvent)
          .flatMap((element) => element.flowElements ?? []),
      ]
        .filter((element) => element.$type === "bpmn:EndEvent" && element.id !== undefined)
        .map(infoOf),
      flowNodes: this.flowNodes,
    };
    if (this.process.name !== undefined) info.name = this.process.name;
    const timerStarts = [...this.nodes.values()].filter((node) => node.kind === "start" && node.timer);
    const nameStarts = [...this.nodes.values()].filter((node) => node.kind === "start" && node.eventType);
    return { info, nodes: this.nodes, timerStarts, nameStarts, eventSubProcesses: this.eventSubProcesses };
  }

  private collect(container: ModdleElement, enclosingLane: LaneName): void {
    for (const [id, lane] of laneAssignments(container))
      if (container !== this.process) this.lanes.set(id, lane);
    for (const artifact of container.artifacts ?? []) {
      if (artifact.$type === "bpmn:Association") this.associations.push(artifact);
    }
    for (const element of container.flowElements ?? []) {
      if (element.$type === "bpmn:SequenceFlow") {
        this.flows.push(element);
        continue;
      }
      if (IGNORED_ELEMENTS.has(element.$type) || !element.id) continue;
      const lane = this.lanes.get(element.id) ?? enclosingLane;
      const info: FlowNodeInfo = { key: element.id, type: element.$type.replace(/^bpmn:/, ""), lane };
      if (element.name !== undefined) info.name = element.name;
      this.flowNodes.set(element.id, info);
      this.elements.set(element.id, element);
      this.containerOf.set(element.id, container.id ?? "");
      if (this.executable) this.nodes.set(element.id, this.classify(element, info));
      if (element.$type === "bpmn:SubProcess" || element.$type === "bpmn:Transaction") {
        this.collect(element, lane);
      }
    }
  }

  private fail(elementId: string | undefined, reason: string): never {
    throw new ModelLoadError(this.file, elementId, reason);
  }

  /** The node of a flow element, with its loop characteristics and token quantities. */
  private classify(element: ModdleElement, info: FlowNodeInfo): NodeDef {
    const def = this.classifyKind(element, info);
    if (element.loopCharacteristics) this.loop(def, element.loopCharacteristics);
    if ((element.startQuantity ?? 1) > 1) def.startQuantity = element.startQuantity as number;
    if ((element.completionQuantity ?? 1) > 1) def.completionQuantity = element.completionQuantity as number;
    return def;
  }

  /** Multi-instance (BPMN 2.0.2 §13.3.7) or standard loop (§13.3.6) characteristics of an activity. */
  private loop(def: NodeDef, characteristics: ModdleElement): void {
    const id = def.key;
    const expression = (attribute: string, element: ModdleElement | undefined): string | undefined => {
      const language = element?.language;
      if (language !== undefined && !JAVASCRIPT_LANGUAGES.has(language.trim().toLowerCase()))
        this.fail(id, `unsupported: ${attribute} in language "${language}" (only JavaScript)`);
      const body = element?.body?.trim();
      return body === "" ? undefined : body;
    };
    const filename = `${this.file}#${id}`;
    if (characteristics.$type === "bpmn:MultiInstanceLoopCharacteristics") {
      for (const [name, value] of [
        ["loopDataInputRef", characteristics.loopDataInputRef],
        ["loopDataOutputRef", characteristics.loopDataOutputRef],
        ["inputDataItem", characteristics.inputDataItem],
        ["outputDataItem", characteristics.outputDataItem],
        ["complexBehaviorDefinition", characteristics.complexBehaviorDefinition?.length ? true : undefined],
      ] as const) {
        if (value !== undefined) this.fail(id, `unsupported: multi-instance with ${name}`);
      }
      // The other behaviours throw events as instances complete.
      if ((characteristics.behavior ?? "All") !== "All")
        this.fail(id, `unsupported: multi-instance behavior="${characteristics.behavior}" (only "All")`);
      const cardinality = expression("loopCardinality", characteristics.loopCardinality);
      const collection = characteristics.collection?.trim() || undefined;
      if (cardinality !== undefined && collection !== undefined)
        this.fail(id, "a multi-instance activity with both loopCardinality and camunda:collection");
      if (cardinality === undefined && collection === undefined)
        this.fail(id, "a multi-instance activity needs a loopCardinality or a camunda:collection");
      const elementVariable = characteristics.elementVariable?.trim() || undefined;
      if (elementVariable !== undefined && collection === undefined)
        this.fail(id, "camunda:elementVariable without camunda:collection");
      const completion = expression("completionCondition", characteristics.completionCondition);
      def.loop = {
        kind: "multiInstance",
        sequential: characteristics.isSequential === true,
        collection: collection !== undefined,
        completionCondition: completion !== undefined,
        ...(elementVariable === undefined ? {} : { elementVariable }),
      };
      const count =
        collection === undefined
          ? { attribute: "loopCardinality", expression: cardinality as string }
          : { attribute: "camunda:collection", expression: collectionExpression(collection) };
      const expressions: LoopExpressions = { count };
      if (completion !== undefined) expressions.completion = completion;
      def.loopScript = this.compileOrFail(id, () => compileLoopScript(expressions, filename));
      return;
    }
    if (characteristics.$type !== "bpmn:StandardLoopCharacteristics")
      this.fail(id, `unsupported: ${characteristics.$type.replace(/^bpmn:/, "")}`);
    const maximum = characteristics.loopMaximum;
    if (maximum !== undefined && !(Number.isInteger(maximum) && maximum >= 0))
      this.fail(id, `loopMaximum="${maximum}" is not a whole number`);
    const condition = expression("loopCondition", characteristics.loopCondition);
    if (condition === undefined && maximum === undefined)
      this.fail(id, "a standard loop needs a loopCondition or a loopMaximum (it would never end)");
    def.loop = {
      kind: "standard",
      testBefore: characteristics.testBefore === true,
      condition: condition !== undefined,
      ...(maximum === undefined ? {} : { maximum }),
    };
    if (condition !== undefined)
      def.loopScript = this.compileOrFail(id, () => compileLoopScript({ condition }, filename));
  }

  private classifyKind(element: ModdleElement, info: FlowNodeInfo): NodeDef {
    const id = info.key;
    const node = (kind: NodeKind): NodeDef => {
      const def: NodeDef = {
        key: id,
        type: info.type,
        kind,
        lane: info.lane,
        outgoing: [],
        incoming: [],
      };
      if (info.name !== undefined) def.name = info.name;
      return def;
    };
    const container = this.elements.get(this.containerOf.get(id) ?? "");
    const inEventSubProcess = container?.triggeredByEvent === true;
    const ignored = ignoredAttribute(element, { inEventSubProcess });
    if (ignored) this.fail(id, `unsupported: ${ignored}`);
    // Inline and referenced (<eventDefinitionRef>, a root-level definition) event definitions alike.
    const definitions = [...(element.eventDefinitions ?? []), ...(element.eventDefinitionRef ?? [])];
    if (definitions.length > 1)
      this.fail(id, `unsupported element: ${info.type} with several event definitions`);
    const definition = definitions[0];
    if (element.$type === "bpmn:StartEvent" && definition?.$type === "bpmn:CompensateEventDefinition") {
      this.fail(id, "unsupported: a compensation event sub-process (compensation start event)");
    }
    const unsupported = (): never =>
      this.fail(
        id,
        `unsupported element: ${info.type}${definition ? ` with ${definition.$type.replace(/^bpmn:/, "")}` : ""}`,
      );

    switch (element.$type) {
      case "bpmn:StartEvent": {
        if (inEventSubProcess)
          return this.eventSubStart(element, node("eventSubStart"), definition, unsupported);
        if (!definition) return node("start");
        if (this.containerOf.get(id) !== this.process.id) {
          this.fail(
            id,
            `unsupported: a start event with ${definition.$type.replace(/^bpmn:/, "")} inside a sub-process`,
          );
        }
        if (definition.$type === "bpmn:MessageEventDefinition") {
          return this.waitFor(node("start"), "message", definition.messageRef);
        }
        if (definition.$type === "bpmn:SignalEventDefinition") {
          return this.waitFor(node("start"), "signal", definition.signalRef);
        }
        if (definition.$type !== "bpmn:TimerEventDefinition") return unsupported();
        const def = node("start");
        def.timer = this.timer(id, definition);
        return def;
      }
      case "bpmn:EndEvent":
        if (!definition) return node("end");
        if (definition.$type === "bpmn:TerminateEventDefinition") return node("terminateEnd");
        if (definition.$type === "bpmn:EscalationEventDefinition") {
          return this.escalation(node("escalationEnd"), definition);
        }
        if (definition.$type === "bpmn:SignalEventDefinition") {
          return this.waitFor(node("signalEnd"), "signal", definition.signalRef);
        }
        if (definition.$type === "bpmn:MessageEventDefinition") {
          this.refuseImplementation(id, definition, info.type);
          return this.waitFor(node("messageEnd"), "message", definition.messageRef);
        }
        if (definition.$type === "bpmn:CompensateEventDefinition") {
          return this.compensation(node("compensateEnd"), definition);
        }
        if (definition.$type === "bpmn:CancelEventDefinition") return node("cancelEnd");
        if (definition.$type === "bpmn:ErrorEventDefinition") {
          const def = node("errorEnd");
          const error = definition.errorRef;
          const label = error?.name ?? error?.errorCode ?? error?.id;
          def.errorText = label ? `error end event reached: ${label}` : "error end event reached";
          const code = errorCodeOf(error);
          if (code !== undefined) def.errorCode = code;
          return def;
        }
        return unsupported();
      case "bpmn:UserTask": {
        const def = node("userTask");
        try {
          def.formFields = parseForm(element);
        } catch (error) {
          if (error instanceof FormError) this.fail(id, error.message);
          throw error;
        }
        return def;
      }
      case "bpmn:SendTask":
        // Not done by a worker: it delivers its message by name within the instance's correlation (SPEC §6.1).
        if (element.type === undefined) {
          this.refuseImplementation(id, element, info.type);
          return this.waitFor(node("sendTask"), "message", element.messageRef);
        }
        return this.externalTask(element, node("externalTask"), info.type);
      case "bpmn:ServiceTask":
      case "bpmn:BusinessRuleTask":
        return this.externalTask(element, node("externalTask"), info.type);
      case "bpmn:ManualTask":
      case "bpmn:Task":
        return node("activity");
      case "bpmn:ScriptTask": {
        const format = (element.scriptFormat ?? "javascript").toLowerCase();
        if (!["javascript", "js", "ecmascript"].includes(format)) {
          this.fail(id, `unsupported script format "${element.scriptFormat}"`);
        }
        const def = node("script");
        def.script = this.compileOrFail(id, () => compileScript(element.script ?? "", `${this.file}#${id}`));
        return def;
      }
      case "bpmn:ExclusiveGateway":
        return node("exclusive");
      case "bpmn:ParallelGateway":
        return node("parallel");
      case "bpmn:InclusiveGateway":
        return node("inclusive");
      case "bpmn:ComplexGateway":
        return this.fail(
          id,
          "unsupported element: ComplexGateway (its activationCondition and two-phase join are not implemented)",
        );
      case "bpmn:AdHocSubProcess":
        return this.fail(
          id,
          "unsupported element: AdHocSubProcess (activities started at will, without sequence flow, are not implemented)",
        );
      case "bpmn:EventBasedGateway":
        if (element.instantiate === true)
          this.fail(id, `unsupported: instantiate="true" on an event-based gateway`);
        if (element.eventGatewayType === "Parallel") {
          this.fail(id, `unsupported: eventGatewayType="Parallel" on an event-based gateway`);
        }
        return node("eventGateway");
      case "bpmn:IntermediateCatchEvent":
        if (definition?.$type === "bpmn:LinkEventDefinition") return this.link(node("linkCatch"), definition);
        if (definition?.$type === "bpmn:MessageEventDefinition") {
          return this.waitFor(node("messageCatch"), "message", definition.messageRef);
        }
        if (definition?.$type === "bpmn:SignalEventDefinition") {
          return this.waitFor(node("signalCatch"), "signal", definition.signalRef);
        }
        if (definition?.$type === "bpmn:TimerEventDefinition") {
          const def = node("timerCatch");
          def.timer = this.timer(id, definition);
          return def;
        }
        if (definition?.$type === "bpmn:ConditionalEventDefinition") {
          const def = node("conditionalCatch");
          def.condition = this.condition(id, definition);
          return def;
        }
        return unsupported();
      case "bpmn:ReceiveTask":
        return this.waitFor(node("receiveTask"), "message", element.messageRef);
      case "bpmn:IntermediateThrowEvent":
        if (!definition) return node("passThroughEvent");
        if (definition.$type === "bpmn:EscalationEventDefinition") {
          return this.escalation(node("escalationThrow"), definition);
        }
        if (definition.$type === "bpmn:LinkEventDefinition") return this.link(node("linkThrow"), definition);
        if (definition.$type === "bpmn:SignalEventDefinition") {
          return this.waitFor(node("signalThrow"), "signal", definition.signalRef);
        }
        if (definition.$type === "bpmn:MessageEventDefinition") {
          this.refuseImplementation(id, definition, info.type);
          return this.waitFor(node("messageThrow"), "message", definition.messageRef);
        }
        if (definition.$type === "bpmn:CompensateEventDefinition") {
          return this.compensation(node("compensateThrow"), definition);
        }
        return unsupported();
      case "bpmn:Transaction":
      case "bpmn:SubProcess": {
        if (element.triggeredByEvent) return this.eventSubProcess(element, node("eventSubProcess"));
        // ##Store and ##Image name transaction protocols this engine has no notion of.
        if (element.method !== undefined && element.method.trim() !== "##Compensate") {
          this.fail(id, `unsupported: transaction method="${element.method}" (only ##Compensate)`);
        }
        const starts = (element.flowElements ?? []).filter((child) => child.$type === "bpmn:StartEvent");
        const none = (child: ModdleElement) =>
          !child.eventDefinitions?.length && !child.eventDefinitionRef?.length;
        if (starts.length !== 1 || !starts.every(none))
          this.fail(id, "a sub-process needs exactly one none start event");
        const def = node("subProcess");
        def.innerStart = starts[0]?.id as string;
        if (element.$type === "bpmn:Transaction") def.transaction = true;
        return def;
      }
      case "bpmn:CallActivity": {
        // Which process is called is checked once every model is loaded (checkCalledElements).
        const called = element.calledElement?.trim();
        if (!called) this.fail(id, "a call activity without calledElement");
        if ((element.calledElementBinding ?? "latest") !== "latest")
          this.fail(
            id,
            `unsupported: camunda:calledElementBinding="${element.calledElementBinding}" (only "latest")`,
          );
        for (const [name, value] of [
          ["camunda:calledElementVersion", element.calledElementVersion],
          ["camunda:calledElementVersionTag", element.calledElementVersionTag],
          ["camunda:calledElementTenantId", element.calledElementTenantId],
          ["camunda:caseRef (a CMMN case)", element.caseRef],
          ["camunda:variableMappingClass", element.variableMappingClass],
          ["camunda:variableMappingDelegateExpression", element.variableMappingDelegateExpression],
        ] as const) {
          if (value !== undefined) this.fail(id, `unsupported: ${name}`);
        }
        const def = node("callActivity");
        def.calledElement = called;
        return def;
      }
      case "bpmn:BoundaryEvent":
        return this.boundary(element, node("boundary"), definition, unsupported);
      default:
        return unsupported();
    }
  }

  /** A boundary event; checked against its activity once every node is known (checkBoundaries). */
  private boundary(
    element: ModdleElement,
    def: NodeDef,
    definition: ModdleElement | undefined,
    unsupported: () => never,
  ): NodeDef {
    const attachedTo = element.attachedToRef?.id;
    if (!attachedTo) this.fail(def.key, "boundary event without attachedToRef");
    def.attachedTo = attachedTo;
    def.cancelActivity = element.cancelActivity !== false;
    // BPMN 2.0.2 §10.5.4: an error boundary event always interrupts.
    if (definition?.$type === "bpmn:ErrorEventDefinition" && !def.cancelActivity)
      this.fail(def.key, `unsupported: cancelActivity="false" on an error boundary event`);
    def.trigger = this.trigger(def, definition, unsupported);
    return def;
  }

  /**
   * An event sub-process (BPMN 2.0.2 §10.3.5): no flow in or out; its one start event says what starts it
   * and whether it interrupts its scope. Its scope (the process or the enclosing sub-process) lists it.
   */
  private eventSubProcess(element: ModdleElement, def: NodeDef): NodeDef {
    const starts = (element.flowElements ?? []).filter((child) => child.$type === "bpmn:StartEvent");
    if (starts.length !== 1) this.fail(def.key, "an event sub-process needs exactly one start event");
    def.eventStart = starts[0]?.id as string;
    const container = this.containerOf.get(def.key) ?? "";
    const enclosing = this.nodes.get(container);
    if (enclosing) enclosing.eventSubProcesses = [...(enclosing.eventSubProcesses ?? []), def.key];
    else this.eventSubProcesses.push(def.key);
    return def;
  }

  /** The start event of an event sub-process: its trigger, and whether it interrupts (isInterrupting). */
  private eventSubStart(
    element: ModdleElement,
    def: NodeDef,
    definition: ModdleElement | undefined,
    unsupported: () => never,
  ): NodeDef {
    if (!definition) this.fail(def.key, "an event sub-process's start event needs an event definition");
    def.owner = this.containerOf.get(def.key) as string;
    def.cancelActivity = element.isInterrupting !== false;
    // BPMN 2.0.2 §10.3.5: an error event sub-process always interrupts.
    if (definition.$type === "bpmn:ErrorEventDefinition" && !def.cancelActivity)
      this.fail(def.key, `unsupported: isInterrupting="false" on an error start event`);
    def.trigger = this.trigger(def, definition, unsupported);
    return def;
  }

  /** What a boundary event or an event sub-process's start event waits for. */
  private trigger(
    def: NodeDef,
    definition: ModdleElement | undefined,
    unsupported: () => never,
  ): BoundaryTrigger {
    switch (definition?.$type) {
      case "bpmn:MessageEventDefinition":
        this.waitFor(def, "message", definition.messageRef);
        return { type: "message", name: def.eventName as string };
      case "bpmn:SignalEventDefinition":
        this.waitFor(def, "signal", definition.signalRef);
        return { type: "signal", name: def.eventName as string };
      case "bpmn:TimerEventDefinition":
        return { type: "timer", timer: this.timer(def.key, definition) };
      case "bpmn:ConditionalEventDefinition":
        return { type: "conditional", condition: this.condition(def.key, definition) };
      case "bpmn:EscalationEventDefinition": {
        const code = escalationCodeOf(definition.escalationRef);
        return code === undefined ? { type: "escalation" } : { type: "escalation", code };
      }
      case "bpmn:CompensateEventDefinition":
        return { type: "compensate" };
      case "bpmn:CancelEventDefinition":
        if (def.kind !== "boundary") return unsupported();
        if (!def.cancelActivity)
          this.fail(def.key, `unsupported: cancelActivity="false" on a cancel boundary event`);
        return { type: "cancel" };
      case "bpmn:ErrorEventDefinition": {
        const code = errorCodeOf(definition.errorRef);
        return code === undefined ? { type: "error" } : { type: "error", code };
      }
      default:
        return unsupported();
    }
  }

  /**
   * Camunda lets a send task or a message throw / end event run an implementation (a Java class, an
   * expression, an external task) instead of sending its message: skipped, that would be a wrong run.
   */
  private refuseImplementation(id: string, element: ModdleElement, type: string): void {
    for (const attribute of ["class", "expression", "delegateExpression", "type"] as const) {
      if (element[attribute] !== undefined)
        this.fail(
          id,
          `unsupported: camunda:${attribute} on ${type} (an implementation instead of its message)`,
        );
    }
  }

  private condition(id: string, definition: ModdleElement) {
    // Camunda: only changes of these variables trigger it; this engine has no variables to tell them apart.
    if (definition.variableName !== undefined || definition.variableEvents !== undefined)
      this.fail(id, "unsupported: camunda:variableName / camunda:variableEvents on a conditional event");
    const expression = definition.condition?.body;
    if (expression === undefined || expression.trim() === "")
      this.fail(id, "a conditional event needs a condition expression");
    const language = definition.condition?.language;
    if (!isJavaScript(language)) {
      this.fail(id, `unsupported: condition language "${language}" (only JavaScript)`);
    }
    return this.compileOrFail(id, () => compileCondition(expression, `${this.file}#${id}`));
  }

  private externalTask(element: ModdleElement, def: NodeDef, type: string): NodeDef {
    // Only the external form runs here: a worker does the work (SPEC §13). Java delegates, expressions,
    // connectors and decision tables would be skipped, which is a wrong run.
    if (element.type !== "external")
      this.fail(def.key, `unsupported element: ${type} without camunda:type="external"`);
    if (!element.topic) this.fail(def.key, `${type} with camunda:type="external" needs a camunda:topic`);
    def.topic = element.topic;
    return def;
  }

  /** A compensation throw or end event; its activityRef is checked once every node is known. */
  private compensation(def: NodeDef, definition: ModdleElement): NodeDef {
    // Not waiting would let the instance end at no end event while its handlers still run.
    if (definition.waitForCompletion === false) {
      this.fail(def.key, `unsupported: waitForCompletion="false" on a compensation event`);
    }
    const activity = definition.activityRef?.id;
    if (activity !== undefined) def.compensateActivity = activity;
    return def;
  }

  private link(def: NodeDef, definition: ModdleElement): NodeDef {
    const name = definition.name?.trim();
    if (!name) this.fail(def.key, "a link event without a name");
    def.linkName = name;
    return def;
  }

  /** Each link throw event goes to the one link catch event of its name in its scope. */
  private checkLinks(): void {
    for (const node of this.nodes.values()) {
      if (node.kind !== "linkThrow") continue;
      const scope = this.containerOf.get(node.key);
      const targets = [...this.nodes.values()].filter(
        (other) =>
          other.kind === "linkCatch" &&
          other.linkName === node.linkName &&
          this.containerOf.get(other.key) === scope,
      );
      if (targets.length !== 1) {
        this.fail(
          node.key,
          `a link throw event needs exactly one link catch event named "${node.linkName}" in its scope (found ${targets.length})`,
        );
      }
      node.linkTarget = targets[0]?.key as string;
    }
  }

  private escalation(def: NodeDef, definition: ModdleElement): NodeDef {
    const code = escalationCodeOf(definition.escalationRef);
    if (code !== undefined) def.escalationCode = code;
    return def;
  }

  private timer(id: string, definition: ModdleElement): TimerDef {
    const timer = parseTimer(definition);
    if (typeof timer === "string") this.fail(id, timer);
    return timer;
  }

  /** An event-based gateway leads only to catch events and receive tasks that nothing else leads to. */
  /**
   * Two catchers of one error or escalation code (or two catch-alls) in one scope — boundary events of one
   * activity, event sub-processes of one process or sub-process: BPMN 2.0.2 does not say which one catches,
   * and Camunda 7 refuses them at deployment; so does the engine (behaviours/catchers.ts).
   */
  private checkCatchers(): void {
    const scopes = [
      this.eventSubProcesses.map((key) => this.nodes.get(key)?.eventStart),
      ...[...this.nodes.values()].flatMap((node) => [
        (node.eventSubProcesses ?? []).map((key) => this.nodes.get(key)?.eventStart),
        node.boundaries ?? [],
      ]),
    ];
    for (const keys of scopes) {
      const seen = new Map<string, string>();
      for (const key of keys) {
        const trigger = this.nodes.get(key ?? "")?.trigger;
        if (trigger?.type !== "error" && trigger?.type !== "escalation") continue;
        const caught = `${trigger.type} ${trigger.code === undefined ? "(any)" : `"${trigger.code}"`}`;
        const other = seen.get(caught);
        if (other !== undefined)
          this.fail(key, `unsupported: a second catcher of ${caught} in one scope (beside ${other})`);
        seen.set(caught, key as string);
      }
    }
  }

  private checkEventGateways(): void {
    const catches = new Set<NodeKind>(["messageCatch", "signalCatch", "timerCatch", "receiveTask"]);
    for (const node of this.nodes.values()) {
      if (node.kind !== "eventGateway") continue;
      if (node.outgoing.length < 2)
        this.fail(node.key, "an event-based gateway needs two or more outgoing flows");
      for (const flow of node.outgoing) {
        const target = this.nodes.get(flow.target) as NodeDef;
        if (!catches.has(target.kind)) {
          this.fail(
            flow.id,
            "an event-based gateway may lead only to message, signal and timer catch events and receive tasks",
          );
        }
        if (target.incoming.length !== 1) {
          this.fail(target.key, "the target of an event-based gateway has another incoming sequence flow");
        }
        if (target.boundaries?.length)
          this.fail(target.key, "unsupported: boundary events on an event-based gateway's target");
      }
    }
  }

  /** Boundary events go on the activities that can carry them, with the triggers that mean something there. */
  private checkBoundaries(): void {
    for (const node of this.nodes.values()) {
      if (node.kind !== "boundary") continue;
      const activity = this.nodes.get(node.attachedTo as string);
      const trigger = node.trigger?.type;
      if (trigger === "compensate") {
        this.compensationBoundary(node, activity);
        continue;
      }
      if (trigger === "cancel" && !activity?.transaction) {
        this.fail(node.key, "a cancel boundary event belongs on a transaction");
      }
      const waits =
        activity?.kind === "userTask" ||
        activity?.kind === "receiveTask" ||
        activity?.kind === "subProcess" ||
        activity?.kind === "script" ||
        activity?.kind === "externalTask" ||
        activity?.kind === "callActivity";
      if (!activity || !waits) {
        this.fail(
          node.key,
          `unsupported: a ${trigger} boundary event on ${activity ? activity.type : "an unknown element"} (supported on user tasks, receive tasks, script tasks, external tasks, sub-processes and call activities)`,
        );
      }
      if (trigger === "escalation" && activity.kind !== "subProcess") {
        this.fail(
          node.key,
          `unsupported: an escalation boundary event on a ${activity.type} (nothing inside it can escalate)`,
        );
      }
      // A worker reports BPMN errors of an external task (SPEC §13); a called process ends with one.
      if (
        trigger === "error" &&
        !["subProcess", "script", "externalTask", "callActivity"].includes(activity.kind)
      ) {
        this.fail(
          node.key,
          `unsupported: an error boundary event on a ${activity.type} (nothing inside it can throw an error)`,
        );
      }
      if (node.incoming.length > 0) this.fail(node.key, "boundary event has an incoming sequence flow");
      activity.boundaries = [...(activity.boundaries ?? []), node.key];
    }
  }

  /**
   * A compensation boundary event names its activity's handler: the one isForCompensation activity it is
   * associated with. It is never armed and has no outgoing flow.
   */
  private compensationBoundary(boundary: NodeDef, activity: NodeDef | undefined): void {
    if (!activity || !COMPENSABLE_KINDS.has(activity.kind)) {
      this.fail(
        boundary.key,
        `unsupported: a compensation boundary event on ${activity ? activity.type : "an unknown element"} (supported on tasks and sub-processes)`,
      );
    }
    if (boundary.outgoing.length > 0 || boundary.incoming.length > 0) {
      this.fail(
        boundary.key,
        "a compensation boundary event has no sequence flows (its handler is associated)",
      );
    }
    const targets = this.associations
      .filter((association) => association.sourceRef?.id === boundary.key)
      .map((association) => association.targetRef?.id);
    const handler = targets.length === 1 ? this.nodes.get(targets[0] as string) : undefined;
    if (!handler || this.elements.get(handler.key)?.isForCompensation !== true) {
      this.fail(
        boundary.key,
        'a compensation boundary event needs exactly one association to an activity with isForCompensation="true"',
      );
    }
    if (activity.compensationHandler !== undefined) {
      this.fail(boundary.key, `activity "${activity.key}" has several compensation boundary events`);
    }
    activity.compensationHandler = handler.key;
  }

  /**
   * Compensation handlers stand apart from the flow; activities with a handler, and the sub-processes that
   * hold them, keep their completions; a throw event compensates within its own scope; a cancel end event lies
   * in a transaction that has a cancel boundary event.
   */
  private checkCompensation(): void {
    const handlers = new Set<string>();
    for (const node of this.nodes.values()) {
      if (node.compensationHandler === undefined) continue;
      handlers.add(node.compensationHandler);
      node.compensable = true;
      for (let key = this.containerOf.get(node.key); key !== undefined; key = this.containerOf.get(key)) {
        const container = this.nodes.get(key);
        if (!container) break;
        container.compensable = true;
      }
    }
    for (const node of this.nodes.values()) {
      if (this.elements.get(node.key)?.isForCompensation === true) {
        if (!handlers.has(node.key)) {
          this.fail(
            node.key,
            "unsupported: an isForCompensation activity that no compensation boundary event is associated with (a compensation event sub-process is not supported)",
          );
        }
        if (node.incoming.length > 0 || node.outgoing.length > 0) {
          this.fail(node.key, "a compensation handler has no sequence flows");
        }
        if (node.compensationHandler !== undefined) {
          this.fail(node.key, "unsupported: a compensation handler with a compensation handler of its own");
        }
      }
      if (node.compensateActivity !== undefined) {
        const target = this.nodes.get(node.compensateActivity);
        if (!target || this.containerOf.get(target.key) !== this.containerOf.get(node.key)) {
          this.fail(
            node.key,
            `activityRef "${node.compensateActivity}" must name an activity in the compensation event's scope`,
          );
        }
      }
      if (node.kind === "cancelEnd") {
        const transaction = this.nodes.get(this.containerOf.get(node.key) ?? "");
        if (!transaction?.transaction)
          this.fail(node.key, "a cancel end event belongs directly in a transaction");
        const cancels = (transaction.boundaries ?? []).some(
          (key) => this.nodes.get(key)?.trigger?.type === "cancel",
        );
        if (!cancels)
          this.fail(transaction.key, "a transaction with a cancel end event needs a cancel boundary event");
      }
    }
  }

  private waitFor(def: NodeDef, eventType: "message" | "signal", ref: ModdleElement | undefined): NodeDef {
    def.eventType = eventType;
    def.eventName = ref?.name ?? ref?.id ?? def.key;
    return def;
  }

  private compileOrFail<T>(id: string, compile: () => T): T {
    try {
      return compile();
    } catch (error) {
      if (error instanceof ScriptSyntaxError) this.fail(id, `does not compile: ${error.message}`);
      throw error;
    }
  }

  private compileFlows(): void {
    const conditions = new Map<FlowDef, string>();
    for (const flow of this.flows) {
      const id = flow.id ?? "";
      const source = this.nodes.get(flow.sourceRef?.id ?? "");
      const target = this.nodes.get(flow.targetRef?.id ?? "");
      if (!source || !target) this.fail(id, "sequence flow without a known source and target");
      if (this.containerOf.get(source.key) !== this.containerOf.get(target.key)) {
        this.fail(id, "sequence flow crosses a sub-process boundary");
      }
      const def: FlowDef = { id, target: target.key };
      const isDefault = this.elements.get(source.key)?.default?.id === id;
      const ignored = ignoredAttribute(flow);
      if (ignored) this.fail(id, `unsupported: ${ignored}`);
      const condition = flow.conditionExpression?.body;
      if (condition !== undefined && condition.trim() !== "" && !isDefault) {
        if (source.kind !== "exclusive" && source.kind !== "inclusive") {
          this.fail(
            id,
            "condition expressions are only supported on flows leaving an exclusive or inclusive gateway",
          );
        }
        this.compileOrFail(id, () => checkCondition(condition, `${this.file}#${id}`));
        conditions.set(def, condition);
      }
      source.outgoing.push(def);
      if (isDefault) source.defaultFlow = def;
      target.incoming.push(id);
    }
    for (const node of this.nodes.values()) {
      if (node.kind !== "exclusive" && node.kind !== "inclusive") continue;
      node.choices = node.outgoing.filter((flow) => flow !== node.defaultFlow);
      if (node.choices.some((flow) => conditions.has(flow))) {
        const flows = node.choices.map((flow) => {
          const condition = conditions.get(flow);
          return condition === undefined ? { id: flow.id } : { id: flow.id, condition };
        });
        const compile = node.kind === "exclusive" ? compileChooser : compileSelector;
        node.chooser = this.compileOrFail(node.key, () => compile(flows, `${this.file}#${node.key}`));
      }
    }
    this.checkBoundaries();
    this.checkCatchers();
    this.checkCompensation();
    this.checkEventGateways();
    this.checkLinks();
    for (const node of this.nodes.values()) {
      if (node.kind === "eventSubProcess" && (node.incoming.length > 0 || node.outgoing.length > 0))
        this.fail(node.key, "an event sub-process has a sequence flow in or out");
    }
    computeInclusiveReach(this.nodes);
    const ends = new Set<NodeKind>([
      "eventSubProcess",
      "messageEnd",
      "end",
      "terminateEnd",
      "errorEnd",
      "escalationEnd",
      "signalEnd",
      "linkThrow",
      "compensateEnd",
      "cancelEnd",
    ]);
    for (const node of this.nodes.values()) {
      const apart = node.trigger?.type === "compensate" || this.elements.get(node.key)?.isForCompensation;
      if (!ends.has(node.kind) && node.outgoing.length === 0 && !apart)
        this.fail(node.key, "flow node has no outgoing sequence flow");
      if (node.kind === "linkCatch" && node.incoming.length > 0)
        this.fail(node.key, "a link catch event has an incoming sequence flow");
      if (node.kind === "start" && node.incoming.length > 0)
        this.fail(node.key, "start event has an incoming sequence flow");
    }
  }
}
