import { IMPLEMENTED_CAPABILITIES } from "@consumer-api/client-internal";
import { suite, supportsFromCapabilities } from "../src/index.js";
import { openInternalOnFixtures } from "./support/internal-on-fixtures.js";

// The embedded binding on the shipped fixtures, a real SQLite file per top-level describe.
suite({
  name: "client-internal",
  supports: supportsFromCapabilities(IMPLEMENTED_CAPABILITIES),
  factory: async () => {
    const internal = await openInternalOnFixtures();
    return { api: internal.api, dispose: internal.close };
  },
});
