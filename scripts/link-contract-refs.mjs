// Turns every plain "§4.3" / "SPEC §4.3" in the repository's markdown into a link to that section of the
// contract in docs/ (`pnpm docs:links`); `--check` only lists them, and packages/newcomer's docs test fails
// on one, naming the command. Code blocks, inline code, docs/ itself, changesets and changelogs are left
// alone, and so is a section of a foreign standard ("BPMN 2.0.2 §10.5").
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pages = { 1: "concepts", 2: "concepts", 3: "errors", 4: "operations", 5: "notifications", 6: "bpmn" };
Object.assign(pages, { 7: "server", 8: "schemas" });

/** The docs page and anchor of contract section `major[.minor]`. */
export function sectionHref(major, minor) {
  const page = pages[major] ?? "api-level-2";
  return `docs/${page}.md#spec-${major}${minor ? `-${minor}` : ""}`;
}

/** A plain reference to a contract section; not one of a foreign standard ("BPMN 2.0.2 §10.5"). */
export const plainReference = /(?<!BPMN \d\.\d\.\d )(SPEC )?§(\d+)(?:\.(\d+))?/g;
const link = /(\[[^\]]*\]\([^)]*\))/;

/** Applies `replace` to the parts of a markdown line outside inline code and outside links. */
export function outsideCodeAndLinks(line, replace) {
  return line
    .split("`")
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .split(link)
            .map((piece, j) => (j % 2 === 1 ? piece : replace(piece)))
            .join(""),
    )
    .join("`");
}

export function markdownFiles() {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], {
    cwd: root,
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter(Boolean)
    .filter((f) => !f.startsWith("docs/") && !f.startsWith(".changeset/") && !f.endsWith("CHANGELOG.md"));
}

/** `text` with each plain reference outside code made a link relative to `file`. */
export function linkReferences(file, text) {
  const up = "../".repeat(file.split("/").length - 1);
  let fence = false;
  return text
    .split("\n")
    .map((line) => {
      if (line.trimStart().startsWith("```")) {
        fence = !fence;
        return line;
      }
      if (fence) return line;
      return outsideCodeAndLinks(line, (piece) =>
        piece.replace(
          plainReference,
          (match, _spec, major, minor) => `[${match}](${up}${sectionHref(major, minor)})`,
        ),
      );
    })
    .join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --check: change nothing, list the files with plain references, exit 1 if there are any.
  const check = process.argv.includes("--check");
  const plain = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(join(root, file), "utf8");
    const linked = linkReferences(file, text);
    if (linked === text) continue;
    plain.push(file);
    if (!check) writeFileSync(join(root, file), linked);
    console.log(check ? `${file}: a plain § reference (run pnpm docs:links)` : file);
  }
  process.exitCode = check && plain.length > 0 ? 1 : 0;
}
