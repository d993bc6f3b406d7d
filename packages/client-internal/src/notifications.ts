import {
  ActivityEventKey,
  type ChannelKind,
  type MoreChannelKind,
  type NotificationCallback,
  type NotificationMessage,
  SystemEventKey,
} from "@consumer-api/contracts";
import type { EngineEvent, LaneName } from "@consumer-api/engine";
import type { Identity } from "./identity.js";
import { canAccess } from "./lanes.js";

/** One live subscription: who subscribed (for the lane rule), to what, with which correlation filter. */
export interface Subscriber {
  kind: ChannelKind;
  /** "" for signals; undefined for a SPEC §12 channel of every model. */
  processModelKey: string | undefined;
  /** Event / activity key, signal name; "" for system events. */
  key: string;
  correlationId: string | undefined;
  identity: Identity;
  callback: NotificationCallback;
}

/** What one engine event means on the notification side, before filtering by subscriber. */
interface Delivery {
  kind: ChannelKind;
  processModelKey: string;
  key: string;
  /** The lane of the element concerned; "all" for signals, which every authenticated identity receives. */
  lane: LaneName | "all";
  message: NotificationMessage;
  /** A SPEC §12 channel: subscribers of every model receive it too. */
  everyModel?: true;
}

// The correlation filter is part of the key ("*": every correlation), so that many per-correlation
// subscribers of one element cost a dispatch only a second lookup.
const indexKey = (
  kind: ChannelKind,
  processModelKey: string | undefined,
  key: string,
  correlationId: string | undefined,
) =>
  `${kind}\u0000${processModelKey === undefined ? "*" : `=${processModelKey}`}\u0000${key}\u0000${correlationId === undefined ? "*" : `=${correlationId}`}`;

/**
 * Subscriptions indexed by (kind, model, key, correlation filter), so that dispatching an engine event costs only its matching
 * subscribers. Callbacks run without being awaited and inside try/catch: a slow, throwing or rejecting
 * callback cannot stall the engine (whose listener this is) or the other subscribers.
 */
export class SubscriptionIndex {
  readonly #byKey = new Map<string, Set<Subscriber>>();
  /** Adds a subscriber and returns its idempotent removal. */
  add(subscriber: Subscriber): () => void {
    const k = indexKey(subscriber.kind, subscriber.processModelKey, subscriber.key, subscriber.correlationId);
    let set = this.#byKey.get(k);
    if (set === undefined) {
      set = new Set();
      this.#byKey.set(k, set);
    }
    set.add(subscriber);
    return () => {
      const current = this.#byKey.get(k);
      if (current === undefined) return;
      current.delete(subscriber);
      if (current.size === 0) this.#byKey.delete(k);
    };
  }

  clear(): void {
    this.#byKey.clear();
  }

  get isEmpty(): boolean {
    return this.#byKey.size === 0;
  }

  dispatch(event: EngineEvent): void {
    // Every engine event passes through here (several per instance); without subscribers it costs nothing.
    if (this.#byKey.size === 0) return;
    const level1 = this.#toDelivery(event);
    if (level1 !== undefined) this.#deliver(level1, event.correlationId);
    const more = moreDelivery(event);
    if (more !== undefined) this.#deliver(more, event.correlationId);
  }

  #deliver(delivery: Delivery, correlationId: string): void {
    const { kind, processModelKey, key, lane, message } = delivery;
    const everyCorrelation = this.#byKey.get(indexKey(kind, processModelKey, key, undefined));
    const thisCorrelation = this.#byKey.get(indexKey(kind, processModelKey, key, correlationId));
    // SPEC §12's unscoped channels: every model.
    const everyModel = delivery.everyModel
      ? this.#byKey.get(indexKey(kind, undefined, key, undefined))
      : undefined;
    if (everyCorrelation === undefined && thisCorrelation === undefined && everyModel === undefined) return;
    // Copies: a callback that unsubscribes (itself or another) must not disturb this round.
    const matching = [...(everyModel ?? []), ...(everyCorrelation ?? []), ...(thisCorrelation ?? [])];
    // Each callback gets its own copy, decoded from the JSON the wire would carry: what one subscriber does
    // to its message (or its payload) reaches neither the other subscribers nor the engine's own objects.
    let json: string | undefined;
    for (const subscriber of matching) {
      if (lane !== "all" && !canAccess(subscriber.identity, lane)) continue;
      json ??= JSON.stringify(message);
      invoke(subscriber.callback, JSON.parse(json) as NotificationMessage);
    }
  }

  #toDelivery(event: EngineEvent): Delivery | undefined {
    const base = {
      process_model_key: event.processModelKey,
      correlation_id: event.correlationId,
      process_instance_id: event.processInstanceId,
    };
    const system = (eventKey: SystemEventKey, lane: LaneName, payload?: { payload: unknown }) => ({
      kind: "systemEvent" as const,
      processModelKey: event.processModelKey,
      key: "",
      lane,
      message: { ...base, event_key: eventKey, ...payload },
    });
    switch (event.type) {
      case "event.reached":
      case "event.triggered":
        return {
          kind: "bpmnEvent",
          processModelKey: event.processModelKey,
          key: event.flowNodeKey,
          lane: event.lane,
          message: { ...base, event_key: event.flowNodeKey, payload: event.payload },
        };
      case "activity.started":
      case "activity.finished": {
        const eventKey =
          event.type === "activity.started" ? ActivityEventKey.started : ActivityEventKey.finished;
        return {
          kind: "activity",
          processModelKey: event.processModelKey,
          key: event.flowNodeKey,
          lane: event.lane,
          message: { ...base, event_key: eventKey, payload: event.payload },
        };
      }
      case "instance.started":
        return system(SystemEventKey.ProcessInstanceStarted, event.startEventLane, {
          payload: event.payload,
        });
      case "instance.finished":
        return system(SystemEventKey.ProcessInstanceFinishedSuccessfully, event.endEventLane, {
          payload: event.payload,
        });
      case "instance.terminated":
        return system(SystemEventKey.ProcessInstanceTerminated, event.failure.lane);
      case "signal.thrown":
        return {
          kind: "signal",
          processModelKey: "",
          key: event.signalName,
          lane: "all",
          message: { ...base, event_key: event.signalName, payload: event.payload },
        };
      default:
        return undefined;
    }
  }
}

/**
 * What an engine event means on a SPEC §12 channel, if anything: the flow node concerned is `event_key`,
 * and its lane decides who receives it.
 */
function moreDelivery(event: EngineEvent): Delivery | undefined {
  const on = (
    kind: MoreChannelKind,
    eventKey: string,
    lane: LaneName,
    fields: Record<string, unknown>,
  ): Delivery => ({
    kind,
    processModelKey: event.processModelKey,
    key: "",
    lane,
    everyModel: true,
    message: {
      process_model_key: event.processModelKey,
      event_key: eventKey,
      correlation_id: event.correlationId,
      process_instance_id: event.processInstanceId,
      ...fields,
    } as NotificationMessage,
  });
  switch (event.type) {
    case "instance.started":
      return on("processStarted", event.startEventKey, event.startEventLane, { payload: event.payload });
    case "instance.finished":
      return on("processEnded", event.endEventKey, event.endEventLane, { payload: event.payload });
    case "instance.terminated": {
      const { failure } = event;
      if (failure.kind === "terminate") {
        return on("processTerminated", failure.flowNodeKey, failure.lane, { payload: event.payload });
      }
      return on("processError", failure.flowNodeKey, failure.lane, {
        error_message: failure.message,
        ...(failure.errorCode === undefined ? {} : { error_code: failure.errorCode }),
      });
    }
    case "activity.started":
    case "activity.finished": {
      if (event.flowNodeType !== "UserTask" || event.waitId === undefined) return undefined;
      const kind = event.type === "activity.started" ? "userTaskWaiting" : "userTaskFinished";
      return on(kind, event.flowNodeKey, event.lane, { user_task_id: event.waitId, payload: event.payload });
    }
    case "event.reached":
      if (event.flowNodeType === "IntermediateThrowEvent") {
        return on("intermediateThrowEventTriggered", event.flowNodeKey, event.lane, {
          payload: event.payload,
        });
      }
      if (event.flowNodeType === "IntermediateCatchEvent") {
        return on("intermediateCatchEventReached", event.flowNodeKey, event.lane, {
          ...(event.waitId === undefined ? {} : { event_id: event.waitId }),
          payload: event.payload,
        });
      }
      return undefined;
    case "event.triggered":
      if (event.flowNodeType === "BoundaryEvent") {
        return on("boundaryEventTriggered", event.flowNodeKey, event.lane, {
          attached_to_key: event.attachedToKey,
          payload: event.payload,
        });
      }
      if (event.flowNodeType === "IntermediateCatchEvent") {
        return on("intermediateCatchEventFinished", event.flowNodeKey, event.lane, {
          payload: event.payload,
        });
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Calls a subscriber's callback without awaiting it; neither a throw nor a rejection escapes. */
function invoke(callback: NotificationCallback, message: NotificationMessage): void {
  try {
    const result = callback(message) as unknown;
    if (
      result !== null &&
      typeof result === "object" &&
      typeof (result as Promise<void>).then === "function"
    ) {
      (result as Promise<void>).then(undefined, () => {});
    }
  } catch {
    // A subscriber's failure is its own business; the other subscribers still get the message.
  }
}
