// The test file `consumer-api-conformance run --url` hands to vitest: the whole suite over HTTP + WebSocket
// (client-external), every response body also checked against the contract's JSON Schemas with ajv.
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { afterEach } from "vitest";
import { httpSuite } from "../http-suite.js";
import { schemaCheckedFetch } from "../schema-checked-fetch.js";
import { suite } from "../suite.js";
import { webSocketSuite } from "../websocket-suite.js";
import { URL_ENV } from "./url-env.js";

const baseUrl = process.env[URL_ENV];
if (!baseUrl)
  throw new Error(`${URL_ENV} is not set: run this file through "consumer-api-conformance run --url"`);

const checked = schemaCheckedFetch(globalThis.fetch.bind(globalThis));

// A wrong shape fails the case that received it, naming the route.
afterEach(() => checked.assertNoViolations());

suite({
  name: baseUrl,
  factory: async () => {
    const api = createExternalConsumerApi({ baseUrl, fetch: checked.fetch });
    return { api, dispose: () => api.close() };
  },
});

httpSuite({ name: baseUrl, baseUrl, fetch: checked.fetch });
webSocketSuite({ name: baseUrl, baseUrl, fetch: checked.fetch });
