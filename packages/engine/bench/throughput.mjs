// Durable start→script→exclusive gateway→end instances per second on a temp data dir.
// Usage: pnpm --filter @consumer-api/engine build && node bench/throughput.mjs [count] [concurrency] [FULL|NORMAL]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openEngine } from "../dist/index.js";

const count = Number(process.argv[2] ?? 20000);
const concurrency = Number(process.argv[3] ?? 1);
const synchronous = process.argv[4] ?? "FULL";
const models = fileURLToPath(new URL("../test/fixtures", import.meta.url));
const data = mkdtempSync(path.join(os.tmpdir(), "engine-bench-"));
const engine = await openEngine({ models, data, synchronous });
try {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await engine.start({
        processModelKey: "ScriptGateway",
        startEventKey: "Start",
        inputValues: { amount: 7 },
      });
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `${count} instances, concurrency ${concurrency}, synchronous=${synchronous}: ${(count / seconds).toFixed(0)} instances/s`,
  );
} finally {
  await engine.close();
  rmSync(data, { recursive: true, force: true });
}
