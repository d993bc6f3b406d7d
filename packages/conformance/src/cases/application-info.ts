import { CAPABILITIES } from "@consumer-api/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { useApi } from "../harness.js";
import { as } from "../identities.js";
import type { ConformanceOptions } from "../options.js";

export function applicationInfoCases(options: ConformanceOptions): void {
  describe("application info (SPEC §14)", () => {
    const h = useApi(options);

    beforeEach(({ skip }) => {
      if (!h.supports.applicationInfo) skip("no GET /info");
    });

    it("getApplicationInfo names the implementation, its store, and lists exactly the capabilities it offers", async () => {
      const info = await h.api.getApplicationInfo(as.none);
      expect(info.name.length).toBeGreaterThan(0);
      expect(info.version.length).toBeGreaterThan(0);
      expect(info.store.length).toBeGreaterThan(0);
      expect(typeof info.clustered).toBe("boolean");
      expect(new Set(info.capabilities).size).toBe(info.capabilities.length);
      // The suite runs what the implementation claims; a claim this suite was told otherwise is a mismatch.
      for (const capability of CAPABILITIES) {
        if (capability === "externalTasks") continue;
        expect(info.capabilities.includes(capability), capability).toBe(h.supports[capability]);
      }
    });
  });
}
