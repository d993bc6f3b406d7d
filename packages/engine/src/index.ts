export { openEngine } from "./engine.js";
export * from "./types.js";
