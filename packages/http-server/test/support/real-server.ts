import { buildUrlPath, routes } from "@consumer-api/contracts";
import { afterEach, beforeEach, expect } from "vitest";
import { type RunningServer, startServer } from "../../src/index.js";
import { fixtures, openRealApi } from "./real-api.js";

export interface RealServer {
  /** The running server of the current test. */
  readonly server: RunningServer;
  url(path: string): string;
  /** The URL that starts an instance of `model` at `startEvent`. */
  start(model: string, startEvent: string, query?: Record<string, string | undefined>): string;
}

/**
 * A fresh server over client-internal and the engine on a temporary SQLite directory for each test of the
 * file, failing the test when the server reported an error it did not answer.
 */
export function useRealServer(
  models = fixtures.models,
  options: { scriptTimeoutMs?: number } = {},
): RealServer {
  let server: RunningServer | undefined;
  let dispose: () => Promise<void> = async () => {};
  let errors: unknown[] = [];
  beforeEach(async () => {
    const real = await openRealApi(models, options);
    dispose = real.dispose;
    errors = [];
    server = await startServer({
      api: real.api,
      authenticate: (ctx) => real.api.authenticate(ctx),
      onError: (e) => errors.push(e),
    });
  });
  afterEach(async () => {
    await server?.close();
    await dispose();
    expect(errors).toEqual([]);
  });
  const running = () => {
    if (!server) throw new Error("useRealServer: no test is running");
    return server;
  };
  const url = (path: string) => running().url + path;
  return {
    get server() {
      return running();
    },
    url,
    start: (model, startEvent, query = {}) =>
      url(
        buildUrlPath(
          routes.startProcessInstance,
          { process_model_key: model, start_event_key: startEvent },
          query,
        ),
      ),
  };
}
