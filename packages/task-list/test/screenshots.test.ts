// The README's screenshots: the page over the example models, light. Taken on every run (so the flow they
// show keeps working); written into screenshots/ with UPDATE_SCREENSHOTS=1, else into a temp directory.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { signIn, WAIT, waitForTaskCount } from "./support/page.js";
import { type Program, startProgram } from "./support/program.js";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));
const update = process.env.UPDATE_SCREENSHOTS === "1";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let browser: Browser;
let program: Program;
let out: string;

beforeAll(async () => {
  out = update
    ? fileURLToPath(new URL("../screenshots/", import.meta.url))
    : await mkdtemp(join(tmpdir(), "task-list-screenshots-"));
  await mkdir(out, { recursive: true });
  program = await startProgram(join(examples, "models"), join(examples, "identities.json"));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await program?.stop();
  if (!update && out) await rm(out, { recursive: true, force: true });
});

it("takes the README's screenshots of the example models", async () => {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
    colorScheme: "light",
    locale: "en-US",
  });
  try {
    const page = await context.newPage();
    await page.goto(`${program.url}/`);
    await page.getByLabel("Token").fill("alice-token");
    await page.screenshot({ path: join(out, "sign-in.png") });
    await signIn(page, "alice-token");
    await page.getByRole("button", { name: "Start Order" }).click();
    await waitForTaskCount(page, 1);
    await page.getByRole("button", { name: "Start Order" }).click();
    await waitForTaskCount(page, 2);
    await page.locator("#tasks button").first().click();
    await page.getByLabel("Customer").fill("ACME Ltd.");
    await page.getByLabel("Category").selectOption("electronics");
    await page.screenshot({ path: join(out, "task-list.png"), fullPage: true });

    await page.getByLabel("Customer").fill("");
    await page.getByLabel("Quantity").fill("2.5");
    await page.getByRole("button", { name: "Finish task" }).click();
    await page.locator("#field-quantity-error").getByText("expected an integer").waitFor(WAIT);
    await page.screenshot({ path: join(out, "field-error.png"), fullPage: true });
  } finally {
    await context.close();
  }
  for (const name of ["sign-in.png", "task-list.png", "field-error.png"]) {
    const png = await readFile(join(out, name));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  }
});
