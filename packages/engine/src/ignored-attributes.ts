import type { ModdleElement } from "./moddle-element.js";

// Attributes and extensions that change how a BPMN element runs, and that this engine does not implement.
// Loading a model that uses one and running it without would be a wrong run (SPEC §6.1), so the loader
// refuses it; what an element may carry that does not change its run (names, documentation, DI, camunda:
// asyncBefore, assignees, …) is not listed here.

export const JAVASCRIPT_LANGUAGES = new Set([
  "javascript",
  "js",
  "ecmascript",
  "text/javascript",
  "application/javascript",
]);

/** Whether a condition's `language` (absent: the default) is one this engine runs. */
export const isJavaScript = (language: string | undefined): boolean =>
  language === undefined || JAVASCRIPT_LANGUAGES.has(language.trim().toLowerCase());

/** Camunda extensions that run code or move data. */
const RUNNING_EXTENSIONS = new Map([
  ["camunda:ExecutionListener", "camunda:executionListener"],
  ["camunda:TaskListener", "camunda:taskListener"],
  ["camunda:InputOutput", "camunda:inputOutput"],
  ["camunda:In", "camunda:in"],
  ["camunda:Out", "camunda:out"],
  ["camunda:Connector", "camunda:connector"],
  ["camunda:Field", "camunda:field"],
]);

/** What the element uses that the engine would ignore, or undefined. */
export function ignoredAttribute(
  element: ModdleElement,
  { inEventSubProcess = false }: { inEventSubProcess?: boolean } = {},
): string | undefined {
  for (const name of ["startQuantity", "completionQuantity"] as const) {
    const quantity = element[name];
    if (quantity !== undefined && !(Number.isInteger(quantity) && quantity >= 1)) {
      return `${name}="${quantity}" (a quantity is a whole number of tokens, at least 1)`;
    }
  }
  if (element.parallelMultiple === true) return `parallelMultiple="true"`;
  if (element.$type === "bpmn:StartEvent" && element.isInterrupting === false && !inEventSubProcess) {
    return `isInterrupting="false" outside an event sub-process`;
  }
  const language = element.conditionExpression?.language;
  if (!isJavaScript(language)) {
    return `condition language "${language}" (only JavaScript)`;
  }
  if (element.resultVariable !== undefined) return "camunda:resultVariable";
  if (element.resource !== undefined) return "camunda:resource (an external script)";
  if (element.ioSpecification) return "ioSpecification (data inputs and outputs)";
  if (element.dataInputAssociations?.length) return "dataInputAssociation";
  if (element.dataOutputAssociations?.length) return "dataOutputAssociation";
  if (element.properties?.length) return "property (BPMN properties)";
  for (const value of element.extensionElements?.values ?? []) {
    const name = RUNNING_EXTENSIONS.get(value.$type);
    if (name) return name;
  }
  return undefined;
}
