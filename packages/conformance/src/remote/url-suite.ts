// The test file `consumer-api-conformance run --url` hands to vitest: the whole suite over HTTP + WebSocket
// (client-external), every response body also checked against the contract's JSON Schemas with ajv.
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { afterEach } from "vitest";
import { httpSuite } from "../http-suite.js";
import type { Supports } from "../options.js";
import { schemaCheckedFetch } from "../schema-checked-fetch.js";
import { suite } from "../suite.js";
import { webSocketSuite } from "../websocket-suite.js";
import { SUPPORTS_ENV, URL_ENV } from "./url-env.js";

const baseUrl = process.env[URL_ENV];
if (!baseUrl)
  throw new Error(`${URL_ENV} is not set: run this file through "consumer-api-conformance run --url"`);

// What the server claims in GET /info, read by the CLI; level 1 when it has none (SPEC §14).
const supports = JSON.parse(process.env[SUPPORTS_ENV] ?? "{}") as Partial<Supports>;

const checked = schemaCheckedFetch(globalThis.fetch.bind(globalThis));

// A wrong shape fails the case that received it, naming the route.
afterEach(() => checked.assertNoViolations());

suite({
  name: baseUrl,
  supports,
  factory: async () => {
    const api = createExternalConsumerApi({ baseUrl, fetch: checked.fetch });
    return { api, dispose: () => api.close() };
  },
});

httpSuite({ name: baseUrl, baseUrl, fetch: checked.fetch, supports });
webSocketSuite({ name: baseUrl, baseUrl, fetch: checked.fetch, supports });
