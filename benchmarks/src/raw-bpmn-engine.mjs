// The peer baseline: bpmn-engine 25 running the same start → script → exclusive gateway → end model
// in-process. Its scripts see `environment.variables`/`content` rather than our `token`, so the model is
// translated to bpmn-engine's dialect here; the work per instance (one script, one condition) is the same.
// To be fair, the XML is parsed once (as our engine does at load) and every instance starts from that parsed
// moddle context; bpmn-engine keeps nothing durable, so it does no I/O at all.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Engine } from "bpmn-engine";
import { throughput } from "./harness.mjs";

const source = readFileSync(new URL("../models/ScriptGateway.bpmn", import.meta.url), "utf8")
  .replace(
    "return { total: token.current.amount * 2 };",
    "environment.output.total = environment.variables.amount * 2; next();",
  )
  // bpmn-engine's `${…}` expressions cannot compare, so the condition runs as a JavaScript script condition.
  .replace(
    '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">token.current.total &gt; 10',
    '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">next(null, environment.output.total &gt; 10);',
  );

// The very bpmn-moddle that bpmn-engine itself parses with.
const require = createRequire(import.meta.resolve("bpmn-engine"));
const { default: BpmnModdle } = await import(require.resolve("bpmn-moddle"));
const moddleContext = await new BpmnModdle().fromXML(source);

export async function runOnce(amount) {
  const engine = new Engine({ name: "peer", moddleContext, variables: { amount } });
  const execution = await engine.execute();
  if (execution.state !== "idle" && execution.state !== "completed") {
    await new Promise((resolve, reject) => {
      engine.once("end", resolve);
      engine.once("error", reject);
    });
  }
  return engine.environment.output;
}

/** Instances per second at the given concurrency. */
export async function measure(options) {
  const check = await runOnce(7);
  if (check.total !== 14) throw new Error(`the peer model computed ${JSON.stringify(check)}`);
  return throughput(options, (i) => runOnce(i % 20));
}
