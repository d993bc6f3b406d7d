// RSS with N instances waiting on a user task, on a temp data dir.
// Usage: pnpm --filter @consumer-api/engine build && node --expose-gc bench/waiting-memory.mjs [count]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openEngine } from "../dist/index.js";

const count = Number(process.argv[2] ?? 100000);
const models = fileURLToPath(new URL("../test/fixtures", import.meta.url));
const data = mkdtempSync(path.join(os.tmpdir(), "engine-bench-"));
const engine = await openEngine({ models, data });
try {
  const started = process.hrtime.bigint();
  for (let done = 0; done < count; done += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - done) }, () =>
        engine.start({
          processModelKey: "Order",
          startEventKey: "StartWeb",
          inputValues: { customer: "ACME" },
        }),
      ),
    );
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(
    `${count} instances waiting (started in ${seconds.toFixed(1)} s): rss ${(rss / 1e6).toFixed(0)} MB, heap ${(heapUsed / 1e6).toFixed(0)} MB`,
  );
} finally {
  await engine.close();
  rmSync(data, { recursive: true, force: true });
}
