import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { connect } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

/**
 * A reverse proxy in front of a real server that rewrites the JSON body of the requests `tamper` selects —
 * a deliberately broken server for the CLI to catch. WebSocket upgrades pass through untouched, unless
 * `tamperFrame` is given: then the proxy ends the socket itself and relays each frame, rewriting what the
 * server sends.
 */
export async function startTamperingProxy(options: {
  target: string;
  /** For a JSON text frame the server sends: what the client receives instead. */
  tamperFrame?: (frame: Record<string, unknown>) => Record<string, unknown>;
  /** For a request to break: what its answer becomes, given the real status and JSON body. */
  tamper: (
    req: IncomingMessage,
  ) => ((answer: { status: number; body: unknown }) => { status: number; body: unknown }) | undefined;
}): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(options.target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const rewrite = options.tamper(req);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (!rewrite) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const broken = rewrite({
            status: answer.statusCode ?? 502,
            body: text === "" ? undefined : JSON.parse(text),
          });
          const body = broken.body === undefined ? "" : JSON.stringify(broken.body);
          const headers = {
            ...answer.headers,
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
          };
          res.writeHead(broken.status, headers);
          res.end(body);
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const frames = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    const tamperFrame = options.tamperFrame;
    if (tamperFrame) {
      frames.handleUpgrade(req, socket, head, (client) => {
        const headers = req.headers.authorization ? { authorization: req.headers.authorization } : undefined;
        const upstream = new WebSocket(`ws://${target.host}${req.url}`, { headers });
        const early: string[] = [];
        upstream.on("open", () => {
          for (const text of early.splice(0)) upstream.send(text);
        });
        client.on("message", (data) => {
          const text = String(data);
          if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
          else early.push(text);
        });
        upstream.on("message", (data) => client.send(JSON.stringify(tamperFrame(JSON.parse(String(data))))));
        upstream.on("close", (code, reason) => client.close(code === 1005 ? 1000 : code, reason));
        client.on("close", () => upstream.close());
        upstream.on("error", () => client.terminate());
        client.on("error", () => upstream.terminate());
      });
      return;
    }
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        for (const client of frames.clients) client.terminate();
        frames.close();
        server.close(() => resolve());
      }),
  };
}
