// SPEC §7.1: two server programs on one PostgreSQL database are one ConsumerAPI. The whole suite runs
// against them through client-external, every other call on the other node, notifications subscribed on
// the first while half of the steps run on the second; every response is checked against the JSON Schemas.
import { externalSuitesOnPostgres } from "./support/server-programs-on-postgres.js";

await externalSuitesOnPostgres({ name: "two nodes on PostgreSQL", database: "two_nodes", nodes: 2 });
