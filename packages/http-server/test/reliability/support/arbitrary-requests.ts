import { request } from "node:http";
import { API_PREFIX, routeList } from "@consumer-api/contracts";
import fc from "fast-check";
import { reliabilityFixtures } from "./program.js";

/** A request as a hostile or careless client may send it. */
export interface ArbitraryRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Whether the Authorization header carries a known token. */
  validToken: boolean;
}

const nest = (depth: number, open: string, inner: string, close: string) =>
  open.repeat(depth) + inner + close.repeat(depth);

const segment = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom("Review", "Await", "Delay", "Submitted", "Begun", "Armed", "Checked"),
  },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme" }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ unit: "binary" }).map(encodeURIComponent) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      "%",
      "%zz",
      "%E0%A4%A",
      "%C0%AF",
      "%00",
      "..",
      "%2e%2e",
      "%2F",
      "%F0%9F%92%A9",
      "__proto__",
      "constructor",
      "prototype",
      "hasOwnProperty",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => "k".repeat(n)) },
);

const query = fc
  .array(
    fc.tuple(
      fc.constantFrom("startCallbackType", "end_event_id", "__proto__", "constructor", "x"),
      // No "2": a valid callback-2 start on a user-task model waits (rightly) until someone finishes it.
      fc.oneof(fc.constantFrom("1", "3", "0", "4", "", " 1", "1e0", "Checked"), fc.string()),
    ),
    { maxLength: 3 },
  )
  .map((pairs) => (pairs.length === 0 ? "" : `?${new URLSearchParams(pairs).toString()}`));

const path = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom(...routeList), fc.array(segment, { minLength: 4, maxLength: 4 }))
      .map(([route, values]) => {
        let i = 0;
        return {
          path: API_PREFIX + route.path.replace(/:[a-z_]+/g, () => values[i++] ?? ""),
          method: route.method,
        };
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(segment, { maxLength: 8 }), fc.constantFrom("GET", "POST"))
      .map(([parts, method]) => ({ path: `${API_PREFIX}/${parts.join("/")}`, method })),
  },
);

export const POLLUTING = [
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"formFields":{"__proto__":{"polluted":1},"n":1}}',
  '{"formFields":{"constructor":{"prototype":{"polluted":1}}}}',
  '{"correlationId":"pollute","inputValues":{"__proto__":{"polluted":1}}}',
  '{"correlationId":{"__proto__":"x"},"__proto__":[]}',
  '{"inputValues":{"prototype":{"polluted":1},"__proto__":null}}',
];

const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 3, arbitrary: fc.json() },
  { weight: 2, arbitrary: fc.string() },
  {
    weight: 3,
    arbitrary: fc
      .record(
        { correlationId: fc.string(), callerId: fc.string(), inputValues: fc.jsonValue() },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
  },
  {
    weight: 3,
    arbitrary: fc
      .dictionary(fc.oneof(fc.constant("n"), fc.string()), fc.jsonValue(), { maxKeys: 3 })
      .map((formFields) => JSON.stringify({ formFields })),
  },
  { weight: 3, arbitrary: fc.constantFrom(...POLLUTING) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(100_000, 5000, 1001, 999)
      .chain((depth) =>
        fc.constantFrom(
          nest(depth, "[", "", "]"),
          nest(depth, '{"a":', "1", "}"),
          `{"inputValues":${nest(depth, "[", "", "]")}}`,
          `{"formFields":{"n":${nest(depth, "[", "", "]")}}}`,
          "[".repeat(depth),
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `{"inputValues":"${"x".repeat(900_000)}"}`,
      `"${"y".repeat(2_000_000)}"`,
      `{"correlationId":"${"c".repeat(100_000)}"}`,
    ),
  },
);

const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/merge-patch+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/jsonx",
  "*/*",
  "",
);

const VALID = `Bearer ${reliabilityFixtures.token}`;
const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>(VALID) },
  { weight: 1, arbitrary: fc.constant<string | undefined>(`bearer   ${reliabilityFixtures.token}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined,
      "Bearer unknown-token",
      "Bearer",
      "Bearer ",
      `Bearer ${reliabilityFixtures.token} extra`,
      "Basic bG9hZDp0b2tlbg==",
      `Token ${reliabilityFixtures.token}`,
      `Bearer ${"t".repeat(8000)}`,
    ),
  },
  // Any header value Node lets a client send: printable ASCII.
  { weight: 2, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,200}$/) },
);

const extraHeaders = fc.dictionary(
  fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
  fc.stringMatching(/^[\x20-\x7e]{0,100}$/),
  { maxKeys: 3 },
);

export const arbitraryRequest: fc.Arbitrary<ArbitraryRequest> = fc
  .record({
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constant("") },
      { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD") },
    ),
    path,
    query,
    headers: extraHeaders,
    authorization,
    contentType,
    body,
  })
  .map((r) => {
    const method = r.method || r.path.method;
    const headers: Record<string, string> = { ...r.headers };
    if (r.authorization !== undefined) headers.authorization = r.authorization;
    if (r.contentType !== undefined) headers["content-type"] = r.contentType;
    // Framed explicitly: Node sends a GET or HEAD body unframed, which is a second (garbage) request.
    if (r.body !== undefined) headers["content-length"] = String(Buffer.byteLength(r.body));
    return {
      method,
      path: r.path.path + r.query,
      headers,
      ...(r.body === undefined ? {} : { body: r.body }),
      validToken: r.authorization !== undefined && /^bearer +load-token *$/i.test(r.authorization),
    };
  });

/** fc.assert, with a failure message that shortens the huge bodies this generator makes. */
export async function assertProperty(
  property: fc.IAsyncPropertyWithHooks<[ArbitraryRequest]>,
  numRuns: number,
): Promise<void> {
  const details = await fc.check(property, { numRuns });
  if (!details.failed) return;
  const [r] = details.counterexample ?? [];
  const shown = r && {
    ...r,
    path: r.path.slice(0, 300),
    body: r.body?.slice(0, 300),
    bodyLength: r.body?.length,
  };
  const cause =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `Property failed (seed ${details.seed}, path "${details.counterexamplePath}") on\n${JSON.stringify(shown, null, 2)}\n${cause.slice(0, 2000)}`,
  );
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends it on a fresh connection; an error (the server closed on us) rejects. */
export function send(baseUrl: string, r: ArbitraryRequest, timeoutMs = 15_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port: Number(port),
        method: r.method,
        path: r.path,
        headers: r.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(r.body);
  });
}
