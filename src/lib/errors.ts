import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The closed set of machine codes every error body carries (api-contract.md "Errors"), each with its one
 * HTTP status: a code never travels with another status, so clients can switch on either.
 */
export const ERROR_STATUS = {
  validation_error: 400,
  bad_request: 400,
  duplicate: 400,
  no_chaoxing_account: 400,
  chaoxing_login_failed: 400,
  wrong_password: 400,
  invalid_reset_token: 400,
  /** A verification link used, expired, unknown, or mailed to an address the account no longer has. */
  invalid_verification_token: 400,
  choice_required: 400,
  captcha_wrong: 400,
  unauthorized: 401,
  invalid_token: 401,
  token_expired: 401,
  token_revoked: 401,
  password_changed: 401,
  forbidden: 403,
  account_disabled: 403,
  not_found: 404,
  invalid_pairing_code: 400,
  /** Mail to an address its owner has not verified yet (only the link and a password reset go there). */
  email_unverified: 409,
  /** A sign-up's proof of work that is wrong, expired, or already used. */
  pow_invalid: 400,
  conflict: 409,
  // Conflicts with a code of their own, so the dashboard words each in the reader's language (README
  // "The dashboard").
  /** A transition the task's state does not allow; the body's `status` is the task's status. */
  task_state: 409,
  /** The change would leave no active admin (nobody left to manage users). */
  last_admin: 409,
  /** An admin deleting their own account (the request is valid; it conflicts with who sends it). */
  self_delete: 409,
  running_cap: 409,
  /** A user's relays are capped (src/routes/relays.ts MAX_RELAYS). */
  relay_cap: 409,
  /** A task on relay egress cannot start with none of the user's relay agents online (the body links the Relay page). */
  relay_required: 409,
  /** The account is bound by QR login and its Chaoxing session ended: scan again (the body links the scan page). */
  chaoxing_login_required: 409,
  unsupported_media_type: 415,
  payload_too_large: 413,
  upgrade_required: 426,
  /** Past the free sign-ups of an address: solve `GET /api/auth/challenge` and send it as `pow`. */
  pow_required: 428,
  /** A relay agent speaking a protocol this deployment does not: refused at the handshake; reinstall it. */
  relay_outdated: 426,
  rate_limited: 429,
  /** The user's notifications of the day (NOTIFY_DAILY_CAP, tests included) are used up. */
  notify_capped: 429,
  internal_error: 500,
  upstream_failed: 502,
  /**
   * A Chaoxing call found none of the user's relay agents online (never a fallback to direct: Chaoxing blocks
   * data-centre addresses, chaoxing-protocol.md "Where traffic comes from").
   */
  relay_offline: 502,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** zod's parameters of an issue, for a client that words the message itself. */
export interface FieldErrorParams {
  minimum?: number;
  maximum?: number;
  /** What was measured: "string" (length), "number" (value), "array" (items)… */
  origin?: string;
  format?: string;
  expected?: string;
  values?: (string | number | boolean | null)[];
}

export interface FieldError {
  field: string;
  message: string;
  /** zod's issue code (too_small, too_big, invalid_format, invalid_type, invalid_value, custom…). */
  code: string;
  params?: FieldErrorParams;
}

/** The one error type: thrown anywhere, rendered by `onError` as `{"detail", "code", "errors"?}`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; retryAfter?: number; status?: string; link?: string } = {},
  ) {
    super(detail);
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (detail = "资源不存在") => new ApiError("not_found", detail);
export const conflict = (detail: string) => new ApiError("conflict", detail);

const DUPLICATE_DETAIL = { username: "用户名已存在", email: "邮箱已被注册" } as const;
/** A username or email another account has: the body's `errors` names the field. */
export const duplicate = (field: keyof typeof DUPLICATE_DETAIL) =>
  new ApiError("duplicate", DUPLICATE_DETAIL[field], { errors: [{ field, message: DUPLICATE_DETAIL[field], code: "duplicate" }] });

export function errorResponse(c: Context, err: ApiError): Response {
  if (err.extra.retryAfter !== undefined) c.header("Retry-After", String(Math.ceil(err.extra.retryAfter)));
  const body: { detail: string; code: ErrorCode; errors?: FieldError[]; status?: string; link?: string } = { detail: err.detail, code: err.code };
  if (err.extra.errors) body.errors = err.extra.errors;
  if (err.extra.status !== undefined) body.status = err.extra.status;
  if (err.extra.link !== undefined) body.link = err.extra.link;
  return c.json(body, err.status);
}
