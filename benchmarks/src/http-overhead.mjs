// Profiling aid (not part of `pnpm bench`): CPU cost of the HTTP path alone. Runs a fixed number of reads
// (list one correlation's user tasks: no commit, no script) and reports CPU microseconds per request of the
// server process (from /proc) and of this client process: numbers that stay comparable on a noisy machine,
// unlike throughput. Usage: node src/http-overhead.mjs [requests=20000]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { runCount, serverNodeOptions, startServerProgram } from "./harness.mjs";

const count = Number(process.argv[2] ?? 20_000);
const models = new URL("../models", import.meta.url).pathname;
const identities = new URL("../identities.json", import.meta.url).pathname;
const context = { identity: "bench-token" };
const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
};

const data = mkdtempSync(join(os.tmpdir(), "consumer-api-prof-"));
const server = await startServerProgram(
  ["--models", models, "--identities", identities, "--data", data, "--port", "0", "--quiet"],
  serverNodeOptions(),
);
const api = createExternalConsumerApi({ baseUrl: server.url });
const { correlationId } = await api.startProcessInstance(context, "Approval", "Start", {});
const read = () => api.getUserTasksForCorrelation(context, correlationId);
await runCount({ count: 5000, concurrency: 8 }, read); // warm-up
const serverBefore = ticks(server.child.pid);
const clientBefore = process.cpuUsage();
const rate = await runCount({ count, concurrency: 8 }, read);
const serverUs = ((ticks(server.child.pid) - serverBefore) * 10_000) / count;
const client = process.cpuUsage(clientBefore);
const clientUs = (client.user + client.system) / count;
console.log(
  `${rate.toFixed(0)} req/s; CPU per request: server ${serverUs.toFixed(1)} µs, client ${clientUs.toFixed(1)} µs`,
);
await api.close();
await server.stop();
rmSync(data, { recursive: true, force: true });
