import { parseArgs } from "node:util";

export interface JwtCliOptions {
  secret?: string;
  jwksUrl?: string;
  claimsClaim?: string;
  issuer?: string;
  audience?: string;
}

/** The limits (SECURITY.md); each undefined one keeps its library default. */
export interface CliLimits {
  bodyLimit?: number;
  maxJsonDepth?: number;
  headersTimeout?: number;
  bodyIdleTimeout?: number;
  bodyTimeout?: number;
  drainTimeout?: number;
  maxPayload?: number;
  maxSubscriptions?: number;
  authTimeout?: number;
  scriptTimeoutMs?: number;
}

export interface CliOptions {
  models: string;
  data: string;
  /** The identities file (SPEC §7), or JWT verification instead. */
  identities: { file: string } | { jwt: JwtCliOptions };
  port: number;
  host: string;
  quiet: boolean;
  /** Serve the task-list page at `/` (off with --no-ui). */
  ui: boolean;
  /** Origins whose pages may use the API (--cors-origin, repeatable). */
  corsOrigins: string[];
  limits: CliLimits;
  /** Several servers on one PostgreSQL database (SPEC §7.1); each undefined one keeps the engine default. */
  cluster: { leaseMs?: number; sweepMs?: number };
}

export type CliParse =
  | { kind: "help" }
  | { kind: "error"; message: string }
  | { kind: "run"; options: CliOptions };

export const usage = `Usage: consumer-api-server --models <dir> --data <dir> (--identities <file> | --jwt-secret <s> | --jwt-jwks-url <url>) [options]

Serves the ConsumerAPI over HTTP and WebSocket with the embedded BPMN engine.

Options (each also as an environment variable):
  --models <dir>            directory of .bpmn files                       CONSUMER_API_MODELS
  --identities <file>       JSON { "tokens": { "<token>": { "userId", "claims" } } }  CONSUMER_API_IDENTITIES
  --data <dir|url>          where the engine keeps its state: a directory (SQLite), ":memory:" for none,
                            or postgres://user:password@host:port/database (shared by several servers)
                                                                           CONSUMER_API_DATA
  --port <n>                port; 0 picks a free one (default 8080)        CONSUMER_API_PORT
  --host <addr>             address to listen on (default 127.0.0.1)       CONSUMER_API_HOST
  --jwt-secret <secret>     accept HS256 JWTs signed with this secret      CONSUMER_API_JWT_SECRET
  --jwt-jwks-url <url>      accept JWTs verified against this JWK set      CONSUMER_API_JWT_JWKS_URL
  --jwt-claims-claim <name> the JWT claim listing the lane claims (default "claims")  CONSUMER_API_JWT_CLAIMS_CLAIM
  --jwt-issuer <iss>        required JWT issuer                            CONSUMER_API_JWT_ISSUER
  --jwt-audience <aud>      required JWT audience                          CONSUMER_API_JWT_AUDIENCE
  --quiet                   no request log                                 CONSUMER_API_QUIET=1
  --no-ui                   do not serve the task-list page at /           CONSUMER_API_NO_UI=1
  --cors-origin <origin>    let pages of this origin use the API and WebSocket; repeatable
                            (default none)                                 CONSUMER_API_CORS_ORIGINS (comma-separated)

Limits (see SECURITY.md):
  --body-limit <bytes>          largest request body, 413 beyond (1048576)          CONSUMER_API_BODY_LIMIT
  --max-json-depth <n>          deepest JSON nesting in a body or frame, 400 (1000)  CONSUMER_API_MAX_JSON_DEPTH
  --headers-timeout <ms>        time to send the request headers, 408 (60000)       CONSUMER_API_HEADERS_TIMEOUT
  --body-idle-timeout <ms>      longest pause inside a request body, 408 (30000)    CONSUMER_API_BODY_IDLE_TIMEOUT
  --body-timeout <ms>           time to send a whole request body, 408 (300000)     CONSUMER_API_BODY_TIMEOUT
  --drain-timeout <ms>          on SIGTERM, wait this long for requests (5000)      CONSUMER_API_DRAIN_TIMEOUT
  --ws-max-payload <bytes>      largest WebSocket message, close 1009 (65536)       CONSUMER_API_WS_MAX_PAYLOAD
  --ws-max-subscriptions <n>    subscriptions per WebSocket (1000)                  CONSUMER_API_WS_MAX_SUBSCRIPTIONS
  --ws-auth-timeout <ms>        time a tokenless WebSocket has to authenticate (10000)  CONSUMER_API_WS_AUTH_TIMEOUT
  --script-timeout <ms>         longest run of one script or condition (5000)       CONSUMER_API_SCRIPT_TIMEOUT

Several servers on one PostgreSQL database: a dead server's timers and script jobs are taken over by the
others within lease + sweep:
  --cluster-lease <ms>          how long a claim outlives its server (5000)         CONSUMER_API_CLUSTER_LEASE
  --cluster-sweep <ms>          how often a server looks for what a dead one left (1000)  CONSUMER_API_CLUSTER_SWEEP
  --help                    this text
`;

/** Integer limits: option name → [key in CliLimits, environment variable, smallest allowed value]. */
const limitOptions = {
  "body-limit": ["bodyLimit", "CONSUMER_API_BODY_LIMIT", 1],
  "max-json-depth": ["maxJsonDepth", "CONSUMER_API_MAX_JSON_DEPTH", 1],
  "headers-timeout": ["headersTimeout", "CONSUMER_API_HEADERS_TIMEOUT", 1],
  "body-idle-timeout": ["bodyIdleTimeout", "CONSUMER_API_BODY_IDLE_TIMEOUT", 0],
  "body-timeout": ["bodyTimeout", "CONSUMER_API_BODY_TIMEOUT", 0],
  "drain-timeout": ["drainTimeout", "CONSUMER_API_DRAIN_TIMEOUT", 0],
  "ws-max-payload": ["maxPayload", "CONSUMER_API_WS_MAX_PAYLOAD", 1],
  "ws-max-subscriptions": ["maxSubscriptions", "CONSUMER_API_WS_MAX_SUBSCRIPTIONS", 1],
  "ws-auth-timeout": ["authTimeout", "CONSUMER_API_WS_AUTH_TIMEOUT", 1],
  "script-timeout": ["scriptTimeoutMs", "CONSUMER_API_SCRIPT_TIMEOUT", 1],
} as const satisfies Record<string, readonly [keyof CliLimits, string, number]>;
type LimitOption = keyof typeof limitOptions;

type ClusterCliOptions = CliOptions["cluster"];
/** Integer cluster options, as the limits: option name → [key, environment variable, smallest value]. */
const clusterOptions = {
  "cluster-lease": ["leaseMs", "CONSUMER_API_CLUSTER_LEASE", 1],
  "cluster-sweep": ["sweepMs", "CONSUMER_API_CLUSTER_SWEEP", 1],
} as const satisfies Record<string, readonly [keyof ClusterCliOptions, string, number]>;
type ClusterOption = keyof typeof clusterOptions;

function limitOptionsEnv(): {
  [K in LimitOption | ClusterOption]: (typeof limitOptions & typeof clusterOptions)[K][1];
} {
  return Object.fromEntries(
    Object.entries({ ...limitOptions, ...clusterOptions }).map(([name, [, env]]) => [name, env]),
  ) as never;
}

const stringOptions = {
  models: "CONSUMER_API_MODELS",
  identities: "CONSUMER_API_IDENTITIES",
  data: "CONSUMER_API_DATA",
  port: "CONSUMER_API_PORT",
  host: "CONSUMER_API_HOST",
  "jwt-secret": "CONSUMER_API_JWT_SECRET",
  "jwt-jwks-url": "CONSUMER_API_JWT_JWKS_URL",
  "jwt-claims-claim": "CONSUMER_API_JWT_CLAIMS_CLAIM",
  "jwt-issuer": "CONSUMER_API_JWT_ISSUER",
  "jwt-audience": "CONSUMER_API_JWT_AUDIENCE",
  ...limitOptionsEnv(),
} as const;
type StringOption = keyof typeof stringOptions;

/** Command-line options first, then their environment variables. */
export function parseCliOptions(argv: string[], env: Record<string, string | undefined>): CliParse {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(stringOptions).map((name) => [name, { type: "string" as const }])),
        quiet: { type: "boolean" },
        "no-ui": { type: "boolean" },
        "cors-origin": { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return { kind: "error", message: (error as Error).message };
  }
  if (values.help) return { kind: "help" };

  const get = (name: StringOption): string | undefined => {
    const value = (values[name] as string | undefined) ?? env[stringOptions[name]];
    return value === "" ? undefined : value;
  };
  const models = get("models");
  const data = get("data");
  if (!models) return { kind: "error", message: "--models <dir> is required." };
  if (!data) return { kind: "error", message: '--data <dir> is required (":memory:" keeps no state).' };
  const dataError = postgresUrlError(data);
  if (dataError) return { kind: "error", message: dataError };

  const portText = get("port") ?? "8080";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    return { kind: "error", message: `--port must be an integer from 0 to 65535, got "${portText}".` };
  }

  const file = get("identities");
  const jwt: JwtCliOptions = {};
  for (const [name, key] of [
    ["jwt-secret", "secret"],
    ["jwt-jwks-url", "jwksUrl"],
    ["jwt-claims-claim", "claimsClaim"],
    ["jwt-issuer", "issuer"],
    ["jwt-audience", "audience"],
  ] as const) {
    const value = get(name);
    if (value !== undefined) jwt[key] = value;
  }
  const usesJwt = Object.keys(jwt).length > 0;
  if (usesJwt && file)
    return { kind: "error", message: "Give --identities or the --jwt-* options, not both." };
  if (usesJwt && (jwt.secret === undefined) === (jwt.jwksUrl === undefined)) {
    return { kind: "error", message: "JWT identities need exactly one of --jwt-secret and --jwt-jwks-url." };
  }
  if (jwt.jwksUrl !== undefined && !URL.canParse(jwt.jwksUrl)) {
    return { kind: "error", message: `--jwt-jwks-url is not a URL: "${jwt.jwksUrl}".` };
  }
  if (!usesJwt && !file) {
    return { kind: "error", message: "--identities <file> (or --jwt-secret / --jwt-jwks-url) is required." };
  }

  const integers: Record<string, number> = {};
  for (const [name, [key, , min]] of Object.entries({ ...limitOptions, ...clusterOptions }) as [
    LimitOption | ClusterOption,
    readonly [string, string, number],
  ][]) {
    const text = get(name);
    if (text === undefined) continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
      return { kind: "error", message: `--${name} must be an integer of at least ${min}, got "${text}".` };
    }
    integers[key] = value;
  }
  const pickIntegers = (table: Record<string, readonly [string, string, number]>) =>
    Object.fromEntries(
      Object.values(table)
        .filter(([key]) => key in integers)
        .map(([key]) => [key, integers[key]]),
    );
  const limits: CliLimits = pickIntegers(limitOptions);
  const cluster: ClusterCliOptions = pickIntegers(clusterOptions);

  const corsOrigins =
    (values["cors-origin"] as string[] | undefined) ??
    (env.CONSUMER_API_CORS_ORIGINS ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== "");
  for (const origin of corsOrigins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      return {
        kind: "error",
        message: `--cors-origin must be an origin such as https://app.example.com (scheme, host, port; no path), got "${origin}".`,
      };
    }
  }

  const flag = (text: string | undefined) => text !== undefined && text !== "" && text !== "0";
  return {
    kind: "run",
    options: {
      models,
      data,
      identities: usesJwt ? { jwt } : { file: file as string },
      port,
      host: get("host") ?? "127.0.0.1",
      quiet: values.quiet === true || flag(env.CONSUMER_API_QUIET),
      ui: !(values["no-ui"] === true || flag(env.CONSUMER_API_NO_UI)),
      corsOrigins,
      limits,
      cluster,
    },
  };
}

/**
 * A data string that begins like a PostgreSQL URL must be one, with a database name: a typo is a bad option
 * here, not a failed connection later. The message does not repeat the string (it may hold a password).
 */
function postgresUrlError(data: string): string | undefined {
  if (!/^postgres(ql)?:/i.test(data)) return undefined;
  let url: URL;
  try {
    url = new URL(data);
  } catch {
    return "--data: not a valid PostgreSQL URL (postgres://user:password@host:port/database).";
  }
  if (!/^postgres(ql)?:$/i.test(url.protocol) || !url.hostname) {
    return "--data: a PostgreSQL URL needs a host (postgres://user:password@host:port/database).";
  }
  if (url.pathname.length <= 1) {
    return "--data: a PostgreSQL URL needs a database name (postgres://user:password@host:port/database).";
  }
  return undefined;
}
