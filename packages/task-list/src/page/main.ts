// The task-list page: sign in with a token, the caller's waiting tasks (paged, live), a form per task,
// and the models to start. Only @consumer-api/client-external's public API, as any page would use it.
import { createExternalConsumerApi, type ExternalConsumerApi } from "@consumer-api/client-external";
import type { ConsumerContext, ProcessModel, UserTask } from "@consumer-api/contracts";
import { byId, el } from "./dom.js";
import { clearErrors, readValues, renderFields, showErrors } from "./form-fields.js";
import { type TaskSource, taskSource } from "./task-source.js";

const PAGE_SIZE = 10;
/** sessionStorage: the token lives as long as the tab, and no other tab or site sees it. */
const TOKEN_KEY = "consumer-api-token";

const baseUrl =
  document.querySelector<HTMLMetaElement>('meta[name="consumer-api-base-url"]')?.content || location.origin;

interface Session {
  api: ExternalConsumerApi;
  context: ConsumerContext;
  source: TaskSource;
  stopWatching?: () => Promise<void>;
}

let session: Session | undefined;
let offset = 0;
let openTask: UserTask | undefined;

const status = byId("status");
const say = (text: string) => {
  status.textContent = text;
};

function statusOf(error: unknown): number | undefined {
  const value = (error as { status?: unknown } | null)?.status;
  return typeof value === "number" ? value : undefined;
}

function messageOf(error: unknown): string {
  const detail = (error as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string" && detail !== "") return detail;
  return error instanceof Error ? error.message : String(error);
}

// --- signing in and out ---

async function signIn(token: string): Promise<boolean> {
  const api = createExternalConsumerApi({ baseUrl });
  const context: ConsumerContext = { identity: token };
  let models: ProcessModel[];
  try {
    ({ processModels: models } = await api.getProcessModels(context));
  } catch (error) {
    await api.close();
    const tokenError = byId("token-error");
    tokenError.textContent = statusOf(error) === 401 ? "This token is not known." : messageOf(error);
    byId("token").setAttribute("aria-invalid", "true");
    return false;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  const source = await taskSource(api, context);
  session = { api, context, source };
  offset = 0;
  byId("sign-in").hidden = true;
  byId("workspace").hidden = false;
  byId("who").hidden = false;
  byId("who-name").textContent = "Signed in";
  renderModels(models);
  const watching = await source.watch(() => void refresh());
  session.stopWatching = () => watching.stop();
  await refresh();
  return true;
}

async function signOut(): Promise<void> {
  const ending = session;
  session = undefined;
  sessionStorage.removeItem(TOKEN_KEY);
  closeTask();
  byId("workspace").hidden = true;
  byId("who").hidden = true;
  byId("sign-in").hidden = false;
  byId<HTMLInputElement>("token").value = "";
  byId("token").focus();
  say("Signed out.");
  await ending?.stopWatching?.();
  await ending?.api.close();
}

byId<HTMLFormElement>("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>("token");
  byId("token-error").textContent = "";
  input.removeAttribute("aria-invalid");
  const token = input.value.trim();
  if (token === "") {
    byId("token-error").textContent = "Enter your token.";
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  if (await signIn(token)) byId("tasks-heading").focus();
  else input.focus();
});
byId("sign-out").addEventListener("click", () => void signOut());

// --- the task list ---

let refreshing: Promise<void> | undefined;
let again = false;

/** Reloads the current page of tasks; calls that come while one runs fold into one more run. */
function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      await loadPage();
    } while (again);
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

async function loadPage(): Promise<void> {
  const current = session;
  if (!current) return;
  let page = await current.source.page(offset, PAGE_SIZE).catch((error: unknown) => {
    say(`Could not load your tasks: ${messageOf(error)}`);
    return undefined;
  });
  if (page && page.tasks.length === 0 && offset > 0 && page.total > 0) {
    offset = Math.max(0, Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);
    page = await current.source.page(offset, PAGE_SIZE);
  }
  if (!page || session !== current) return;
  renderTasks(page.tasks, page.total);
}

function renderTasks(tasks: UserTask[], total: number): void {
  const list = byId("tasks");
  const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.taskId;
  list.replaceChildren(
    ...tasks.map((task) => {
      const button = el(
        "button",
        { type: "button", class: "item", "data-task-id": task.id },
        el("span", { class: "title" }, task.name ?? task.key),
        el("span", { class: "sub" }, `${task.processModelKey} · ${task.correlationId}`),
      );
      if (openTask?.id === task.id) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => showTask(task));
      return el("li", {}, button);
    }),
  );
  if (focusedId) list.querySelector<HTMLElement>(`[data-task-id="${CSS.escape(focusedId)}"]`)?.focus();
  byId("task-count").textContent = `(${total})`;
  byId("tasks-empty").hidden = total > 0;
  const pager = byId("pager");
  pager.hidden = total <= PAGE_SIZE;
  byId("page-info").textContent =
    total === 0 ? "" : `${offset + 1}–${Math.min(offset + PAGE_SIZE, total)} of ${total}`;
  byId<HTMLButtonElement>("prev-page").disabled = offset === 0;
  byId<HTMLButtonElement>("next-page").disabled = offset + PAGE_SIZE >= total;
}

byId("prev-page").addEventListener("click", () => {
  offset = Math.max(0, offset - PAGE_SIZE);
  void refresh();
});
byId("next-page").addEventListener("click", () => {
  offset += PAGE_SIZE;
  void refresh();
});

// --- one task's form ---

function showTask(task: UserTask): void {
  openTask = task;
  const fields = byId("fields");
  renderFields(fields, task.data.formFields);
  byId("form-error").textContent = "";
  byId("task-heading").textContent = task.name ?? task.key;
  byId("task-meta").textContent = `${task.processModelKey} · correlation ${task.correlationId}`;
  byId("task").hidden = false;
  for (const item of byId("tasks").querySelectorAll<HTMLElement>("[data-task-id]")) {
    if (item.dataset.taskId === task.id) item.setAttribute("aria-current", "true");
    else item.removeAttribute("aria-current");
  }
  byId("task-heading").focus();
}

function closeTask(): void {
  openTask = undefined;
  byId("task").hidden = true;
  byId("fields").replaceChildren();
  for (const item of byId("tasks").querySelectorAll("[aria-current]")) item.removeAttribute("aria-current");
}

byId("close-task").addEventListener("click", () => {
  closeTask();
  byId("tasks-heading").focus();
});

byId<HTMLFormElement>("task-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const task = openTask;
  const current = session;
  if (!task || !current) return;
  const fields = byId("fields");
  const formError = byId("form-error");
  clearErrors(fields);
  formError.textContent = "";
  try {
    await current.api.finishUserTask(current.context, task.processModelKey, task.correlationId, task.id, {
      formFields: readValues(fields),
    });
  } catch (error) {
    if (statusOf(error) === 400) {
      formError.textContent = showErrors(fields, messageOf(error));
    } else if (statusOf(error) === 404 || statusOf(error) === 409) {
      formError.textContent = "This task no longer waits: someone else finished it.";
    } else {
      formError.textContent = messageOf(error);
    }
    if (formError.textContent) formError.focus();
    return;
  }
  closeTask();
  say(`Finished “${task.name ?? task.key}”.`);
  byId("tasks-heading").focus();
  await refresh();
});

// --- starting a process ---

function renderModels(models: ProcessModel[]): void {
  byId("models-empty").hidden = models.length > 0;
  byId("models").replaceChildren(
    ...models.flatMap((model) =>
      model.startEvents.map((start) => {
        const name = model.startEvents.length > 1 ? `${model.key} (${start.key})` : model.key;
        const button = el("button", { type: "button", "aria-label": `Start ${name}` }, "Start");
        button.addEventListener("click", () => void startProcess(model.key, start.key, name, button));
        return el("li", {}, el("div", { class: "row" }, el("span", { class: "title" }, name), button));
      }),
    ),
  );
}

async function startProcess(model: string, startEvent: string, name: string, button: HTMLButtonElement) {
  const current = session;
  if (!current) return;
  button.disabled = true;
  try {
    const started = await current.api.startProcessInstance(current.context, model, startEvent);
    say(`Started ${name} (correlation ${started.correlationId}).`);
  } catch (error) {
    say(`Could not start ${name}: ${messageOf(error)}`);
  } finally {
    button.disabled = false;
  }
  await refresh();
}

// --- start ---

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void signIn(saved);
else byId("token").focus();
