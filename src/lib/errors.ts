import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed set of machine codes every error body carries (api-contract.md "Errors"). */
export type ErrorCode =
  | "validation_error"
  | "bad_request"
  | "duplicate"
  | "no_chaoxing_account"
  | "chaoxing_login_failed"
  | "wrong_password"
  | "invalid_token"
  | "unauthorized"
  | "forbidden"
  | "account_disabled"
  | "not_found"
  | "conflict"
  | "unsupported_media_type"
  | "payload_too_large"
  | "rate_limited"
  | "upstream_failed"
  | "internal_error";

/** zod's parameters of an issue, for a client that words the message itself. */
export interface FieldErrorParams {
  minimum?: number;
  maximum?: number;
  /** What was measured: "string" (length), "number" (value), "array" (items)… */
  origin?: string;
  format?: string;
  expected?: string;
  /** How many unknown keys there were. */
  keys?: number;
  values?: (string | number | boolean | null)[];
}

export interface FieldError {
  field: string;
  message: string;
  /** zod's issue code (too_small, too_big, invalid_format, invalid_type, unrecognized_keys, invalid_value, custom…). */
  code: string;
  params?: FieldErrorParams;
}

/** The one error type: thrown anywhere, rendered by `onError` as `{"detail", "code", "errors"?}`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; retryAfter?: number } = {},
  ) {
    super(detail);
  }
}

export const notFound = (detail = "资源不存在") => new ApiError(404, "not_found", detail);
export const conflict = (detail: string) => new ApiError(409, "conflict", detail);

export function errorResponse(c: Context, err: ApiError): Response {
  if (err.extra.retryAfter !== undefined) c.header("Retry-After", String(Math.ceil(err.extra.retryAfter)));
  const body: { detail: string; code: ErrorCode; errors?: FieldError[] } = { detail: err.detail, code: err.code };
  if (err.extra.errors) body.errors = err.extra.errors;
  return c.json(body, err.status);
}
