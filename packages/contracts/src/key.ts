import { z } from "zod";

/** A UTF-16 code unit of a surrogate pair on its own (with the u flag, a whole pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What names a process model, start/end event, correlation, waiting event or user task: a non-empty string of
 * well-formed Unicode that is not "." or "..". Keys travel as URL path segments: a lone surrogate cannot be
 * percent-encoded (and SQLite would store U+FFFD for it), and a URL drops or climbs dot segments, encoded or
 * not. Both bindings apply this one rule, so a key is valid or not the same way over either.
 */
export const ConsumerKey = z
  .string()
  .min(1)
  .regex(/^(?!\.\.?$)/, 'must not be "." or ".." (keys travel as URL path segments)')
  .refine((value) => !LONE_SURROGATE.test(value), "expected well-formed Unicode (it has a lone surrogate)");
