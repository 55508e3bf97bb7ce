import type { OpName } from "../durable/account-ops";
import type { TaskReason } from "../shared/live";

/**
 * How a task object's alarm loop goes on after one study step: whether the next step follows in the same
 * alarm or waits for an alarm of its own, whether the step costs a checkpoint row, what the task shows
 * meanwhile, and when its forecast is made again. Plain functions, so the policy is tested without a
 * runtime (test/node/alarm-policy.test.ts); src/durable/task-loop.ts applies what they decide.
 *
 * Every alarm and every checkpoint is a storage row (the free plan's daily quota: README "Plans: Free or
 * Paid"). Gaps this short (the pacing between calls) are waited inside the running alarm, up to
 * CHAIN_STEPS steps per alarm, so a study step that is not a progress report rarely costs an alarm of its
 * own. Only light steps are chained (a media status, a report, a document, a visit, the video lock: a small
 * answer each, ≈0.2 ms of CPU): after MAX_PAGES_PER_ALARM parsed pages (HEAVY_OPS) the alarm ends, so one
 * invocation stays within the CPU budget of the free plan.
 */
export const CHAIN_GAP_MS = 3_000;
export const CHAIN_STEPS = 10;
export const MAX_PAGES_PER_ALARM = 2;
/** The calls that parse a page (a course list, a chapter tree, a card, the tabs, a study page, a progress page). */
export const HEAVY_OPS: ReadonlySet<OpName> = new Set(["courses", "chapters", "cards", "tabs", "studyPage", "progress"]);
/** A running task's forecast is made again at least this often (and whenever a wait, a chapter or a course changes it). */
export const FORECAST_EVERY_MS = 10 * 60_000;
/** A step that crashes is retried with back-off this many times, then the task fails with the reason. */
export const MAX_CRASHES = 5;

/** A step's "go on" outcome, and what the task showed before it. */
export interface NextInput {
  now: number;
  /** How long until the next step. */
  delayMs: number;
  /** The wait's reason the step gave (a break, the cap, a back-off, the lock's queue), or none. */
  stepReason: TaskReason | null;
  /** The place in the video lock's queue, with `waiting_for_account`. */
  queuePosition: number | null;
  /** The reason the task showed before this step. */
  shownReason: TaskReason | null;
  shownQueuePosition: number | null;
  /** Whether a Chaoxing call of this step got an answer (a lock wait is none). */
  answered: boolean;
  /** The step changed neither the engine's state nor wrote a log line: a pure wait (pacing, the lock queue). */
  unchanged: boolean;
  /** Whether another step may still follow in this alarm (fewer than CHAIN_STEPS so far). */
  mayChain: boolean;
  /** Pages parsed by this alarm's steps so far. */
  pagesParsed: number;
  /** The forecast's key now (src/tasks/forecast-work.ts `forecastKeyOf`), the one it was made for, and when. */
  forecastKey: string;
  forecastMadeFor: string | null;
  forecastAt: number | null;
}

/** What the object does: the fields it shows, and how the alarm goes on. */
export interface NextPlan {
  reason: TaskReason | null;
  queuePosition: number | null;
  /** When a wait the user is told about ends (a lock's queue has no such time). */
  resumesAt: number | null;
  refreshForecast: boolean;
  /**
   * `chain`: the next step follows in this alarm after `delayMs`;
   * `alarm`: an alarm at `dueAt` and an update, no checkpoint row (nothing changed);
   * `checkpoint`: the step's state written, then chained (`chain`) or an alarm at `dueAt`;
   * `announce`: a wait worth telling (the daily cap, once a day) is armed and announced like a transition.
   */
  action: { kind: "chain" } | { kind: "alarm"; dueAt: number } | { kind: "checkpoint"; dueAt: number | null } | { kind: "announce"; dueAt: number };
}

export function planNext(i: NextInput): NextPlan {
  // Checking whether risk control lifted lasts until Chaoxing answered a call.
  const reason = i.stepReason ?? (i.shownReason === "risk_check" && !i.answered ? "risk_check" : null);
  const queuePosition = i.stepReason === "waiting_for_account" ? i.queuePosition : null;
  const dueAt = alarmTime(i.now + i.delayMs);
  const resumesAt = i.stepReason && i.stepReason !== "waiting_for_account" ? dueAt : null;
  const newReason = i.shownReason !== reason;
  const sameReason = !newReason && i.shownQueuePosition === queuePosition;
  const refreshForecast = newReason || i.forecastMadeFor !== i.forecastKey || i.now - (i.forecastAt ?? 0) >= FORECAST_EVERY_MS;
  // A wait with a reason (a back-off after a failure above all, however short its jitter made it) is never
  // folded into the alarm: the task shows the reason while it waits (README "Failure signals").
  const chain = i.mayChain && !reason && i.pagesParsed < MAX_PAGES_PER_ALARM && i.delayMs <= CHAIN_GAP_MS;
  const base = { reason, queuePosition, resumesAt, refreshForecast };
  if (i.unchanged && sameReason) return { ...base, action: chain ? { kind: "chain" } : { kind: "alarm", dueAt } };
  if (newReason && reason === "daily_cap") return { ...base, action: { kind: "announce", dueAt } };
  return { ...base, action: { kind: "checkpoint", dueAt: chain ? null : dueAt } };
}

/**
 * When an alarm for `at` is armed: the next whole millisecond. An alarm holds whole milliseconds (the
 * runtime cuts a fraction off), and one that rang before its wait was over would find the wait still on
 * for that fraction; a wait with a reason (a break) is never chained, so it would arm the same
 * millisecond again, and again. Waits end at fractions: the video gap's jitter, a clock that waits
 * fractional gaps (the tests' `virtualSleep`), and a break begun at such a moment.
 */
export const alarmTime = (at: number): number => Math.ceil(at);

/** Exponential back-off with jitter (`random` in [0, 1)): 5 s, 10 s, 20 s … capped at 10 minutes. */
export function backoffMs(failures: number, random: number): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, failures - 1), 600_000);
  return Math.round(base * (0.5 + random / 2));
}

/** After a step crashed `crashes` times in a row: again after a back-off, or fail once past MAX_CRASHES. */
export function planCrash(crashes: number, random: number): { kind: "fail" } | { kind: "retry"; delayMs: number } {
  return crashes > MAX_CRASHES ? { kind: "fail" } : { kind: "retry", delayMs: backoffMs(crashes, random) };
}
