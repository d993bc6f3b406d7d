// Profiling aid (not part of `pnpm bench`): where the CPU of a PostgreSQL deployment goes. Runs start_to_end
// (ScriptGateway, callback 2) against N server programs on one PostgreSQL for S seconds and reports, per
// instance, the CPU milliseconds of the server programs, of PostgreSQL (postmaster, backends, WAL writer…)
// and of this client — the figures the scale-out estimate in BENCHMARKS.md is made from. Usage:
//   node src/cpu-split.mjs [nodes=1] [seconds=5] [spread|apart|first] [start|usertask]
// `spread` (the default): every other call to the next node, as `pg2` in the bench; `apart`: the same, but
// each program alone on a database of its own (no cluster: the control for what a second busy program
// costs); `first`: every call to the first node, the others idle members of its cluster (what membership
// costs); `sqlite`: one program on SQLite (a data directory of its own), the figures to set beside one
// node's. `usertask`: the bench's user-task round trip instead of start-to-end. Besides CPU, per operation:
// the server programs' read and write system calls (`/proc/<pid>/io`), the machine's context switches, and
// the share of the machine's CPU time it was idle. BENCH_CONCURRENCY (8);
// SERVER_NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof/pg") are the server programs' Node options.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { startTestPostgres } from "@consumer-api/test-postgres";
import {
  pgDatabases,
  serverNodeOptions,
  spread,
  startServerProgram,
  startToEndOnce,
  throughput,
  userTaskRoundTripOnce,
} from "./harness.mjs";

const [nodesArg = "1", secondsArg = "5", mode = "spread", workload = "start"] = process.argv.slice(2);
const nodes = Number(nodesArg);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
if (!["spread", "apart", "first", "sqlite"].includes(mode) || !["start", "usertask"].includes(workload)) {
  throw new Error(`usage: cpu-split.mjs [nodes] [seconds] [spread|apart|first|sqlite] [start|usertask]`);
}
const models = new URL("../models", import.meta.url).pathname;
const identities = new URL("../identities.json", import.meta.url).pathname;
const TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}
/** The PostgreSQL server's processes: the postmaster (its command line names the data directory) and its children. */
function postgresPids(dataDirectory) {
  const pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  const read = (pid) => {
    try {
      return {
        cmd: readFileSync(`/proc/${pid}/cmdline`, "utf8"),
        ppid: readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1],
      };
    } catch {
      return undefined;
    }
  };
  const master = pids.find(
    (pid) => read(pid)?.cmd.includes(dataDirectory) && read(pid)?.cmd.includes("postgres"),
  );
  return pids.filter((pid) => pid === master || read(pid)?.ppid === master);
}
/** System calls that read and that wrote, of a process. */
function syscalls(pid) {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  return { reads: Number(/syscr: (\d+)/.exec(io)[1]), writes: Number(/syscw: (\d+)/.exec(io)[1]) };
}
/** The machine's context switches so far, and its CPU time: all of it and the idle part, in ticks. */
function machine() {
  const stat = readFileSync("/proc/stat", "utf8");
  const ticks = stat.split("\n")[0].split(/\s+/).slice(1, 9).map(Number);
  return {
    switches: Number(/^ctxt (\d+)/m.exec(stat)[1]),
    ticks: ticks.reduce((a, b) => a + b, 0),
    idle: ticks[3] + ticks[4],
  };
}
const sum = (pids) =>
  pids.reduce((total, pid) => {
    try {
      return total + cpuMs(pid);
    } catch {
      return total;
    }
  }, 0);

const sqlite = mode === "sqlite" ? mkdtempSync(join(os.tmpdir(), "consumer-api-cpu-split-")) : undefined;
const postgres = sqlite ? undefined : await startTestPostgres();
const datas = sqlite ? [sqlite] : await pgDatabases(postgres, "cpu_split", nodes, mode === "apart");
const args = ["--models", models, "--identities", identities, "--port", "0", "--quiet"];
const servers = await Promise.all(
  datas.map((each) =>
    startServerProgram(args, serverNodeOptions(), {
      CONSUMER_API_DATA: each,
    }),
  ),
);
const serverSyscalls = () =>
  servers
    .map((server) => syscalls(server.child.pid))
    .reduce((a, b) => ({ reads: a.reads + b.reads, writes: a.writes + b.writes }));
const apis = servers.map((server) => createExternalConsumerApi({ baseUrl: server.url }));
const api = mode === "first" ? apis[0] : spread(apis);
const work = workload === "start" ? (i) => startToEndOnce(api, i) : () => userTaskRoundTripOnce(api);
await throughput({ seconds: 1, concurrency }, work);
const pgPids = () => (postgres ? postgresPids(postgres.dataDirectory) : []);
const before = {
  node: sum(servers.map((s) => s.child.pid)),
  pg: sum(pgPids()),
  client: process.cpuUsage(),
  io: serverSyscalls(),
  machine: machine(),
};
const started = performance.now();
let count = 0;
const rate = await throughput({ seconds: Number(secondsArg), concurrency }, (i) => {
  count++;
  return work(i);
});
const wall = performance.now() - started;
const client = process.cpuUsage(before.client);
const per = (ms) => (ms / count).toFixed(3);
const nodeMs = sum(servers.map((s) => s.child.pid)) - before.node;
const pgMs = sum(pgPids()) - before.pg;
const io = serverSyscalls();
const after = machine();
console.log(
  JSON.stringify({
    nodes,
    mode,
    workload,
    concurrency,
    instancesPerSecond: Math.round(rate),
    wallMs: Math.round(wall),
    cpuMsPerInstance: {
      servers: per(nodeMs),
      postgres: per(pgMs),
      client: per((client.user + client.system) / 1000),
    },
    cpuCoresBusy: { servers: (nodeMs / wall).toFixed(2), postgres: (pgMs / wall).toFixed(2) },
    perInstance: {
      serverReads: per(io.reads - before.io.reads),
      serverWrites: per(io.writes - before.io.writes),
      contextSwitches: per(after.switches - before.machine.switches),
    },
    machineIdle: ((after.idle - before.machine.idle) / (after.ticks - before.machine.ticks)).toFixed(2),
  }),
);
await Promise.all(apis.map((api) => api.close()));
await Promise.all(servers.map((server) => server.stop()));
await postgres?.stop();
if (sqlite) rmSync(sqlite, { recursive: true, force: true });
