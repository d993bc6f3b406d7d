import { FetchingJSONSchemaStore, InputData, JSONSchemaInput, quicktype } from "quicktype-core";
import { describe, expect, it } from "vitest";
import { generateJsonSchemas, type JsonSchema, rootNamedTypes } from "../src/generate/index.js";
import type { NamedTypeName } from "../src/index.js";

/** `quicktype --src-lang schema --lang cs` over the given JSON Schema documents. */
async function csharp(documents: [string, JsonSchema][]): Promise<string> {
  const input = new JSONSchemaInput(new FetchingJSONSchemaStore());
  for (const [name, schema] of documents) await input.addSource({ name, schema: JSON.stringify(schema) });
  const inputData = new InputData();
  inputData.addInput(input);
  const result = await quicktype({
    inputData,
    lang: "cs",
    rendererOptions: {
      namespace: "ConsumerApi.Contracts",
      framework: "SystemTextJson",
      features: "attributes-only",
    },
  });
  return result.lines.join("\n");
}

/** The body of `public partial class Name { … }` in generated C#. */
function classBody(code: string, name: string): string | undefined {
  const start = code.indexOf(`public partial class ${name}\n`);
  if (start < 0) return undefined;
  const end = code.indexOf("\n    }\n", start);
  return code.slice(start, end);
}

const propertiesOf = (schema: JsonSchema) =>
  Object.keys((schema.properties ?? {}) as Record<string, unknown>);
const documents = generateJsonSchemas({ draft: "07" });

describe("C# from the JSON Schemas (quicktype)", () => {
  it.each(Object.keys(documents) as NamedTypeName[])(
    "%s.schema.json generates C# with every property",
    async (name) => {
      const document = documents[name];
      const code = await csharp([[name, document]]);
      expect(code).toContain("namespace ConsumerApi.Contracts");
      const members = ((document.oneOf ?? document.anyOf ?? []) as JsonSchema[]).map((member) =>
        member.$ref
          ? (document.definitions as Record<string, JsonSchema>)[
              String(member.$ref).split("/").pop() as string
            ]
          : member,
      );
      // The root type is a class named after the title; a union of objects becomes one class with every member's properties.
      const rootProperties = [
        ...propertiesOf(document),
        ...members.flatMap((m) => (m ? propertiesOf(m) : [])),
      ];
      if (rootProperties.length > 0) {
        const body = classBody(code, name);
        expect(body, `class ${name}`).toBeDefined();
        for (const property of rootProperties) expect(body).toContain(`[JsonPropertyName("${property}")]`);
      }
      for (const definition of Object.values((document.definitions ?? {}) as Record<string, JsonSchema>)) {
        for (const property of propertiesOf(definition))
          expect(code).toContain(`[JsonPropertyName("${property}")]`);
      }
    },
  );

  it("the root files alone give every object type exactly one class, named as in the contract", async () => {
    const roots = rootNamedTypes();
    expect(roots).toEqual(
      expect.arrayContaining(["ProcessModelList", "UserTaskList", "ClientFrame", "ServerFrame"]),
    );
    expect(roots).not.toContain("ProcessModel");
    const code = await csharp(roots.map((name) => [name, documents[name]]));
    const frames = new Set([
      "AuthenticateFrame",
      "SubscribeFrame",
      "UnsubscribeFrame",
      "SubscribedFrame",
      "NotificationFrame",
      "ErrorFrame",
    ]);
    for (const [name, document] of Object.entries(documents)) {
      if (document.type !== "object" || frames.has(name)) continue;
      const body = classBody(code, name);
      expect(body, `class ${name}`).toBeDefined();
      expect(code.split(`public partial class ${name}\n`)).toHaveLength(2);
      for (const property of propertiesOf(document))
        expect(body).toContain(`[JsonPropertyName("${property}")]`);
    }
    expect(code).toContain("public enum UserTaskFormFieldType");
    expect(code).toContain("public enum EventType");
  });
});
