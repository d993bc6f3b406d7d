import type {
  ConsumerApi,
  ConsumerContext,
  NotificationCallback,
  SubscribeOptions,
  Subscription,
} from "@consumer-api/contracts";
import {
  API_PREFIX,
  BadRequestError,
  buildChannel,
  type ChannelKind,
  type ChannelParams,
  NOTIFICATIONS_PATH,
} from "@consumer-api/contracts/runtime";
import { TransportError } from "./http-transport.js";
import { NotificationSocket, type ReconnectOptions } from "./notification-socket.js";
import { bearer } from "./operations.js";
import type { WebSocketConstructor } from "./websocket-like.js";

export type NotificationMethods = Pick<
  ConsumerApi,
  "onBpmnEvent" | "onActivity" | "onSystemEvent" | "onSignal"
>;

export interface NotificationsOptions {
  baseUrl: string;
  WebSocket: () => WebSocketConstructor;
  headerAuth: (WebSocket: WebSocketConstructor) => boolean;
  reconnect?: ReconnectOptions;
  onSubscriptionError?: (channel: string, error: Error) => void;
}

/** The on* methods over one lazily opened WebSocket per identity token; channels from the contracts' table. */
export function createNotifications(options: NotificationsOptions): NotificationMethods & { close(): void } {
  const url = `${options.baseUrl.replace(/\/+$/, "").replace(/^http/, "ws")}${API_PREFIX}${NOTIFICATIONS_PATH}`;
  const sockets = new Map<string, NotificationSocket>();
  let closed = false;

  function subscribe<K extends ChannelKind>(
    context: ConsumerContext,
    kind: K,
    params: ChannelParams[K],
    callback: NotificationCallback,
  ): Promise<Subscription> {
    if (closed) return Promise.reject(new TransportError("The client is closed."));
    // The same checks a server makes, so bad input fails alike in both bindings.
    const token = bearer(context).slice("Bearer ".length);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && (typeof value !== "string" || value.length === 0)) {
        return Promise.reject(new BadRequestError(`${name}: expected a non-empty string`));
      }
    }
    if (typeof callback !== "function")
      return Promise.reject(new BadRequestError("callback: expected a function"));
    let socket = sockets.get(token);
    if (!socket) {
      const WebSocket = options.WebSocket();
      socket = new NotificationSocket({
        url,
        token,
        WebSocket,
        headerAuth: options.headerAuth(WebSocket),
        ...(options.reconnect ? { reconnect: options.reconnect } : {}),
        ...(options.onSubscriptionError ? { onSubscriptionError: options.onSubscriptionError } : {}),
      });
      sockets.set(token, socket);
    }
    return socket.subscribe(buildChannel(kind, params), callback);
  }

  const correlation = (options?: SubscribeOptions) => {
    const correlationId = (options as SubscribeOptions | undefined)?.correlationId;
    return correlationId === undefined ? {} : { correlationId };
  };

  return {
    async onBpmnEvent(context, processModelKey, eventKey, callback, subscribeOptions) {
      return subscribe(
        context,
        "bpmnEvent",
        { processModelKey, eventKey, ...correlation(subscribeOptions) },
        callback,
      );
    },
    async onActivity(context, processModelKey, activityKey, callback, subscribeOptions) {
      return subscribe(
        context,
        "activity",
        { processModelKey, activityKey, ...correlation(subscribeOptions) },
        callback,
      );
    },
    async onSystemEvent(context, processModelKey, callback, subscribeOptions) {
      return subscribe(
        context,
        "systemEvent",
        { processModelKey, ...correlation(subscribeOptions) },
        callback,
      );
    },
    async onSignal(context, signalKey, callback) {
      return subscribe(context, "signal", { signalKey }, callback);
    },
    close() {
      closed = true;
      for (const socket of sockets.values()) socket.close();
      sockets.clear();
    },
  };
}
