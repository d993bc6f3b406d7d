// Sequential loopback round trips: Node's global fetch (undici) against node:http with a keep-alive Agent.
// Run: node packages/client-external/bench/transport.mjs [requests]
import { Agent, createServer, request } from "node:http";

const total = Number(process.argv[2] ?? 5000);
const body = JSON.stringify({ processModels: [{ key: "Order", startEvents: [], endEvents: [] }] });
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/api/consumer/v1/process_models`;
const headers = { authorization: "Bearer alice-token" };

async function viaFetch() {
  const response = await fetch(url, { headers });
  return response.json();
}

const agent = new Agent({ keepAlive: true });
function viaHttp() {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function measure(name, call) {
  for (let i = 0; i < 200; i++) await call(); // warm-up
  const started = performance.now();
  for (let i = 0; i < total; i++) await call();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${name.padEnd(28)} ${Math.round(total / seconds)} req/s (${total} sequential requests)`);
}

await measure("global fetch (undici)", viaFetch);
await measure("node:http keep-alive Agent", viaHttp);
agent.destroy();
server.close();
