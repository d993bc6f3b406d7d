import type { FlowDef, NodeDef } from "../model.js";
import type { Runtime, TokenState } from "../runtime.js";
import type { InstanceFailure } from "../types.js";

// A node behaviour is what one kind of BPMN flow node does with a token. The scheduler (interpreter.ts) moves
// tokens and calls the behaviour of the node a token enters; everything a behaviour may do to the instance
// goes through StepOps.

export type NodeEventType = "activity.started" | "activity.finished" | "event.reached" | "event.triggered";

export interface StepOps {
  /** Epoch ms of the step: every timer created in it counts from here. */
  readonly nowMs: number;
  /** Publishes a §5 event about the node (after commit). */
  event(rt: Runtime, type: NodeEventType, node: NodeDef, payload: unknown): void;
  /** The token leaves the node over the given flows (default: all outgoing), one token per flow. */
  leave(rt: Runtime, token: TokenState, node: NodeDef, flows?: FlowDef[]): void;
  /** The token waits at the node: a user task row, a waiting-event row, or a timer row. */
  waitForTask(rt: Runtime, token: TokenState, node: NodeDef): void;
  waitForEvent(rt: Runtime, token: TokenState, node: NodeDef): void;
  waitForTimer(rt: Runtime, token: TokenState, node: NodeDef): void;
  /** The token waits for a worker (SPEC §13): an external task row of the node's topic. */
  waitForExternalTask(rt: Runtime, token: TokenState, node: NodeDef): void;
  newToken(rt: Runtime, node: string, scope: number, payload: unknown): TokenState;
  removeToken(rt: Runtime, token: TokenState): void;
  /** The token's node is a script task: runs it and returns its result. Throws a step failure. */
  runScript(rt: Runtime, token: TokenState, node: NodeDef): unknown;
  /** The flow an exclusive gateway takes. Throws a step failure when none. */
  choose(rt: Runtime, token: TokenState, node: NodeDef): FlowDef;
  /** Fails the instance at this node (a script error, no flow to take, …). */
  fail(node: NodeDef, message: string): never;
  /** Publishes a signal and resumes its waiters before the step ends. */
  throwSignal(rt: Runtime, token: TokenState, node: NodeDef, signalName: string): void;
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
}
