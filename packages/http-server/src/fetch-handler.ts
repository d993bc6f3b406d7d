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
    handler(req, res);
    const response = toFetchResponse(res);
    // Node leaves the body of a HEAD answer unsent; a fetch Response must be given none.
    if (request.method !== "HEAD") return response;
    return response.then(async (full) => {
      await full.body?.cancel();
      return new Response(null, { status: full.status, statusText: full.statusText, headers: full.headers });
    });
  };
}
