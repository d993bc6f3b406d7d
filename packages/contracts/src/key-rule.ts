// The rule of a key without zod, so a client can apply it without bundling schemas; key.ts builds the
// ConsumerKey schema from these same parts.

/** Matches any string but "." and "..", which a URL drops or climbs, encoded or not. */
export const NOT_A_DOT_SEGMENT = /^(?!\.\.?$)/;
export const DOT_SEGMENT_PROBLEM = 'must not be "." or ".." (keys travel as URL path segments)';

/** A UTF-16 code unit of a surrogate pair on its own (with the u flag, a whole pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;
export const LONE_SURROGATE_PROBLEM = "expected well-formed Unicode (it has a lone surrogate)";

export function isWellFormedUnicode(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Why a non-empty string is no ConsumerKey, or undefined when it is one. */
export function consumerKeyProblem(value: string): string | undefined {
  if (!NOT_A_DOT_SEGMENT.test(value)) return DOT_SEGMENT_PROBLEM;
  if (!isWellFormedUnicode(value)) return LONE_SURROGATE_PROBLEM;
  return undefined;
}
