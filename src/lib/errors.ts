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
  | "rate_limited"
  | "upstream_failed"
  | "relay_offline"
  | "invalid_pairing_code"
  | "limits_locked"
  | "internal_error";

export interface FieldError {
  field: string;
  message: string;
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
