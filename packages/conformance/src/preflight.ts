import { readFile } from "node:fs/promises";
import { buildUrlPath, routes } from "@consumer-api/contracts";
import { type FixtureSet, fixtureModelFiles, fixtures, tokens } from "./fixtures.js";

/**
 * Before the suite runs, checks that the server at `url` serves this package's fixtures: every fixture
 * token authenticates and the fixture models are listed. A server started on other models or identities
 * would fail every case with the same 401 or 404 — hundreds of lines that hide the one thing to fix.
 * `sets` are the fixture sets it must serve (level 1, and those of the capabilities it claims).
 * Resolves with `undefined` when all is well, else with the text to print.
 */
export async function checkServesFixtures(
  url: string,
  sets: readonly FixtureSet[],
): Promise<string | undefined> {
  const listUrl = url.replace(/\/$/, "") + buildUrlPath(routes.getProcessModels, {}, {});
  const expected = await fixtureProcessKeys(sets);
  const listed = new Set<string>();
  const problems: string[] = [];
  const valid = Object.entries(tokens).filter(([role]) => role !== "invalid");
  for (const [role, token] of valid) {
    let response: Response;
    try {
      response = await fetch(listUrl, { headers: { authorization: `Bearer ${token}` } });
    } catch (error) {
      return `cannot reach ${url}: ${(error as Error).cause ?? (error as Error).message}\n\n${howToStart(url)}`;
    }
    const text = await response.text();
    if (response.status !== 200) {
      problems.push(
        `GET ${listUrl} with the fixture token "${token}" (${role}) answered ${response.status}${detailOf(text)}`,
      );
      continue;
    }
    try {
      for (const model of (JSON.parse(text) as { processModels: { key: string }[] }).processModels) {
        listed.add(model.key);
      }
    } catch {
      problems.push(`GET ${listUrl} answered 200 but not a process model list: ${text.slice(0, 200)}`);
    }
  }
  const missing = expected.filter((key) => !listed.has(key));
  if (problems.length === valid.length && problems.every((p) => / answered 401/.test(p))) {
    problems.unshift(
      `the server does not accept the fixture tokens of ${fixtures.identitiesFile}; it was started with other identities`,
    );
  } else if (problems.length === valid.length && problems.every((p) => / answered 404/.test(p))) {
    problems.unshift(`no ConsumerAPI at ${url}: give the server's base URL; the routes add /api/consumer/v1`);
  } else if (missing.length > 0 && problems.length < valid.length) {
    problems.push(
      `the server does not list the fixture process models ${missing.join(", ")} (of ${sets.map((set) => set.name).join(", ")}); it was started on other models`,
    );
  }
  if (problems.length === 0) return undefined;
  return `${url} does not serve the conformance fixtures:\n${problems.map((p) => `  - ${p}`).join("\n")}\n\n${howToStart(url)}`;
}

function detailOf(text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: unknown };
    return typeof problem.detail === "string" ? `: ${problem.detail}` : "";
  } catch {
    return "";
  }
}

/**
 * The executable fixture processes with a none start event: a server on the fixtures lists each for some
 * token. (A process started only by a message, signal or timer is not listed, §11.)
 */
async function fixtureProcessKeys(sets: readonly FixtureSet[]): Promise<string[]> {
  const keys: string[] = [];
  for (const file of fixtureModelFiles(sets)) {
    const xml = await readFile(file, "utf8");
    for (const [, tag, body] of xml.matchAll(/(<(?:\w+:)?process\b[^>]*>)([\s\S]*?)<\/(?:\w+:)?process>/g)) {
      const id = /\sid="([^"]+)"/.exec(tag as string)?.[1];
      if (!id || !/\sisExecutable="true"/.test(tag as string)) continue;
      const starts = (body as string).matchAll(
        /<(?:\w+:)?startEvent\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?startEvent>)/g,
      );
      if ([...starts].some(([, inner]) => !/EventDefinition\b/.test(inner ?? ""))) keys.push(id);
    }
  }
  return keys;
}

function howToStart(url: string): string {
  const port = new URL(url).port || "8080";
  return [
    "Write the fixtures this CLI ships and start the reference server on them (empty state in a new --data directory):",
    "  consumer-api-conformance fixtures ./conformance",
    `  consumer-api-server --models ./conformance/models --identities ./conformance/identities.json --data ./conformance-data --port ${port}`,
    "(in the ConsumerAPI repository: node packages/http-server/dist/bin.js with the same options), or start",
    "your own server on those files (`fixtures <dir> --level 1` for a level-1 server), then run again.",
  ].join("\n");
}
