import type { Behaviour } from "./behaviour.js";
import { continueCompensation } from "./compensation.js";

// Tasks and sub-processes.

/** Manual task, plain task: started and finished at once. */
export const passThroughActivity: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    ops.event(rt, "activity.finished", node, token.payload);
    ops.leave(rt, token, node);
  },
};

/** Its script's return value becomes the payload. */
export const scriptTask: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    ops.runScript(rt, token, node, node.script as NonNullable<typeof node.script>);
  },
  scripted(ops, rt, token, node, json) {
    token.payload = json === undefined ? undefined : JSON.parse(json);
    ops.event(rt, "activity.finished", node, token.payload);
    ops.leave(rt, token, node);
  },
};

/** Finished: the waiting activity's result is the token's payload. */
const finishActivity: Behaviour["resume"] = (ops, rt, token, node) => {
  ops.event(rt, "activity.finished", node, token.payload);
  ops.leave(rt, token, node);
};

export const userTask: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    ops.waitForTask(rt, token, node);
  },
  resume: finishActivity,
};

export const receiveTask: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    ops.waitForEvent(rt, token, node);
  },
  resume: finishActivity,
};

/** Service, send and business-rule tasks done by a worker (SPEC §13); the worker's result is the payload. */
export const externalTask: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    ops.waitForExternalTask(rt, token, node);
  },
  resume: finishActivity,
};

/** The token waits at the sub-process node while a token runs in its scope; scopeEnded moves it on. */
export const subProcess: Behaviour = {
  enter(ops, rt, token, node) {
    ops.event(rt, "activity.started", node, token.payload);
    const scope = ops.openScope(rt, token, node);
    rt.queue.push(ops.newToken(rt, node.innerStart as string, scope, token.payload));
  },
  // A cancelled transaction runs its compensation handlers in its own scope.
  scopeEnded: continueCompensation,
};
