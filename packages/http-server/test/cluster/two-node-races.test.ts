// SPEC §7.1: exactly once across nodes. Twelve racers per waiting task or event, spread over two server
// programs on one PostgreSQL database: one 204, every other racer 404 or 409.
import { startTestPostgres, type TestPostgres } from "@consumer-api/test-postgres";
import { afterAll, beforeAll } from "vitest";
import { concurrencyCases } from "../reliability/support/concurrency-cases.js";
import { type Program, Sandbox } from "../reliability/support/program.js";

const sandbox = new Sandbox();
let postgres: TestPostgres;
let nodes: Program[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
  const data = await postgres.createDatabase("races");
  nodes = await Promise.all([sandbox.start(data), sandbox.start(data)]);
});
afterAll(async () => {
  await sandbox.cleanup();
  await postgres?.stop();
});

concurrencyCases("concurrency over two nodes", () => nodes.map((node) => node.url));
