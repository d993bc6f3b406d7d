import type { z } from "zod";
import { BadRequestError } from "./errors.js";

/** "body.inputValues: Invalid input: expected object" — names the field, as SPEC §3 asks. */
export function describeIssues(error: z.ZodError, where: string): string {
  return error.issues
    .map((issue) => {
      const path = [where, ...issue.path.map(String)].filter(Boolean).join(".");
      return `${path || "value"}: ${issue.message}`;
    })
    .join("; ");
}

/** Parses with the contract's schema or throws a 400 whose detail names the offending field. */
export function parseOrBadRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadRequestError(describeIssues(result.error, where));
  return result.data;
}
