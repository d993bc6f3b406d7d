import { IMPLEMENTED_CAPABILITIES } from "@consumer-api/client-internal";
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import { afterAll, beforeAll } from "vitest";
import { suite, supportsFromCapabilities } from "../src/index.js";
import { openInternalOnFixtures } from "./support/internal-on-fixtures.js";

// The embedded binding on the shipped fixtures with its state in PostgreSQL (SPEC §7.1): the same suite as
// internal.test.ts, on one real server started for this file, a fresh database per top-level describe.
let postgres: TestPostgres;
let databases = 0;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

suite({
  name: "client-internal on PostgreSQL",
  supports: supportsFromCapabilities(IMPLEMENTED_CAPABILITIES),
  factory: async () => {
    const internal = await openInternalOnFixtures(
      await postgres.createDatabase(`conformance_${++databases}`),
    );
    return { api: internal.api, dispose: internal.close };
  },
});
