import type { ProblemDetails } from "./problem-details.js";
import { wireViolation } from "./wire-check.js";

/** Every error either binding throws. `status` is the HTTP status the external binding answers with. */
export class ConsumerApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;

  constructor(status: number, title: string, detail: string) {
    super(detail);
    this.name = "ConsumerApiError";
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

export class BadRequestError extends ConsumerApiError {
  constructor(detail: string) {
    super(400, "Bad Request", detail);
    this.name = "BadRequestError";
  }
}

export class UnauthorizedError extends ConsumerApiError {
  constructor(detail = "A valid bearer token is required.") {
    super(401, "Unauthorized", detail);
    this.name = "UnauthorizedError";
  }
}

export class ForbiddenError extends ConsumerApiError {
  constructor(detail: string) {
    super(403, "Forbidden", detail);
    this.name = "ForbiddenError";
  }
}

export class NotFoundError extends ConsumerApiError {
  constructor(detail: string) {
    super(404, "Not Found", detail);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends ConsumerApiError {
  constructor(detail: string) {
    super(409, "Conflict", detail);
    this.name = "ConflictError";
  }
}

export class InternalServerError extends ConsumerApiError {
  constructor(detail = "The server failed to process the request.") {
    super(500, "Internal Server Error", detail);
    this.name = "InternalServerError";
  }
}

/** The error class of SPEC §3 for each status. */
export const errorClassByStatus = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  500: InternalServerError,
} as const;
export type ErrorStatus = keyof typeof errorClassByStatus;

/** The problem+json body for any thrown value; anything that is not a ConsumerApiError is a 500 without detail leaks. */
export function problemFromError(error: unknown): ProblemDetails {
  const known = error instanceof ConsumerApiError ? error : new InternalServerError();
  return { type: "about:blank", title: known.title, status: known.status, detail: known.detail };
}

/**
 * The error class of the contract for a problem+json body (or any object with a status). Statuses outside
 * SPEC §3 (405, 413, 415 from the transport) keep their status on a plain ConsumerApiError.
 */
export function errorFromProblem(body: unknown, httpStatus?: number): ConsumerApiError {
  // Checked by the generated JSON Schema, not zod, so a client bundles no schema library.
  const problem = wireViolation("ProblemDetails", body) === undefined ? (body as ProblemDetails) : undefined;
  // The HTTP status is authoritative (RFC 9457 §3.1.3: the body's "status" is advisory); without one — an
  // error frame, a stored body — the body's status counts.
  const status = httpStatus ?? problem?.status ?? 500;
  const detail = problem ? problem.detail : `Unexpected error response (status ${status}).`;
  const ErrorClass = (errorClassByStatus as Record<number, new (detail: string) => ConsumerApiError>)[status];
  if (ErrorClass) {
    return new ErrorClass(detail);
  }
  const title = problem?.status === status ? problem.title : "Error";
  return new ConsumerApiError(status, title, detail);
}
