/**
 * The closed lists of a task's statuses and reasons, the roles, the log levels and the not-open choices:
 * below both the wire messages (live.ts, which re-exports them for the dashboard) and the task's zod shape
 * (src/tasks/shape.ts) that the messages' types derive from. Constants and types only.
 */

export const TASK_STATUSES = ["pending", "running", "paused", "completed", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Finer state beside the status (api-contract.md "Tasks"): why a task waits, paused or stopped. Running:
 * waiting_for_account, study_cap, upstream (backing off), risk_check (resumed from risk control, no Chaoxing answer
 * yet: not shown as studying until one comes), outside_window, daily_cap, break (the account's limits). Paused:
 * user, captcha, notopen_ask, login_required (a QR-bound account's session ended: scan again).
 * Cancelled: user,
 * admin, account_disabled. Failed: upstream, internal. Completed: null, or needs_you when items are left.
 */
export const TASK_REASONS = [
  "waiting_for_account", "study_cap", "upstream", "captcha", "notopen_ask", "user", "admin", "account_disabled", "internal",
  "needs_you", "risk_control", "relay_offline", "relay_outdated", "login_required", "outside_window", "daily_cap", "break", "risk_check",
] as const;
export type TaskReason = (typeof TASK_REASONS)[number];

export const NOTOPEN_ACTIONS = ["retry", "ask", "continue"] as const;
export type NotopenAction = (typeof NOTOPEN_ACTIONS)[number];

export const ROLES = ["user", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
