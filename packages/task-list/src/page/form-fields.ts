// A user task's form (SPEC §4.6) as HTML controls, the values the server expects (§4.7), and its 400
// detail put back at the fields it names.
import type { UserTaskFormField } from "@consumer-api/contracts";
import { el } from "./dom.js";

/** Renders one labelled control per form field into `container`. */
export function renderFields(container: HTMLElement, fields: readonly UserTaskFormField[]): void {
  container.replaceChildren(...fields.map(renderField));
}

function renderField(field: UserTaskFormField): HTMLElement {
  const id = controlId(field.id);
  const errorId = `${id}-error`;
  const text = field.label ?? field.id;
  const label = el("label", { for: id }, text);
  if (field.required) {
    label.append(" ", el("span", { class: "req", "aria-hidden": "true" }, "*"));
  }
  let control: HTMLInputElement | HTMLSelectElement;
  switch (field.type) {
    case "boolean": {
      control = el("input", { type: "checkbox" });
      control.checked = field.defaultValue === true;
      label.classList.add("check");
      label.prepend(control);
      break;
    }
    case "enum": {
      control = el("select", {});
      const hasDefault = typeof field.defaultValue === "string";
      if (!field.required || !hasDefault) control.append(el("option", { value: "" }, "—"));
      for (const value of field.enumValues ?? []) {
        control.append(el("option", { value: value.id }, value.name));
      }
      if (hasDefault) control.value = field.defaultValue as string;
      break;
    }
    case "long":
    case "number": {
      control = el("input", { type: "number", step: field.type === "long" ? "1" : "any" });
      if (typeof field.defaultValue === "number") control.value = String(field.defaultValue);
      break;
    }
    case "date": {
      control = el("input", { type: "date" });
      if (typeof field.defaultValue === "string") control.value = field.defaultValue.slice(0, 10);
      break;
    }
    default: {
      control = el("input", { type: "text" });
      if (typeof field.defaultValue === "string") control.value = field.defaultValue;
    }
  }
  control.id = id;
  control.name = field.id;
  control.dataset.type = field.type;
  control.setAttribute("aria-describedby", errorId);
  if (field.required) {
    control.required = true;
    control.setAttribute("aria-required", "true");
  }
  const error = el("p", { id: errorId, class: "field-error" });
  const wrapper = el("div", { class: "field" });
  if (field.type === "boolean") wrapper.append(label, error);
  else wrapper.append(label, control, error);
  return wrapper;
}

function controlId(fieldId: string): string {
  return `field-${fieldId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * The form's values as §4.7 wants them: numbers as numbers, checkboxes as booleans, a date as its ISO
 * day. An empty control is left out, so the server says which required field is missing: the server's
 * check is the one that counts.
 */
export function readValues(container: HTMLElement): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const control of container.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-type]")) {
    const type = control.dataset.type;
    if (type === "boolean") {
      values[control.name] = (control as HTMLInputElement).checked;
      continue;
    }
    if (control.value === "") continue;
    values[control.name] = type === "long" || type === "number" ? Number(control.value) : control.value;
  }
  return values;
}

/** Clears every field's error. */
export function clearErrors(container: HTMLElement): void {
  for (const control of container.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  for (const error of container.querySelectorAll(".field-error")) error.textContent = "";
}

/**
 * Puts each "formFields.<id>: <problem>" of a 400 detail next to its field and focuses the form's first
 * such field.
 * Returns what names no field of this form, for the form-level message.
 */
export function showErrors(container: HTMLElement, detail: string): string {
  const rest: string[] = [];
  for (const part of detail.split("; ")) {
    const match = /^formFields\.([^:]+): (.*)$/s.exec(part);
    const control = match
      ? container.querySelector<HTMLElement>(`#${CSS.escape(controlId(match[1] as string))}`)
      : null;
    if (!match || !control) {
      rest.push(part);
      continue;
    }
    control.setAttribute("aria-invalid", "true");
    const error = container.querySelector(`#${CSS.escape(`${control.id}-error`)}`);
    if (error)
      error.textContent = error.textContent ? `${error.textContent}; ${match[2]}` : (match[2] as string);
  }
  container.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  return rest.join("; ");
}
