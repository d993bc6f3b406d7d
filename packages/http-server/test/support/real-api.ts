import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type InternalConsumerApi, openInternalConsumerApi } from "@consumer-api/client-internal";

export const fixtures = {
  models: fileURLToPath(new URL("../fixtures/models", import.meta.url)),
  /** Models with long scripts, kept apart so the other tests' engines start no script worker. */
  scriptModels: fileURLToPath(new URL("../fixtures/script-models", import.meta.url)),
  identities: fileURLToPath(new URL("../fixtures/identities.json", import.meta.url)),
};

/** The real client-internal on the real engine, state in a fresh SQLite directory under os.tmpdir(). */
export async function openRealApi(
  models = fixtures.models,
  options: { scriptTimeoutMs?: number } = {},
): Promise<{ api: InternalConsumerApi; dispose(): Promise<void> }> {
  const data = await mkdtemp(join(tmpdir(), "http-server-test-"));
  const api = await openInternalConsumerApi({
    models,
    data,
    identities: fixtures.identities,
    ...options,
  });
  return {
    api,
    async dispose() {
      await api.close();
      await rm(data, { recursive: true, force: true });
    },
  };
}
