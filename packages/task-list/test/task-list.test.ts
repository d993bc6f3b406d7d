// The task-list page in a real headless Chromium against the real server program (which serves it at /).
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { signIn, taskIds, taskTitles, WAIT, waitForTaskCount } from "./support/page.js";
import { type Program, startProgram } from "./support/program.js";
import { listenSecondOrigin, type SecondOrigin } from "./support/second-origin.js";

const fixtures = {
  models: fileURLToPath(new URL("./fixtures/models", import.meta.url)),
  identities: fileURLToPath(new URL("./fixtures/identities.json", import.meta.url)),
};
const API = "/api/consumer/v1";

let browser: Browser;
let program: Program;
let secondOrigin: SecondOrigin;

/** A call of the API from outside the browser, as another user's application would make it. */
async function api(token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(program.url + API + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

const startIntake = (token: string) =>
  api(token, "POST", "/process_models/Intake/start_events/Received/start") as Promise<{
    correlationId: string;
  }>;

interface ListedTask {
  id: string;
  key: string;
  correlationId: string;
  tokenPayload: unknown;
}
const intakeTasks = async (token: string) =>
  ((await api(token, "GET", "/process_models/Intake/user_tasks")) as { userTasks: ListedTask[] }).userTasks;

/** A fresh browser context (another user's browser) on `url`, signed in with `token`, for the length of `use`. */
async function signedIn(url: string, token: string, use: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await signIn(page, token);
    await use(page);
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  secondOrigin = await listenSecondOrigin();
  program = await startProgram(fixtures.models, fixtures.identities, ["--cors-origin", secondOrigin.origin]);
  secondOrigin.serve(program.url);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await program?.stop();
  await secondOrigin?.close();
});

describe("the task list served at /", () => {
  let clerk: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    clerk = await browser.newContext();
    page = await clerk.newPage();
    await page.goto(`${program.url}/`);
  });
  afterAll(() => clerk?.close());

  it("signs in with a token kept in the tab only", async () => {
    await page.getByLabel("Token").fill("wrong-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("This token is not known.").waitFor(WAIT);
    expect(await page.getByLabel("Token").getAttribute("aria-invalid")).toBe("true");

    await signIn(page, "clerk-token");
    await waitForTaskCount(page, 0);
    expect(await page.evaluate(() => sessionStorage.getItem("consumer-api-token"))).toBe("clerk-token");
    // A reload keeps the tab signed in; another tab is not.
    await page.reload();
    await page.locator("#workspace").waitFor({ state: "visible", ...WAIT });
    const other = await clerk.newPage();
    await other.goto(`${program.url}/`);
    await other.getByLabel("Token").waitFor(WAIT);
    expect(await other.locator("#workspace").isHidden()).toBe(true);
    await other.close();
  });

  it("starts a process and shows tasks appearing live", async () => {
    await page.getByRole("button", { name: "Start Intake" }).click();
    await waitForTaskCount(page, 1);
    expect(await page.locator("#status").textContent()).toMatch(/^Started Intake/);
    // Started elsewhere: the page learns it from a notification, without a reload.
    await startIntake("clerk-token");
    await waitForTaskCount(page, 2);
    expect(await taskTitles(page)).toEqual(["Fill in the intake form", "Fill in the intake form"]);
    expect(await page.locator("#pager").isHidden()).toBe(true);
  });

  it("renders the form from the task's form fields, with defaults and required marks", async () => {
    // By keyboard: the task is a button in the list.
    await page.locator("#tasks button").first().focus();
    await page.keyboard.press("Enter");
    await page.locator("#task").waitFor({ state: "visible", ...WAIT });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("task-heading");
    const customer = page.getByLabel("Customer");
    expect(await customer.getAttribute("type")).toBe("text");
    expect(await customer.getAttribute("aria-required")).toBe("true");
    expect(await page.getByLabel("Quantity").inputValue()).toBe("2");
    expect(await page.getByLabel("Quantity").getAttribute("step")).toBe("1");
    expect(await page.getByLabel("Weight (kg)").inputValue()).toBe("1.5");
    expect(await page.getByLabel("Weight (kg)").getAttribute("aria-required")).toBeNull();
    expect(await page.getByLabel("Urgent?").isChecked()).toBe(true);
    expect(await page.getByLabel("Due date").inputValue()).toBe("2026-01-31");
    const kind = page.getByLabel("Kind");
    expect(await kind.evaluate((select) => select.tagName)).toBe("SELECT");
    expect(await kind.inputValue()).toBe("parcel");
    expect(await kind.locator("option").allTextContents()).toEqual(["Letter", "Parcel"]);
    expect(await page.locator('label[for="field-customer"] .req').count()).toBe(1);
  });

  it("shows the server's 400 detail at the field it names, then finishes and the task vanishes", async () => {
    const [opened] = await taskIds(page);
    await page.getByLabel("Quantity").fill("1.5");
    await page.getByRole("button", { name: "Finish task" }).click();
    const customerError = page.locator("#field-customer-error");
    await customerError.getByText("required").waitFor(WAIT);
    expect(await page.locator("#field-quantity-error").textContent()).toBe("expected an integer");
    expect(await page.getByLabel("Customer").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Customer").getAttribute("aria-describedby")).toBe("field-customer-error");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("field-customer");

    await page.getByLabel("Customer").fill("ACME");
    await page.getByLabel("Quantity").fill("3");
    await page.getByLabel("Kind").selectOption("letter");
    await page.getByRole("button", { name: "Finish task" }).click();
    await waitForTaskCount(page, 1);
    expect(await taskIds(page)).not.toContain(opened);
    expect(await page.locator("#task").isHidden()).toBe(true);
    // The values went as their types: the next task's token payload is the form's result.
    const [approve] = (await intakeTasks("manager-token")).filter((task) => task.key === "Approve");
    expect(approve?.tokenPayload).toEqual({
      formFields: {
        customer: "ACME",
        quantity: 3,
        weight: 1.5,
        urgent: true,
        due: "2026-01-31",
        kind: "letter",
      },
    });
  });

  it("drops a task finished elsewhere, live", async () => {
    const [waiting] = (await intakeTasks("clerk-token")).filter((task) => task.key === "FillForm");
    if (!waiting) throw new Error("no FillForm task waits");
    await api(
      "clerk-token",
      "POST",
      `/process_models/Intake/correlations/${waiting.correlationId}/user_tasks/${waiting.id}/finish`,
      { formFields: { customer: "Elsewhere", quantity: 1, kind: "parcel" } },
    );
    await waitForTaskCount(page, 0);
  });

  it("follows the caller's tasks through the §12 user-task channels when the server claims moreNotifications", async () => {
    const info = (await api("clerk-token", "GET", "/info")) as { capabilities: string[] };
    expect(info.capabilities).toContain("moreNotifications");
    const context = await browser.newContext();
    try {
      const watched = await context.newPage();
      const channels: string[] = [];
      watched.on("websocket", (socket) =>
        socket.on("framesent", ({ payload }) => {
          const frame = JSON.parse(String(payload)) as { type?: string; channel?: string };
          if (frame.type === "subscribe" && frame.channel) channels.push(frame.channel);
        }),
      );
      const before = (await intakeTasks("manager-token")).length;
      await watched.goto(`${program.url}/`);
      await signIn(watched, "manager-token");
      await waitForTaskCount(watched, before);
      // A task of the manager's lane started elsewhere arrives through user_task_waiting alone.
      const { correlationId } = await startIntake("clerk-token");
      const [fill] = (await intakeTasks("clerk-token")).filter((t) => t.correlationId === correlationId);
      await api(
        "clerk-token",
        "POST",
        `/process_models/Intake/correlations/${correlationId}/user_tasks/${fill?.id}/finish`,
        { formFields: { customer: "Pushed", quantity: 1, kind: "parcel" } },
      );
      await waitForTaskCount(watched, before + 1);
      expect(channels.sort()).toEqual(["/user_task_finished", "/user_task_waiting"]);
      const [approve] = (await intakeTasks("manager-token")).filter((t) => t.correlationId === correlationId);
      await api(
        "manager-token",
        "POST",
        `/process_models/Intake/correlations/${correlationId}/user_tasks/${approve?.id}/finish`,
        { formFields: {} },
      );
      await waitForTaskCount(watched, before);
    } finally {
      await context.close();
    }
  });

  it("shows another identity only the tasks of its lanes", async () => {
    await startIntake("clerk-token");
    await waitForTaskCount(page, 1);
    await signedIn(`${program.url}/`, "manager-token", async (managerPage) => {
      // Two Approve tasks (lane Manager) wait, one FillForm (lane Clerk).
      await waitForTaskCount(managerPage, 2);
      expect(await taskTitles(managerPage)).toEqual(["Approve the intake", "Approve the intake"]);
      expect(await taskTitles(page)).toEqual(["Fill in the intake form"]);
    });
  });
});

describe("paging", () => {
  it("shows ten tasks a page and moves between pages by keyboard", async () => {
    await signedIn(`${program.url}/`, "manager-token", async (page) => {
      const waiting = (await intakeTasks("manager-token")).length;
      for (let i = waiting; i < 11; i++) {
        const { correlationId } = await startIntake("clerk-token");
        const [fill] = (await intakeTasks("clerk-token")).filter((t) => t.correlationId === correlationId);
        await api(
          "clerk-token",
          "POST",
          `/process_models/Intake/correlations/${correlationId}/user_tasks/${fill?.id}/finish`,
          { formFields: { customer: `c${i}`, quantity: 1, kind: "parcel" } },
        );
      }
      const total = Math.max(waiting, 11);
      await waitForTaskCount(page, total);
      expect(await page.locator("#tasks li").count()).toBe(10);
      expect(await page.locator("#page-info").textContent()).toBe(`1–10 of ${total}`);
      await page.getByRole("button", { name: "Next" }).focus();
      await page.keyboard.press("Enter");
      await page.waitForFunction(
        (t) => document.getElementById("page-info")?.textContent === `11–${t} of ${t}`,
        total,
        WAIT,
      );
      expect(await page.locator("#tasks li").count()).toBe(total - 10);
      expect(await page.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    });
  });
});

describe("the page served from another origin (--cors-origin)", () => {
  it("signs in, starts and sees tasks live over CORS and a cross-origin WebSocket", async () => {
    await signedIn(`${secondOrigin.origin}/`, "clerk-token", async (page) => {
      const before = (await intakeTasks("clerk-token")).filter((task) => task.key === "FillForm").length;
      await waitForTaskCount(page, before);
      await page.getByRole("button", { name: "Start Intake" }).click();
      await waitForTaskCount(page, before + 1);
      await startIntake("clerk-token");
      await waitForTaskCount(page, before + 2);
    });
  });
});
