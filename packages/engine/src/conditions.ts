import vm from "node:vm";
import { errorMessage, ScriptSyntaxError } from "./scripts.js";

// The condition of a conditional event (BPMN 2.0.2 §10.5.2): a JavaScript expression over `token`, like a
// sequence flow's condition. Unlike a gateway's conditions it is not run by the script workers: it is
// checked at the end of every step that changed its instance, and the step must know at once whether the
// event occurs, so that its occurrence commits with the change that caused it (a worker's answer may come
// only in a later step). It runs here, in a context of its own holding only the JSON helper, bounded by a
// timeout; the token arrives as JSON text and only a boolean leaves.

export interface Condition {
  readonly expression: string;
  readonly script: vm.Script;
}

const CONDITION_TIMEOUT_MS = 1000;

let context: vm.Context | undefined;

export function compileCondition(expression: string, filename: string): Condition {
  try {
    const script = new vm.Script(
      `!!((function (token) { return (\n${expression}\n); })(__parse(__token)));`,
      {
        filename,
      },
    );
    return { expression, script };
  } catch (error) {
    throw new ScriptSyntaxError(errorMessage(error));
  }
}

/** Whether the condition holds for the token (`{ current, history }` as JSON), or why it could not tell. */
export function holds(
  condition: Condition,
  tokenJson: string,
): { ok: true; value: boolean } | { ok: false; message: string } {
  if (!context) {
    context = vm.createContext({ __token: "null" });
    vm.runInContext('Object.defineProperty(globalThis, "__parse", { value: JSON.parse });', context);
  }
  context.__token = tokenJson;
  try {
    return {
      ok: true,
      value: condition.script.runInContext(context, { timeout: CONDITION_TIMEOUT_MS }) === true,
    };
  } catch (error) {
    return { ok: false, message: `condition failed: ${errorMessage(error)}` };
  } finally {
    context.__token = "null";
  }
}
