import { z } from "zod";

// SPEC §9. Over HTTP a page parameter is decimal digits only: "-1", "1.5", "1e3" and "" are 400s naming it,
// so a client written for another API's paging (upstream's "limit=-1 means all") learns it at once.
const PageParameter = (name: string, meaning: string) =>
  z
    .string()
    .regex(/^[0-9]+$/, "expected decimal digits")
    .transform(Number)
    .refine(Number.isSafeInteger, "expected a safe integer")
    .optional()
    .describe(`${meaning} A non-negative integer, decimal digits only (SPEC §9, ${name}).`);

/** The query of every list route (SPEC §9); strict, like every route's query. */
export const PageQuery = z.strictObject({
  offset: PageParameter("offset", "Skip that many items (default 0)."),
  limit: PageParameter("limit", "Return at most that many items (default: no limit; 0: only totalCount)."),
});

/** `offset` / `limit` as a method argument: a non-negative safe integer (SPEC §9). */
export const PageArgument = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A list DTO's count of what the caller may see, before offset and limit (SPEC §9). */
export const TotalCount = z
  .number()
  .int()
  .nonnegative()
  .optional()
  .describe(
    "How many items the caller may see under the lane rule, before offset and limit (SPEC §9). Absent from servers without the pagination capability.",
  );
