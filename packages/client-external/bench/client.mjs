// Sequential getProcessModels through the whole external client against a real http-server + client-internal
// (examples/ models, in-memory engine), with the default Node transport and with Node's global fetch.
// Run after a build: node packages/client-external/bench/client.mjs [requests]
import { fileURLToPath } from "node:url";
import { createExternalConsumerApi } from "@consumer-api/client-external";
import { openInternalConsumerApi } from "@consumer-api/client-internal";
import { startServer } from "@consumer-api/http-server";

const total = Number(process.argv[2] ?? 3000);
const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));
const api = await openInternalConsumerApi({
  models: `${examples}models`,
  data: ":memory:",
  identities: `${examples}identities.json`,
});
const server = await startServer({ api, authenticate: (ctx) => api.authenticate(ctx) });
const context = { identity: "alice-token" };

for (const [name, options] of [
  ["default (node:http keep-alive)", {}],
  ["injected global fetch", { fetch }],
]) {
  const client = createExternalConsumerApi({ baseUrl: server.url, ...options });
  for (let i = 0; i < 200; i++) await client.getProcessModels(context);
  const started = performance.now();
  for (let i = 0; i < total; i++) await client.getProcessModels(context);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${name.padEnd(32)} ${Math.round(total / seconds)} calls/s (${total} sequential getProcessModels)`,
  );
  await client.close();
}
await server.close();
await api.close();
