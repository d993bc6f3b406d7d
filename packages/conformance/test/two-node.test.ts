// SPEC §7.1: two server programs on one PostgreSQL database are one ConsumerAPI. The whole suite runs
// against them through client-external, every other call on the other node, notifications subscribed on
// the first while half of the steps run on the second; every response is checked against the JSON Schemas.
import { createRequire } from "node:module";
import path from "node:path";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { IMPLEMENTED_CAPABILITIES } from "@consumer-api/client-internal";
import {
  type ServerNode,
  spreadingFetch,
  startServerNode,
  startTestPostgres,
} from "@consumer-api/test-postgres";
import { afterAll, afterEach } from "vitest";
import {
  fixtures,
  httpSuite,
  schemaCheckedFetch,
  suite,
  supportsFromCapabilities,
  webSocketSuite,
} from "../src/index.js";

// The built server program beside the package's entry (dist/index.js).
const bin = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@consumer-api/http-server")),
  "bin.js",
);

const postgres = await startTestPostgres();
const data = await postgres.createDatabase("two_nodes");
const args = ["--models", fixtures.modelsDir, "--identities", fixtures.identitiesFile];
// Both start at once, as a deployment's nodes do: the schema is created once.
const nodes: ServerNode[] = await Promise.all([
  startServerNode({ bin, args, data }),
  startServerNode({ bin, args, data }),
]);
const [first, second] = nodes as [ServerNode, ServerNode];

afterAll(async () => {
  const exits = await Promise.all(nodes.map((node) => node.stop()));
  await postgres.stop();
  // Each drained and stopped cleanly on SIGTERM.
  if (exits.some((code) => code !== 0)) throw new Error(`a node did not stop cleanly: ${exits.join(", ")}`);
});

const checked = schemaCheckedFetch(spreadingFetch([first.url, second.url]));
afterEach(() => checked.assertNoViolations());

const supports = supportsFromCapabilities(IMPLEMENTED_CAPABILITIES);

suite({
  name: "client-external over two nodes on PostgreSQL",
  supports,
  factory: async () => {
    // The notification socket goes to the first node (baseUrl); the calls alternate between both.
    const api = createExternalConsumerApi({ baseUrl: first.url, fetch: checked.fetch });
    return { api, dispose: () => api.close() };
  },
});

httpSuite({ name: "two nodes", baseUrl: first.url, fetch: checked.fetch, supports });
webSocketSuite({ name: "two nodes", baseUrl: first.url, fetch: checked.fetch, supports });
