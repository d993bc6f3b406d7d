// client-external → real sockets → one server program → engine → PostgreSQL (SPEC §7.1): the whole suite
// as external.test.ts runs it over SQLite, every response checked against the JSON Schemas. Between
// client-internal on PostgreSQL and two nodes, it tells a PostgreSQL fault from a cluster fault.
import { externalSuitesOnPostgres } from "./support/server-programs-on-postgres.js";

await externalSuitesOnPostgres({ name: "one server on PostgreSQL", database: "one_node", nodes: 1 });
