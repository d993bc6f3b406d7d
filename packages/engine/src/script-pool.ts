import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { SCRIPT_WORKER_SOURCE } from "./script-worker-source.js";
import type { CompiledScript } from "./scripts.js";

/** A script run's result as JSON text (undefined when it returned nothing), or why it failed. */
export type ScriptOutcome =
  | { ok: true; json: string | undefined }
  /** `bpmnError`: the script threw `new BpmnError(code, message)`. */
  | { ok: false; message: string; bpmnError?: { code: string; message: string } };

/** SharedArrayBuffer.prototype.grow is ES2024; the repo's lib is ES2023. */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(newByteLength: number): void;
}
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => GrowableSharedArrayBuffer;

/** Atomics.waitAsync is ES2024 as well. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync.bind(Atomics);

/** The worker's shared buffer: 32 bytes of control words, then the payload. It grows for large payloads. */
const INITIAL_BYTES = 64 * 1024;
const MAX_BYTES = 512 * 1024 * 1024;
const WORKER_BOOT_TIMEOUT_MS = 30_000;
/**
 * How long a caller waiting in place spins before it sleeps. A short script answers within tens of
 * microseconds while its worker runs on another core; a thread that slept (Atomics.wait) for it has to be
 * scheduled again after the answer, which on a busy machine takes longer than the script. Measured on two
 * cores (BENCHMARKS.md): start-to-ends per second over HTTP on PostgreSQL, whose backends keep the other
 * core busy, +23 % (SQLite unchanged), with 50 µs doing better than 150 or 400. On one core the worker
 * cannot run while its caller spins: no spin there.
 */
const SPIN_MS = availableParallelism() > 1 ? 0.05 : 0;

interface Run {
  seq: number;
  kind: CompiledScript["kind"];
  deadline: number;
}

/**
 * One worker thread with its shared buffer, running one script at a time. The hand-off is a shared buffer,
 * not postMessage, so a short script answers within microseconds and its caller can wait for it in place.
 */
class ScriptWorker {
  ready = false;
  private readonly thread: Worker;
  // A fresh buffer per worker: a terminated worker may still touch its old one for a moment.
  private readonly sab = new GrowableSharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
  private readonly ctl = new Int32Array(this.sab, 0, 8);
  private readonly bytes = new Uint8Array(this.sab, 32);
  private readonly defined = new Set<number>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  private seq = 0;
  private running: Run | undefined;
  private answer: ((outcome: ScriptOutcome) => void) | undefined;
  private gone = false;

  constructor(
    private readonly timeoutMs: number,
    /** Whether a script waits for this worker's boot: it then keeps the process alive, like a busy one. */
    awaited: boolean,
    private readonly onReady: () => void,
    private readonly onGone: (worker: ScriptWorker) => void,
  ) {
    this.thread = new Worker(SCRIPT_WORKER_SOURCE, { eval: true, workerData: this.sab });
    if (!awaited) this.thread.unref();
    this.thread.on("error", (error) => this.lost(`the script worker failed: ${error.message}`));
    this.thread.on("exit", () => this.lost("the script worker exited"));
    const boot = waitAsync(this.ctl, 7, 0, WORKER_BOOT_TIMEOUT_MS);
    const booted = () => {
      if (this.gone) return;
      if (Atomics.load(this.ctl, 7) !== 1) {
        this.lost(`the script worker did not start within ${WORKER_BOOT_TIMEOUT_MS} ms`);
        return;
      }
      this.ready = true;
      this.onReady();
      if (!this.answer) this.thread.unref();
    };
    if (boot.async) void boot.value.then(booted);
    else queueMicrotask(booted);
  }

  get idle(): boolean {
    return this.ready && !this.gone && this.running === undefined;
  }

  /** Hands the script over; a failure when the payload cannot be handed over at all. */
  send(script: CompiledScript, input: string): ScriptOutcome | undefined {
    const { ctl } = this;
    let codeLength = 0;
    try {
      if (!this.defined.has(script.id)) codeLength = this.write(script.code, 0);
      ctl[1] = codeLength + this.write(input, codeLength);
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
    this.defined.add(script.id);
    ctl[2] = codeLength;
    ctl[3] = script.id;
    const seq = ++this.seq;
    this.running = { seq, kind: script.kind, deadline: performance.now() + this.timeoutMs };
    Atomics.store(ctl, 0, seq);
    Atomics.notify(ctl, 0);
    return undefined;
  }

  /** Blocks up to `ms` for the answer: the outcome, or undefined while the script still runs. */
  waitSync(ms: number): ScriptOutcome | undefined {
    const run = this.running as Run;
    const until = Math.min(performance.now() + ms, run.deadline);
    const spinUntil = Math.min(performance.now() + SPIN_MS, until);
    while (Atomics.load(this.ctl, 4) !== run.seq && performance.now() < spinUntil) {
      // Spinning: see SPIN_MS.
    }
    while (Atomics.load(this.ctl, 4) !== run.seq) {
      const left = until - performance.now();
      if (left <= 0) return performance.now() >= run.deadline ? this.timedOut(run) : undefined;
      Atomics.wait(this.ctl, 4, run.seq - 1, left);
    }
    return this.take(run);
  }

  /** The outcome of the running script, without blocking: its answer, its timeout, or the worker's loss. */
  waitAsync(): Promise<ScriptOutcome> {
    const run = this.running as Run;
    // Nothing else need keep the process alive while a caller waits for this outcome (Atomics.waitAsync
    // does not), so the worker does until it answers.
    this.thread.ref();
    return new Promise((resolve) => {
      this.answer = resolve;
      this.poll(run);
    });
  }

  /** A script waits for this worker's boot: keep the process alive until it is ready. */
  awaitBoot(): void {
    if (!this.ready) this.thread.ref();
  }

  stop(): void {
    this.lost("the script worker was stopped");
  }

  private poll(run: Run): void {
    if (this.running !== run || !this.answer) return;
    const answered = Atomics.load(this.ctl, 4);
    if (answered === run.seq) {
      this.answer(this.take(run));
      return;
    }
    const left = run.deadline - performance.now();
    if (left <= 0) {
      this.answer(this.timedOut(run));
      return;
    }
    const wait = waitAsync(this.ctl, 4, answered, left);
    if (wait.async) void wait.value.then(() => this.poll(run));
    else this.poll(run);
  }

  private take(run: Run): ScriptOutcome {
    this.running = undefined;
    this.answer = undefined;
    this.thread.unref();
    const { ctl } = this;
    const status = ctl[6];
    if (status === 2) return { ok: true, json: undefined };
    const text = this.decoder.decode(this.bytes.slice(0, ctl[5]));
    if (status === 1) return { ok: false, message: run.kind === "script" ? `script failed: ${text}` : text };
    if (status === 3) {
      const bpmnError = JSON.parse(text) as { code: string; message: string };
      return { ok: false, message: `BpmnError ${bpmnError.code}: ${bpmnError.message}`, bpmnError };
    }
    return { ok: true, json: text };
  }

  /** A script that runs too long is stopped by terminating its worker; the pool starts another. */
  private timedOut(run: Run): ScriptOutcome {
    const message = `${run.kind} timed out after ${this.timeoutMs} ms`;
    this.lost(message);
    return { ok: false, message };
  }

  private lost(message: string): void {
    if (this.gone) return;
    this.gone = true;
    const answer = this.answer;
    this.running = undefined;
    this.answer = undefined;
    void this.thread.terminate();
    this.onGone(this);
    answer?.({ ok: false, message });
  }

  private write(text: string, offset: number): number {
    for (;;) {
      const target = offset === 0 ? this.bytes : new Uint8Array(this.sab, 32 + offset);
      const { read, written } = this.encoder.encodeInto(text, target);
      if (read === text.length) return written ?? 0;
      if (this.sab.byteLength >= MAX_BYTES) throw new Error("token payload too large for a script");
      this.sab.grow(Math.min(MAX_BYTES, 32 + offset + text.length * 3));
    }
  }
}

interface Queued {
  script: CompiledScript;
  input: string;
  resolve(outcome: ScriptOutcome): void;
}

/**
 * Runs scripts on up to `size` worker threads. A step waits for a script in place while the inline budget
 * lasts (short scripts, the common case, then cost no extra step and no extra commit); a script still
 * running after that, or one that finds no idle worker, is handed back as a promise, and the step records
 * a script job for it instead of blocking the event loop.
 */
export class ScriptPool {
  private readonly workers: ScriptWorker[] = [];
  private readonly queue: Queued[] = [];
  private inlineMs = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly timeoutMs: number,
  ) {}

  /** How long the scripts run from now on may, in total, keep their caller waiting in place. */
  setInlineBudget(ms: number): void {
    this.inlineMs = ms;
  }

  run(script: CompiledScript, input: string): ScriptOutcome | Promise<ScriptOutcome> {
    const worker = this.workers.find((candidate) => candidate.idle);
    if (!worker) return this.enqueue(script, input);
    const refused = worker.send(script, input);
    if (refused) return refused;
    if (this.inlineMs > 0) {
      const began = performance.now();
      const outcome = worker.waitSync(this.inlineMs);
      this.inlineMs = Math.max(0, this.inlineMs - (performance.now() - began));
      if (outcome) return outcome;
    }
    return this.follow(worker);
  }

  /** Starts a worker ahead of the first script, so its boot does not delay one. */
  warmUp(): void {
    if (this.workers.length === 0) this.spawn(false);
  }

  close(): void {
    this.closed = true;
    for (const worker of this.workers.splice(0)) worker.stop();
    for (const queued of this.queue.splice(0))
      queued.resolve({ ok: false, message: "the engine was closed" });
  }

  private follow(worker: ScriptWorker): Promise<ScriptOutcome> {
    return worker.waitAsync().then((outcome) => {
      this.drain();
      return outcome;
    });
  }

  private enqueue(script: CompiledScript, input: string): Promise<ScriptOutcome> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({ ok: false, message: "the engine was closed" });
        return;
      }
      this.queue.push({ script, input, resolve });
      for (const worker of this.workers) worker.awaitBoot();
      this.grow();
    });
  }

  private drain(): void {
    for (;;) {
      const worker = this.workers.find((candidate) => candidate.idle);
      const queued = worker && this.queue.shift();
      if (!worker || !queued) return;
      const refused = worker.send(queued.script, queued.input);
      if (refused) queued.resolve(refused);
      else void this.follow(worker).then(queued.resolve);
    }
  }

  /** Starts a worker when queued scripts outnumber the workers still booting and the pool has room. */
  private grow(): void {
    const booting = this.workers.filter((worker) => !worker.ready).length;
    if (!this.closed && this.queue.length > booting && this.workers.length < this.size) this.spawn(true);
  }

  private spawn(awaited: boolean): void {
    const worker = new ScriptWorker(
      this.timeoutMs,
      awaited,
      () => this.drain(),
      (gone) => this.forget(gone),
    );
    this.workers.push(worker);
  }

  private forget(gone: ScriptWorker): void {
    const index = this.workers.indexOf(gone);
    if (index >= 0) this.workers.splice(index, 1);
    if (this.closed) return;
    if (!gone.ready && !this.workers.some((worker) => worker.ready)) {
      // A worker that cannot even start would be replaced forever: fail what waits instead.
      for (const queued of this.queue.splice(0)) {
        queued.resolve({ ok: false, message: "the script worker did not start" });
      }
      return;
    }
    // The replacement for a worker stopped by a timeout boots now, not when the next script needs it.
    this.spawn(this.queue.length > 0);
  }
}
