import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { matchRoute, routes } from "@consumer-api/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTamperingProxy } from "./support/tampering-proxy.js";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const cli = path.join(packageDir, "dist/cli.js");
const serverBin = path.join(packageDir, "../http-server/dist/bin.js");

/** Runs the CLI; resolves with its output and exit code whatever the code. */
async function conformance(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** Starts the server program and resolves with the base URL it prints once listening. */
function startServerProgram(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [serverBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) {
        child.stdout?.off("data", onData);
        resolve({ url: match[0], child });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) =>
      reject(new Error(`server program exited (${code}) before listening:\n${output}`)),
    );
  });
}

describe("consumer-api-conformance CLI", () => {
  let dir: string;
  let server: { url: string; child: ChildProcess };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "conformance-cli-"));
    const exported = await conformance("fixtures", dir);
    expect(exported.code, exported.output).toBe(0);
    server = await startServerProgram([
      "--models",
      path.join(dir, "models"),
      "--identities",
      path.join(dir, "identities.json"),
      "--data",
      path.join(dir, "data"),
      "--port",
      "0",
    ]);
  });

  afterAll(async () => {
    if (server) {
      const exited = new Promise((resolve) => server.child.once("exit", resolve));
      server.child.kill("SIGTERM");
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("fixtures writes the models and the identities file", async () => {
    const models = await readdir(path.join(dir, "models"));
    expect(models).toContain("lanes.bpmn");
    expect(models).toContain("boundary.bpmn");
    expect(models.every((name) => name.endsWith(".bpmn"))).toBe(true);
    expect(await readdir(dir)).toContain("identities.json");
  });

  it.each([
    [["--level", "1"], "lanes.bpmn", ["boundary.bpmn", "external-tasks.bpmn"]],
    [["--capabilities", "externalTasks"], "external-tasks.bpmn", ["boundary.bpmn"]],
  ])("fixtures %j writes level 1 and only the named level-2 sets", async (options, has, lacks) => {
    const only = await mkdtemp(path.join(tmpdir(), "conformance-cli-level-"));
    try {
      const exported = await conformance("fixtures", only, ...options);
      expect(exported.code, exported.output).toBe(0);
      const models = await readdir(path.join(only, "models"));
      expect(models).toContain("lanes.bpmn");
      expect(models).toContain(has);
      for (const name of lacks) expect(models).not.toContain(name);
    } finally {
      await rm(only, { recursive: true, force: true });
    }
  });

  it("--help tells how to start a server on the fixtures", async () => {
    const { code, output } = await conformance("--help");
    expect(code).toBe(0);
    expect(output).toContain("fixtures <dir>");
    expect(output).toContain("run --url");
    expect(output).toContain("--models");
    expect(output).toContain("--identities");
  });

  it.each([
    [["run"], "--url"],
    [["run", "--url", "not a url"], "not a URL"],
    [["fixtures"], "fixtures <dir>"],
    [["fixtures", "a", "b"], "fixtures <dir>"],
    [["fixtures", "a", "--level", "2"], "--level: only 1"],
    [["fixtures", "a", "--capabilities", "frobnicate"], "no fixture set for frobnicate"],
    [["frobnicate"], 'unknown command "frobnicate"'],
    [["run", "--port", "1"], "--port"],
    [[], "fixtures <dir>"],
  ])("a bad command line %j exits 2, saying what is wrong", async (args, says) => {
    const { code, output } = await conformance(...args);
    expect(code).toBe(2);
    expect(output).toContain(says);
  });

  it("run --url against an address where nothing listens exits non-zero, saying so", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const nowhere = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { code, output } = await conformance("run", "--url", nowhere);
    expect(code).not.toBe(0);
    expect(output).toContain(`cannot reach ${nowhere}`);
  });

  it.each([
    [
      "rejects the fixture tokens",
      () => ({ status: 401, body: { type: "about:blank", title: "Unauthorized", status: 401 } }),
      "does not accept the fixture tokens",
    ],
    [
      "does not list every fixture model",
      ({ status, body }: { status: number; body: unknown }) => ({
        status,
        body: {
          processModels: (body as { processModels: { key: string }[] }).processModels.filter(
            (m) => m.key !== "Lanes",
          ),
        },
      }),
      "does not list the fixture process models Lanes",
    ],
  ])(
    "run --url against a server that %s exits 2 at once, saying how to start one on the fixtures",
    async (_, answer, says) => {
      const proxy = await startTamperingProxy({
        target: server.url,
        tamper: (req) => ((req.url ?? "").endsWith(routes.getProcessModels.path) ? answer : undefined),
      });
      try {
        const { code, output } = await conformance("run", "--url", proxy.url);
        expect(code, output).toBe(2);
        expect(output).toContain(says);
        expect(output).toContain("consumer-api-conformance fixtures ./conformance");
        expect(output).toContain(
          "consumer-api-server --models ./conformance/models --identities ./conformance/identities.json",
        );
        expect(output).not.toMatch(/\d+ passed, \d+ failed/);
      } finally {
        await proxy.close();
      }
    },
  );

  let passedAtLevelTwo: (count: number) => void = () => {};
  const levelTwoPassed = new Promise<number>((resolve) => {
    passedAtLevelTwo = resolve;
  });

  it("run --url passes every case against the server program on the exported fixtures", async () => {
    const { code, output } = await conformance("run", "--url", server.url);
    expect(output).toContain(
      "capabilities (GET /info): notifications, timers, concurrency, pagination, instanceQueries",
    );
    const summary = /(\d+) passed, (\d+) failed/.exec(output);
    passedAtLevelTwo(Number(summary?.[1]));
    expect(summary, output.slice(-4000)).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(100);
    expect(Number(summary?.[2]), output.slice(-8000)).toBe(0);
    expect(code).toBe(0);
  }, 600_000);

  it("run --url against a server that hides GET /info runs the level-1 cases only, and they pass", async () => {
    const proxy = await startTamperingProxy({
      target: server.url,
      tamper: (req) =>
        (req.url ?? "").split("?")[0]?.endsWith(routes.getApplicationInfo.path)
          ? () => ({
              status: 404,
              body: { type: "about:blank", title: "Not Found", status: 404, detail: "none" },
            })
          : undefined,
    });
    try {
      const { code, output } = await conformance("run", "--url", proxy.url);
      expect(output).toContain("no GET /info: running the level-1 cases only");
      const summary = /(\d+) passed, (\d+) failed/.exec(output);
      expect(Number(summary?.[2]), output.slice(-8000)).toBe(0);
      expect(code).toBe(0);
      expect(output).not.toContain("pagination (SPEC §9)");
      const full = await levelTwoPassed;
      expect(Number(summary?.[1])).toBeGreaterThan(100);
      expect(Number(summary?.[1])).toBeLessThan(full);
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it("run --url fails against a server with wrong level-2 answers, naming a case of each family", async () => {
    // pagination: a totalCount one too high; instance queries: every instance "running"; info: no name;
    // triggers by name: a correlation's waiting events always listed empty.
    const proxy = await startTamperingProxy({
      target: server.url,
      tamper: (req) => {
        const match = matchRoute(req.method ?? "GET", (req.url ?? "").split("?")[0] as string);
        if (match.kind !== "match") return undefined;
        if (match.route === routes.getUserTasksForCorrelation) {
          return ({ status, body }) => {
            const list = body as { totalCount?: number };
            return {
              status,
              body: status === 200 ? { ...list, totalCount: (list.totalCount ?? 0) + 1 } : body,
            };
          };
        }
        if (match.route === routes.getProcessInstancesByIdentity) {
          return ({ status, body }) => {
            const list = body as { processInstances?: { state: string }[] };
            const processInstances = list.processInstances?.map((i) => ({ ...i, state: "running" }));
            return { status, body: status === 200 ? { ...list, processInstances } : body };
          };
        }
        if (match.route === routes.getApplicationInfo) {
          return ({ status, body }) => ({ status, body: { ...(body as object), name: "" } });
        }
        if (match.route === routes.getEventsForCorrelation) {
          return ({ status, body }) => ({
            status,
            body: status === 200 ? { events: [], totalCount: 0 } : body,
          });
        }
        return undefined;
      },
    });
    try {
      const { code, output } = await conformance("run", "--url", proxy.url);
      expect(code).not.toBe(0);
      expect(output).toContain("✗");
      expect(output).toContain("totalCount counts only what the caller may see");
      expect(output).toContain("getProcessInstancesByIdentity: state terminated");
      expect(output).toContain("getApplicationInfo names the implementation");
      expect(output).toContain("a message with a correlation reaches only what waits there");
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it("run --url fails against a server with wrong §12 notifications, naming the cases", async () => {
    // Over the WebSocket: user_task_waiting without its user_task_id, process_ended with another payload.
    const proxy = await startTamperingProxy({
      target: server.url,
      tamper: () => undefined,
      tamperFrame: (frame) => {
        const channel = String(frame.channel ?? "");
        if (frame.type !== "notification") return frame;
        const message = { ...(frame.message as Record<string, unknown>) };
        if (channel.endsWith("/user_task_waiting")) delete message.user_task_id;
        if (channel.endsWith("/process_ended")) message.payload = { tampered: true };
        return { ...frame, message };
      },
    });
    try {
      const { code, output } = await conformance("run", "--url", proxy.url);
      expect(code).not.toBe(0);
      expect(output).toContain("✗");
      expect(output).toContain("user_task_waiting names the task by its listed id");
      expect(output).toContain("process_ended: the end event and the result");
      // Level 1's notification cases go through the same relay and still pass.
      expect(output).not.toMatch(/✗ [^\n]*> notifications \(SPEC §5\)/);
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it("run --url fails against a server answering wrong shapes or statuses, naming the cases", async () => {
    // getProcessModelByKey answers without endEvents, a shape the TypeScript client passes on unnoticed;
    // triggerEvent answers 200 with a body where the contract says 204.
    const proxy = await startTamperingProxy({
      target: server.url,
      tamper: (req) => {
        const match = matchRoute(req.method ?? "GET", (req.url ?? "").split("?")[0] as string);
        if (match.kind !== "match") return undefined;
        if (match.route === routes.getProcessModelByKey) {
          return ({ status, body }) => {
            const { endEvents: _dropped, ...rest } = body as Record<string, unknown>;
            return { status, body: rest };
          };
        }
        if (match.route === routes.triggerEvent) {
          return ({ status, body }) =>
            status === 204 ? { status: 200, body: { triggered: true } } : { status, body };
        }
        return undefined;
      },
    });
    try {
      const { code, output } = await conformance("run", "--url", proxy.url);
      expect(code).not.toBe(0);
      const summary = /(\d+) passed, (\d+) failed/.exec(output);
      expect(Number(summary?.[2])).toBeGreaterThan(0);
      expect(output).toContain("✗");
      expect(output).toContain("getProcessModelByKey answers the same entry as the list");
      expect(output).toContain(`GET ${routes.getProcessModelByKey.path}`);
      expect(output).toContain("triggerEvent answers and the event no longer waits");
      expect(output).toContain(`POST ${routes.triggerEvent.path}`);
    } finally {
      await proxy.close();
    }
  }, 600_000);
});
