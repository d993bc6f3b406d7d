import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { taskListDirectory } from "../../dist/index.js";

export interface SecondOrigin {
  /** The page's origin, as a browser sends it in Origin. */
  origin: string;
  /** Starts serving the page, pointed at the API server; until then every request is a 503. */
  serve(apiUrl: string): void;
  close(): Promise<void>;
}

/**
 * The built page served by a plain static server on another port (another origin), with its base-URL meta
 * naming the API server — as a team would host the page apart from the server.
 */
export async function listenSecondOrigin(): Promise<SecondOrigin> {
  let apiUrl: string | undefined;
  const server = createServer(async (req, res) => {
    const name = req.url === "/" ? "index.html" : (req.url ?? "").slice(1);
    if (apiUrl === undefined || !["index.html", "app.js", "app.css"].includes(name)) {
      res.writeHead(apiUrl === undefined ? 503 : 404).end();
      return;
    }
    let body = await readFile(join(taskListDirectory, name), "utf8");
    if (name === "index.html") {
      body = body.replace(
        'name="consumer-api-base-url" content=""',
        `name="consumer-api-base-url" content="${apiUrl}"`,
      );
    }
    const type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
    res.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    serve(url) {
      apiUrl = url;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
