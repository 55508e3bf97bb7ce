import type { ZodError } from "zod";
import { ApiError, type FieldError, type FieldErrorParams } from "./errors";

/**
 * zod's issues as our 400, bounded whatever the body holds (when every unknown key was named, twice, an
 * 8 MB body got a 17 MB answer): at most MAX_ERRORS field errors, fields cut short, and a detail of at most
 * MAX_DETAIL. Unknown body fields are no error (see `ignoredFields`): they are named, a few and cut short,
 * in a response header.
 */
const MAX_ERRORS = 20;
const MAX_KEYS_NAMED = 3;
const MAX_NAME = 32;
const MAX_DETAIL = 300;
const MAX_VALUES = 20;

type Issue = ZodError["issues"][number];

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** What a client needs to word the message itself (the dashboard renders them in its language). */
function paramsOf(i: Issue): FieldErrorParams | undefined {
  switch (i.code) {
    case "too_small":
      return { minimum: Number(i.minimum), origin: i.origin };
    case "too_big":
      return { maximum: Number(i.maximum), origin: i.origin };
    case "invalid_format":
      return { format: i.format };
    case "invalid_type":
      return { expected: i.expected };
    case "invalid_value": {
      const values = i.values.filter((v): v is string | number | boolean | null => v === null || ["string", "number", "boolean"].includes(typeof v));
      return { values: values.slice(0, MAX_VALUES) };
    }
    default:
      return undefined;
  }
}

export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.slice(0, MAX_ERRORS).map((i) => {
    const params = paramsOf(i);
    const e: FieldError = { field: cut(i.path.map(String).join(".") || "body", MAX_NAME * 2), message: cut(i.message, MAX_DETAIL), code: i.code };
    if (params) e.params = params;
    return e;
  });
}

/** The 400 for a failed schema: the field errors and a short detail naming the first of them. */
export function validationError(error: ZodError): ApiError {
  const errs = fieldErrors(error);
  const detail = cut(`请求参数错误: ${errs.map((e) => `${e.field}: ${e.message}`).join("; ")}`, MAX_DETAIL);
  return new ApiError("validation_error", detail, { errors: errs });
}

/**
 * Request-body fields the schema does not know are dropped, as FastAPI/pydantic does by default: the
 * origin's clients send some (seed-wire-shapes.md: "extra fields are fine"). So that an API user still
 * sees a typo, they are named in this response header: at most MAX_KEYS_NAMED paths (dotted, each key
 * cut to MAX_NAME characters, percent-encoded so any key fits a header), then `+N` for the rest.
 */
export const IGNORED_FIELDS_HEADER = "X-Ignored-Fields";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The header's value for a body and what validation kept of it, or null when nothing was dropped. */
export function ignoredFields(body: unknown, kept: unknown): string | null {
  const named: string[] = [];
  let count = 0;
  // Only where `kept` has the same structure: its depth is the schema's, whatever the body's.
  const walk = (b: unknown, k: unknown, path: string): void => {
    if (Array.isArray(b) && Array.isArray(k)) {
      k.forEach((item, i) => walk(b[i], item, `${path}${i}.`));
      return;
    }
    if (!isObject(b) || !isObject(k)) return;
    for (const key of Object.keys(b)) {
      if (Object.hasOwn(k, key)) walk(b[key], k[key], `${path}${cut(key, MAX_NAME)}.`);
      else if (++count <= MAX_KEYS_NAMED) named.push(encodeURIComponent(`${path}${cut(key, MAX_NAME)}`));
    }
  };
  walk(body, kept, "");
  if (count === 0) return null;
  return [...named, ...(count > named.length ? [`+${count - named.length}`] : [])].join(", ");
}
