import type { NodeDef } from "../model.js";
import type { LoopState, Runtime, ScopeState, TokenState } from "../runtime.js";
import type { StepOps } from "./behaviour.js";

// What multi-instance and standard loops share. A looped activity's token (the "body") opens a scope of its
// own holding the loop's state; each iteration is a token in that scope at the activity itself, which runs the
// activity's own behaviour. The body's boundary events apply to the whole loop; cancelling the body (an
// interrupting boundary event) cancels the scope with every iteration in it.

/** `token.loop` of scripts and conditions (SPEC §6.1). */
export interface LoopContext {
  counter: number;
  element?: unknown;
  count?: number;
}

export function scopeById(rt: Runtime, id: number): ScopeState | undefined {
  return rt.state.scopes.find((scope) => scope.id === id);
}

/** The loop scope the body token owns, if its loop runs. */
export function loopScopeOf(rt: Runtime, body: TokenState): (ScopeState & { loop: LoopState }) | undefined {
  return rt.state.scopes.find((scope) => scope.token === body.id && scope.loop !== undefined) as
    | (ScopeState & { loop: LoopState })
    | undefined;
}

export function bodyOf(rt: Runtime, scope: ScopeState): TokenState {
  return rt.state.tokens.find((token) => token.id === scope.token) as TokenState;
}

/** Starts the next iteration of the loop in `scope` with `payload`. */
export function startIteration(
  ops: StepOps,
  rt: Runtime,
  scope: ScopeState & { loop: LoopState },
  node: NodeDef,
  payload: unknown,
): void {
  const iteration = ops.newToken(rt, node.key, scope.id, payload);
  iteration.iteration = scope.loop.started++;
  rt.queue.push(iteration);
}

/** The loop is over: every iteration still running is cancelled, and the body leaves with `output`. */
export function finishLoop(
  ops: StepOps,
  rt: Runtime,
  scope: ScopeState,
  node: NodeDef,
  output: unknown,
): void {
  const body = bodyOf(rt, scope);
  ops.cancelScope(rt, scope.id);
  rt.state.scopes = rt.state.scopes.filter((candidate) => candidate !== scope);
  body.payload = output;
  ops.leave(rt, body, node);
}

/**
 * The loop context a script of the token sees: that of the innermost iteration it runs in (also inside an
 * iterated sub-process), or, for a standard loop's condition, the body's count of completed iterations.
 */
export function loopContext(rt: Runtime, token: TokenState): LoopContext | undefined {
  if (token.iteration === undefined && rt.state.scopes.length === 0) return undefined;
  const own = token.iteration === undefined ? loopScopeOf(rt, token) : undefined;
  if (own) return { counter: own.loop.completed };
  for (let current: TokenState | undefined = token; current; ) {
    if (current.iteration !== undefined) {
      const state = scopeById(rt, current.scope)?.loop;
      const context: LoopContext = { counter: current.iteration + 1 };
      if (state?.collection) context.element = state.collection[current.iteration];
      if (state?.count !== undefined) context.count = state.count;
      return context;
    }
    if (current.scope === 0) return undefined;
    const scope = scopeById(rt, current.scope);
    current = scope && bodyOf(rt, scope);
  }
  return undefined;
}
