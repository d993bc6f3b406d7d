import { copyFile, cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";

export const root = fileURLToPath(new URL("../../../../", import.meta.url));
export const examples = path.join(root, "examples");
/** Inside this package, so a snippet's `@consumer-api/*` imports resolve to the workspace packages. */
const scratch = fileURLToPath(new URL("../../.snippets/", import.meta.url));

/** A fresh directory holding examples/models as ./models and examples/identities.json as ./identities.json. */
export async function exampleDirectory(): Promise<string> {
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(path.join(scratch, "run-"));
  await cp(path.join(examples, "models"), path.join(dir, "models"), { recursive: true });
  await copyFile(path.join(examples, "identities.json"), path.join(dir, "identities.json"));
  return dir;
}

export interface SnippetRun {
  /** What the snippet threw or rejected with; undefined when it ran to its end. */
  error: unknown;
  /** Every console.log line, formatted as Node prints it. */
  logs: string[];
  /** How many `// <value>` claims were checked (see `claims`), and those that did not hold. */
  claims: number;
  failedClaims: string[];
}

export interface SnippetOptions {
  /** Declares what the snippet uses but does not define (a server URL, an `api`, …); runs before it. */
  prelude?: string;
  /** Runs after it, in its scope (to close what it leaves open, as an application would later). */
  epilogue?: string;
  /**
   * Also check the value comments: `expr; // <literal>` (or the literal on the next line) must evaluate to
   * it, `expr; // throws Name("message")` must throw that.
   */
  claims?: boolean;
}

/** What the comments of a block's top-level `console.log(…); // text` lines say it prints, in order. */
export function promisedLogs(code: string): string[] {
  return code
    .split("\n")
    .flatMap((line) => /^console\.log\(.*\);\s*\/\/ (?<text>.*)$/.exec(line)?.groups?.text ?? []);
}

/** Whether `expected` occurs in `lines` in that order (other lines may come between). */
export function inOrder(lines: readonly string[], expected: readonly string[]): boolean {
  let at = 0;
  for (const line of lines) if (line === expected[at]) at++;
  return at === expected.length;
}

/** Each claim line as a call that records, instead of stopping the snippet, when it does not hold. */
function checkingClaims(code: string): { code: string; claims: number } {
  const lines = code.split("\n");
  const out: string[] = [];
  let claims = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const throws = /^(?<stmt>\S.*\));\s*\/\/ throws (?<name>\w+)\((?<message>".*")\)$/.exec(line);
    if (throws?.groups) {
      const { stmt, name, message } = throws.groups;
      out.push(`__throws(() => { ${stmt}; }, ${JSON.stringify(name)}, ${message}, ${JSON.stringify(stmt)});`);
      claims++;
      continue;
    }
    const inline = /^(?<stmt>\S.*\));\s*\/\/ (?<value>["{[].*)$/.exec(line);
    const next = /^\/\/ (?<value>["{[].*)$/.exec(lines[i + 1] ?? "");
    const alone = /^(?<stmt>\S.*\));$/.exec(line);
    const stmt = inline?.groups?.stmt ?? (next ? alone?.groups?.stmt : undefined);
    const value = inline?.groups?.value ?? next?.groups?.value;
    if (stmt !== undefined && value !== undefined) {
      out.push(`__claim(() => (${stmt}), (${value}), ${JSON.stringify(stmt)});`);
      claims++;
    } else out.push(line);
  }
  return { code: out.join("\n"), claims };
}

const claimHelpers = `
import { isDeepStrictEqual as __equal } from "node:util";
const __failed: string[] = (globalThis as any).__snippetClaims;
function __claim(run: () => unknown, expected: unknown, source: string) {
  const actual = run();
  if (!__equal(actual, expected)) __failed.push(\`\${source} is \${JSON.stringify(actual)}, not \${JSON.stringify(expected)}\`);
}
function __throws(run: () => unknown, name: string, message: string, source: string) {
  try {
    run();
  } catch (error) {
    const e = error as Error;
    if (e.name !== name || e.message !== message) __failed.push(\`\${source} threw \${e.name}(\${JSON.stringify(e.message)})\`);
    return;
  }
  __failed.push(\`\${source} did not throw\`);
}
`;

/**
 * Runs a README's TypeScript block as a module of its own in `dir` (its working directory, so "./models"
 * is examples/models), in this process.
 */
export async function runSnippet(
  dir: string,
  code: string,
  options: SnippetOptions = {},
): Promise<SnippetRun> {
  const file = path.join(dir, `snippet-${Math.random().toString(36).slice(2)}.ts`);
  const checked = options.claims ? checkingClaims(code) : { code, claims: 0 };
  await writeFile(
    file,
    `${options.claims ? claimHelpers : ""}\n${options.prelude ?? ""}\n${checked.code}\n${options.epilogue ?? ""}\n`,
  );
  const failedClaims: string[] = [];
  const logs: string[] = [];
  const global = globalThis as { __snippetClaims?: string[] };
  global.__snippetClaims = failedClaims;
  const log = console.log;
  console.log = (...args: unknown[]) => {
    logs.push(format(...args));
  };
  const cwd = process.cwd();
  process.chdir(dir);
  let error: unknown;
  try {
    await import(pathToFileURL(file).href);
  } catch (thrown) {
    error = thrown;
  } finally {
    process.chdir(cwd);
    console.log = log;
  }
  return { error, logs, claims: checked.claims, failedClaims };
}
