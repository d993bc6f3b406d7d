// Small measuring helpers shared by every metric.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** Runs `work(i)` with `concurrency` loops in flight for `seconds`; answers operations per second. */
export async function throughput({ seconds, concurrency }, work) {
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await work(next++);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resident set size of a process in MB, from /proc. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

/** Starts the server program and resolves once it printed its base URL. */
export function startServerProgram(args) {
  const bin = new URL("../../packages/http-server/dist/bin.js", import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
      if (url) resolve({ child, url, stop: () => stopChild(child) });
    });
    child.once("exit", (code) =>
      reject(new Error(`server program exited (${code}) before listening: ${out}`)),
    );
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
