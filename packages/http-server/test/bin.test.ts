import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { API_PREFIX, buildUrlPath, routes } from "@consumer-api/contracts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The built program, as `pnpm start` and npm's bin link run it (turbo builds before testing).
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));
const alice = { authorization: "Bearer alice-token" };

let data: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  data = await mkdtemp(join(tmpdir(), "consumer-api-bin-"));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await rm(data, { recursive: true, force: true });
});

interface Program {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Program {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  // "close", not "exit": by then the output is read to its end.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function serve(extra: string[] = []): Promise<Program & { url: string }> {
  const program = run([
    "--models",
    join(examples, "models"),
    "--identities",
    join(examples, "identities.json"),
    "--data",
    data,
    "--port",
    "0",
    ...extra,
  ]);
  for (;;) {
    const match = /ConsumerAPI listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(program.output());
    if (match) return { ...program, url: match[1] as string };
    if (program.child.exitCode !== null) throw new Error(`exited early: ${program.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Every case spawns the program, which takes seconds to start on a busy machine: a generous bound per case.
describe("consumer-api-server", () => {
  it("serves the examples, logs requests, stops with 0 on SIGTERM, and keeps its state across a restart", async () => {
    const first = await serve();
    const list = await fetch(`${first.url}${API_PREFIX}/process_models`, { headers: alice });
    expect(list.status).toBe(200);
    const { processModels } = (await list.json()) as { processModels: { key: string }[] };
    expect(processModels.map((m) => m.key).sort()).toEqual(["Dispatch", "Order", "Payment", "TruckArrival"]);

    const started = await fetch(
      first.url +
        buildUrlPath(
          routes.startProcessInstance,
          { process_model_key: "Order", start_event_key: "OrderReceived" },
          {},
        ),
      {
        method: "POST",
        headers: { ...alice, "content-type": "application/json" },
        body: JSON.stringify({ correlationId: "order-1" }),
      },
    );
    expect(started.status).toBe(200);
    // The log line is written once the answer went out, so it may arrive just after it.
    const logLine =
      /POST \/api\/consumer\/v1\/process_models\/Order\/start_events\/OrderReceived\/start 200 [\d.]+ms/;
    while (!logLine.test(first.output())) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = await serve(["--quiet"]);
    const tasks = await fetch(
      second.url + buildUrlPath(routes.getUserTasksForCorrelation, { correlation_id: "order-1" }, {}),
      { headers: alice },
    );
    expect(((await tasks.json()) as { userTasks: { key: string }[] }).userTasks.map((t) => t.key)).toEqual([
      "EnterOrder",
    ]);
    expect(second.output()).not.toContain("GET /api");
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });

  it("serves the task-list page at / (and says where), unless --no-ui", async () => {
    const program = await serve(["--quiet"]);
    // The line after "listening on": it may arrive in a later chunk of the program's output.
    const announced = `Task list: ${program.url}/`;
    while (!program.output().includes(announced)) {
      if (program.child.exitCode !== null) throw new Error(program.output());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const page = await fetch(`${program.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(await page.text()).toContain("<title>Task list");
    const script = await fetch(`${program.url}/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await fetch(`${program.url}/../package.json`)).status).toBe(404);
    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(0);

    const without = await serve(["--quiet", "--no-ui"]);
    expect(without.output()).not.toContain("Task list");
    expect((await fetch(`${without.url}/`)).status).toBe(404);
    without.child.kill("SIGTERM");
    expect(await without.exited).toBe(0);
  });

  it("refuses a second program on its --data directory; after kill -9 of the first one starts", async () => {
    const first = await serve();
    const second = run([
      "--models",
      join(examples, "models"),
      "--identities",
      join(examples, "identities.json"),
      "--data",
      data,
      "--port",
      "0",
    ]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`the data directory ${data} is in use by another engine`);
    // The refusal took nothing from the first: it still serves.
    const models = await fetch(`${first.url}${API_PREFIX}/process_models`, { headers: alice });
    expect(models.status).toBe(200);
    // The lock dies with its process, so kill -9 leaves nothing that blocks a restart.
    first.child.kill("SIGKILL");
    await first.exited;
    const third = await serve();
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
    // Three program starts: each took up to 20 s beside the whole suite on a loaded machine.
  }, 180_000);

  it("keeps serving when whatever reads its output goes away (e.g. `| head -1`)", async () => {
    const program = await serve();
    program.child.stdout?.destroy();
    // Each answered request writes a log line into the closed pipe.
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${program.url}${API_PREFIX}/process_models`, { headers: alice });
      expect(response.status).toBe(200);
    }
    expect(program.child.exitCode).toBeNull();
    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(0);
  });

  it("takes its options from the environment", async () => {
    const program = run([], {
      CONSUMER_API_MODELS: join(examples, "models"),
      CONSUMER_API_IDENTITIES: join(examples, "identities.json"),
      CONSUMER_API_DATA: ":memory:",
      CONSUMER_API_PORT: "0",
    });
    while (!program.output().includes("listening on")) {
      if (program.child.exitCode !== null) throw new Error(program.output());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    program.child.kill("SIGTERM");
    expect(await program.exited).toBe(0);
  });

  it("prints its options for --help", async () => {
    const program = run(["--help"]);
    expect(await program.exited).toBe(0);
    expect(program.output()).toContain("--identities <file>");
    expect(program.output()).toContain("CONSUMER_API_PORT");
  });

  it("exits 2 with a message for bad options", async () => {
    for (const args of [
      ["--models", "m", "--data", "d", "--identities", "i", "--port", "nope"],
      ["--data", "d", "--identities", "i"],
      ["--models", "m", "--data", "d", "--identities", "i", "--jwt-secret", "s"],
      ["--models", "m", "--data", "d", "--frobnicate"],
    ]) {
      const program = run(args);
      expect(await program.exited).toBe(2);
      expect(program.output()).toMatch(/consumer-api-server: .+\n/);
    }
  });

  it("exits 2 for a --data PostgreSQL URL that is not one, without repeating it", async () => {
    for (const url of ["postgres://", "postgres://u:secret@db.example", "postgresql://u:secret@[bad/db"]) {
      for (const [args, env] of [
        [["--data", url], {}],
        [[], { CONSUMER_API_DATA: url }],
      ] as const) {
        const program = run(["--models", "m", "--identities", "i", ...args], env);
        expect(await program.exited).toBe(2);
        expect(program.output()).toMatch(/^consumer-api-server: --data: .*PostgreSQL URL/);
        expect(program.output()).not.toContain("secret");
      }
    }
  });

  it("exits 1 with one line naming the database it cannot reach, no stack, no password", async () => {
    const program = run(
      ["--models", join(examples, "models"), "--identities", join(examples, "identities.json")],
      { CONSUMER_API_DATA: "postgres://u:secret@127.0.0.1:1/orders" },
    );
    expect(await program.exited).toBe(1);
    expect(program.output()).toMatch(
      /^consumer-api-server: cannot open the PostgreSQL database 127\.0\.0\.1:1\/orders: .+\n$/,
    );
    expect(program.output()).not.toContain("secret");
  });

  it("exits 1 naming the file and element for a model that does not load", async () => {
    const models = await mkdtemp(join(tmpdir(), "consumer-api-bad-models-"));
    try {
      await writeFile(
        join(models, "broken.bpmn"),
        `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="Broken" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F" sourceRef="Start" targetRef="Script" />
    <bpmn:scriptTask id="Script" scriptFormat="javascript"><bpmn:script>return {;</bpmn:script></bpmn:scriptTask>
  </bpmn:process>
</bpmn:definitions>`,
      );
      const program = run([
        "--models",
        models,
        "--identities",
        join(examples, "identities.json"),
        "--data",
        ":memory:",
      ]);
      expect(await program.exited).toBe(1);
      expect(program.output()).toContain("broken.bpmn");
      expect(program.output()).toContain("Script");
    } finally {
      await rm(models, { recursive: true, force: true });
    }
  });
});
