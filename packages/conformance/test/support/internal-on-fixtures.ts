import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type InternalConsumerApi, openInternalConsumerApi } from "@consumer-api/client-internal";
import { fixtures } from "../../src/index.js";

/**
 * client-internal on the shipped fixtures with a real SQLite file in a fresh temp dir, or, given a
 * `postgres://…` data string (a fresh database), on PostgreSQL.
 */
export async function openInternalOnFixtures(postgresUrl?: string): Promise<{
  api: InternalConsumerApi;
  close(): Promise<void>;
}> {
  const data = postgresUrl ?? (await mkdtemp(path.join(tmpdir(), "conformance-")));
  const api = await openInternalConsumerApi({
    models: fixtures.modelsDir,
    data,
    identities: fixtures.identitiesFile,
  });
  return {
    api,
    async close() {
      await api.close();
      if (postgresUrl === undefined) await rm(data, { recursive: true, force: true });
    },
  };
}
