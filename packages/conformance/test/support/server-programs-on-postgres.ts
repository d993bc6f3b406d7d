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
} from "../../src/index.js";

// The built server program beside the package's entry (dist/index.js).
const bin = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@consumer-api/http-server")),
  "bin.js",
);

/**
 * The whole suite (suite, httpSuite, webSocketSuite) through client-external against `nodes` server programs
 * on one fresh PostgreSQL database (SPEC §7.1), every response checked against the JSON Schemas. With more
 * than one node every other call goes to the next node, and the notification socket to the first, so half
 * of the steps it is told of ran on another node. Each node must drain and stop cleanly on SIGTERM.
 */
export async function externalSuitesOnPostgres(options: {
  name: string;
  database: string;
  nodes: number;
}): Promise<void> {
  const postgres = await startTestPostgres();
  const data = await postgres.createDatabase(options.database);
  const args = ["--models", fixtures.modelsDir, "--identities", fixtures.identitiesFile];
  // All start at once, as a deployment's nodes do: the schema is created once.
  const nodes: ServerNode[] = await Promise.all(
    Array.from({ length: options.nodes }, () => startServerNode({ bin, args, data })),
  );
  afterAll(async () => {
    const exits = await Promise.all(nodes.map((node) => node.stop()));
    await postgres.stop();
    if (exits.some((code) => code !== 0)) throw new Error(`a node did not stop cleanly: ${exits.join(", ")}`);
  });

  const urls = nodes.map((node) => node.url);
  const baseUrl = urls[0] as string;
  const checked = schemaCheckedFetch(
    urls.length === 1 ? globalThis.fetch.bind(globalThis) : spreadingFetch(urls),
  );
  afterEach(() => checked.assertNoViolations());

  const supports = supportsFromCapabilities(IMPLEMENTED_CAPABILITIES);
  suite({
    name: `client-external over ${options.name}`,
    supports,
    factory: async () => {
      const api = createExternalConsumerApi({ baseUrl, fetch: checked.fetch });
      return { api, dispose: () => api.close() };
    },
  });
  httpSuite({ name: options.name, baseUrl, fetch: checked.fetch, supports });
  webSocketSuite({ name: options.name, baseUrl, fetch: checked.fetch, supports });
}
