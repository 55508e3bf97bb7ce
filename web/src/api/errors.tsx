/**
 * Error text from the error's `code`, in the user's language. The server's `detail` is a Chinese
 * sentence (api-contract.md); it is shown only in zh-CN and only for the codes where it carries what
 * the code cannot (which name is taken, Chaoxing's own reason). Everything else reads the catalogue.
 */
import type { FormInstance } from "antd";
import { useCallback } from "react";
import { useI18n, type Lang, type MessageKey, type Translate } from "../i18n";
import { duration } from "../lib/format";
import { ApiFailure, type FieldError } from "./client";

/** The server's closed list of error codes (src/lib/errors.ts), and the client's own two. */
const KNOWN = new Set([
  "validation_error", "bad_request", "duplicate", "no_chaoxing_account", "chaoxing_login_failed", "wrong_password", "invalid_reset_token",
  "choice_required", "captcha_wrong", "unauthorized", "invalid_token", "token_expired", "token_revoked", "password_changed", "forbidden",
  "account_disabled", "not_found", "conflict", "last_admin", "self_delete", "running_cap", "relay_cap", "unsupported_media_type", "upgrade_required", "rate_limited",
  "upstream_failed", "internal_error", "network", "offline", "email_unverified", "notify_capped", "invalid_verification_token",
  "relay_required", "relay_offline", "relay_outdated", "pow_required", "pow_invalid",
  "chaoxing_login_required",
]);

/** Codes whose Chinese detail says more than the code (Chaoxing's reason). */
const DETAIL_IN_ZH = new Set(["chaoxing_login_failed", "upstream_failed"]);
const TASK_STATUSES = new Set(["pending", "running", "paused", "completed", "failed", "cancelled"]);

/** Per-screen wording for a code whose general text does not fit there (a 401 at sign-in is a wrong password). */
export type ErrorOverrides = Partial<Record<string, MessageKey>>;

export function errorText(e: unknown, t: Translate, lang: Lang, overrides: ErrorOverrides = {}): string {
  if (!(e instanceof ApiFailure)) return t("error.internal_error");
  const own = overrides[e.code];
  if (own) return t(own);
  if (lang === "zh" && DETAIL_IN_ZH.has(e.code) && e.detail) return e.detail;
  if (e.code === "rate_limited") return e.retryAfter ? t("error.rate_limited", { wait: duration(e.retryAfter, t) }) : t("error.rate_limited_now");
  if (e.code === "validation_error" && e.fieldErrors.length) return t("error.validation_fields", { fields: e.fieldErrors.map((f) => f.field).join(", ") });
  if (e.code === "duplicate") {
    const field = e.fieldErrors[0]?.field;
    return t(field === "username" ? "error.duplicate_username" : field === "email" ? "error.duplicate_email" : "error.duplicate");
  }
  if (e.code === "task_state") {
    return e.taskStatus && TASK_STATUSES.has(e.taskStatus) ? t("error.task_state", { status: t(`status.${e.taskStatus}` as MessageKey) }) : t("error.conflict_task");
  }
  if (KNOWN.has(e.code)) return t(`error.${e.code}` as MessageKey);
  return t("error.http", { status: e.status });
}

/** An error as a toast's content: its text, and a link to where the user fixes it when the server gave one. */
export function ErrorWithLink({ error, text, linkText }: { error: unknown; text: string; linkText: string }) {
  const link = error instanceof ApiFailure && error.link?.startsWith("/") ? error.link : null;
  return (
    <span>
      {text}
      {link && (
        <>
          {" "}
          <a href={link} data-testid="error-link">
            {linkText}
          </a>
        </>
      )}
    </span>
  );
}

/** `errorText` bound to the current language. */
export function useErrorText() {
  const { t, lang } = useI18n();
  return useCallback((e: unknown, overrides?: ErrorOverrides) => errorText(e, t, lang, overrides), [t, lang]);
}

/** One field's message from zod's issue `code` and `params`; a generic one until the server sends them. */
export function fieldErrorText(f: FieldError, t: Translate): string {
  const p = f.params ?? {};
  const text = (p.origin ?? "string") === "string";
  switch (f.code) {
    case "too_small":
      return p.minimum !== undefined ? t(text ? "field.too_small_string" : "field.too_small_number", { min: p.minimum }) : t("field.generic");
    case "too_big":
      return p.maximum !== undefined ? t(text ? "field.too_big_string" : "field.too_big_number", { max: p.maximum }) : t("field.generic");
    case "invalid_format":
      return p.format === "email" ? t("form.email") : t("field.invalid_format");
    case "invalid_type":
      return t("field.required");
    case "duplicate":
      return t("field.duplicate");
    default:
      return t("field.generic");
  }
}

/**
 * Puts the server's per-field errors on the form's fields (a dotted field such as
 * `channels.bark.device_url` names a nested form field); true if any matched a field of the form.
 */
export function applyFieldErrors(form: FormInstance, e: unknown, t: Translate): boolean {
  if (!(e instanceof ApiFailure) || !e.fieldErrors.length) return false;
  const known = new Set(Object.keys(form.getFieldsValue(true) as object));
  const fields = e.fieldErrors
    .map((f) => ({ name: f.field.split("."), errors: [fieldErrorText(f, t)] }))
    .filter((f) => known.has(f.name[0]!));
  form.setFields(fields);
  return fields.length > 0;
}
