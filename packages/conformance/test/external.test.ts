import { createExternalConsumerApi } from "@consumer-api/client-external";
import { IMPLEMENTED_CAPABILITIES } from "@consumer-api/client-internal";
import { startServer } from "@consumer-api/http-server";
import { afterAll, afterEach } from "vitest";
import {
  httpSuite,
  schemaCheckedFetch,
  suite,
  supportsFromCapabilities,
  webSocketSuite,
} from "../src/index.js";
import { openInternalOnFixtures } from "./support/internal-on-fixtures.js";

// client-external → real sockets → http-server → client-internal → engine → SQLite. Every response is also
// checked against the contract's JSON Schemas, as the CLI does for foreign servers.
const internal = await openInternalOnFixtures();
const server = await startServer({
  api: internal.api,
  authenticate: (context) => internal.api.authenticate(context),
  host: "127.0.0.1",
  port: 0,
});
const checked = schemaCheckedFetch(globalThis.fetch.bind(globalThis));

afterAll(async () => {
  await server.close();
  await internal.close();
});

afterEach(() => checked.assertNoViolations());

// What the server under test offers, exactly as its GET /info lists it.
const supports = supportsFromCapabilities(IMPLEMENTED_CAPABILITIES);

suite({
  name: "client-external over http-server",
  supports,
  factory: async () => {
    const api = createExternalConsumerApi({ baseUrl: server.url, fetch: checked.fetch });
    return { api, dispose: () => api.close() };
  },
});

httpSuite({ name: "http-server", baseUrl: server.url, fetch: checked.fetch, supports });
webSocketSuite({ name: "http-server", baseUrl: server.url, fetch: checked.fetch, supports });
