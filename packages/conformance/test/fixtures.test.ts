import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { fixtures, tokens } from "../src/index.js";

// The fixtures are part of the product: a foreign server loads exactly these files.
describe("shipped fixtures", () => {
  it("identities.json holds every role's token with its claims, and not the invalid one", async () => {
    const file = JSON.parse(await readFile(fixtures.identitiesFile, "utf8")) as {
      tokens: Record<string, { userId: string; claims: string[] }>;
    };
    const claims = (role: keyof typeof tokens) => file.tokens[tokens[role]]?.claims;
    expect(claims("clerk")).toEqual(["Clerk"]);
    expect(claims("manager")).toEqual(["Manager"]);
    expect(claims("both")).toEqual(["Clerk", "Manager"]);
    expect(claims("office")).toEqual(["Office"]);
    expect(claims("none")).toEqual([]);
    expect(file.tokens[tokens.invalid]).toBeUndefined();
  });

  it("every model is BPMN 2.0 XML with the camunda namespace", async () => {
    const names = (await readdir(fixtures.modelsDir)).filter((name) => name.endsWith(".bpmn"));
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) {
      const source = await readFile(`${fixtures.modelsDir}/${name}`, "utf8");
      expect(source).toContain('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"');
      expect(source).toContain('xmlns:camunda="http://camunda.org/schema/1.0/bpmn"');
    }
  });
});
