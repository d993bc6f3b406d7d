import {
  ActivityEventKey,
  type ChannelKind,
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
  /** "" for signals. */
  processModelKey: string;
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
}

// The correlation filter is part of the key ("*": every correlation), so that many per-correlation
// subscribers of one element cost a dispatch only a second lookup.
const indexKey = (
  kind: ChannelKind,
  processModelKey: string,
  key: string,
  correlationId: string | undefined,
) =>
  `${kind}\u0000${processModelKey}\u0000${key}\u0000${correlationId === undefined ? "*" : `=${correlationId}`}`;

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

  dispatch(event: EngineEvent): void {
    // Every engine event passes through here (several per instance); without subscribers it costs nothing.
    if (this.#byKey.size === 0) return;
    const delivery = this.#toDelivery(event);
    if (delivery === undefined) return;
    const { kind, processModelKey, key, lane, message } = delivery;
    const everyCorrelation = this.#byKey.get(indexKey(kind, processModelKey, key, undefined));
    const thisCorrelation = this.#byKey.get(indexKey(kind, processModelKey, key, event.correlationId));
    if (everyCorrelation === undefined && thisCorrelation === undefined) return;
    // Copies: a callback that unsubscribes (itself or another) must not disturb this round.
    const matching = [...(everyCorrelation ?? []), ...(thisCorrelation ?? [])];
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
