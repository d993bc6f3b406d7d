import vm from "node:vm";
import { Worker } from "node:worker_threads";
import { SCRIPT_WORKER_SOURCE } from "./script-worker-source.js";

/**
 * A script task body, or the conditions of one exclusive gateway, as code for the script worker. Checked for
 * syntax once at load; the worker compiles it once, on first use.
 */
export interface CompiledScript {
  readonly id: number;
  readonly kind: "script" | "condition";
  readonly code: string;
}

export class ScriptSyntaxError extends Error {}

/** A script or condition that threw, timed out or returned something that is not plain data. */
export class ScriptRunError extends Error {}

let nextScriptId = 1;

function checked(kind: CompiledScript["kind"], code: string, filename: string): CompiledScript {
  try {
    new vm.Script(code, { filename });
  } catch (error) {
    throw new ScriptSyntaxError(errorMessage(error));
  }
  return { id: nextScriptId++, kind, code };
}

export function compileScript(body: string, filename: string): CompiledScript {
  return checked("script", `__stringify((function (token) {\n${body}\n})(__parse(__token)));`, filename);
}

/** Only checks the syntax of one condition expression; gateways run through compileChooser. */
export function checkCondition(expression: string, filename: string): void {
  checked("condition", `(function (token) { return (\n${expression}\n); });`, filename);
}

/**
 * One script per exclusive gateway that evaluates its conditions in order and yields the index of the first
 * flow to take (a flow without condition always matches), or -1. One round trip per gateway, not per flow.
 */
export function compileChooser(
  flows: { id: string; condition?: string }[],
  filename: string,
): CompiledScript {
  const tests = flows.map((flow, index) =>
    flow.condition === undefined
      ? `    return ${index};`
      : `    __flow = ${JSON.stringify(flow.id)};\n    if ((\n${flow.condition}\n)) return ${index};`,
  );
  const body = `  let __flow;
  try {
${tests.join("\n")}
    return -1;
  } catch (error) {
    throw new Error("condition of " + __flow + " failed: " + (error && error.message !== undefined ? error.message : error));
  }`;
  return checked("condition", `(function (token) {\n${body}\n})(__parse(__token));`, filename);
}

/** SharedArrayBuffer.prototype.grow is ES2024; the repo's lib is ES2023. */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(newByteLength: number): void;
}
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => GrowableSharedArrayBuffer;

/** The worker's shared buffer: 32 bytes of control words, then the payload. It grows for large payloads. */
const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 512 * 1024 * 1024;
const WORKER_BOOT_TIMEOUT_MS = 30_000;

/**
 * Runs scripts in a worker thread and waits for the answer synchronously (Atomics.wait), so a step stays one
 * synchronous transaction. A script that runs too long is stopped by terminating the worker; the next script
 * gets a fresh one. This is cheaper than vm's own `timeout`, which starts a watchdog thread for every call.
 */
export class ScriptRunner {
  private worker: Worker | undefined;
  private sab!: GrowableSharedArrayBuffer;
  private ctl!: Int32Array;
  private bytes!: Uint8Array;
  private seq = 0;
  private defined = new Set<number>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(private readonly timeoutMs: number) {}

  /** The script's return value as plain data. */
  runScript(script: CompiledScript, tokenJson: string): unknown {
    const out = this.run(script, tokenJson);
    return out === undefined ? undefined : JSON.parse(out);
  }

  /** Index of the flow to take, -1 when none matches. */
  choose(chooser: CompiledScript, tokenJson: string): number {
    return Number(this.run(chooser, tokenJson));
  }

  /** Starts the worker ahead of the first script, so its boot does not delay a step. */
  warmUp(): void {
    this.ensureWorker();
  }

  close(): void {
    this.stopWorker();
  }

  private run(script: CompiledScript, tokenJson: string): string | undefined {
    this.ensureWorker();
    if (!this.defined.has(script.id)) {
      this.call(1, script, script.code);
      this.defined.add(script.id);
    }
    return this.call(2, script, tokenJson);
  }

  private call(op: 1 | 2, script: CompiledScript, payload: string): string | undefined {
    const { ctl } = this;
    // The worker's boot does not count against a script's timeout.
    if (Atomics.wait(ctl, 7, 0, WORKER_BOOT_TIMEOUT_MS) === "timed-out") {
      this.stopWorker();
      throw new ScriptRunError(`the script worker did not start within ${WORKER_BOOT_TIMEOUT_MS} ms`);
    }
    const seq = ++this.seq;
    ctl[1] = this.write(payload);
    ctl[2] = op;
    ctl[3] = script.id;
    Atomics.store(ctl, 0, seq);
    Atomics.notify(ctl, 0);
    const deadline = performance.now() + this.timeoutMs;
    while (Atomics.load(ctl, 4) !== seq) {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.stopWorker();
        throw new ScriptRunError(`${script.kind} timed out after ${this.timeoutMs} ms`);
      }
      Atomics.wait(ctl, 4, seq - 1, left);
    }
    const status = ctl[6];
    if (status === 2) return undefined;
    const text = this.decoder.decode(this.bytes.slice(0, ctl[5]));
    if (status === 1) throw new ScriptRunError(script.kind === "script" ? `script failed: ${text}` : text);
    return text;
  }

  private write(text: string): number {
    for (;;) {
      const { read, written } = this.encoder.encodeInto(text, this.bytes);
      if (read === text.length) return written ?? 0;
      if (this.sab.byteLength >= MAX_BYTES) throw new ScriptRunError("token payload too large for a script");
      this.sab.grow(Math.min(MAX_BYTES, 32 + text.length * 3));
    }
  }

  private ensureWorker(): void {
    if (this.worker) return;
    // A fresh buffer per worker: a terminated worker may still touch its old one for a moment.
    this.sab = new GrowableSharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
    this.ctl = new Int32Array(this.sab, 0, 8);
    this.bytes = new Uint8Array(this.sab, 32);
    this.seq = 0;
    this.defined = new Set();
    const worker = new Worker(SCRIPT_WORKER_SOURCE, { eval: true, workerData: this.sab });
    worker.unref();
    worker.on("error", () => {
      if (this.worker === worker) this.stopWorker();
    });
    this.worker = worker;
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }
}

/** Errors from another realm are not `instanceof Error` here. */
export function errorMessage(error: unknown): string {
  if (error !== null && typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}
