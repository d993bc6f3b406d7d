import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { channelList, routeList } from "@consumer-api/contracts";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));
const markdown = (
  await run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], { cwd: root })
).stdout
  .split("\n")
  .filter(Boolean);
const docs = markdown.filter((f) => f.startsWith("docs/"));
const docsText = docs.map((f) => readFileSync(path.join(root, f), "utf8")).join("\n");

/** Text outside fenced code blocks and inline code: where a reference can be a link. */
function prose(text: string): string {
  return text
    .split(/^```.*$/m)
    .filter((_, i) => i % 2 === 0)
    .join("\n")
    .replace(/`[^`\n]*`/g, "");
}

/** The anchors a markdown file offers: explicit `<a id>` and GitHub's heading slugs. */
function anchors(text: string): Set<string> {
  const ids = new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1] as string));
  for (const [, heading] of prose(text).matchAll(/^#+\s+(.*)$/gm)) {
    const plain = (heading as string).replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    ids.add(
      plain
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    );
  }
  return ids;
}

describe("the contract in docs/", () => {
  it("has an anchor for every section of the contract", () => {
    const sections = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "part-two"];
    const subsections = ["4-1", "4-2", "4-3", "4-4", "4-5", "4-6", "4-7", "4-8", "5-1", "6-1", "7-1"];
    const all = new Set(docs.flatMap((f) => [...anchors(readFileSync(path.join(root, f), "utf8"))]));
    for (const id of [...sections, ...subsections]) expect(all.has(`spec-${id}`), `#spec-${id}`).toBe(true);
  });

  it("names every route of the contract, with its path and operation", () => {
    for (const route of routeList) {
      expect(docsText, route.operation).toContain(route.path);
      expect(docsText, route.operation).toContain(route.operation);
    }
  });

  it("names every notification channel and the method that subscribes to it", () => {
    for (const channel of channelList) {
      expect(docsText, channel.method).toContain(channel.method);
      const [template] = channel.templates;
      const tail = (template as string).replace(/^\/process_model\/\{process_model_key\}/, "");
      expect(docsText, String(template)).toContain(tail);
    }
  });

  it("every relative link in the repository's markdown leads to a file, and an anchor to a heading", () => {
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(path.join(root, file), "utf8");
      for (const [, href] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(href as string)) continue;
        const [target, anchor] = (href as string).split("#");
        const resolved = target ? path.join(root, path.dirname(file), target) : path.join(root, file);
        if (!existsSync(resolved)) {
          broken.push(`${file}: ${href} (no such file)`);
          continue;
        }
        if (anchor && resolved.endsWith(".md") && !anchors(readFileSync(resolved, "utf8")).has(anchor)) {
          broken.push(`${file}: ${href} (no such anchor)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("every § reference outside docs/ and the changelogs is a link into docs/ (pnpm docs:links)", async () => {
    const check = await run(
      process.execPath,
      [path.join(root, "scripts/link-contract-refs.mjs"), "--check"],
      {
        cwd: root,
      },
    ).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? "failed",
    );
    expect(check).toBe("");
  });
});

describe("pnpm docs:api", () => {
  it("renders the OpenAPI and AsyncAPI documents as HTML naming every route and channel", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "consumer-api-docs-"));
    try {
      await run(process.execPath, [path.join(root, "scripts/docs-api.mjs"), "--out", out], { cwd: root });
      const openApi = await readFile(path.join(out, "openapi.html"), "utf8");
      for (const route of routeList) {
        expect(openApi, route.operation).toContain(route.path.replace(/:(\w+)/g, "{$1}"));
      }
      const asyncApi = await readFile(path.join(out, "asyncapi.html"), "utf8");
      expect(asyncApi).toContain("AsyncApiStandalone.render(");
      for (const channel of channelList) {
        for (const template of channel.templates) expect(asyncApi, template).toContain(template);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
