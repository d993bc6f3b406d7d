import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { connect } from "node:net";

/**
 * A reverse proxy in front of a real server that rewrites the JSON body of the requests `tamper` selects —
 * a deliberately broken server for the CLI to catch. WebSocket upgrades pass through untouched.
 */
export async function startTamperingProxy(options: {
  target: string;
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
  server.on("upgrade", (req, socket, head) => {
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
        server.close(() => resolve());
      }),
  };
}
