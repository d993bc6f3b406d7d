import type { ModdleElement } from "./moddle-element.js";
import type { FormFieldDefinition, FormFieldType } from "./types.js";

const FIELD_TYPES = new Set<FormFieldType>(["string", "long", "number", "boolean", "date", "enum"]);

export class FormError extends Error {}

/** The form of a user task from camunda:formData / camunda:formField; [] when it has none. */
export function parseForm(task: ModdleElement): FormFieldDefinition[] {
  const formData = task.extensionElements?.values?.find((value) => value.$type === "camunda:FormData");
  return (formData?.fields ?? []).map(parseField);
}

function parseField(field: ModdleElement): FormFieldDefinition {
  const id = field.id;
  if (!id) throw new FormError("a form field has no id");
  const type = (field.type ?? "string") as FormFieldType;
  if (!FIELD_TYPES.has(type)) throw new FormError(`form field "${id}" has unsupported type "${field.type}"`);
  const definition: FormFieldDefinition = { id, type };
  if (field.label !== undefined) definition.label = field.label;
  if (field.defaultValue !== undefined && field.defaultValue !== "") {
    definition.defaultValue = convertDefault(id, type, field.defaultValue);
  }
  if (type === "enum") {
    definition.enumValues = (field.values ?? []).map((value) => ({
      id: value.id ?? "",
      name: value.name ?? value.id ?? "",
    }));
  }
  if (field.validation?.constraints?.some((constraint) => constraint.name === "required")) {
    definition.required = true;
  }
  return definition;
}

function convertDefault(id: string, type: FormFieldType, text: string): unknown {
  switch (type) {
    case "long": {
      const value = Number(text);
      if (!Number.isInteger(value))
        throw new FormError(`form field "${id}": default "${text}" is not a long`);
      return value;
    }
    case "number": {
      const value = Number(text);
      if (text.trim() === "" || Number.isNaN(value)) {
        throw new FormError(`form field "${id}": default "${text}" is not a number`);
      }
      return value;
    }
    case "boolean":
      if (text === "true") return true;
      if (text === "false") return false;
      throw new FormError(`form field "${id}": default "${text}" is not a boolean`);
    default:
      return text;
  }
}
