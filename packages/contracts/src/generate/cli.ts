import { parseArgs } from "node:util";
import { JSON_SCHEMA_DRAFTS, type JsonSchemaDraft } from "./json-schema.js";
import { writeSchemas } from "./write-schemas.js";

export const CLI_USAGE = `Usage: consumer-api-contracts --out <dir> [--draft 07|2020-12]

Writes the ConsumerAPI contract for other languages:
  <dir>/json-schema/<Name>.schema.json   one JSON Schema per named type
  <dir>/openapi.json                     OpenAPI 3.1 document of every route
  <dir>/asyncapi.json                    AsyncAPI 3.0 description of the notification WebSocket

Options:
  --out <dir>          output directory (required; created when missing)
  --draft 07|2020-12   JSON Schema draft of the json-schema files (default 07)
  --help               show this help
`;

/** A command line the CLI cannot run; the bin prints it with the usage and exits 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}

export type CliCommand = { kind: "help" } | { kind: "write"; out: string; draft: JsonSchemaDraft };

export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values: { out?: string | undefined; draft?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { out: { type: "string" }, draft: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.out === undefined || values.out === "") throw new CliUsageError("--out <dir> is required.");
  const draft = values.draft ?? "07";
  if (!(JSON_SCHEMA_DRAFTS as readonly string[]).includes(draft)) {
    throw new CliUsageError(`--draft must be one of ${JSON_SCHEMA_DRAFTS.join(", ")}, got "${draft}".`);
  }
  return { kind: "write", out: values.out, draft: draft as JsonSchemaDraft };
}

/** Runs the CLI; returns the process exit code (0 ok, 2 bad arguments, 1 failure while writing). */
export async function runCli(
  argv: readonly string[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr(`consumer-api-contracts: ${error.message}\n\n${CLI_USAGE}`);
    return 2;
  }
  if (command.kind === "help") {
    io.stdout(CLI_USAGE);
    return 0;
  }
  try {
    const written = await writeSchemas(command.out, { draft: command.draft });
    io.stdout(`Wrote ${written.length} files to ${command.out}\n`);
    return 0;
  } catch (error) {
    io.stderr(`consumer-api-contracts: ${(error as Error).message}\n`);
    return 1;
  }
}
