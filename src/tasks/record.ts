import { publicLeft, type EngineState } from "../engine/state";
import { computeProgress } from "../engine/progress";
import { clock } from "../lib/clock";
import type { NotopenAction, TaskMessage, TaskReason, TaskStatus } from "../shared/live";
import type { NotifyEventKind } from "../shared/notify";
import type { PendingLog } from "./projection";
import type { TaskLive, TaskRow } from "./shape";

/** The account as the route found it in the user's config: the password stays sealed until a step needs it. */
export interface SealedCredentials {
  phone: string;
  sealedPassword: string;
}

/** A task as its object stores it: one storage row, the checkpoint of everything (src/durable/task.ts). */
export interface TaskRecord {
  id: number;
  userId: number;
  name: string;
  courseIds: string[];
  status: TaskStatus;
  reason: TaskReason | null;
  errorMsg: string | null;
  startTime: string | null;
  endTime: string | null;
  queuePosition: number | null;
  notopenChapter: string | null;
  /** The task's own settings until it first runs; then the engine's. */
  speed: number | null;
  notopenAction: NotopenAction | null;
  /** null until the task first runs. */
  creds: SealedCredentials | null;
  engine: EngineState | null;
  /** Bumped by every transition, so a step that was in flight knows the world moved on. */
  gen: number;
  /** Consecutive unexpected errors in the alarm handler (a poison step), bounded. */
  crashes: number;
  /** What the D1 row still lacks: nothing, the progress columns, or everything (after a transition). */
  mirror: { pending: "none" | "progress" | "full"; at: number; studySeconds: number; progress: number };
  /** Log lines not yet in D1 (kept when D1 fails, so none is lost). */
  outbox: PendingLog[];
  /** When the pending alarm is due, and how late recent ones came (ms): the engine's health figure. */
  dueAt: number | null;
  lateness: number[];
}

/** The record of a task its object hears of for the first time: pending, as its row says. */
export function recordOf(row: TaskRow): TaskRecord {
  return {
    id: row.id, userId: row.user_id, name: row.name, courseIds: row.course_ids, status: row.status,
    reason: row.reason as TaskReason | null, errorMsg: row.error_msg, startTime: row.start_time, endTime: row.end_time,
    queuePosition: null, notopenChapter: null, speed: row.speed, notopenAction: row.notopen_action, creds: null, engine: null,
    gen: 0, crashes: 0, mirror: { pending: "none", at: 0, studySeconds: 0, progress: row.progress }, outbox: [], dueAt: null, lateness: [],
  };
}

/** What the world sees of a task: `task_update.data`, the live part of a detail, and the mirrored row. */
export function liveOf(t: TaskRecord): TaskLive {
  const e = t.engine;
  // Between reports a running player moves on; a stopped one is where its last report left it.
  const p = e ? computeProgress(e, t.status === "running" ? clock.now() : null) : null;
  return {
    status: t.status,
    reason: t.reason,
    progress: p?.progress ?? t.mirror.progress,
    start_time: t.startTime,
    end_time: t.endTime,
    error_msg: t.errorMsg,
    completed_courses: p?.completed_courses ?? 0,
    total_courses: p?.total_courses ?? new Set(t.courseIds).size,
    speed: e?.speed ?? t.speed,
    notopen_action: e?.notopenAction ?? t.notopenAction,
    left_for_user: e ? publicLeft(e) : [],
    study_seconds: e?.stats.studySeconds ?? 0,
    jobs_completed: e?.stats.jobsDone ?? 0,
    current_item: p?.current_item ?? null,
    item_progress: p?.item_progress ?? 0,
    item_current_time: p?.item_current_time ?? 0,
    item_total_time: p?.item_total_time ?? 0,
    eta_seconds: t.status === "running" ? (p?.eta_seconds ?? null) : null,
    queue_position: t.queuePosition,
    notopen_chapter: t.notopenChapter,
  };
}

/**
 * What a subscriber should be told about, beyond the progress itself (seed: `notification`), naming the
 * task. `event` (issue 15) lets the dashboard word it in the user's language and link the task.
 */
export function notificationOf(t: TaskRecord): TaskMessage | null {
  const note = (level: "success" | "warning" | "error", event: NotifyEventKind, message: string): TaskMessage => ({ type: "notification", level, message, task_id: t.id, event });
  const name = `任务「${t.name}」`;
  if (t.status === "completed") {
    const left = t.engine?.left.length ?? 0;
    return left ? note("warning", "completed", `${name}已完成，${left} 项需要你在学习通中处理`) : note("success", "completed", `${name}已完成`);
  }
  if (t.status === "failed") return note("error", "failed", `${name}失败: ${t.errorMsg ?? "未知原因"}`);
  if (t.status === "paused" && t.reason === "captcha") return note("warning", "captcha", `${name}需要输入超星验证码才能继续`);
  if (t.status === "paused" && t.reason === "relay_offline") return note("warning", "relay_offline", `${name}已暂停：没有在线的中继。启动中继后会自动继续`);
  if (t.status === "paused" && t.reason === "risk_control") return note("warning", "risk_control", `${name}已暂停：超星风控拦截了请求，请稍后再恢复`);
  if (t.status === "running" && t.reason === "daily_cap") return note("warning", "daily_cap", `${name}今日学习时长已达上限，明天自动继续`);
  if (t.status === "paused" && t.reason === "notopen_ask") return note("warning", "notopen_ask", `${name}: 章节「${t.notopenChapter ?? ""}」未开放，请选择跳过或停止该课程`);
  return null;
}
