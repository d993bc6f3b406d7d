import type {
  ConsumerApi,
  ConsumerContext,
  NotificationCallback,
  NotificationMethodName,
  NotificationScopeOptions,
  SubscribeOptions,
  Subscription,
} from "@consumer-api/contracts";
import {
  API_PREFIX,
  BadRequestError,
  buildChannel,
  type ChannelKind,
  type ChannelParams,
  MORE_NOTIFICATION_CHANNELS,
  type MoreChannelKind,
  NOTIFICATIONS_PATH,
} from "@consumer-api/contracts/runtime";
import { TransportError } from "./http-transport.js";
import { NotificationSocket, type ReconnectOptions } from "./notification-socket.js";
import { bearer } from "./operations.js";
import type { WebSocketConstructor } from "./websocket-like.js";

export type NotificationMethods = Pick<ConsumerApi, NotificationMethodName>;

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
    let channel: string;
    try {
      channel = buildChannel(kind, params);
    } catch (error) {
      return Promise.reject(error);
    }
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
    return socket.subscribe(channel, callback);
  }

  /** SPEC §12: `(context, callback, options?)` on `{scope}/<segment>`. */
  const scoped =
    (kind: MoreChannelKind) =>
    async (context: ConsumerContext, callback: unknown, scopeOptions?: NotificationScopeOptions) => {
      const { processModelKey, correlationId } = (scopeOptions ?? {}) as NotificationScopeOptions;
      const params: NotificationScopeOptions = {};
      if (processModelKey !== undefined) params.processModelKey = processModelKey;
      if (correlationId !== undefined) params.correlationId = correlationId;
      return subscribe(context, kind, params, callback as NotificationCallback);
    };
  const more = Object.fromEntries(
    (Object.keys(MORE_NOTIFICATION_CHANNELS) as MoreChannelKind[]).map((kind) => [
      MORE_NOTIFICATION_CHANNELS[kind].method,
      scoped(kind),
    ]),
  ) as Pick<ConsumerApi, (typeof MORE_NOTIFICATION_CHANNELS)[MoreChannelKind]["method"]>;

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
    ...more,
    // SPEC §12: the caller's user tasks are the unscoped channels'.
    onUserTaskForIdentityWaiting: (context, callback) => scoped("userTaskWaiting")(context, callback),
    onUserTaskForIdentityFinished: (context, callback) => scoped("userTaskFinished")(context, callback),
    close() {
      closed = true;
      for (const socket of sockets.values()) socket.close();
      sockets.clear();
    },
  };
}
