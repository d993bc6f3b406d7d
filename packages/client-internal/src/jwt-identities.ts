import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { Identity, IdentityProvider } from "./identity.js";

export interface JwtIdentityOptions {
  /** Shared secret for HS256 tokens. Exactly one of secret and jwksUrl. */
  secret?: string;
  /** URL of a JWK set for asymmetric tokens (RS256, ES256, …). */
  jwksUrl?: string;
  /** The claim that lists the identity's claims (lane names). Default "claims". */
  claimsClaim?: string;
  issuer?: string;
  audience?: string;
}

/**
 * Identities from JWTs: `sub` is the userId, the claims claim a string array. Signature, expiry (and issuer /
 * audience when configured) are checked by jose; any failure, including a JWKS that cannot be fetched,
 * means "not authenticated" rather than an error, so every operation answers 401 alike.
 */
export function jwtIdentityProvider(options: JwtIdentityOptions): IdentityProvider {
  const { secret, jwksUrl, issuer, audience } = options;
  const claimsClaim = options.claimsClaim ?? "claims";
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw new Error("jwtIdentityProvider: give exactly one of secret and jwksUrl.");
  }
  if (secret !== undefined && secret.length === 0) {
    throw new Error("jwtIdentityProvider: secret must not be empty.");
  }
  const verifyOptions = {
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
  };
  const verify =
    secret !== undefined
      ? (() => {
          const key = new TextEncoder().encode(secret);
          return (token: string) => jwtVerify(token, key, { ...verifyOptions, algorithms: ["HS256"] });
        })()
      : (() => {
          const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(jwksUrl as string));
          return (token: string) => jwtVerify(token, jwks, verifyOptions);
        })();

  return {
    async resolve(token): Promise<Identity | undefined> {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await verify(token));
      } catch {
        return undefined;
      }
      const userId = payload.sub;
      if (typeof userId !== "string" || userId.length === 0) return undefined;
      const claims = payload[claimsClaim];
      // A token without the claim is an identity without lanes; a claim of the wrong shape is a broken token.
      if (claims === undefined) return { userId, claims: [] };
      if (!Array.isArray(claims) || !claims.every((c) => typeof c === "string")) return undefined;
      return { userId, claims: [...claims] };
    },
  };
}
