import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlocks } from "./markdown-code.js";
import { type ListeningProcess, startListening } from "./support/listening-process.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));
const examples = path.join(root, "examples");

describe("examples/README.md's curl walk-through", () => {
  let data: string;
  let server: ListeningProcess;

  beforeAll(async () => {
    data = await mkdtemp(path.join(tmpdir(), "consumer-api-examples-"));
    server = await startListening(process.execPath, [
      path.join(root, "packages/http-server/dist/bin.js"),
      ...["--models", path.join(examples, "models"), "--identities", path.join(examples, "identities.json")],
      ...["--data", data, "--port", "0", "--quiet"],
    ]);
  });

  afterAll(async () => {
    await server?.stop();
    await rm(data, { recursive: true, force: true });
  });

  it("runs as written against the example models, and says what it shows", async () => {
    const block = codeBlocks(path.join(examples, "README.md")).find(
      (b) => b.heading === "Walk through with curl" && b.code.includes("B=http://127.0.0.1:8080"),
    );
    expect(block).toBeDefined();
    // The one substitution: the README's server listens on 8080, this one where the OS put it.
    const script = (block?.code ?? "").replaceAll("http://127.0.0.1:8080", server.url);
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], { cwd: root });
    // Two finishes and a trigger, each a 204.
    expect(stdout.match(/HTTP\/1\.1 204/g)).toHaveLength(3);
    // alice may not read the order's result; bob may, through the Manager's end event.
    expect(stdout).toContain('"status":403');
    expect(stdout).toMatch(/"correlationId":"order-1"[^\n]*"endEventKey"/);
    // The signal reached Dispatch, so its result is there.
    expect(stdout).toMatch(/"correlationId":"ship-1"[^\n]*"processModelKey":"Dispatch"/);
    expect(stdout).not.toContain('"status":500');
  });
});
