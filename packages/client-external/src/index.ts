// ConsumerApi over HTTP + WebSocket against a ConsumerAPI server. This entry has no Node imports (browsers,
// WinterTC runtimes); Node resolves the "node" export condition to node.ts, which differs only in its defaults.
import {
  createClient,
  type ExternalConsumerApi,
  type ExternalConsumerApiOptions,
} from "./external-consumer-api.js";
import { fetchTransport } from "./http-transport.js";
import type { WebSocketConstructor } from "./websocket-like.js";

// The worker's vocabulary, so a worker needs only its client's import.
export {
  BpmnError,
  type ExternalTaskHandler,
  type ExternalTaskSubscribeOptions,
  type ExternalTaskSubscription,
  type ExternalTaskWorker,
  type ExternalTaskWorkerOptions,
} from "@consumer-api/contracts/runtime";
export type { ExternalConsumerApi, ExternalConsumerApiOptions } from "./external-consumer-api.js";
export { TransportError } from "./http-transport.js";
export type { ReconnectOptions } from "./notification-socket.js";

export function createExternalConsumerApi(options: ExternalConsumerApiOptions): ExternalConsumerApi {
  return createClient(options, {
    defaultTransport: () => fetchTransport(globalThis.fetch.bind(globalThis)),
    defaultWebSocket: () => (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    // A browser WebSocket cannot send headers: the token goes in the first frame.
    headerAuth: () => false,
  });
}
