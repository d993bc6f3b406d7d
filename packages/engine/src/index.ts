export { openEngine } from "./engine.js";
export { DEFAULT_LEASE_MS, DEFAULT_SWEEP_MS } from "./pg-coordination.js";
export * from "./types.js";
