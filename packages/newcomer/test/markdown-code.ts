import { readFileSync } from "node:fs";

/** The fenced code blocks of a markdown file, in order, with the language and the heading above each. */
export function codeBlocks(file: string): { lang: string; heading: string; code: string }[] {
  const blocks: { lang: string; heading: string; code: string }[] = [];
  let heading = "";
  let open: { lang: string; heading: string; lines: string[] } | undefined;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (open) {
      if (line.startsWith("```")) {
        blocks.push({ lang: open.lang, heading: open.heading, code: `${open.lines.join("\n")}\n` });
        open = undefined;
      } else open.lines.push(line);
    } else if (line.startsWith("```")) open = { lang: line.slice(3).trim(), heading, lines: [] };
    else if (line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
  }
  return blocks;
}

/** The one block of `lang` under `heading`; a README reorganised so that it is gone fails loudly. */
export function codeBlock(file: string, heading: string, lang: string): string {
  const found = codeBlocks(file).filter((b) => b.heading === heading && b.lang === lang);
  if (found.length === 0) throw new Error(`${file}: no \`\`\`${lang} block under "${heading}"`);
  return (found[0] as { code: string }).code;
}
