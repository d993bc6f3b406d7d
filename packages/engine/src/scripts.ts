import vm from "node:vm";

/** A script task body or a condition expression, compiled once per model version. */
export interface CompiledScript {
  readonly kind: "script" | "condition";
  readonly script: vm.Script;
}

export class ScriptSyntaxError extends Error {}

/** A script or condition that threw, timed out or returned something that is not plain data. */
export class ScriptRunError extends Error {}

// The token enters the context as JSON and is parsed there, so the script only ever holds objects of the
// context's own realm (no path to the engine's Function constructor through the token). The result leaves as
// a JSON string for the same reason, and so that only plain data crosses back.
const BOOTSTRAP = `Object.defineProperty(globalThis, "__parse", { value: JSON.parse });
Object.defineProperty(globalThis, "__stringify", { value: JSON.stringify });`;

export function compileScript(body: string, filename: string): CompiledScript {
  return compile("script", `__stringify((function (token) {\n${body}\n})(__parse(__token)));`, filename);
}

export function compileCondition(expression: string, filename: string): CompiledScript {
  return compile(
    "condition",
    `!!(function (token) { return (\n${expression}\n); })(__parse(__token));`,
    filename,
  );
}

function compile(kind: CompiledScript["kind"], code: string, filename: string): CompiledScript {
  try {
    return { kind, script: new vm.Script(code, { filename }) };
  } catch (error) {
    throw new ScriptSyntaxError(errorMessage(error));
  }
}

/** Runs compiled scripts in one context shared by all models; only `token` is set before each run. */
export class ScriptRunner {
  private readonly context: vm.Context;

  constructor(private readonly timeoutMs: number) {
    this.context = vm.createContext({ __token: "null" });
    vm.runInContext(BOOTSTRAP, this.context);
  }

  /** The script's return value as plain data. */
  runScript(compiled: CompiledScript, tokenJson: string): unknown {
    const out = this.run(compiled, tokenJson);
    return out === undefined ? undefined : JSON.parse(out as string);
  }

  evaluateCondition(compiled: CompiledScript, tokenJson: string): boolean {
    return this.run(compiled, tokenJson) === true;
  }

  private run(compiled: CompiledScript, tokenJson: string): unknown {
    this.context.__token = tokenJson;
    try {
      return compiled.script.runInContext(this.context, { timeout: this.timeoutMs });
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
        throw new ScriptRunError(`${compiled.kind} timed out after ${this.timeoutMs} ms`);
      }
      throw new ScriptRunError(`${compiled.kind} failed: ${errorMessage(error)}`);
    } finally {
      this.context.__token = "null";
    }
  }
}

/** Errors from the script's realm are not `instanceof Error` here. */
export function errorMessage(error: unknown): string {
  if (error !== null && typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}
