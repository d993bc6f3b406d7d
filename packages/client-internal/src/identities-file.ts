import { readFile } from "node:fs/promises";
import { describeIssues } from "@consumer-api/contracts";
import { z } from "zod";
import type { Identity, IdentityProvider } from "./identity.js";

/** SPEC §7: `{ "tokens": { "<token>": { "userId": "…", "claims": ["…"] } } }`. */
const IdentitiesFile = z.object({
  tokens: z.record(
    z.string().min(1),
    z.object({
      userId: z.string().min(1),
      claims: z.array(z.string()),
    }),
  ),
});

/** A static token table, validated up front so that a typo in a deployment fails at start, not at the first call. */
export function identitiesFromObject(value: unknown): IdentityProvider {
  const parsed = IdentitiesFile.safeParse(value);
  if (!parsed.success) {
    throw new Error(`Invalid identities: ${describeIssues(parsed.error, "")}`);
  }
  // A Map rather than the object, so that tokens like "constructor" or "__proto__" never hit the prototype.
  const byToken = new Map<string, Identity>();
  for (const [token, entry] of Object.entries(parsed.data.tokens)) {
    byToken.set(token, { userId: entry.userId, claims: [...entry.claims] });
  }
  return {
    async resolve(token) {
      const identity = byToken.get(token);
      return identity === undefined ? undefined : { userId: identity.userId, claims: [...identity.claims] };
    },
  };
}

/** Reads and validates an identities file (SPEC §7). */
export async function identitiesFromFile(path: string): Promise<IdentityProvider> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`Cannot read identities file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Identities file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return identitiesFromObject(value);
  } catch (error) {
    throw new Error(`Identities file ${path}: ${(error as Error).message}`);
  }
}
