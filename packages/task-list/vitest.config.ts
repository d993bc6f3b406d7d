import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The browser tests start a server program and Chromium, and each of their waits may take up to a minute
// on a loaded machine: the test's budget is above that.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000 } }));
