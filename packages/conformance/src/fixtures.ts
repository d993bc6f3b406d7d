import { fileURLToPath } from "node:url";

// The same relative path works from src/ (vitest on the sources) and dist/ (the published package).
const root = new URL("../fixtures/", import.meta.url);

/** The tokens of fixtures/identities.json by role, plus one that no implementation may accept. */
export const tokens = {
  /** claims ["Clerk"] */
  clerk: "conformance-clerk-token",
  /** claims ["Manager"] */
  manager: "conformance-manager-token",
  /** claims ["Clerk", "Manager"] */
  both: "conformance-both-token",
  /** claims ["Office"]: the outer lane of the nested lanes only */
  office: "conformance-office-token",
  /** no claims: only elements outside every lane */
  none: "conformance-none-token",
  /** in no identities file */
  invalid: "conformance-invalid-token",
} as const;

export type Role = keyof typeof tokens;

export const fixtures: { modelsDir: string; identitiesFile: string; tokens: Record<Role, string> } = {
  modelsDir: fileURLToPath(new URL("models/", root)).replace(/\/$/, ""),
  identitiesFile: fileURLToPath(new URL("identities.json", root)),
  tokens,
};
