// Profiling aid (not part of `pnpm bench`): one throughput loop of one workload, so that the server program
// (or this process, for the internal binding) can run under `--cpu-prof`. Usage:
//   SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof/server" node src/profile.mjs http start 8
//   node --cpu-prof --cpu-prof-dir=/tmp/prof/internal src/profile.mjs internal usertask 8
// then `node src/cpuprofile-summary.mjs <file>.cpuprofile`.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { openInternalConsumerApi } from "@consumer-api/client-internal";
import {
  serverNodeOptions,
  startServerProgram,
  startToEndOnce,
  throughput,
  userTaskRoundTripOnce,
} from "./harness.mjs";

const [binding = "http", kind = "start", secondsArg = "5"] = process.argv.slice(2);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const models = new URL("../models", import.meta.url).pathname;
const identities = new URL("../identities.json", import.meta.url).pathname;

const data = mkdtempSync(join(os.tmpdir(), "consumer-api-prof-"));
let api;
let server;
if (binding === "http") {
  server = await startServerProgram(
    ["--models", models, "--identities", identities, "--data", data, "--port", "0", "--quiet"],
    serverNodeOptions(),
  );
  api = createExternalConsumerApi({ baseUrl: server.url });
} else {
  api = await openInternalConsumerApi({ models, data, identities });
}
const work = kind === "start" ? (i) => startToEndOnce(api, i) : () => userTaskRoundTripOnce(api);
const rate = await throughput({ seconds: Number(secondsArg), warmupSeconds: 1, concurrency }, work);
console.log(`${binding} ${kind}: ${rate.toFixed(0)}/s`);
await api.close();
await server?.stop();
rmSync(data, { recursive: true, force: true });
