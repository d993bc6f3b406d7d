import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createExternalConsumerApi, TransportError } from "../src/node.js";

const context = { identity: "any-token" };
const okBody = JSON.stringify({ processModels: [] });
const answer = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(okBody)}\r\nconnection: keep-alive\r\n\r\n${okBody}`;

/**
 * A raw server that answers the first request on every connection and resets the connection on the second,
 * as a server that closed an idle keep-alive connection (or crashed mid-request) does. It counts the
 * request lines it received per method, so a test sees whether the client sent a request again.
 */
async function resettingServer(): Promise<{ url: string; seen: Record<string, number>; server: Server }> {
  const seen: Record<string, number> = {};
  const server = createServer((socket: Socket) => {
    let requests = 0;
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      for (const line of chunk.toString("latin1").split("\r\n")) {
        const method = /^(GET|POST|HEAD) \//.exec(line)?.[1];
        if (!method) continue;
        seen[method] = (seen[method] ?? 0) + 1;
        requests++;
        if (requests === 1) socket.write(answer);
        else socket.resetAndDestroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { url: `http://127.0.0.1:${address.port}`, seen, server };
}

describe("a pooled connection reset before any answer", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it("sends a GET again on a fresh connection: reading twice changes nothing", async () => {
    const raw = await resettingServer();
    server = raw.server;
    const api = createExternalConsumerApi({ baseUrl: raw.url });
    try {
      await api.getProcessModels(context);
      expect(await api.getProcessModels(context)).toEqual({ processModels: [] });
      expect(raw.seen.GET).toBe(3);
    } finally {
      await api.close();
    }
  });

  it("does not send a POST again: the server may have run it, and a start must not happen twice", async () => {
    const raw = await resettingServer();
    server = raw.server;
    const api = createExternalConsumerApi({ baseUrl: raw.url });
    try {
      await api.getProcessModels(context);
      const outcome = await api.startProcessInstance(context, "Order", "Start").then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(TransportError);
      expect(String((outcome as Error).message)).toMatch(/may or may not/);
      expect(raw.seen.POST).toBe(1);
    } finally {
      await api.close();
    }
  });
});
