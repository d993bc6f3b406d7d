// Races over HTTP (SPEC §4.5, §4.7): one winner per waiting task or event, every start into one correlation kept.
import { type InternalConsumerApi, openInternalConsumerApi } from "@consumer-api/client-internal";
import { afterAll, beforeAll } from "vitest";
import { type RunningServer, startServer } from "../../src/index.js";
import { concurrencyCases } from "./support/concurrency-cases.js";
import { reliabilityFixtures, Sandbox } from "./support/program.js";

const sandbox = new Sandbox();
let api: InternalConsumerApi;
let server: RunningServer;

beforeAll(async () => {
  api = await openInternalConsumerApi({
    models: reliabilityFixtures.models,
    data: await sandbox.tempDir(),
    identities: reliabilityFixtures.identities,
  });
  server = await startServer({ api, authenticate: (context) => api.authenticate(context) });
});
afterAll(async () => {
  await server?.close();
  await api?.close();
  await sandbox.cleanup();
});

concurrencyCases("concurrency over HTTP", () => [server.url]);
