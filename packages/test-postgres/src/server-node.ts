import { type ChildProcess, spawn } from "node:child_process";

/** One server program (a node of a cluster) spawned by a test. */
export interface ServerNode {
  readonly url: string;
  readonly child: ChildProcess;
  /** The exit code, or the signal's name when killed by one. */
  readonly exited: Promise<number | string | null>;
  output(): string;
  /** SIGTERM (it drains) or SIGKILL; resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/**
 * Spawns `node <bin> ...args --port 0 --host 127.0.0.1` and resolves once it printed the URL it listens
 * on. The state string goes in CONSUMER_API_DATA, so a password is never on a command line.
 */
export async function startServerNode(options: {
  bin: string;
  args: readonly string[];
  data: string;
  env?: Record<string, string>;
}): Promise<ServerNode> {
  const child = spawn(
    process.execPath,
    [options.bin, ...options.args, "--port", "0", "--host", "127.0.0.1", "--quiet"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...options.env, CONSUMER_API_DATA: options.data },
    },
  );
  let output = "";
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) =>
      reject(new Error(`the program exited (${code}) before listening:\n${output}`)),
    );
  });
  return {
    url,
    child,
    exited,
    output: () => output,
    stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * A fetch that sends every other call to the next node: a client of a cluster behind a round-robin load
 * balancer, with the worst spread for consistency (no two consecutive calls on one node).
 */
export function spreadingFetch(
  nodes: readonly string[],
  fetchFn: typeof fetch = globalThis.fetch,
): typeof fetch {
  let next = 0;
  return (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const target = new URL(request ? request.url : String(input));
    const node = new URL(nodes[next++ % nodes.length] as string);
    target.protocol = node.protocol;
    target.host = node.host;
    return fetchFn(request ? new Request(target, request) : target, init);
  };
}
