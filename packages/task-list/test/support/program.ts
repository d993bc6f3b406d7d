import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built server program (turbo builds it before these tests). */
const bin = fileURLToPath(new URL("../../../http-server/dist/bin.js", import.meta.url));

export interface Program {
  url: string;
  stop(): Promise<void>;
}

/** Starts the server program on a free port of 127.0.0.1; resolves once it printed its URL. */
export async function startProgram(
  models: string,
  identities: string,
  extra: string[] = [],
): Promise<Program> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      "--models",
      models,
      "--identities",
      identities,
      "--data",
      ":memory:",
      "--port",
      "0",
      "--quiet",
      ...extra,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then(() => reject(new Error(`the server program exited before listening:\n${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
