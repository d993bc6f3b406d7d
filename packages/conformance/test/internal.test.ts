import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openInternalConsumerApi } from "@consumer-api/client-internal";
import { fixtures, suite } from "../src/index.js";

// The embedded binding on the shipped fixtures, with a real SQLite file per top-level describe.
suite({
  name: "client-internal",
  factory: async () => {
    const data = await mkdtemp(path.join(tmpdir(), "conformance-internal-"));
    const api = await openInternalConsumerApi({
      models: fixtures.modelsDir,
      data,
      identities: fixtures.identitiesFile,
    });
    return {
      api,
      dispose: async () => {
        await api.close();
        await rm(data, { recursive: true, force: true });
      },
    };
  },
});
