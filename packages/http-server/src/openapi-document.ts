import { generateOpenApi } from "@consumer-api/contracts/generate";

let cached: unknown;

/** The OpenAPI document generated from the route table; computed on first request, then served as is. */
export function openApiDocument(): unknown {
  cached ??= generateOpenApi();
  return cached;
}
