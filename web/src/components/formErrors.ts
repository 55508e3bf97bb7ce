import type { FormInstance } from "antd";
import { ApiFailure } from "../api/client";

/**
 * Puts the server's per-field validation messages on the form's fields (a dotted field such as
 * `channels.bark.device_url` names a nested form field); true if any matched.
 */
export function applyFieldErrors(form: FormInstance, e: unknown): boolean {
  if (!(e instanceof ApiFailure) || !e.fieldErrors?.length) return false;
  const known = new Set(Object.keys(form.getFieldsValue(true) as object));
  const fields = e.fieldErrors
    .map((f) => ({ name: f.field.split("."), errors: [f.message] }))
    .filter((f) => known.has(f.name[0]!));
  form.setFields(fields);
  return fields.length > 0;
}
