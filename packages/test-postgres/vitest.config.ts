// Every package shares one test config (timeouts, the report scripts/test.mjs reads).
export { default } from "../../vitest.shared.ts";
