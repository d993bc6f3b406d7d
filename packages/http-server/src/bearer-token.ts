import { UnauthorizedError } from "@consumer-api/contracts";

/** The token of an `Authorization: Bearer <token>` header; anything else is 401 (SPEC §2). */
export function bearerToken(header: string | string[] | undefined): string {
  if (typeof header !== "string") throw new UnauthorizedError("Authorization: Bearer <token> is required.");
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw new UnauthorizedError('The Authorization header must be "Bearer <token>".');
  return match[1] as string;
}
