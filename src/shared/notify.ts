/**
 * Notification kinds (README "Notifications"), shared by the worker, the task object and the dashboard.
 * Pure constants and types only: this file must stay free of runtime imports (the dashboard imports it).
 */

/**
 * What a user can be told about; each is switchable per user, and on unless switched off. `completed`
 * with items left is the "needs you" notice; `rolled_back` is a task whose credited progress the platform
 * took back (the morning's check found it lower); `admin_stop` an admin's force-stop, with the admin's reason;
 * `login_required` a QR-bound account whose session ended (its tasks wait for one scan).
 */
export const NOTIFY_EVENTS = [
  "captcha", "notopen_ask", "risk_control", "relay_offline", "relay_outdated", "completed", "failed", "rolled_back", "admin_stop", "daily_cap", "login_required",
] as const;
export type NotifyEventKind = (typeof NOTIFY_EVENTS)[number];

/** Where a user can be told; several may be enabled at once. */
export const NOTIFY_CHANNELS = ["email", "serverchan", "pushplus", "bark", "wecom", "dingtalk", "feishu", "webhook"] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

/** The secret settings of a channel: keys, tokens and webhook URLs (sealed at rest, never returned). */
export type SecretField = "sendkey" | "token" | "device_url" | "webhook_url" | "url" | "secret";
export type Secrets = Partial<Record<SecretField, string>>;

/** Which secrets each channel needs before it can be enabled, and which it may have. */
export const SECRET_FIELDS: Record<NotifyChannel, { required: SecretField[]; optional: SecretField[] }> = {
  email: { required: [], optional: [] },
  serverchan: { required: ["sendkey"], optional: [] },
  pushplus: { required: ["token"], optional: [] },
  bark: { required: ["device_url"], optional: [] },
  wecom: { required: ["webhook_url"], optional: [] },
  dingtalk: { required: ["webhook_url"], optional: ["secret"] },
  feishu: { required: ["webhook_url"], optional: ["secret"] },
  webhook: { required: ["url", "secret"], optional: [] },
};

/** The secret fields that are URLs (checked as notification targets; their host may be shown). */
export const URL_FIELDS: readonly SecretField[] = ["device_url", "webhook_url", "url"];

/** The language of notifications (and of the user's dashboard). */
export const LANGUAGES = ["zh-CN", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/** An event is accepted (sent to the enabled channels) or recorded with the reason it was not. */
export const NOTIFY_EVENT_STATUSES = ["accepted", "throttled", "capped", "muted", "no_channel"] as const;
export type NotifyEventStatus = (typeof NOTIFY_EVENT_STATUSES)[number];

/** pending: not answered yet or retrying; failed: refused for good; dead: retries exhausted (dead-letter queue). */
export const NOTIFY_DELIVERY_STATUSES = ["pending", "sent", "failed", "dead"] as const;
export type NotifyDeliveryStatus = (typeof NOTIFY_DELIVERY_STATUSES)[number];

/** The live fields an event is read from: the task's status and reason. */
interface TaskState {
  status: string;
  reason: string | null;
}

/**
 * The event a task state is worth telling the user about, or null. Risk control, relay offline and the
 * daily cap are reasons the engine sets (api-contract.md "Tasks"), paused or waiting: the reason decides.
 */
export function taskEventKind(s: TaskState): NotifyEventKind | null {
  if (s.status === "completed") return "completed";
  if (s.status === "failed") return "failed";
  if (s.status === "cancelled") return s.reason === "admin" ? "admin_stop" : null;
  if (s.status !== "running" && s.status !== "paused") return null;
  switch (s.reason) {
    case "captcha":
    case "notopen_ask":
    case "risk_control":
    case "relay_offline":
    case "relay_outdated":
    case "daily_cap":
      return s.reason;
    default:
      return null;
  }
}
