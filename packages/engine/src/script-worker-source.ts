// The script worker's program, evaluated as CommonJS in a worker thread (a string, so it runs the same from
// src/ under vitest and from dist/). It waits on a shared buffer for requests from its ScriptWorker:
//   ctl[0] request seq, ctl[1] request byte length, ctl[2] byte length of the script's code at the start of
//   the request (0 once this worker has compiled that script), ctl[3] script id,
//   ctl[4] response seq, ctl[5] response byte length, ctl[6] status (0 value, 1 error, 2 undefined,
//   3 a BpmnError as JSON { code, message }),
//   ctl[7] set to 1 once the worker is ready.
// Scripts run in a vm context of their own that holds nothing but two JSON helpers and BpmnError (SPEC §6.1:
// `throw new BpmnError(code, message)` is a BPMN error, caught by error boundary events); the token arrives as JSON
// and the result leaves as JSON, so only plain data crosses in either direction.
export const SCRIPT_WORKER_SOURCE = `
"use strict";
const { workerData } = require("node:worker_threads");
const vm = require("node:vm");
const sab = workerData;
const ctl = new Int32Array(sab, 0, 8);
const bytes = new Uint8Array(sab, 32);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const context = vm.createContext({ __token: "null" });
vm.runInContext(
  'Object.defineProperty(globalThis, "__parse", { value: JSON.parse });' +
    'Object.defineProperty(globalThis, "__stringify", { value: JSON.stringify });' +
    'Object.defineProperty(globalThis, "BpmnError", { value: class BpmnError extends Error {' +
    '  constructor(code, message) { super(message === undefined ? String(code) : String(message));' +
    '    this.name = "BpmnError"; this.code = String(code); } } });',
  context,
);
const BpmnError = vm.runInContext("BpmnError", context);
const scripts = new Map();
Atomics.store(ctl, 7, 1);
Atomics.notify(ctl, 7);

function write(text) {
  for (;;) {
    const { read, written } = encoder.encodeInto(text, bytes);
    if (read === text.length) return written;
    sab.grow(Math.min(sab.maxByteLength, 32 + text.length * 3));
  }
}

function respond(seq, status, text) {
  ctl[5] = write(text);
  ctl[6] = status;
  Atomics.store(ctl, 4, seq);
  Atomics.notify(ctl, 4);
}

let last = 0;
for (;;) {
  Atomics.wait(ctl, 0, last);
  const seq = Atomics.load(ctl, 0);
  if (seq === last) continue;
  last = seq;
  const codeLength = ctl[2];
  const request = bytes.slice(0, ctl[1]);
  try {
    if (codeLength > 0) scripts.set(ctl[3], new vm.Script(decoder.decode(request.subarray(0, codeLength))));
    context.__token = decoder.decode(request.subarray(codeLength));
    const out = scripts.get(ctl[3]).runInContext(context);
    context.__token = "null";
    if (out === undefined) respond(seq, 2, "");
    else respond(seq, 0, String(out));
  } catch (error) {
    context.__token = "null";
    if (error instanceof BpmnError) {
      respond(seq, 3, JSON.stringify({ code: error.code, message: String(error.message) }));
      continue;
    }
    const message = error !== null && typeof error === "object" && "message" in error ? error.message : error;
    respond(seq, 1, String(message));
  }
}
`;
