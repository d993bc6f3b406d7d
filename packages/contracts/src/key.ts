import { z } from "zod";
import {
  DOT_SEGMENT_PROBLEM,
  isWellFormedUnicode,
  LONE_SURROGATE_PROBLEM,
  NOT_A_DOT_SEGMENT,
} from "./key-rule.js";

/**
 * What names a process model, start/end event, correlation, waiting event or user task: a non-empty string of
 * well-formed Unicode that is not "." or "..". Keys travel as URL path segments: a lone surrogate cannot be
 * percent-encoded (and SQLite would store U+FFFD for it), and a URL drops or climbs dot segments, encoded or
 * not. Both bindings apply this one rule, so a key is valid or not the same way over either.
 */
export const ConsumerKey = z
  .string()
  .min(1)
  .regex(NOT_A_DOT_SEGMENT, DOT_SEGMENT_PROBLEM)
  .refine(isWellFormedUnicode, LONE_SURROGATE_PROBLEM);
