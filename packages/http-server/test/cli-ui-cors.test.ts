// The page, CORS and cluster options of the server program: each as an option and as an environment variable.
import { describe, expect, it } from "vitest";
import { parseCliOptions } from "../src/cli-options.js";

const required = ["--models", "m", "--data", "d", "--identities", "i.json"];

function optionsOf(argv: string[], env: Record<string, string> = {}) {
  const parsed = parseCliOptions([...required, ...argv], env);
  if (parsed.kind !== "run") throw new Error(parsed.kind === "error" ? parsed.message : parsed.kind);
  return parsed.options;
}

describe("--no-ui", () => {
  it("serves the page unless told not to", () => {
    expect(optionsOf([]).ui).toBe(true);
    expect(optionsOf(["--no-ui"]).ui).toBe(false);
    expect(optionsOf([], { CONSUMER_API_NO_UI: "1" }).ui).toBe(false);
    expect(optionsOf([], { CONSUMER_API_NO_UI: "0" }).ui).toBe(true);
  });
});

describe("--cors-origin", () => {
  it("allows no origin by default", () => {
    expect(optionsOf([]).corsOrigins).toEqual([]);
  });

  it("is repeatable, and the environment lists origins separated by commas", () => {
    expect(
      optionsOf(["--cors-origin", "https://a.example", "--cors-origin=http://localhost:5173"]).corsOrigins,
    ).toEqual(["https://a.example", "http://localhost:5173"]);
    expect(
      optionsOf([], { CONSUMER_API_CORS_ORIGINS: "https://a.example, http://localhost:5173" }).corsOrigins,
    ).toEqual(["https://a.example", "http://localhost:5173"]);
    expect(
      optionsOf(["--cors-origin", "https://b.example"], { CONSUMER_API_CORS_ORIGINS: "https://a.example" })
        .corsOrigins,
    ).toEqual(["https://b.example"]);
  });

  it.each(["*", "https://a.example/", "https://a.example/app", "a.example", "HTTPS://A.example"])(
    "refuses %s, which is no origin as a browser sends it",
    (origin) => {
      const parsed = parseCliOptions([...required, "--cors-origin", origin], {});
      expect(parsed).toEqual({ kind: "error", message: expect.stringContaining(`got "${origin}"`) });
    },
  );
});

describe("--cluster-lease, --cluster-sweep", () => {
  it("keep the engine defaults unless given, as options or environment variables", () => {
    expect(optionsOf([]).cluster).toEqual({});
    expect(optionsOf(["--cluster-lease", "60000"], { CONSUMER_API_CLUSTER_SWEEP: "250" }).cluster).toEqual({
      leaseMs: 60000,
      sweepMs: 250,
    });
    expect(optionsOf(["--script-timeout", "9"]).cluster).toEqual({});
  });

  it("refuses what is not a positive integer", () => {
    for (const bad of ["0", "-1", "1.5", "soon"]) {
      const parsed = parseCliOptions([...required, `--cluster-lease=${bad}`], {});
      expect(parsed).toEqual({
        kind: "error",
        message: `--cluster-lease must be an integer of at least 1, got "${bad}".`,
      });
    }
  });
});
