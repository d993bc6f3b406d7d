/** Who calls, as resolved from the token of a ConsumerContext. */
export interface Identity {
  userId: string;
  /** Lane names (and anything else the deployment grants); the lane rule compares against these. */
  claims: string[];
}

/** Turns a token into an identity; undefined means "not authenticated" (401). */
export interface IdentityProvider {
  resolve(token: string): Promise<Identity | undefined>;
}
