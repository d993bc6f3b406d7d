// Run by pg-coordination.test.ts: a node that claims a script job, says so, and keeps renewing its lease
// until the parent SIGKILLs it.
import { writeSync } from "node:fs";
import { PgCoordination } from "../dist/pg-coordination.js";

const [url, key, leaseMs] = process.argv.slice(2);
const node = new PgCoordination({ connectionString: url, nodeId: "doomed", leaseMs: Number(leaseMs) });
await node.start({ news: () => {}, attends: () => false, watched: () => [], touched: () => {} });
const won = await node.claim("script-job", [key]);
writeSync(1, `${won.has(key) ? "holding" : "refused"}\n`);
setInterval(() => {}, 1000);
