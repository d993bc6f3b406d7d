import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Supports } from "./options.js";

// The same relative path works from src/ (vitest on the sources) and dist/ (the published package).
const root = fileURLToPath(new URL("../fixtures/", import.meta.url));

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

/** A capability whose cases need models of their own: the name of its directory under fixtures/level-2/. */
export type FixtureCapability = Exclude<keyof Supports, "applicationInfo">;

/**
 * One directory of fixture models: `level-1` (SPEC §6 elements, the level-1 cases) or
 * `level-2/<capability>` (what only that capability's cases start). A server loads the sets it supports.
 */
export interface FixtureSet {
  /** Relative to the package's fixtures/ directory. */
  name: string;
  dir: string;
  /** Undefined for level 1, which every server loads. */
  capability: FixtureCapability | undefined;
}

const levelTwo = path.join(root, "level-2");

/** Every fixture set, level 1 first, then level 2's by capability name. */
export const fixtureSets: readonly FixtureSet[] = [
  { name: "level-1", dir: path.join(root, "level-1"), capability: undefined },
  ...readdirSync(levelTwo, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name: `level-2/${name}`,
      dir: path.join(levelTwo, name),
      capability: name as FixtureCapability,
    })),
];

/** The sets a server with these capabilities loads: level 1 and each supported capability's. */
export function fixtureSetsFor(supports: Partial<Supports>): FixtureSet[] {
  return fixtureSets.filter((set) => set.capability === undefined || supports[set.capability] === true);
}

/** The .bpmn files (absolute paths) of the given sets, in name order per set. */
export function fixtureModelFiles(sets: readonly FixtureSet[] = fixtureSets): string[] {
  return sets.flatMap((set) =>
    readdirSync(set.dir)
      .filter((name) => name.endsWith(".bpmn"))
      .sort()
      .map((name) => path.join(set.dir, name)),
  );
}

/** Copies the models of the given sets into one flat directory, as a server's `--models` takes them. */
export function writeFixtureModels(dir: string, sets: readonly FixtureSet[] = fixtureSets): string[] {
  const files = fixtureModelFiles(sets);
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file);
    const earlier = seen.get(name);
    if (earlier) throw new Error(`two fixture models named ${name}: ${earlier} and ${file}`);
    seen.set(name, file);
    copyFileSync(file, path.join(dir, name));
  }
  return files;
}

let allModels: string | undefined;

/**
 * A server loads one flat directory (SPEC §7 `--models`), so the full set is copied into one, once per
 * process and on first use, and removed when the process exits.
 */
function allModelsDir(): string {
  if (allModels === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), "consumer-api-conformance-models-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    writeFixtureModels(dir);
    allModels = dir;
  }
  return allModels;
}

export const fixtures: {
  /** Every fixture model (level 1 and every level-2 set) in one directory. */
  readonly modelsDir: string;
  identitiesFile: string;
  tokens: Record<Role, string>;
} = {
  get modelsDir() {
    return allModelsDir();
  },
  identitiesFile: path.join(root, "identities.json"),
  tokens,
};
