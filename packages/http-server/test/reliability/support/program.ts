import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { untilListening } from "@consumer-api/test-postgres";

/** The built server program (turbo builds before testing), as npm's bin link runs it. */
export const bin = fileURLToPath(new URL("../../../dist/bin.js", import.meta.url));
export const reliabilityFixtures = {
  models: fileURLToPath(new URL("../fixtures/models", import.meta.url)),
  identities: fileURLToPath(new URL("../fixtures/identities.json", import.meta.url)),
  token: "load-token",
};
export const auth = { authorization: `Bearer ${reliabilityFixtures.token}` };

export interface Program {
  child: ChildProcess;
  url: string;
  output(): string;
  /** The exit code, or the signal's name when killed by one. */
  exited: Promise<number | string | null>;
}

/** Every child and temp dir a test made, so cleanup runs even when the test failed halfway. */
export class Sandbox {
  private children: ChildProcess[] = [];
  private dirs: string[] = [];

  async tempDir(prefix = "consumer-api-reliability-"): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Starts the program on 127.0.0.1 with a free port and resolves once it printed its URL. */
  async start(
    data: string,
    extra: string[] = [],
    env: Record<string, string> = {},
    models = reliabilityFixtures.models,
  ): Promise<Program> {
    const child = spawn(
      process.execPath,
      [
        bin,
        "--models",
        models,
        "--identities",
        reliabilityFixtures.identities,
        "--data",
        data,
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--quiet",
        ...extra,
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
    );
    this.children.push(child);
    const { url, exited, output } = await untilListening(child);
    return { child, url, output, exited };
  }

  async cleanup(): Promise<void> {
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

/** Resident set size of a process in bytes (ps works on Linux and macOS). */
export async function rssOf(pid: number): Promise<number> {
  const { stdout } = await promisify(execFile)("ps", ["-o", "rss=", "-p", String(pid)]);
  return Number(stdout.trim()) * 1024;
}
