import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

export interface ListeningProcess {
  /** The first http://127.0.0.1:<port> the process printed. */
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM to its whole process group, resolved once it exited. */
  stop(): Promise<void>;
}

/**
 * Spawns a server (the server program, or a command that builds and starts it) in its own process group and
 * resolves once it prints the URL it listens on; rejects with its output if it exits first.
 */
export function startListening(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<ListeningProcess> {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) {
        resolve({
          url: match[0],
          child,
          output: () => output,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) {
              try {
                process.kill(-(child.pid as number), "SIGTERM");
              } catch {
                // Already gone.
              }
            }
            await exited;
          },
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`${command} exited (${code}) before listening:\n${output}`)),
    );
  });
}
