import type { CompiledScript } from "./scripts.js";
import type { FormFieldDefinition, LaneName, ProcessModelInfo } from "./types.js";

/** How the interpreter treats a flow node; several BPMN types share one behaviour. */
export type NodeKind =
  | "start"
  | "end"
  | "terminateEnd"
  | "errorEnd"
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
  | "externalTask";

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
  timerMs?: number;
  /** For a sub-process: the key of its none start event. */
  innerStart?: string;
  /** For an external task: the camunda:topic workers fetch it by. */
  topic?: string;
  /** For an error end event: what the failure message says. */
  errorText?: string;
}

/** One process of one model version (file hash), ready to run. Non-executable processes have no nodes. */
export interface CompiledProcess {
  info: ProcessModelInfo;
  nodes: Map<string, NodeDef>;
}
