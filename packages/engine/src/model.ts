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
  | "eventSubStart";

/** What a boundary event or an event sub-process's start event waits for. */
export type BoundaryTrigger =
  | { type: "message" | "signal"; name: string }
  | { type: "conditional"; condition: Condition }
  | { type: "timer"; timer: TimerDef }
  /** `code` undefined: catches any error. */
  | { type: "error"; code?: string }
  /** `code` undefined: catches any escalation. */
  | { type: "escalation"; code?: string };

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
  /** Exclusive gateway: the non-default flows in document order, and the script that picks one by index. */
  choices?: FlowDef[];
  chooser?: CompiledScript;
  /** Ids of the incoming sequence flows, in document order. */
  incoming: string[];
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
