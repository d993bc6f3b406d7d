import { type CompiledScript, compileCondition } from "./scripts.js";

// The expressions of an activity's loop characteristics, compiled into one script per activity (one worker
// round trip per evaluation, one compiled script per node). The token JSON it runs on names the expression to
// evaluate first: `{"op":"count",…}`, so a script job of it can be told apart from the activity's own script
// after a restart (scriptOfJob).

export type LoopOp = "count" | "completion" | "condition";

export interface LoopExpressions {
  /** loopCardinality, or camunda:collection: yields the count (a number) or the collection (an array). */
  count?: { attribute: string; expression: string };
  completion?: string;
  condition?: string;
}

/** A bare (dotted) name in camunda:collection is a property path of the token payload: `items` → token.current.items. */
const PROPERTY_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

export function collectionExpression(collection: string): string {
  const trimmed = collection.trim();
  if (PROPERTY_PATH.test(trimmed) && !/^token(\.|$)/.test(trimmed)) return `token.current.${trimmed}`;
  return trimmed;
}

export function compileLoopScript(expressions: LoopExpressions, filename: string): CompiledScript {
  const cases: string[] = [];
  const add = (op: LoopOp, attribute: string, expression: string, wrap: (code: string) => string) => {
    cases.push(`    case ${JSON.stringify(op)}:
      __attribute = ${JSON.stringify(attribute)};
      return ${wrap(`(\n${expression}\n)`)};`);
  };
  if (expressions.count) add("count", expressions.count.attribute, expressions.count.expression, (c) => c);
  if (expressions.completion !== undefined)
    add("completion", "completionCondition", expressions.completion, (c) => `Boolean${c}`);
  if (expressions.condition !== undefined)
    add("condition", "loopCondition", expressions.condition, (c) => `Boolean${c}`);
  return compileCondition(
    `  let __attribute;
  try {
    switch (token.op) {
${cases.join("\n")}
    }
  } catch (error) {
    throw new Error(__attribute + " failed: " + (error && error.message !== undefined ? error.message : error));
  }`,
    filename,
  );
}

/** The token JSON of a loop expression's evaluation. */
export function loopInput(op: LoopOp, tokenJson: string): string {
  return `{"op":${JSON.stringify(op)},${tokenJson.slice(1)}`;
}

/** Whether a script job's input is a loop expression's (else it is the node's own script or conditions). */
export function isLoopInput(input: string): boolean {
  return input.startsWith('{"op":');
}
