import { toFetchResponse, toReqRes } from "fetch-to-node";
import { createNodeHandler } from "./node-handler.js";
import type { ServerOptions } from "./server-options.js";

/**
 * A `fetch(Request): Promise<Response>` handler for WinterTC runtimes and socket-free tests. It runs the very
 * same Node handler on request/response objects that fetch-to-node wires to the Request and the Response.
 */
export function createFetchHandler(options: ServerOptions): (request: Request) => Promise<Response> {
  const handler = createNodeHandler(options);
  return (request) => {
    const { req, res } = toReqRes(request);
    // The Request's signal is the caller leaving. fetch-to-node's response has no connection to close, so
    // the handler is told the Node way — "close" before the answer finished — and the caller gets the abort.
    const left = new Promise<never>((_, reject) => {
      const leave = () => {
        res.destroy();
        res.emit("close");
        reject(request.signal.reason);
      };
      if (request.signal.aborted) leave();
      else request.signal.addEventListener("abort", leave, { once: true });
    });
    left.catch(() => {});
    handler(req, res);
    const response = Promise.race([toFetchResponse(res), left]);
    // Node leaves the body of a HEAD answer unsent; a fetch Response must be given none.
    if (request.method !== "HEAD") return response;
    return response.then(async (full) => {
      await full.body?.cancel();
      return new Response(null, { status: full.status, statusText: full.statusText, headers: full.headers });
    });
  };
}
