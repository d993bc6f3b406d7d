import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConsumerContext, NotificationMessage } from "@consumer-api/contracts";
import { afterAll, beforeAll } from "vitest";
import { type InternalConsumerApi, openInternalConsumerApi } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const modelsDir = join(here, "fixtures", "models");
export const identitiesFile = join(here, "fixtures", "identities.json");

/** Tokens of test/fixtures/identities.json by what they may access. */
export const as = {
  /** No claims: only elements in no lane. */
  open: { identity: "token-open" },
  clerk: { identity: "token-clerk" },
  manager: { identity: "token-manager" },
  senior: { identity: "token-senior" },
  /** Every lane. */
  boss: { identity: "token-boss" },
  unknown: { identity: "token-nobody" },
} satisfies Record<string, ConsumerContext>;

export interface Opened {
  api: InternalConsumerApi;
  dispose(): Promise<void>;
}

/** The binding on the test models with a real SQLite file in a fresh temp directory. */
export async function openTestApi(): Promise<Opened> {
  const data = await mkdtemp(join(tmpdir(), "client-internal-"));
  try {
    const api = await openInternalConsumerApi({ models: modelsDir, data, identities: identitiesFile });
    return {
      api,
      async dispose() {
        await api.close();
        await rm(data, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(data, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Opens the test binding before the calling file's tests, hands it to `use`, and disposes of it after them:
 * one binding (one SQLite file) per test file.
 */
export function useTestApi(use: (api: InternalConsumerApi) => void): void {
  let opened: Opened | undefined;
  beforeAll(async () => {
    opened = await openTestApi();
    use(opened.api);
  });
  afterAll(async () => {
    await opened?.dispose();
  });
}

/** Collects notifications and lets a test await the first one that matches, without timers. */
export class Inbox {
  readonly messages: NotificationMessage[] = [];
  readonly #waiters: {
    match: (m: NotificationMessage) => boolean;
    resolve: (m: NotificationMessage) => void;
  }[] = [];

  readonly callback = (message: NotificationMessage): void => {
    this.messages.push(message);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(message)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  };

  next(match: (m: NotificationMessage) => boolean): Promise<NotificationMessage> {
    const already = this.messages.find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  keys(processInstanceId?: string): string[] {
    return this.messages
      .filter((m) => processInstanceId === undefined || m.process_instance_id === processInstanceId)
      .map((m) => m.event_key);
  }
}
