import {
  type AnyRoute,
  API_PREFIX,
  matchRoute,
  type NamedTypeName,
  PROBLEM_CONTENT_TYPE,
} from "@consumer-api/contracts";
import { generateJsonSchemas, namedTypeOf } from "@consumer-api/contracts/generate";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface SchemaCheckedFetch {
  /** A fetch that validates every response of a contract route before handing it on unchanged. */
  fetch: typeof fetch;
  /** The violations seen since the last call, and forgets them. */
  takeViolations(): string[];
  /** Throws, naming each route and what was wrong, when responses since the last call violated a schema. */
  assertNoViolations(): void;
}

/**
 * Wraps `fetch` so each response is checked against the JSON Schemas contracts generates, with ajv —
 * independent of zod, so a server answering a wrong shape is caught even where the TypeScript client
 * would tolerate it: a success body against the route's response type, a 204 for emptiness, an error
 * body against ProblemDetails with its content type and status.
 */
export function schemaCheckedFetch(inner: typeof fetch = globalThis.fetch): SchemaCheckedFetch {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const documents = generateJsonSchemas({ draft: "07" });
  const validators = new Map<NamedTypeName, ValidateFunction>();
  const validatorFor = (name: NamedTypeName) => {
    let validate = validators.get(name);
    if (!validate) {
      validate = ajv.compile(documents[name]);
      validators.set(name, validate);
    }
    return validate;
  };
  let violations: string[] = [];

  const check = async (route: AnyRoute, response: Response): Promise<string | undefined> => {
    const text = await response.clone().text();
    const contentType = response.headers.get("content-type") ?? "";
    if (response.status >= 400) {
      if (!contentType.startsWith(PROBLEM_CONTENT_TYPE)) {
        return `error ${response.status} has Content-Type "${contentType}", not ${PROBLEM_CONTENT_TYPE}`;
      }
      return validateJson("ProblemDetails", text, (body) =>
        (body as { status?: unknown }).status === response.status
          ? undefined
          : `problem status ${(body as { status?: unknown }).status} differs from the HTTP status ${response.status}`,
      );
    }
    if (response.status !== route.successStatus) {
      return `answered ${response.status} where the contract says ${route.successStatus}`;
    }
    if (route.response === undefined) {
      return text === ""
        ? undefined
        : `a ${route.successStatus} answer must have no body, got ${JSON.stringify(text)}`;
    }
    if (!contentType.startsWith("application/json")) {
      return `answer has Content-Type "${contentType}", not application/json`;
    }
    const name = namedTypeOf(route.response);
    if (!name) return undefined;
    return validateJson(name, text);
  };

  const validateJson = (
    name: NamedTypeName,
    text: string,
    extra?: (body: unknown) => string | undefined,
  ): string | undefined => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `body is not JSON (${name} expected): ${JSON.stringify(text.slice(0, 200))}`;
    }
    const validate = validatorFor(name);
    if (!validate(body)) {
      return `body does not match the JSON Schema ${name}: ${ajv.errorsText(validate.errors, { dataVar: "body" })}; body: ${text.slice(0, 500)}`;
    }
    return extra?.(body);
  };

  const checkedFetch: typeof fetch = async (input, init) => {
    const response = await inner(input, init);
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? (typeof input === "object" && "method" in input ? input.method : "GET");
    // A server may sit under a path base (https://host/app/api/consumer/v1/…): match from the prefix on.
    // Params are percent-encoded, so the first occurrence of the prefix is the real one.
    const at = url.pathname.indexOf(`${API_PREFIX}/`);
    let match: ReturnType<typeof matchRoute>;
    try {
      match = matchRoute(method, at < 0 ? url.pathname : url.pathname.slice(at));
    } catch {
      return response;
    }
    if (match.kind !== "match") return response;
    const problem = await check(match.route, response);
    if (problem)
      violations.push(`${match.route.method} ${match.route.path} (${match.route.operation}): ${problem}`);
    return response;
  };

  return {
    fetch: checkedFetch,
    takeViolations() {
      const taken = violations;
      violations = [];
      return taken;
    },
    assertNoViolations() {
      const taken = this.takeViolations();
      if (taken.length > 0) throw new Error(`response schema violations:\n${taken.join("\n")}`);
    },
  };
}
