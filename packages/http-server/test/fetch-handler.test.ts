import { API_PREFIX, buildUrlPath, routes } from "@consumer-api/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchHandler, type RunningServer, startServer } from "../src/index.js";
import { ScriptedApi } from "./support/scripted-api.js";

const auth = { authorization: "Bearer alice-token" };
const finish = buildUrlPath(
  routes.finishUserTask,
  { process_model_key: "Order", correlation_id: "c-1", user_task_id: "t-1" },
  {},
);
const start = buildUrlPath(
  routes.startProcessInstance,
  { process_model_key: "Order", start_event_key: "S" },
  {},
);

/** The same requests, answered over a socket by the Node handler and in-process by the fetch handler. */
const cases: { name: string; path: string; init: RequestInit }[] = [
  { name: "list", path: `${API_PREFIX}/process_models`, init: { headers: auth } },
  { name: "not found", path: `${API_PREFIX}/process_models/Other`, init: { headers: auth } },
  { name: "500", path: `${API_PREFIX}/process_models/boom`, init: { headers: auth } },
  { name: "unknown route", path: `${API_PREFIX}/nope`, init: { headers: auth } },
  { name: "405", path: `${API_PREFIX}/process_models`, init: { method: "PUT", headers: auth } },
  { name: "HEAD", path: `${API_PREFIX}/process_models`, init: { method: "HEAD", headers: auth } },
  { name: "401", path: `${API_PREFIX}/process_models`, init: {} },
  {
    name: "unknown token",
    path: finish,
    init: { method: "POST", headers: { authorization: "Bearer x" }, body: "{" },
  },
  {
    name: "malformed JSON",
    path: finish,
    init: { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{" },
  },
  {
    name: "415",
    path: finish,
    init: { method: "POST", headers: { ...auth, "content-type": "text/plain" }, body: "x" },
  },
  {
    name: "413",
    path: finish,
    init: {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: "[".repeat(2048),
    },
  },
  { name: "query", path: `${start}?startCallbackType=9`, init: { method: "POST", headers: auth } },
  {
    name: "204",
    path: finish,
    init: {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ formFields: { a: 1 } }),
    },
  },
  {
    name: "start",
    path: `${start}?startCallbackType=1`,
    init: {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ correlationId: "c-1" }),
    },
  },
];

describe("createFetchHandler", () => {
  let server: RunningServer;
  const options = () => {
    const api = new ScriptedApi();
    return {
      api,
      authenticate: (ctx: { identity: string }) => api.authenticate(ctx),
      bodyLimit: 1024,
      onError() {},
    };
  };
  const handler = createFetchHandler(options());
  beforeAll(async () => {
    server = await startServer(options());
  });
  afterAll(() => server.close());

  for (const { name, path, init } of cases) {
    it(`answers like the Node handler: ${name}`, async () => {
      const overSocket = await fetch(server.url + path, init);
      const inProcess = await handler(new Request(`http://in-process${path}`, init));
      expect(inProcess.status).toBe(overSocket.status);
      expect(inProcess.headers.get("content-type")).toBe(overSocket.headers.get("content-type"));
      expect(inProcess.headers.get("allow")).toBe(overSocket.headers.get("allow"));
      expect(inProcess.headers.get("www-authenticate")).toBe(overSocket.headers.get("www-authenticate"));
      expect(await inProcess.text()).toBe(await overSocket.text());
    });
  }

  it("answers 400, without reporting an error, when the request body stream fails", async () => {
    const errors: unknown[] = [];
    const api = new ScriptedApi();
    const failing = createFetchHandler({ api, onError: (e) => errors.push(e) });
    const body = new ReadableStream({
      pull(controller) {
        controller.error(new Error("upload broke"));
      },
    });
    const response = await failing(
      new Request(`http://in-process${finish}`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toContain("could not be read");
    expect(errors).toEqual([]);
    expect(api.calls).toEqual([]);
  });
});
