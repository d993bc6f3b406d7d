import { ConsumerApiError } from "@consumer-api/contracts";

// Statuses the transport adds on top of SPEC §3; they keep their status on a plain ConsumerApiError.
export const methodNotAllowed = (allowed: string[]) =>
  new ConsumerApiError(405, "Method Not Allowed", `Allowed: ${allowed.join(", ")}.`);
export const payloadTooLarge = (limit: number) =>
  new ConsumerApiError(413, "Content Too Large", `The request body exceeds ${limit} bytes.`);
export const unsupportedMediaType = () =>
  new ConsumerApiError(
    415,
    "Unsupported Media Type",
    "The request body must be JSON (Content-Type: application/json).",
  );
export const notFound = (pathname: string) =>
  new ConsumerApiError(404, "Not Found", `No route for ${pathname}.`);
