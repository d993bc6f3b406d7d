import type { z } from "zod";
import { BadRequestError } from "./errors.js";

/** "body.inputValues: Invalid input: expected object" — names the field, as SPEC §3 asks. */
export function describeIssues(error: z.ZodError, where: string): string {
  return error.issues
    .flatMap((issue) => {
      // A strict object's unknown keys: one entry per key, named in the path like any other field.
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((name) => {
          const path = [where, ...issue.path.map(String), name].filter(Boolean).join(".");
          return `${path}: not defined by the contract`;
        });
      }
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
