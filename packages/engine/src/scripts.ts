import vm from "node:vm";

/**
 * A script task body, or the conditions of one exclusive or inclusive gateway, as code for the script worker. Checked for
 * syntax once at load; the worker compiles it once, on first use.
 */
export interface CompiledScript {
  readonly id: number;
  readonly kind: "script" | "condition";
  readonly code: string;
}

export class ScriptSyntaxError extends Error {}

let nextScriptId = 1;

function checked(kind: CompiledScript["kind"], code: string, filename: string): CompiledScript {
  try {
    new vm.Script(code, { filename });
  } catch (error) {
    throw new ScriptSyntaxError(errorMessage(error));
  }
  return { id: nextScriptId++, kind, code };
}

export function compileScript(body: string, filename: string): CompiledScript {
  return checked("script", `__stringify((function (token) {\n${body}\n})(__parse(__token)));`, filename);
}

/**
 * A function body over `token` that evaluates expressions of the model (not a script task): its failures read
 * like a condition's, and its return value comes back as JSON.
 */
export function compileCondition(body: string, filename: string): CompiledScript {
  return checked("condition", `__stringify((function (token) {\n${body}\n})(__parse(__token)));`, filename);
}

/** Only checks the syntax of one condition expression; gateways run through compileChooser. */
export function checkCondition(expression: string, filename: string): void {
  checked("condition", `(function (token) { return (\n${expression}\n); });`, filename);
}

/**
 * One script per exclusive gateway that evaluates its conditions in order and yields the index of the first
 * flow to take (a flow without condition always matches), or -1. One round trip per gateway, not per flow.
 */
export function compileChooser(
  flows: { id: string; condition?: string }[],
  filename: string,
): CompiledScript {
  const tests = flows.map((flow, index) =>
    flow.condition === undefined
      ? `    return ${index};`
      : `    __flow = ${JSON.stringify(flow.id)};\n    if ((\n${flow.condition}\n)) return ${index};`,
  );
  const body = `  let __flow;
  try {
${tests.join("\n")}
    return -1;
  } catch (error) {
    throw new Error("condition of " + __flow + " failed: " + (error && error.message !== undefined ? error.message : error));
  }`;
  return checked("condition", `(function (token) {\n${body}\n})(__parse(__token));`, filename);
}

/**
 * One script per inclusive gateway that evaluates every condition and yields the indices of the flows whose
 * condition holds (a flow without condition always does), as JSON. One round trip per gateway.
 */
export function compileSelector(
  flows: { id: string; condition?: string }[],
  filename: string,
): CompiledScript {
  const tests = flows.map((flow, index) =>
    flow.condition === undefined
      ? `    taken.push(${index});`
      : `    __flow = ${JSON.stringify(flow.id)};\n    if ((\n${flow.condition}\n)) taken.push(${index});`,
  );
  const body = `  let __flow;
  const taken = [];
  try {
${tests.join("\n")}
    return __stringify(taken);
  } catch (error) {
    throw new Error("condition of " + __flow + " failed: " + (error && error.message !== undefined ? error.message : error));
  }`;
  return checked("condition", `(function (token) {\n${body}\n})(__parse(__token));`, filename);
}

/** Errors from another realm are not `instanceof Error` here. */
export function errorMessage(error: unknown): string {
  if (error !== null && typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}
