/**
 * What a task's status and reason mean in words, for the person looking: the owner reads "你暂停了任务",
 * an admin looking at someone else's task reads "用户暂停了任务"; a cancelled task never reads "paused".
 */
import { ITEM_MARKS, type TaskLive, type TaskStatus } from "@shared/live";
import type { MessageKey, Translate } from "../i18n";
import { shortTime } from "./forecastText";

/** Whose task it is, from the reader's side. */
export type Viewer = "self" | "other";

/** Reasons with one wording whoever looks. */
const PLAIN: Record<string, MessageKey> = {
  waiting_for_account: "reason.waiting_for_account",
  study_cap: "reason.study_cap",
  admin: "reason.admin",
  account_disabled: "reason.account_disabled",
  upstream: "reason.upstream",
  risk_control: "reason.risk_control",
  risk_check: "reason.risk_check",
  relay_offline: "reason.relay_offline",
  relay_outdated: "reason.relay_outdated",
  login_required: "reason.login_required",
  outside_window: "reason.outside_window",
  daily_cap: "reason.daily_cap",
  break: "reason.break",
};

/** Reasons that ask something of the owner: said to them, or about them. */
const PERSONAL: Record<string, [MessageKey, MessageKey]> = {
  captcha: ["reason.captcha.self", "reason.captcha.other"],
  notopen_ask: ["reason.notopen_ask.self", "reason.notopen_ask.other"],
  needs_you: ["reason.needs_you.self", "reason.needs_you.other"],
};

export interface ReasonInput {
  status: TaskStatus;
  reason: string | null;
  queue_position?: number | null;
  left_for_user?: readonly unknown[];
}

export function reasonText(task: ReasonInput, viewer: Viewer, t: Translate): string | null {
  const { status, reason } = task;
  if (!reason) return null;
  const who = viewer === "self" ? 0 : 1;
  if (reason === "user") {
    const [self, other]: [MessageKey, MessageKey] = status === "cancelled" ? ["reason.cancelled_user.self", "reason.cancelled_user.other"] : ["reason.paused_user.self", "reason.paused_user.other"];
    return t(who === 0 ? self : other);
  }
  if (reason === "waiting_for_account" && task.queue_position) return t("reason.queue", { n: task.queue_position });
  if (reason in PERSONAL) return t(PERSONAL[reason]![who], { n: task.left_for_user?.length ?? 0 });
  return reason in PLAIN ? t(PLAIN[reason]!) : t("reason.other");
}

const WAIT_TEXT: Record<string, MessageKey> = {
  waiting_for_account: "eta.waitAccount",
  study_cap: "eta.waitCap",
  outside_window: "eta.waitWindow",
  daily_cap: "eta.waitDaily",
  break: "eta.waitBreak",
  upstream: "eta.waitUpstream",
  relay_offline: "eta.waitRelay",
  risk_control: "eta.waitUpstream",
  risk_check: "eta.riskCheck",
};

/**
 * What a running task waits for, in words, and when it goes on (the window, the daily cap, a break); a
 * queued task says where it is in the queue. null: it is not waiting.
 */
export function waitText(task: Pick<TaskLive, "status" | "reason" | "queue_position" | "resumes_at">, t: Translate): string | null {
  if (task.status !== "running" || !task.reason) return null;
  if (task.reason === "waiting_for_account" && task.queue_position) return t("eta.queued", { n: task.queue_position });
  if (!(task.reason in WAIT_TEXT)) return null;
  const wait = t(WAIT_TEXT[task.reason]!);
  return task.resumes_at ? t("eta.waitUntil", { wait, at: shortTime(task.resumes_at) }) : wait;
}

/** Video and audio items: their clock moves with the player between reports. */
export const isMedia = (item: string | null | undefined): boolean =>
  !!item && (item.startsWith(ITEM_MARKS.video) || item.startsWith(ITEM_MARKS.audio) || item.startsWith(ITEM_MARKS.live));
