// The peer baseline: bpmn-engine 25 running the same start → script → exclusive gateway → end model
// in-process. Its scripts see `environment.variables`/`content` rather than our `token`, so the model is
// translated to bpmn-engine's dialect here; the work per instance (one script, one condition) is the same.
import { readFileSync } from "node:fs";
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

export async function runOnce(amount) {
  const engine = new Engine({ name: "peer", source, variables: { amount } });
  const execution = await engine.execute();
  if (execution.state !== "idle" && execution.state !== "completed") {
    await new Promise((resolve, reject) => {
      engine.once("end", resolve);
      engine.once("error", reject);
    });
  }
  return engine.environment.output;
}

export function measure(options) {
  return throughput(options, (i) => runOnce(i % 20));
}
