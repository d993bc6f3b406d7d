// The root README's first command, as written, in a copy of the repository (what a fresh clone holds): it
// installs, builds and serves the example models and the task list. Only the port differs: the README's
// server listens on its default 8080, this one where the OS puts it (CONSUMER_API_PORT=0), so that a
// developer's server on 8080 does not fail the test.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlock } from "./markdown-code.js";
import { type ListeningProcess, startListening } from "./support/listening-process.js";
import { root } from "./support/snippet.js";

const run = promisify(execFile);
// A fresh install and a whole build on a busy machine.
const START_BUDGET = 900_000;

/** The repository's files as a clone of the working tree would hold them (tracked and new, not ignored). */
async function copyOfTheRepository(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "consumer-api-clone-"));
  const { stdout } = await run("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = stdout.split("\0").filter((file) => file && existsSync(path.join(root, file)));
  await run(
    "bash",
    [
      "-c",
      `cd "$1" && printf '%s\\0' "\${@:3}" | tar --null -T - -cf - | tar -xf - -C "$2"`,
      "_",
      root,
      dir,
      ...files,
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return dir;
}

describe("the root README's start command", () => {
  let clone: string;
  let server: ListeningProcess;

  beforeAll(async () => {
    clone = await copyOfTheRepository();
    const command = codeBlock(
      path.join(root, "README.md"),
      "Two commands (a fresh machine with Node ≥ 20.19 and npm is enough)",
      "sh",
    );
    expect(command).toContain(" start");
    server = await startListening("bash", ["-c", command], {
      cwd: clone,
      env: { ...process.env, CONSUMER_API_PORT: "0" },
    });
  }, START_BUDGET);

  afterAll(async () => {
    await server?.stop();
    if (clone) await rm(clone, { recursive: true, force: true });
  });

  it("prints where it listens, serves the example models and the task list, with state in ./data", async () => {
    expect(server.output()).toContain(`ConsumerAPI listening on ${server.url}`);
    const models = await fetch(`${server.url}/api/consumer/v1/process_models`, {
      headers: { authorization: "Bearer alice-token" },
    });
    expect(models.status).toBe(200);
    const { processModels } = (await models.json()) as { processModels: { key: string }[] };
    expect(processModels.map((model) => model.key).sort()).toEqual([
      "Dispatch",
      "Order",
      "Payment",
      "TruckArrival",
    ]);
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    expect(existsSync(path.join(clone, "data"))).toBe(true);
  });
});
