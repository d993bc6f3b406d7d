import { connect } from "node:net";
import { API_PREFIX, buildUrlPath, PROBLEM_CONTENT_TYPE, routeList, routes } from "@consumer-api/contracts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index.js";
import type { RequestLogEntry } from "../src/server-options.js";
import { rawRequest } from "./support/raw-http.js";
import { ScriptedApi } from "./support/scripted-api.js";

const auth = { authorization: "Bearer alice-token" };
const finishPath = buildUrlPath(
  routes.finishUserTask,
  { process_model_key: "Order", correlation_id: "c-1", user_task_id: "t-1" },
  {},
);
const startPath = (query: Record<string, string | undefined> = {}) =>
  buildUrlPath(routes.startProcessInstance, { process_model_key: "Order", start_event_key: "Start" }, query);

let api: ScriptedApi;
let server: RunningServer;
let errors: unknown[];
let logs: RequestLogEntry[];

beforeEach(async () => {
  api = new ScriptedApi();
  errors = [];
  logs = [];
  server = await startServer({
    api,
    authenticate: (ctx) => api.authenticate(ctx),
    onError: (e) => errors.push(e),
    log: (entry) => logs.push(entry),
    // Generous, so that a loaded machine gets every request's headers in; the timeout tests below wait on
    // the stalled socket's 408 itself rather than on a clock.
    headersTimeout: 5_000,
  });
});
afterEach(async () => {
  api.finishWaitingStarts();
  await server.close();
});

async function problem(response: Response) {
  expect(response.headers.get("content-type")).toBe(PROBLEM_CONTENT_TYPE);
  return (await response.json()) as { status: number; title: string; detail: string; type: string };
}

describe("http-server routing and decoding", () => {
  it("answers a route of the table with the api's JSON", async () => {
    const response = await fetch(`${server.url}${API_PREFIX}/process_models`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      processModels: [{ key: "Order", startEvents: [{ key: "Start", data: {} }], endEvents: [] }],
    });
    expect(logs).toEqual([
      expect.objectContaining({ method: "GET", path: `${API_PREFIX}/process_models`, status: 200 }),
    ]);
  });

  it("passes params, query and body to the operation through the table, and answers 204", async () => {
    let response = await fetch(`${server.url}${startPath({ startCallbackType: "3", end_event_id: "End" })}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ correlationId: "c-9", inputValues: { amount: 3 } }),
    });
    expect(response.status).toBe(200);
    expect(api.calls.at(-1)).toEqual({
      operation: "startProcessInstance",
      args: ["Order", "Start", { correlationId: "c-9", inputValues: { amount: 3 } }, 3, "End"],
    });
    response = await fetch(`${server.url}${finishPath}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/vnd.example+json; charset=utf-8" },
      body: JSON.stringify({ formFields: { approved: true } }),
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(api.calls.at(-1)).toEqual({
      operation: "finishUserTask",
      args: ["Order", "c-1", "t-1", { formFields: { approved: true } }],
    });
  });

  it("decodes percent-encoded params", async () => {
    const path = buildUrlPath(routes.getUserTasksForCorrelation, { correlation_id: "a/b c" }, {});
    const response = await fetch(`${server.url}${path}`, { headers: auth });
    expect(response.status).toBe(200);
    expect(api.calls.at(-1)?.args).toEqual(["a/b c"]);
  });

  it("answers 404 for an unknown route and 405 with Allow for a wrong method", async () => {
    let response = await fetch(`${server.url}${API_PREFIX}/nope`, { headers: auth });
    expect(response.status).toBe(404);
    expect((await problem(response)).status).toBe(404);
    response = await fetch(`${server.url}/elsewhere`, { headers: auth });
    expect(response.status).toBe(404);
    response = await fetch(`${server.url}${API_PREFIX}/process_models`, { method: "DELETE", headers: auth });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET");
    expect((await problem(response)).title).toBe("Method Not Allowed");
  });

  it("answers HEAD like GET without a body (RFC 9110 §9.3.2), and 405 on a route without GET", async () => {
    let response = await fetch(`${server.url}${API_PREFIX}/process_models`, {
      method: "HEAD",
      headers: auth,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(0);
    expect(await response.text()).toBe("");
    response = await fetch(`${server.url}${API_PREFIX}/process_models`, { method: "HEAD" });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe(PROBLEM_CONTENT_TYPE);
    response = await fetch(`${server.url}${API_PREFIX}/openapi.json`, { method: "HEAD" });
    expect(response.status).toBe(200);
    response = await fetch(`${server.url}${finishPath}`, { method: "HEAD", headers: auth });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("names the Bearer scheme in WWW-Authenticate on every 401 (RFC 9110 §11.6.1)", async () => {
    let response = await fetch(`${server.url}${API_PREFIX}/process_models`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    response = await fetch(`${server.url}${finishPath}`, {
      method: "POST",
      headers: { authorization: "Bearer unknown", "content-type": "application/json" },
      body: "{",
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    response = await fetch(`${server.url}${API_PREFIX}/process_models/Order`, { headers: auth });
    expect(response.headers.get("www-authenticate")).toBeNull();
  });

  it("answers 401 for a missing or malformed Authorization header", async () => {
    let response = await fetch(`${server.url}${API_PREFIX}/process_models`);
    expect(response.status).toBe(401);
    expect((await problem(response)).title).toBe("Unauthorized");
    response = await fetch(`${server.url}${API_PREFIX}/process_models`, {
      headers: { authorization: "Basic YWxpY2U6eA==" },
    });
    expect(response.status).toBe(401);
    expect(api.calls).toEqual([]);
  });

  it("authenticates before decoding anything else: an unknown token with a malformed body is 401", async () => {
    const response = await fetch(`${server.url}${finishPath}`, {
      method: "POST",
      headers: { authorization: "Bearer mallory", "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(401);
    const bad = await fetch(`${server.url}${API_PREFIX}/correlations/%E0%A4%A/user_tasks`, {
      headers: { authorization: "Bearer mallory" },
    });
    expect(bad.status).toBe(401);
  });

  it("answers 400 naming path for a malformed percent-encoding once authenticated", async () => {
    const response = await fetch(`${server.url}${API_PREFIX}/correlations/%E0%A4%A/user_tasks`, {
      headers: auth,
    });
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toContain("correlation_id");
  });

  it("validates the query with the route's schema, naming the field", async () => {
    let response = await fetch(`${server.url}${startPath({ startCallbackType: "7" })}`, {
      method: "POST",
      headers: auth,
    });
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toContain("query.startCallbackType");
    response = await fetch(`${server.url}${startPath({ startCallbackType: "3" })}`, {
      method: "POST",
      headers: auth,
    });
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toContain("query.end_event_id");
    response = await fetch(`${server.url}${startPath()}?startCallbackType=1&startCallbackType=2`, {
      method: "POST",
      headers: auth,
    });
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toContain("query.startCallbackType");
    expect(api.calls).toEqual([]);
  });

  it("answers 400 for malformed JSON, a missing required body and a wrong body shape", async () => {
    const post = (body: string | undefined, contentType = "application/json") =>
      fetch(`${server.url}${finishPath}`, {
        method: "POST",
        headers: { ...auth, "content-type": contentType },
        ...(body === undefined ? {} : { body }),
      });
    let response = await post("{oops");
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toMatch(/^body: malformed JSON/);
    response = await post(undefined);
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toContain("body");
    response = await post(JSON.stringify({ formFields: 5 }));
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toContain("body.formFields");
    response = await fetch(`${server.url}${startPath()}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ correlationId: 42 }),
    });
    expect(response.status).toBe(400);
    expect((await problem(response)).detail).toContain("body.correlationId");
    expect(api.calls).toEqual([]);
  });

  it("accepts an empty body where it is optional", async () => {
    const response = await fetch(`${server.url}${startPath()}`, { method: "POST", headers: auth });
    expect(response.status).toBe(200);
    expect(api.calls.at(-1)?.args).toEqual(["Order", "Start", undefined, undefined, undefined]);
  });

  it("answers 415 for a non-JSON body", async () => {
    const response = await fetch(`${server.url}${finishPath}`, {
      method: "POST",
      headers: { ...auth, "content-type": "text/plain" },
      body: "formFields=1",
    });
    expect(response.status).toBe(415);
    expect((await problem(response)).status).toBe(415);
  });

  it("answers 413 for a declared Content-Length above the limit without reading the body", async () => {
    const answer = await rawRequest(
      server.url,
      `POST ${finishPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice-token\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`,
    );
    expect(answer.startsWith("HTTP/1.1 413")).toBe(true);
    expect(answer).toContain(PROBLEM_CONTENT_TYPE);
  });

  it("answers 413 for a streamed 64 MiB body, having read only about the limit", async () => {
    const { hostname, port } = new URL(server.url);
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), hostname);
      const received: Buffer[] = [];
      socket.on("data", (data) => received.push(data));
      socket.on("error", () => {});
      socket.on("close", () => resolve(Buffer.concat(received).toString("latin1")));
      socket.write(
        `POST ${finishPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice-token\r\n` +
          "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      );
      const pump = () => {
        while (sent < total && !socket.destroyed) {
          sent += chunk.length;
          const more = socket.write(
            `${chunk.length.toString(16)}\r\n${chunk.toString("latin1")}\r\n`,
            "latin1",
          );
          if (!more) return void socket.once("drain", pump);
        }
        if (!socket.destroyed) socket.end("0\r\n\r\n");
      };
      pump();
    });
    expect(answer.startsWith("HTTP/1.1 413")).toBe(true);
    // The server stopped reading past the limit, so the client could never push the whole body through.
    expect(sent).toBeLessThan(total);
  });

  it("answers a generic 500 for an error that is not a ConsumerApiError, and reports it", async () => {
    const response = await fetch(`${server.url}${API_PREFIX}/process_models/boom`, { headers: auth });
    expect(response.status).toBe(500);
    const body = await problem(response);
    expect(body.detail).not.toContain("secret");
    expect(errors).toHaveLength(1);
  });

  it("reports the cause behind an InternalServerError (a store that cannot be reached), and nothing else", async () => {
    const response = await fetch(`${server.url}${API_PREFIX}/process_models/down`, { headers: auth });
    expect(response.status).toBe(500);
    expect((await problem(response)).detail).not.toContain("ECONNREFUSED");
    expect(errors).toEqual([new Error("connect ECONNREFUSED 127.0.0.1:5432")]);
    // A client's error is the client's, and a 500 without a cause says it all in its detail: nothing reported.
    await fetch(`${server.url}${API_PREFIX}/process_models/Other`, { headers: auth });
    const closed = await fetch(`${server.url}${API_PREFIX}/process_models/closed`, { headers: auth });
    expect(closed.status).toBe(500);
    expect((await problem(closed)).detail).toContain("closed while waiting");
    expect(errors).toHaveLength(1);
  });

  it("maps ConsumerApiErrors to problem+json with their status", async () => {
    const response = await fetch(`${server.url}${API_PREFIX}/process_models/Other`, { headers: auth });
    expect(response.status).toBe(404);
    expect(await problem(response)).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      detail: "No process model Other.",
    });
  });

  it("serves the generated OpenAPI document without authentication", async () => {
    const response = await fetch(`${server.url}${API_PREFIX}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.1/);
    for (const route of routeList)
      expect(document.paths).toHaveProperty([route.path.replace(/:([a-z_]+)/g, "{$1}")]);
    const post = await fetch(`${server.url}${API_PREFIX}/openapi.json`, { method: "POST" });
    expect(post.status).toBe(405);
  });
});

describe("http-server timeouts and disconnects", () => {
  it("keeps a start with callback 2 waiting longer than the headers timeout", async () => {
    const pending = fetch(`${server.url}${startPath({ startCallbackType: "2" })}`, {
      method: "POST",
      headers: auth,
    });
    await until(() => api.startsWaiting === 1);
    // A connection opened after the start's that never finishes its headers is closed 408 by the timeout:
    // by then the start has waited longer than the headers timeout too.
    expect(await stalledHeaders()).toMatch(/^HTTP\/1.1 408/);
    expect(api.startsWaiting).toBe(1);
    api.finishWaitingStarts();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      correlationId: "c-1",
      processInstanceId: "i-1",
      endEventKey: "End",
      tokenPayload: { ok: 1 },
    });
  });

  it("closes a connection that never finishes its headers", async () => {
    expect(await stalledHeaders()).toMatch(/^HTTP\/1.1 408/);
  });

  it("releases the call of a client that disconnects while waiting (its context's signal aborts), and keeps serving", async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}${startPath({ startCallbackType: "2" })}`, {
      method: "POST",
      headers: auth,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await until(() => api.startsWaiting === 1);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await until(() => logs.some((l) => l.status === 499));
    // Released by the disconnect alone: nothing finishes the waiting starts here.
    await until(() => api.startsWaiting === 0);
    const response = await fetch(`${server.url}${API_PREFIX}/process_models`, { headers: auth });
    expect(response.status).toBe(200);
    expect(errors).toEqual([]);
  });
});

/** What the server answers a connection that sends a request line and a header, then nothing. */
function stalledHeaders(): Promise<string> {
  return new Promise<string>((resolve) => {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname, () => socket.write("GET / HTTP/1.1\r\nHost: x\r\n"));
    const received: Buffer[] = [];
    socket.on("data", (data) => received.push(data));
    socket.on("error", () => {});
    socket.on("close", () => resolve(Buffer.concat(received).toString("latin1")));
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
