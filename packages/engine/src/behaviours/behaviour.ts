import type { LoopOp } from "../loop-script.js";
import type { FlowDef, NodeDef } from "../model.js";
import type { Runtime, ScopeState, Subscription, TokenState, WaitRef } from "../runtime.js";
import type { CompiledScript } from "../scripts.js";
import type { InstanceFailure } from "../types.js";

// A node behaviour is what one kind of BPMN flow node does with a token. The scheduler (interpreter.ts) moves
// tokens and calls the behaviour of the node a token enters; everything a behaviour may do to the instance
// goes through StepOps.

export type NodeEventType = "activity.started" | "activity.finished" | "event.reached" | "event.triggered";

export interface StepOps {
  /** Epoch ms of the step: every timer created in it counts from here. */
  readonly nowMs: number;
  /** Epoch ms the engine opened at: a cycle skips only occurrences due before it (a downtime). */
  readonly upSinceMs: number;
  /** Publishes a §5 event about the node (after commit). */
  event(rt: Runtime, type: NodeEventType, node: NodeDef, payload: unknown): void;
  /**
   * The token leaves the node over the given flows (default: all outgoing), one token per flow; over none (an
   * activity without outgoing flow, such as a compensation handler) it ends there, like at a none end event.
   */
  leave(rt: Runtime, token: TokenState, node: NodeDef, flows?: FlowDef[]): void;
  /** The token waits at the node: a user task row, a waiting-event row, or a timer row. */
  waitForTask(rt: Runtime, token: TokenState, node: NodeDef): void;
  waitForEvent(rt: Runtime, token: TokenState, node: NodeDef): void;
  waitForTimer(rt: Runtime, token: TokenState, node: NodeDef): void;
  /** The token waits for a worker (SPEC §13): an external task row of the node's topic. */
  waitForExternalTask(rt: Runtime, token: TokenState, node: NodeDef): void;
  /** A waiting-event row for the node (a boundary event's names its activity), not tied to a token. */
  subscribeEvent(rt: Runtime, node: NodeDef): WaitRef;
  /** A timer row for the node, due at `dueAt` (epoch ms). */
  subscribeTimer(rt: Runtime, node: NodeDef, dueAt: number): WaitRef;
  /** Deletes the row of a wait. */
  withdraw(wait: WaitRef): void;
  /**
   * Ends the activity the token waits at without finishing it: its wait, its boundary events and, for a
   * sub-process, everything inside are withdrawn at once. The token stays, free to move on.
   */
  cancelActivity(rt: Runtime, token: TokenState): void;
  newToken(rt: Runtime, node: string, scope: number, payload: unknown): TokenState;
  removeToken(rt: Runtime, token: TokenState): void;
  /**
   * Runs a script of the node (a script task's body, an exclusive gateway's conditions) and hands its result
   * to the behaviour's `scripted` — at once, or, for a script that outlasts the step's inline budget, in a
   * later step while the token waits for it (wait kind "script"). A script that fails fails the instance.
   * `op`: the script is the node's loopScript, evaluating that expression.
   */
  runScript(rt: Runtime, token: TokenState, node: NodeDef, script: CompiledScript, op?: LoopOp): void;
  /**
   * Starts an instance of the process the call activity calls, in the instance's correlation, with the token's
   * payload; the token waits for it (`resume` when it finishes). Fails the instance beyond the call depth limit.
   */
  callProcess(rt: Runtime, token: TokenState, node: NodeDef): void;
  /** Fails the instance at this node (a script error, no flow to take, …). */
  fail(node: NodeDef, message: string): never;
  /**
   * Publishes a signal; before the step ends it resumes the signal's waiters at this moment and starts an
   * instance of every model with a signal start event of that name.
   */
  throwSignal(rt: Runtime, token: TokenState, node: NodeDef, signalName: string): void;
  /**
   * Sends a message with the token's payload within the instance's correlation; before the step ends it
   * resumes what waits for it there at this moment and starts an instance in the correlation for every
   * message start event of that name (SPEC §6.1, §11).
   */
  sendMessage(rt: Runtime, token: TokenState, messageName: string): void;
  /** A scope's last token ended at `endNode`: the scope (or, at the top, the instance) completes. */
  scopeEnded(rt: Runtime, scope: number, endNode: NodeDef, payload: unknown): void;
  /** Ends the instance, withdrawing every wait. */
  endInstance(
    rt: Runtime,
    state: "finished" | "terminated" | "failed",
    failure: InstanceFailure | undefined,
    endNode?: NodeDef,
    result?: unknown,
  ): void;
  /** Removes every token of a scope and of the scopes nested in it, withdrawing their waits. */
  cancelScope(rt: Runtime, scope: number): void;
  /** Opens a sub-process scope for the token waiting at `node`; returns its id. */
  openScope(rt: Runtime, token: TokenState, node: NodeDef): number;
  /** Records the payload as it left the node (token.history). */
  remember(rt: Runtime, node: NodeDef, payload: unknown): void;
}

export interface Behaviour {
  /** A token arrives at the node: it leaves, waits, or is consumed. */
  enter(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef): void;
  /**
   * The token's wait at the node ended (task finished, event triggered, timer fired); its payload is already
   * replaced. Only for behaviours that wait.
   */
  resume?(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef): void;
  /**
   * A subscription the token holds at this node was triggered (its row is already taken). Default: it is
   * one of the activity's boundary events.
   */
  triggered?(ops: StepOps, rt: Runtime, subscription: Subscription, payload: unknown): void;
  /**
   * The last token of a scope this node opened (for its token `holder`) is gone. Returns true when the
   * behaviour took care of it (e.g. ran the next compensation handler); otherwise the scope completes as a
   * sub-process does: `holder` takes the last token's payload and leaves the node. `endNode` and `payload`:
   * where and with what the last token ended.
   */
  scopeEnded?(
    ops: StepOps,
    rt: Runtime,
    scope: ScopeState,
    holder: TokenState,
    endNode: NodeDef,
    payload: unknown,
  ): boolean;
  /**
   * Every token of the step has come to rest (entered its node, waits or is held) while this token is held
   * at the node, a join that depends on where the others are: it may fire now. Returns whether it did.
   */
  settle?(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef): boolean;
  /**
   * The script the behaviour ran (runScript) returned: `json` is its result as JSON text, undefined when it
   * returned nothing. Only for behaviours that run scripts.
   */
  scripted?(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef, json: string | undefined): void;
  /** A looped activity's iteration token left the activity: the iteration is over. Only for loop behaviours. */
  iterationEnded?(ops: StepOps, rt: Runtime, token: TokenState, node: NodeDef): void;
}
