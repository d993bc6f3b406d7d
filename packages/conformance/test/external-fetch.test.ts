import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { IMPLEMENTED_CAPABILITIES } from "@consumer-api/client-internal";
import { API_PREFIX, type ConsumerContext, NOTIFICATIONS_PATH } from "@consumer-api/contracts";
import { attachNotifications, createFetchHandler } from "@consumer-api/http-server";
import { afterAll, afterEach } from "vitest";
import { type ClientOptions, WebSocket } from "ws";
import {
  httpSuite,
  schemaCheckedFetch,
  suite,
  supportsFromCapabilities,
  webSocketSuite,
} from "../src/index.js";
import { openInternalOnFixtures } from "./support/internal-on-fixtures.js";

// Requests go through createFetchHandler in process, without sockets. Notifications need a socket, and the
// notification cases are part of the contract, so they are not switched off here: a real ws server
// (attachNotifications on an otherwise idle http.Server) carries them, reached through a WebSocket class
// that points the client's ws://in-process URL at it.
const IN_PROCESS = "http://in-process";

const internal = await openInternalOnFixtures();
const options = {
  api: internal.api,
  authenticate: (context: ConsumerContext) => internal.api.authenticate(context),
};
const handler = createFetchHandler(options);
const wsServer = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const notifications = attachNotifications(wsServer, options);
await new Promise<void>((resolve) => wsServer.listen(0, "127.0.0.1", resolve));
const wsBase = `ws://127.0.0.1:${(wsServer.address() as AddressInfo).port}`;

afterAll(async () => {
  await notifications.close();
  await new Promise<void>((resolve) => wsServer.close(() => resolve()));
  await internal.close();
});

const checked = schemaCheckedFetch((input, init) => handler(new Request(input, init)));
afterEach(() => checked.assertNoViolations());

class InProcessWebSocket extends WebSocket {
  constructor(url: string, options?: ClientOptions) {
    super(url.replace(/^ws:\/\/in-process/, wsBase), options);
  }
}

const supports = supportsFromCapabilities(IMPLEMENTED_CAPABILITIES);

suite({
  name: "client-external over createFetchHandler",
  supports,
  factory: async () => {
    const api = createExternalConsumerApi({
      baseUrl: IN_PROCESS,
      fetch: checked.fetch,
      WebSocket: InProcessWebSocket,
    });
    return { api, dispose: () => api.close() };
  },
});

httpSuite({ name: "createFetchHandler", baseUrl: IN_PROCESS, fetch: checked.fetch, supports });
webSocketSuite({
  name: "attachNotifications",
  baseUrl: IN_PROCESS,
  fetch: checked.fetch,
  notificationsUrl: `${wsBase}${API_PREFIX}${NOTIFICATIONS_PATH}`,
  supports,
});
