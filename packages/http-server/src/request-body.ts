import type { IncomingMessage } from "node:http";
import { assertPlainJson, BadRequestError } from "@consumer-api/contracts";
import { payloadTooLarge, unsupportedMediaType } from "./http-error.js";
import { defaults } from "./server-options.js";

/**
 * Reads at most `limit` bytes: a Content-Length above it is refused before reading, and a body that grows
 * past it while streaming stops being read at once, so no request can make the server buffer more.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(payloadTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onFail);
      req.off("aborted", onFail);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    // The client broke off (or its body stream failed): its fault, answered as such, not reported as ours.
    const onFail = (error?: unknown) =>
      finish(
        new BadRequestError(
          `body: the request body could not be read${error instanceof Error ? ` (${error.message})` : ""}.`,
        ),
      );
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onFail);
    req.on("aborted", onFail);
  });
}

/** application/json or any `+json` type, parameters allowed. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = (header.split(";")[0] as string).trim().toLowerCase();
  return type === "application/json" || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

/** The JSON body, or undefined when there is none; 415 for non-JSON, 400 for malformed or too deeply nested JSON. */
export function parseJsonBody(
  raw: Buffer,
  contentType: string | undefined,
  maxDepth: number = defaults.maxJsonDepth,
): unknown {
  if (raw.length === 0) return undefined;
  if (!isJsonContentType(contentType)) throw unsupportedMediaType();
  const text = raw.toString("utf8");
  if (text.trim() === "") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`body: malformed JSON: ${(error as Error).message}`);
  }
  assertPlainJson(json, "body", maxDepth);
  return json;
}
