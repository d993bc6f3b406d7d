import type { Page } from "playwright-core";

/** How long the page may take to show what a test waits for; the wait ends as soon as it shows. */
export const WAIT = { timeout: 60_000 };

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel("Token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#workspace").waitFor({ state: "visible", ...WAIT });
}

/** Waits until the page says this many tasks wait ("My tasks (n)"). */
export async function waitForTaskCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => document.getElementById("task-count")?.textContent === `(${n})`,
    count,
    WAIT,
  );
}

/** The titles of the listed tasks. */
export async function taskTitles(page: Page): Promise<string[]> {
  return page.locator("#tasks li .title").allTextContents();
}

/** The ids of the listed tasks. */
export async function taskIds(page: Page): Promise<string[]> {
  return page
    .locator("#tasks [data-task-id]")
    .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.taskId ?? ""));
}
