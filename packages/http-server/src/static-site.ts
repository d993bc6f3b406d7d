import { readdir, readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, join } from "node:path";

/** A page's files, read once into memory: the request path is only ever a key, never a file path. */
export interface StaticSite {
  files: ReadonlyMap<string, { type: string; body: Buffer }>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

// The page talks only to this origin (fetch and WebSocket) and runs only its own script.
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

/** Reads every file of `dir` (not its subdirectories); `index.html` is also served at `/`. */
export async function loadStaticSite(dir: string): Promise<StaticSite> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = {
      type: TYPES[extname(entry.name)] ?? "application/octet-stream",
      body: await readFile(join(dir, entry.name)),
    };
    files.set(`/${entry.name}`, file);
    if (entry.name === "index.html") files.set("/", file);
  }
  return { files };
}

/** Answers a GET/HEAD for one of the site's files; false when the path is none of them. */
export function serveStatic(
  site: StaticSite,
  method: string,
  pathname: string,
  res: ServerResponse,
): boolean {
  const file = site.files.get(pathname);
  if (!file || (method !== "GET" && method !== "HEAD")) return false;
  res.writeHead(200, {
    ...PAGE_HEADERS,
    "content-type": file.type,
    "content-length": String(file.body.length),
  });
  res.end(method === "HEAD" ? undefined : file.body);
  return true;
}
