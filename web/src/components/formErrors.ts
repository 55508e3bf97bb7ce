import type { FormInstance } from "antd";
import { ApiFailure } from "../api/client";

/** Puts the server's per-field validation messages on the form's fields; true if any matched. */
export function applyFieldErrors(form: FormInstance, e: unknown): boolean {
  if (!(e instanceof ApiFailure) || !e.fieldErrors?.length) return false;
  const known = new Set(Object.keys(form.getFieldsValue(true) as object));
  const fields = e.fieldErrors.filter((f) => known.has(f.field)).map((f) => ({ name: f.field, errors: [f.message] }));
  form.setFields(fields);
  return fields.length > 0;
}
