import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type InternalConsumerApi, openInternalConsumerApi } from "@consumer-api/client-internal";
import { type RunningServer, startServer } from "@consumer-api/http-server";

const models = fileURLToPath(new URL("../fixtures/models", import.meta.url));
const identities = fileURLToPath(new URL("../fixtures/identities.json", import.meta.url));

export interface Backend {
  /** The real internal binding the server serves; tests compare the external client against it. */
  internal: InternalConsumerApi;
  server: RunningServer;
  /** Stops the server and serves the same api again on the same port (drops every connection). */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** client-internal on the engine (SQLite in a temp dir) behind a real http-server on a loopback port. */
export async function startBackend(): Promise<Backend> {
  const data = await mkdtemp(join(tmpdir(), "client-external-test-"));
  const internal = await openInternalConsumerApi({ models, data, identities });
  const options = { api: internal, authenticate: (ctx: { identity: string }) => internal.authenticate(ctx) };
  const backend: Backend = {
    internal,
    server: await startServer(options),
    async restart() {
      const port = Number(new URL(backend.server.url).port);
      await backend.server.close();
      backend.server = await startServer({ ...options, port });
    },
    async dispose() {
      await backend.server.close();
      await internal.close();
      await rm(data, { recursive: true, force: true });
    },
  };
  return backend;
}
