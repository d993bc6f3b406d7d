// A worker process for the crash test: the client-external worker API on topic "work". It prints
// "begin <taskId>" when a handler starts and "end <taskId>" when it returned (before the finish is sent), so the
// test can kill -9 it in the middle of a task.
import { createExternalConsumerApi } from "../../dist/node.js";

const [baseUrl, workerId] = process.argv.slice(2);
const api = createExternalConsumerApi({ baseUrl });
const worker = api.createExternalTaskWorker({ context: { identity: "clerk-token" }, workerId });
worker.subscribe(
  "work",
  async (task) => {
    process.stdout.write(`begin ${task.id}\n`);
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    process.stdout.write(`end ${task.id}\n`);
    return { by: workerId, taskId: task.id, correlationId: task.correlationId };
  },
  // A lock of seconds beside a handler of at most 300 ms: the server runs in the test process, whose fsyncs
  // and a loaded machine can stall it for a second or more, and a lock must not expire under a live worker.
  { lockDuration: 10_000, maxTasks: 2, concurrency: 2, longPollingTimeout: 5000 },
);
process.stdout.write("ready\n");
