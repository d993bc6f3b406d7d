import type { NodeKind } from "../model.js";
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
  compensateThrow: compensationThrowEvent,
  compensateEnd: compensationThrowEvent,
  cancelEnd: cancelEndEvent,
};
