// CORS over real HTTP: only the origins given may use the API from a page, and only the routes' methods.
import { request } from "node:http";
import { API_PREFIX } from "@consumer-api/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type RunningServer, startServer } from "../src/index.js";
import { openRealApi } from "./support/real-api.js";

const APP = "http://app.test:5173";
const OTHER = "http://evil.test";

let real: Awaited<ReturnType<typeof openRealApi>>;
let withCors: RunningServer;
let plain: RunningServer;

beforeAll(async () => {
  real = await openRealApi();
  const options = { api: real.api, authenticate: (c: { identity: string }) => real.api.authenticate(c) };
  withCors = await startServer({ ...options, corsOrigins: [APP] });
  plain = await startServer(options);
});
afterAll(async () => {
  await withCors?.close();
  await plain?.close();
  await real?.dispose();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** One raw request: fetch would refuse to send Origin and the CORS request headers itself. */
function send(base: string, method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

const preflight = (base: string, origin: string, path: string, method: string) =>
  send(base, "OPTIONS", API_PREFIX + path, {
    origin,
    "access-control-request-method": method,
    "access-control-request-headers": "authorization, content-type",
  });

const START = "/process_models/Approval/start_events/Requested/start";

describe("CORS preflight, answered from the route table", () => {
  it("allows an allowed origin the route's methods and the token and content-type headers", async () => {
    const answer = await preflight(withCors.url, APP, START, "POST");
    expect(answer.status).toBe(204);
    expect(answer.headers["access-control-allow-origin"]).toBe(APP);
    expect(answer.headers["access-control-allow-methods"]).toBe("POST");
    expect(answer.headers["access-control-allow-headers"]).toBe("authorization, content-type");
    expect(answer.headers.vary).toBe("Origin");

    const list = await preflight(withCors.url, APP, "/process_models", "GET");
    expect(list.status).toBe(204);
    expect(list.headers["access-control-allow-methods"]).toBe("GET");
  });

  it("allows nothing for a path that is no route", async () => {
    const answer = await preflight(withCors.url, APP, "/no_such_route", "GET");
    expect(answer.status).toBe(404);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows nothing to an origin that was not given", async () => {
    const answer = await preflight(withCors.url, OTHER, START, "POST");
    expect(answer.status).toBe(405);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    expect(answer.headers["access-control-allow-methods"]).toBeUndefined();
  });

  it("allows nothing by default", async () => {
    const answer = await preflight(plain.url, APP, START, "POST");
    expect(answer.status).toBe(405);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("CORS on actual requests", () => {
  it("lets an allowed origin read answers, errors included", async () => {
    const ok = await send(withCors.url, "GET", `${API_PREFIX}/process_models`, {
      origin: APP,
      authorization: "Bearer clerk-token",
    });
    expect(ok.status).toBe(200);
    expect(ok.headers["access-control-allow-origin"]).toBe(APP);
    const unauthorized = await send(withCors.url, "GET", `${API_PREFIX}/process_models`, { origin: APP });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers["access-control-allow-origin"]).toBe(APP);
  });

  it("gives any other origin no access header (the browser keeps the answer from the page)", async () => {
    for (const base of [withCors.url, plain.url]) {
      const answer = await send(base, "GET", `${API_PREFIX}/process_models`, {
        origin: base === plain.url ? APP : OTHER,
        authorization: "Bearer clerk-token",
      });
      expect(answer.status).toBe(200);
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });
});

describe("the notification WebSocket checks Origin", () => {
  /** The handshake's outcome: "open", or the status the server refused it with. */
  function handshake(base: string, origin?: string): Promise<"open" | number> {
    const ws = new WebSocket(`${base.replace("http", "ws")}${API_PREFIX}/notifications`, {
      headers: { authorization: "Bearer clerk-token" },
      ...(origin === undefined ? {} : { origin }),
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => {
        ws.close();
        resolve("open");
      });
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      ws.once("error", reject);
    });
  }

  it("opens for an allowed origin, the server's own origin and clients that send none", async () => {
    expect(await handshake(withCors.url, APP)).toBe("open");
    expect(await handshake(plain.url, plain.url)).toBe("open");
    expect(await handshake(plain.url)).toBe("open");
  });

  it("refuses any other origin with a 403", async () => {
    expect(await handshake(withCors.url, OTHER)).toBe(403);
    expect(await handshake(plain.url, APP)).toBe(403);
  });
});
