import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureModelFiles, fixtureSets, fixtures, tokens } from "../src/index.js";
import { LEVEL_ONE } from "../src/options.js";

/** SPEC §6: the BPMN elements a level-1 server runs, and what they contain. */
const LEVEL_ONE_ELEMENTS = new Set(
  `definitions process collaboration participant documentation extensionElements startEvent endEvent
  userTask manualTask scriptTask script receiveTask subProcess exclusiveGateway parallelGateway
  intermediateCatchEvent intermediateThrowEvent messageEventDefinition signalEventDefinition
  timerEventDefinition timeDuration terminateEventDefinition errorEventDefinition message signal error
  sequenceFlow conditionExpression incoming outgoing laneSet lane childLaneSet flowNodeRef`.split(/\s+/),
);

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

  it("each level-2 set is named for a capability of Supports", () => {
    const keys = Object.keys(LEVEL_ONE);
    for (const set of fixtureSets) {
      if (set.capability !== undefined) expect(keys, set.name).toContain(set.capability);
    }
    expect(fixtureSets.map((set) => set.name)).toContain("level-1");
  });

  it("level-1 models use only SPEC §6 elements, so a level-1 server loads them", async () => {
    const levelOne = fixtureSets.filter((set) => set.capability === undefined);
    for (const file of fixtureModelFiles(levelOne)) {
      const source = await readFile(file, "utf8");
      const elements = [...source.matchAll(/<bpmn:(\w+)/g)].map((m) => m[1] as string);
      const beyond = elements.filter((name) => !LEVEL_ONE_ELEMENTS.has(name));
      expect(beyond, path.basename(file)).toEqual([]);
      expect(source, path.basename(file)).not.toMatch(/eventDefinitionRef|timeDate|timeCycle|camunda:type=/);
    }
  });

  it("file names and process ids are unique across every set", async () => {
    const files = fixtureModelFiles();
    expect(new Set(files.map((file) => path.basename(file))).size).toBe(files.length);
    const ids: string[] = [];
    for (const file of files) {
      const source = await readFile(file, "utf8");
      for (const m of source.matchAll(/<bpmn:process\b[^>]*\sid="([^"]+)"/g)) ids.push(m[1] as string);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
