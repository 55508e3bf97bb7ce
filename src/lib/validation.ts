import type { ZodError } from "zod";
import { ApiError, type FieldError, type FieldErrorParams } from "./errors";

/**
 * zod's issues as our 400 (issue 11 row 13). Bounded whatever the body holds: zod's own message for
 * unknown keys names every one of them, and the detail used to repeat every message, so a body of
 * unknown keys came back twice its size. Now at most MAX_ERRORS field errors, unknown keys counted
 * and a few of them named (each cut short), fields cut short, and a detail of at most MAX_DETAIL.
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
    case "unrecognized_keys":
      return { keys: i.keys.length };
    case "invalid_value": {
      const values = i.values.filter((v): v is string | number | boolean | null => v === null || ["string", "number", "boolean"].includes(typeof v));
      return { values: values.slice(0, MAX_VALUES) };
    }
    default:
      return undefined;
  }
}

function messageOf(i: Issue): string {
  if (i.code !== "unrecognized_keys") return cut(i.message, MAX_DETAIL);
  const named = i.keys.slice(0, MAX_KEYS_NAMED).map((k) => cut(k, MAX_NAME)).join(", ");
  return i.keys.length > MAX_KEYS_NAMED ? `未知字段: ${named} 等 ${i.keys.length} 个` : `未知字段: ${named}`;
}

export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.slice(0, MAX_ERRORS).map((i) => {
    const params = paramsOf(i);
    const e: FieldError = { field: cut(i.path.map(String).join(".") || "body", MAX_NAME * 2), message: messageOf(i), code: i.code };
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
