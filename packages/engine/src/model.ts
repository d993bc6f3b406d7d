import type { Condition } from "./conditions.js";
import type { CompiledScript } from "./scripts.js";
import type { TimerDef } from "./timer-definitions.js";
import type { FormFieldDefinition, LaneName, ProcessModelInfo } from "./types.js";

/** How the interpreter treats a flow node; several BPMN types share one behaviour. */
export type NodeKind =
  | "start"
  | "end"
  | "terminateEnd"
  | "errorEnd"
  | "escalationThrow"
  | "escalationEnd"
  | "userTask"
  | "activity"
  | "passThroughEvent"
  | "script"
  | "exclusive"
  | "parallel"
  | "inclusive"
  | "messageCatch"
  | "signalCatch"
  | "receiveTask"
  | "timerCatch"
  | "signalThrow"
  | "subProcess"
  | "boundary"
  | "eventGateway"
  | "signalEnd"
  | "linkThrow"
  | "linkCatch"
  | "externalTask"
  | "messageThrow"
  | "messageEnd"
  | "sendTask"
  | "conditionalCatch"
  | "eventSubProcess"
  | "eventSubStart"
  | "callActivity"
  | "compensateThrow"
  | "compensateEnd"
  | "cancelEnd";

/** What a boundary event or an event sub-process's start event waits for. */
export type BoundaryTrigger =
  | { type: "message" | "signal"; name: string }
  | { type: "conditional"; condition: Condition }
  | { type: "timer"; timer: TimerDef }
  /** `code` undefined: catches any error. */
  | { type: "error"; code?: string }
  /** `code` undefined: catches any escalation. */
  | { type: "escalation"; code?: string }
  /** Never armed: names its activity's compensation handler (NodeDef.compensationHandler). */
  | { type: "compensate" }
  /** On a transaction: taken once a cancel end event inside has compensated it. */
  | { type: "cancel" };

/**
 * An activity's loop characteristics. Expressions are JavaScript over `token`, like conditions; they run in the
 * node's `loopScript` (loop-script.ts).
 */
export type LoopDef =
  | {
      kind: "multiInstance";
      sequential: boolean;
      /** Whether the count comes from camunda:collection (an array) rather than loopCardinality (a number). */
      collection: boolean;
      /** camunda:elementVariable: each iteration's payload carries its element under this name. */
      elementVariable?: string;
      completionCondition: boolean;
    }
  | {
      kind: "standard";
      testBefore: boolean;
      /** loopMaximum: at most this many iterations. */
      maximum?: number;
      condition: boolean;
    };

export interface FlowDef {
  id: string;
  target: string;
}

export interface NodeDef {
  key: string;
  name?: string;
  /** bpmn-moddle type without prefix. */
  type: string;
  kind: NodeKind;
  lane: LaneName;
  outgoing: FlowDef[];
  defaultFlow?: FlowDef;
  /**
   * Exclusive gateway: the non-default flows in document order, and the script that picks one by index.
   * Inclusive gateway: the same flows, and the script that picks every one whose condition holds.
   */
  choices?: FlowDef[];
  chooser?: CompiledScript;
  /** Ids of the incoming sequence flows, in document order. */
  incoming: string[];
  /**
   * Inclusive gateway: for each flow node of its scope, the gateway's incoming flows a token there can still
   * reach without passing the gateway (BPMN 2.0.2 §13.4.3); nodes that reach none are absent.
   */
  reach?: ReadonlyMap<string, ReadonlySet<string>>;
  script?: CompiledScript;
  formFields?: FormFieldDefinition[];
  eventType?: "message" | "signal";
  eventName?: string;
  /** A timer catch event's or timer start event's timer. */
  timer?: TimerDef;
  /** For a sub-process: the key of its none start event. */
  innerStart?: string;
  /** For an external task: the camunda:topic workers fetch it by. */
  topic?: string;
  /** For an error end event: what the failure message says. */
  errorText?: string;
  /** For an error end event: the code a boundary event matches (the error's errorCode, else its id). */
  errorCode?: string;
  /** For an escalation throw or end event: the code a boundary event matches (escalationCode, else id). */
  escalationCode?: string;
  /** For a link throw event: its link catch event (same name, same scope). */
  linkTarget?: string;
  /** For link events: the link's name. */
  linkName?: string;
  /** For an activity: the keys of the boundary events attached to it, in document order. */
  boundaries?: string[];
  /** For a boundary event: the activity it is attached to, whether it interrupts it, and its trigger. */
  attachedTo?: string;
  cancelActivity?: boolean;
  trigger?: BoundaryTrigger;
  /** For a conditional catch event: its condition. */
  condition?: Condition;
  /** For a process's sub-process (and the process itself, on CompiledProcess): its event sub-processes. */
  eventSubProcesses?: string[];
  /** For an event sub-process: the key of its start event (whose trigger and cancelActivity it runs by). */
  eventStart?: string;
  /** For an event sub-process's start event: the event sub-process. */
  owner?: string;
  /** For a call activity: the key of the process it calls. */
  calledElement?: string;
  /** Multi-instance or standard loop characteristics, with the script of their expressions. */
  loop?: LoopDef;
  loopScript?: CompiledScript;
  /** Tokens an activity needs to start (BPMN startQuantity) and sends per outgoing flow; absent: 1. */
  startQuantity?: number;
  completionQuantity?: number;
  /** For an activity with a compensation boundary event: its handler (the associated isForCompensation activity). */
  compensationHandler?: string;
  /**
   * Its completions are kept for compensation: it has a handler, or it is a sub-process with activities inside
   * that can be compensated (compensated by default through them, in reverse order).
   */
  compensable?: boolean;
  /** For a compensation throw or end event: the activity it compensates (activityRef); all in scope if absent. */
  compensateActivity?: string;
  /** A transaction sub-process (bpmn:Transaction). */
  transaction?: boolean;
}

/** One process of one model version (file hash), ready to run. Non-executable processes have no nodes. */
export interface CompiledProcess {
  info: ProcessModelInfo;
  nodes: Map<string, NodeDef>;
  /** The timer start events of the process (top level): they start instances by themselves. */
  timerStarts: NodeDef[];
  /** The message and signal start events of the process (top level): they start instances by name (§11). */
  nameStarts: NodeDef[];
  /** The event sub-processes at the process level. */
  eventSubProcesses: string[];
}
