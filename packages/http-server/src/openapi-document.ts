import * as contracts from "@consumer-api/contracts";

let cached: { document: unknown } | undefined;

/**
 * The OpenAPI document generated from the route table, computed once. Undefined (the route answers 404) while
 * contracts has no generator yet.
 */
export function openApiDocument(): unknown {
  if (cached === undefined) {
    const generate = (contracts as Record<string, unknown>).generateOpenApi;
    cached = { document: typeof generate === "function" ? generate() : undefined };
  }
  return cached.document;
}
