import type { ConsumerApi } from "@consumer-api/contracts";
import {
  createExternalTaskWorker,
  type ExternalTaskWorker,
  type ExternalTaskWorkerOptions,
} from "@consumer-api/contracts/runtime";
import { fetchTransport, type HttpTransport, TransportError } from "./http-transport.js";
import type { ReconnectOptions } from "./notification-socket.js";
import { createNotifications } from "./notifications.js";
import { createOperations } from "./operations.js";
import type { WebSocketConstructor } from "./websocket-like.js";

export interface ExternalConsumerApi extends ConsumerApi {
  /** An external-task worker over this client (SPEC §13): subscribe handlers to topics. */
  createExternalTaskWorker(options: ExternalTaskWorkerOptions): ExternalTaskWorker;
  /** Closes every WebSocket, stops reconnecting and releases pooled connections. */
  close(): Promise<void>;
}

export interface ExternalConsumerApiOptions {
  /** The server's base URL, without /api/consumer/v1 (e.g. "http://127.0.0.1:8080"). */
  baseUrl: string;
  /** A WHATWG fetch. Default: in Node a keep-alive node:http transport (faster), elsewhere globalThis.fetch. */
  fetch?: typeof fetch;
  /** A WHATWG-compatible WebSocket constructor. Default: globalThis.WebSocket, else `ws` (Node). */
  WebSocket?: unknown;
  /** Check every 200 answer against the route's generated response schema (a mismatch: 502). Default false. */
  validateResponses?: boolean;
  /** Backoff of the notification socket after a drop. Default 100 ms doubling up to 5 s. */
  reconnect?: ReconnectOptions;
  /** A subscription that could not be restored after a reconnect (it is gone). */
  onSubscriptionError?: (channel: string, error: Error) => void;
}

/** What differs between Node and browsers: the default transport and WebSocket. */
export interface Platform {
  defaultTransport(): HttpTransport;
  defaultWebSocket(): WebSocketConstructor | undefined;
  /** Whether this constructor can send an Authorization header with the upgrade. */
  headerAuth(WebSocket: WebSocketConstructor): boolean;
}

export function createClient(options: ExternalConsumerApiOptions, platform: Platform): ExternalConsumerApi {
  if (!URL.canParse(options.baseUrl)) throw new TypeError(`baseUrl is not a URL: ${options.baseUrl}`);
  let transport: HttpTransport | undefined;
  let closed = false;
  const getTransport = () => {
    if (closed) throw new TransportError("The client is closed.");
    transport ??= options.fetch ? fetchTransport(options.fetch) : platform.defaultTransport();
    return transport;
  };
  const operations = createOperations({
    baseUrl: options.baseUrl,
    transport: getTransport,
    ...(options.validateResponses === undefined ? {} : { validateResponses: options.validateResponses }),
  });
  const notifications = createNotifications({
    baseUrl: options.baseUrl,
    WebSocket: () => {
      const WebSocket =
        (options.WebSocket as WebSocketConstructor | undefined) ?? platform.defaultWebSocket();
      if (!WebSocket) throw new TransportError("No WebSocket implementation: pass options.WebSocket.");
      return WebSocket;
    },
    headerAuth: platform.headerAuth,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    ...(options.onSubscriptionError ? { onSubscriptionError: options.onSubscriptionError } : {}),
  });
  const { close: closeNotifications, ...subscribe } = notifications;
  const client: ExternalConsumerApi = {
    ...operations,
    ...subscribe,
    createExternalTaskWorker: (workerOptions) => createExternalTaskWorker(client, workerOptions),
    async close() {
      closed = true;
      closeNotifications();
      transport?.close();
    },
  };
  return client;
}
