import { publicLeft, type ClassRef, type EngineState } from "../engine/state";
import { computeProgress, courseFigures, type CourseFigures } from "../engine/progress";
import { clock } from "../../shared/clock";
import type { NotopenAction, TaskMessage, TaskReason, TaskStatus } from "../shared/live";
import type { LogEvent } from "../engine/log";
import type { UsageNote } from "../durable/account-ops";
import { mediaMinutes } from "../limits/study-limits";
import type { CourseForecast } from "../shared/forecast";
import { courseKey, type TaskForecast } from "./forecast-work";
import type { CourseSelection } from "./selection";
import type { NotifyEventKind } from "../shared/notify";
import { isTextCode, renderText, type Coded, type TextCode, type TextParams } from "../shared/texts";
import type { TaskLive } from "./shape";
import type { TaskRow } from "./rows";

/** A log line in the record's outbox, stamped when it happened; the projection (projection.ts) appends it to D1. */
export type PendingLog = LogEvent & { created_at: string };

/** The account as the route found it in the user's config: the password stays sealed until a step needs it. */
export interface SealedCredentials {
  phone: string;
  /** Null for an account bound by QR login: no password anywhere, the account object holds the session. */
  sealedPassword: string | null;
}

/**
 * A task as its object stores it: one storage row, the checkpoint of everything (src/durable/task.ts).
 * Its versions, and how each earlier one is upgraded when loaded, are in src/tasks/record-versions.ts.
 */
export interface TaskRecord {
  /** The version of this format it was written in (stamped when written). */
  v?: number;
  id: number;
  userId: number;
  name: string;
  courseIds: string[];
  /** The classes the task names (absent in records from before classes could be named). */
  classes?: ClassRef[];
  status: TaskStatus;
  reason: TaskReason | null;
  errorMsg: string | null;
  /** Why it failed, coded (`errorMsg` is its zh text); absent in records from before failures were coded. */
  error?: Coded | null;
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
  /** The checkpoint holds the last step's state: every step was written meanwhile (src/durable/task-records.ts `checkpoint`). */
  latest?: boolean;
  /** Until then every step is written: the object lost its memory while running lately. */
  everyStepUntil?: number;
  /**
   * The stored record could not be read (why): this one was made from the task's row, without its
   * engine state, so it can be paused, cancelled or failed with that reason, and a retry starts over.
   */
  unreadable?: string;
  /** When a wait with a reason (the window, the daily cap, a break…) ends. */
  resumesAt?: number | null;
  /** Today's media count of the user's account as of the last call (absent in records from before it was shown). */
  usage?: UsageNote | null;
  /** What the task chose of its courses, with the survey's figures (its row's `selection`; absent in records from before). */
  selection?: CourseSelection[] | null;
  /** The last forecast (src/durable/task.ts recomputes it when something changes it), and where the engine was then. */
  forecast?: TaskForecast | null;
  forecastKey?: string;
}

/** The record of a task its object hears of for the first time: pending, as its row says. */
export function recordOf(row: TaskRow): TaskRecord {
  return {
    id: row.id, userId: row.user_id, name: row.name, courseIds: row.course_ids,
    classes: (row.classes ?? []).map((c) => ({ courseId: c.course_id, clazzId: c.clazz_id })), status: row.status,
    reason: row.reason as TaskReason | null, errorMsg: row.error_msg,
    error: isTextCode(row.error_code) ? { code: row.error_code, params: row.error_params ?? {} } : null, startTime: row.start_time, endTime: row.end_time,
    queuePosition: null, notopenChapter: null, speed: row.speed, notopenAction: row.notopen_action, creds: null, engine: null,
    gen: 0, crashes: 0, mirror: { pending: "none", at: 0, studySeconds: 0, progress: row.progress }, outbox: [], dueAt: null, lateness: [],
    selection: row.selection,
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const forecastOut = (f: Pick<CourseForecast, "finishAt" | "studyDays" | "remainingSeconds" | "missesDeadline">) => ({
  finish_at: iso(f.finishAt), study_days: f.studyDays, remaining_seconds: f.remainingSeconds, misses_deadline: f.missesDeadline,
});

/** Each course's figures with its forecast: by its class, or (before the course list was read) by its course. */
function coursesOut(figures: CourseFigures[], f: TaskForecast | null): TaskLive["courses"] {
  return figures.map((c) => {
    const cf = c.status !== "todo" || !f ? undefined
      : f.courses.find((x) => x.key === courseKey({ courseId: c.course_id, clazzId: c.clazz_id })) ?? (c.clazz_id === null ? f.courses.find((x) => x.key.startsWith(`${c.course_id}:`)) : undefined);
    return { ...c, forecast: cf ? forecastOut(cf) : null };
  });
}

/** What the world sees of a task: `task_update.data`, the live part of a detail, and the mirrored row. */
export function liveOf(t: TaskRecord): TaskLive {
  const e = t.engine;
  const now = clock.now();
  // Between reports a running player moves on; one that waits, or a stopped one, is where it was shown last.
  const p = e ? computeProgress(e, t.status === "running" && t.reason === null ? now : null) : null;
  const f = t.status === "running" ? (t.forecast ?? null) : null;
  return {
    status: t.status,
    reason: t.reason,
    progress: p?.progress ?? t.mirror.progress,
    start_time: t.startTime,
    end_time: t.endTime,
    error_msg: t.errorMsg,
    error_code: t.error?.code ?? null,
    error_params: t.error?.params ?? null,
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
    item_speed: p?.item_speed ?? 0,
    item_time_limit: p?.item_time_limit ?? 0,
    item_rewatch: p?.item_rewatch ?? false,
    eta_seconds: f && f.finishAt !== null ? Math.max(0, Math.round((f.finishAt - now) / 1000)) : null,
    forecast: f
      ? {
          ...forecastOut(f), computed_at: new Date(f.at).toISOString(), estimated: f.estimated,
          basis: {
            window_start: f.basis.windowStart, window_end: f.basis.windowEnd, daily_cap_minutes: f.basis.dailyCapMinutes,
            break_after_minutes: f.basis.breakAfterMinutes, other_tasks: f.basis.otherTasks,
          },
        }
      : null,
    queue_position: t.queuePosition,
    notopen_chapter: t.notopenChapter,
    courses: e ? coursesOut(courseFigures(e), f) : [],
    resumes_at: t.status === "running" && t.resumesAt ? new Date(t.resumesAt).toISOString() : null,
    today: t.usage ? { day: t.usage.day, media_minutes: mediaMinutes(t.usage.mediaSeconds), daily_cap_minutes: t.usage.capMinutes } : null,
  };
}

/** A morning check found `videos` rolled back and studies them again (src/engine/credit.ts). */
export function rollbackNotification(t: TaskRecord, videos: number): TaskMessage {
  const params = { task: t.name, n: videos };
  return { type: "notification", level: "warning", message: renderText("zh", "note.rolled_back", params), code: "note.rolled_back", params, task_id: t.id, event: "rolled_back" };
}

/**
 * What a subscriber should be told about, beyond the progress itself (seed: `notification`), naming the
 * task. `event` (the notification kind) and `code` + `params` let the dashboard word it in the user's
 * language and link the task; `message` is the code's zh text.
 */
export function notificationOf(t: TaskRecord): TaskMessage | null {
  const note = (level: "success" | "warning" | "error", event: NotifyEventKind, code: TextCode, extra: TextParams = {}): TaskMessage => {
    const params = { task: t.name, ...extra };
    return { type: "notification", level, message: renderText("zh", code, params), code, params, task_id: t.id, event };
  };
  if (t.status === "completed") {
    const left = t.engine?.left.length ?? 0;
    return left ? note("warning", "completed", "note.completed_left", { left }) : note("success", "completed", "note.completed");
  }
  // Every way into failed sets the coded error (src/durable/task.ts).
  if (t.status === "failed") return note("error", "failed", "note.failed", { failure: t.error?.code ?? "fail.internal", ...t.error?.params });
  if (t.status === "paused" && t.reason === "captcha") return note("warning", "captcha", "note.captcha");
  if (t.status === "paused" && t.reason === "relay_offline") return note("warning", "relay_offline", "note.relay_offline");
  if (t.status === "paused" && t.reason === "relay_outdated") return note("warning", "relay_outdated", "note.relay_outdated");
  if (t.status === "paused" && t.reason === "login_required") return note("warning", "login_required", "note.login_required");
  if (t.status === "paused" && t.reason === "risk_control") return note("warning", "risk_control", "note.risk_control");
  if (t.status === "running" && t.reason === "daily_cap") return note("warning", "daily_cap", "note.daily_cap");
  if (t.status === "cancelled" && t.reason === "admin") {
    const why = t.error?.params.note;
    return why ? note("warning", "admin_stop", "note.admin_stop_reason", { note: why }) : note("warning", "admin_stop", "note.admin_stop");
  }
  if (t.status === "paused" && t.reason === "notopen_ask") return note("warning", "notopen_ask", "note.notopen_ask", { chapter: t.notopenChapter ?? "" });
  return null;
}
