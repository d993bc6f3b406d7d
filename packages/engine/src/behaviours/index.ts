import type { NodeDef, NodeKind } from "../model.js";
import type { TokenState } from "../runtime.js";
import {
  externalTask,
  passThroughActivity,
  receiveTask,
  scriptTask,
  subProcess,
  userTask,
} from "./activities.js";
import type { Behaviour } from "./behaviour.js";
import { boundaryEvent } from "./boundary.js";
import { callActivity } from "./call-activity.js";
import { conditionalCatch, eventCatch, timerCatch } from "./catch-events.js";

import { compensationThrowEvent } from "./compensation.js";
import { escalationEndEvent, escalationThrowEvent } from "./escalations.js";
import { eventGateway } from "./event-gateway.js";
import { eventSubProcess, eventSubProcessStart } from "./event-sub-processes.js";
import {
  errorEndEvent,
  linkThrowEvent,
  noneEndEvent,
  passThroughEvent,
  signalEndEvent,
  signalThrowEvent,
  startEvent,
  terminateEndEvent,
} from "./events.js";
import { exclusiveGateway, parallelGateway } from "./gateways.js";
import { inclusiveGateway } from "./inclusive-gateway.js";
import { messageEndEvent, messageThrowEvent, sendTask } from "./message-throws.js";
import { multiInstance } from "./multi-instance.js";
import { standardLoop } from "./standard-loop.js";
import { cancelEndEvent } from "./transactions.js";

/** The behaviour of each kind of flow node. */
export const behaviours: Readonly<Record<NodeKind, Behaviour>> = {
  start: startEvent,
  end: noneEndEvent,
  terminateEnd: terminateEndEvent,
  errorEnd: errorEndEvent,
  userTask,
  activity: passThroughActivity,
  passThroughEvent,
  script: scriptTask,
  exclusive: exclusiveGateway,
  parallel: parallelGateway,
  inclusive: inclusiveGateway,
  messageCatch: eventCatch,
  signalCatch: eventCatch,
  receiveTask,
  timerCatch,
  signalThrow: signalThrowEvent,
  subProcess,
  boundary: boundaryEvent,
  escalationThrow: escalationThrowEvent,
  escalationEnd: escalationEndEvent,
  eventGateway,
  signalEnd: signalEndEvent,
  linkThrow: linkThrowEvent,
  linkCatch: passThroughEvent,
  externalTask,
  messageThrow: messageThrowEvent,
  messageEnd: messageEndEvent,
  sendTask,
  conditionalCatch,
  eventSubProcess,
  eventSubStart: eventSubProcessStart,
  callActivity,
  compensateThrow: compensationThrowEvent,
  compensateEnd: compensationThrowEvent,
  cancelEnd: cancelEndEvent,
};

/**
 * The behaviour of a token at a node: a looped activity's own token (and an iteration awaiting its
 * completionCondition) runs the loop; an iteration, and every other token, the node kind's behaviour.
 */
export function behaviourOf(node: NodeDef, token: TokenState): Behaviour {
  if (node.loop && (token.iteration === undefined || token.completing))
    return node.loop.kind === "multiInstance" ? multiInstance : standardLoop;
  return behaviours[node.kind];
}
