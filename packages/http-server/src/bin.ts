#!/usr/bin/env node
// The server program (SPEC §7): the embedded engine behind client-internal, served by this package.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import {
  type InternalConsumerApi,
  jwtIdentityProvider,
  openInternalConsumerApi,
} from "@consumer-api/client-internal";
import { type CliLimits, parseCliOptions, usage } from "./cli-options.js";
import { type RunningServer, type StartServerOptions, startServer } from "./start-server.js";
import { loadStaticSite, type StaticSite } from "./static-site.js";

const OWN_PACKAGE = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

async function main(): Promise<number> {
  // When whatever reads the output goes away (`| head`, a restarted log collector) writes fail with EPIPE:
  // the log is lost, the service must not be.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

  // Listen for the stop signals before anything else, so a signal during startup is a clean stop too.
  let stopSignal: ((signal: NodeJS.Signals) => void) | undefined;
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    stopSignal?.(signal);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const parsed = parseCliOptions(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(usage);
    return 0;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`consumer-api-server: ${parsed.message}\nRun with --help for the options.\n`);
    return 2;
  }
  const options = parsed.options;

  let api: InternalConsumerApi;
  try {
    const identities =
      "file" in options.identities ? options.identities.file : jwtIdentityProvider(options.identities.jwt);
    api = await openInternalConsumerApi({
      models: options.models,
      data: options.data,
      identities,
      // SPEC §14: the program answers GET /info as itself.
      application: OWN_PACKAGE,
      ...(options.limits.scriptTimeoutMs === undefined
        ? {}
        : { scriptTimeoutMs: options.limits.scriptTimeoutMs }),
      ...(Object.keys(options.cluster).length === 0 ? {} : { cluster: options.cluster }),
    });
  } catch (error) {
    process.stderr.write(`consumer-api-server: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }

  let ui: StaticSite | undefined;
  if (options.ui) {
    try {
      // The build copies the task-list page here (copy-task-list.mjs).
      ui = await loadStaticSite(fileURLToPath(new URL("./task-list/", import.meta.url)));
    } catch (error) {
      process.stderr.write(
        `consumer-api-server: cannot read the task-list page: ${(error as Error).message}\n`,
      );
      await api.close();
      return 1;
    }
  }

  let running: RunningServer;
  try {
    running = await startServer({
      api,
      authenticate: (context) => api.authenticate(context),
      corsOrigins: options.corsOrigins,
      ...(ui ? { ui } : {}),
      port: options.port,
      host: options.host,
      ...serverLimits(options.limits),
      ...(options.quiet
        ? {}
        : { log: (e) => process.stdout.write(`${e.method} ${e.path} ${e.status} ${e.ms}ms\n`) }),
    });
  } catch (error) {
    process.stderr.write(`consumer-api-server: cannot listen: ${(error as Error).message}\n`);
    await api.close();
    return 1;
  }
  // One write: a reader that starts on the URL line finds the task-list line in the same chunk.
  process.stdout.write(
    `ConsumerAPI listening on ${running.url}\n${ui ? `Task list: ${running.url}/\n` : ""}`,
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    if (signalled) resolve(signalled);
    else stopSignal = resolve;
  });
  if (!options.quiet) process.stdout.write(`${signal}: draining and stopping\n`);
  try {
    await running.close();
    await api.close();
    return 0;
  } catch (error) {
    process.stderr.write(`consumer-api-server: error while stopping: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The limits startServer takes, without the undefined ones (exactOptionalPropertyTypes). */
function serverLimits(limits: CliLimits): Partial<StartServerOptions> {
  const { scriptTimeoutMs: _engineLimit, ...server } = limits;
  return Object.fromEntries(Object.entries(server).filter(([, v]) => v !== undefined));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`consumer-api-server: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
