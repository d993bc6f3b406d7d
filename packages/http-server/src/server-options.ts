import {
  type ConsumerApi,
  ConsumerApiError,
  type ConsumerContext,
  DEFAULT_MAX_JSON_DEPTH,
} from "@consumer-api/contracts";
import type { StaticSite } from "./static-site.js";

/** One line of the request log: what the program prints per request unless --quiet. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
}

export interface ServerOptions {
  /** Any implementation of the ConsumerApi; the server only translates. */
  api: ConsumerApi;
  /**
   * Resolves the context's token or throws UnauthorizedError. Called before anything else is decoded, so an
   * unknown token is 401 even when the rest of the request is malformed. When absent the api's own 401s apply.
   */
  authenticate?: (context: ConsumerContext) => Promise<unknown>;
  /** Largest accepted request body in bytes (413 beyond). Default 1 MiB. */
  bodyLimit?: number;
  /**
   * Deepest accepted nesting of arrays/objects in a JSON body or WebSocket frame (400 beyond). Default 1000.
   * Deeper values would overflow the stack in steps that recurse (validation, JSON.stringify, structured clone).
   */
  maxJsonDepth?: number;
  /** Largest accepted WebSocket frame in bytes. Default 64 KiB. */
  maxPayload?: number;
  /** Subscriptions one socket may hold at once. Default 1000. */
  maxSubscriptions?: number;
  /**
   * Unsent bytes a WebSocket may hold: above them its reader is judged over drainTimeout, and closed (1013)
   * unless the backlog shrinks. A single frame larger than this is no fault of a reader. Default 4 MiB.
   */
  maxBufferedAmount?: number;
  /** Milliseconds a WebSocket above maxBufferedAmount has to shrink its backlog (each time). Default 10 s. */
  drainTimeout?: number;
  /** Milliseconds between WebSocket pings; a peer that missed the previous pong is terminated. Default 30 s. */
  pingInterval?: number;
  /**
   * Milliseconds a WebSocket without a token in its upgrade request has to send its authenticate frame; then
   * it gets a 401 error frame and close 4401, so unauthenticated sockets cannot pile up. Default 10 s.
   */
  authTimeout?: number;
  /**
   * Origins (`https://app.example.com`) whose pages may call the API and open the WebSocket. Default none:
   * only pages of the server's own origin (the WebSocket checks Origin; browsers enforce CORS for fetch).
   */
  corsOrigins?: readonly string[];
  /** A page served outside the API prefix (the task list at `/`); see loadStaticSite. Default none. */
  ui?: StaticSite;
  /** Called once per answered request (the program's request log). */
  log?: (entry: RequestLogEntry) => void;
  /**
   * Called with what lies behind every 500: a thrown value that is not a ConsumerApiError, or the `cause` of
   * an InternalServerError (a database that cannot be reached, say). Default console.error.
   */
  onError?: (error: unknown) => void;
}

export const defaults = {
  bodyLimit: 1024 * 1024,
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
  maxPayload: 64 * 1024,
  maxSubscriptions: 1000,
  maxBufferedAmount: 4 * 1024 * 1024,
  drainTimeout: 10_000,
  pingInterval: 30_000,
  authTimeout: 10_000,
} as const;

/**
 * Reports an error answered to a client, when it is the server's: the client of a 500 learns only that the
 * request failed, so the operator must be told why (the binding keeps the original as `cause`).
 */
export function reportIfServerError(options: ServerOptions, error: unknown): void {
  if (!(error instanceof ConsumerApiError)) {
    reportError(options, error);
    return;
  }
  // A 500 without a cause says all there is in its detail (an instance that failed, a wait ended by close).
  const cause = (error as { cause?: unknown }).cause;
  if (error.status < 500 || cause === undefined) return;
  // A wait ended by its caller's leaving (the context's signal) answers nobody, and is nobody's fault here.
  if ((cause as { name?: unknown } | null)?.name !== "AbortError") reportError(options, cause);
}

export function reportError(options: ServerOptions, error: unknown): void {
  // A throwing hook must not turn one failed request into a crashed server.
  try {
    (options.onError ?? ((e: unknown) => console.error("consumer-api-server: unexpected error", e)))(error);
  } catch {}
}
