// The limit options of the server program (SECURITY.md): each as an option and as an environment variable.
import { describe, expect, it } from "vitest";
import { parseCliOptions } from "../../src/cli-options.js";

const required = ["--models", "m", "--data", "d", "--identities", "i.json"];

function limitsOf(argv: string[], env: Record<string, string> = {}) {
  const parsed = parseCliOptions([...required, ...argv], env);
  if (parsed.kind !== "run") throw new Error(parsed.kind === "error" ? parsed.message : parsed.kind);
  return parsed.options.limits;
}

describe("limit options", () => {
  it("leaves every limit to its library default when none is given", () => {
    expect(limitsOf([])).toEqual({});
  });

  it("reads every limit from its option", () => {
    expect(
      limitsOf([
        "--body-limit=2048",
        "--max-json-depth=50",
        "--headers-timeout=1000",
        "--body-idle-timeout=0",
        "--body-timeout=0",
        "--drain-timeout=0",
        "--ws-max-payload=4096",
        "--ws-max-subscriptions=3",
        "--script-timeout=250",
      ]),
    ).toEqual({
      bodyLimit: 2048,
      maxJsonDepth: 50,
      headersTimeout: 1000,
      bodyIdleTimeout: 0,
      bodyTimeout: 0,
      drainTimeout: 0,
      maxPayload: 4096,
      maxSubscriptions: 3,
      scriptTimeoutMs: 250,
    });
  });

  it("reads every limit from its environment variable, the option winning", () => {
    const env = {
      CONSUMER_API_BODY_LIMIT: "1",
      CONSUMER_API_MAX_JSON_DEPTH: "2",
      CONSUMER_API_HEADERS_TIMEOUT: "3",
      CONSUMER_API_BODY_IDLE_TIMEOUT: "4",
      CONSUMER_API_BODY_TIMEOUT: "5",
      CONSUMER_API_DRAIN_TIMEOUT: "6",
      CONSUMER_API_WS_MAX_PAYLOAD: "7",
      CONSUMER_API_WS_MAX_SUBSCRIPTIONS: "8",
      CONSUMER_API_SCRIPT_TIMEOUT: "9",
    };
    expect(limitsOf(["--script-timeout", "900"], env)).toEqual({
      bodyLimit: 1,
      maxJsonDepth: 2,
      headersTimeout: 3,
      bodyIdleTimeout: 4,
      bodyTimeout: 5,
      drainTimeout: 6,
      maxPayload: 7,
      maxSubscriptions: 8,
      scriptTimeoutMs: 900,
    });
  });

  it.each([
    ["--body-limit", "0"],
    ["--body-limit", "1e6"],
    ["--max-json-depth", "-1"],
    ["--headers-timeout", "0"],
    ["--body-timeout", "1.5"],
    ["--ws-max-subscriptions", "many"],
    ["--script-timeout", "99999999999999999999"],
  ])("refuses %s %s, naming the option", (option, value) => {
    const parsed = parseCliOptions([...required, `${option}=${value}`], {});
    expect(parsed).toEqual({
      kind: "error",
      message: expect.stringContaining(`${option} must be an integer`),
    });
  });
});
