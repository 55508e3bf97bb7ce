import { shanghaiMinute } from "../../shared/clock";
import type { OpError, WaitReason } from "../durable/account-ops";
import { backoffMs } from "./alarm-policy";
import { fail, log, releaseVideo } from "./book";
import { readCards, readChapters } from "./chapters";
import { resolveCourses, skipCourse } from "./courses";
import { startVerify, verifyDue } from "./credit";
import { visitChapter } from "./documents";
import { doJob } from "./jobs";
import type { LogEvent } from "./log";
import { prepareMediaRestart } from "./player";
import { computeProgress, itemClock } from "./progress";
import { recheckStep } from "./recheck";
import { upgradeState, type EngineState, type Phase } from "./state";
import type { Ctx, EngineIO, Failed, Kit, Outcome, StepResult } from "./types";
import { verifyStep } from "./verify";

/**
 * One step of a task: its dispatch to the phase it is in, and the failure handling every phase hands its
 * failed calls to (through the `Kit`). The phases, each in its own module:
 *
 * - "resolve": src/engine/courses.ts (the course list; a course closed, done or skipped)
 * - "chapters", "cards": chapters.ts (chapter list, cards tab by tab: tabs.ts; closed chapters)
 * - "job": jobs.ts, by the job's kind: media.ts (video and audio, on player.ts's cadence; capture.ts
 *   after a refused report), live.ts (replays), documents.ts (documents, reads)
 * - "visit": documents.ts
 * - "verify": verify.ts (the next-morning check, credit.ts); "recheck": recheck.ts
 *
 * A cold load's resync and the checkpoint's boundaries are in restart.ts; what they share, in book.ts
 * (bookkeeping) and types.ts.
 */

/** Failed calls in a row (transport errors, 5xx, 429) before the task fails. */
const MAX_FAILURES = 8;

/**
 * One bounded step of a task: at most one upstream call (plus the account's lock), then the state is
 * checkpointed by the caller and the next alarm set `delayMs` later. Mutates `s`.
 */
export async function step(s: EngineState, io: EngineIO): Promise<StepResult> {
  upgradeState(s);
  // The video's clock as it stands before this step: whatever the step does, it is never shown lower.
  if (s.media) s.media.shown = itemClock(s, io.now()).time;
  const logs: LogEvent[] = [];
  const ctx: Ctx = { s, io, logs };
  const outcome = await dispatch(ctx);
  if (ctx.okCall) s.failures = 0;
  if (s.phase !== "done") s.progressFloor = computeProgress(s, io.now()).progress;
  // A failed task keeps its media position, so a retry resumes the video where it stopped.
  if (outcome.kind === "complete") s.media = null;
  if ((outcome.kind === "complete" || outcome.kind === "fail") && s.holdsVideo) await releaseVideo(ctx);
  return { outcome, logs, signal: ctx.signal, rolledBack: ctx.rolledBack };
}

/** Phases of the walk through the courses, between whose steps the next-morning check may come. */
const WALK: ReadonlySet<Phase> = new Set(["chapters", "cards", "job", "visit"]);

async function dispatch(ctx: Ctx): Promise<Outcome> {
  // Media passed on an earlier day are checked first (never in the middle of a video): src/engine/credit.ts.
  if (WALK.has(ctx.s.phase) && verifyDue(ctx.s, ctx.io.now())) ctx.logs.push(...startVerify(ctx.s, ctx.io.now()));
  switch (ctx.s.phase) {
    case "resolve":
      return resolveCourses(ctx, kit);
    case "chapters":
      return readChapters(ctx, kit);
    case "cards":
      return readCards(ctx, kit);
    case "job":
      return doJob(ctx, kit);
    case "visit":
      return visitChapter(ctx, kit);
    case "recheck":
      return recheckStep(ctx, kit);
    case "verify":
      return verifyStep(ctx, kit);
    case "done":
      return { kind: "complete" };
  }
}

/**
 * A failed call: waits, pauses, skips or back-off, by the failure signal (protocol "Failure signals" and
 * its 2026 section). Back-off is for transport errors, 5xx and 429 only; anything else the platform says
 * about one job, chapter or course is an outcome for that item (`unexpected`), and the task goes on.
 */
function onFailure(ctx: Ctx, r: Failed, unexpected?: (e: OpError) => Outcome | Promise<Outcome>): Outcome | Promise<Outcome> {
  const { s } = ctx;
  if ("waitMs" in r) return r.reason ? limitWait(ctx, r.reason, r.waitMs) : { kind: "next", delayMs: r.waitMs, reason: null };
  const e = r.error;
  ctx.signal = e.kind;
  switch (e.kind) {
    case "captcha":
      s.captchaOrigin = e.origin ?? null;
      log(ctx, "WARNING", "wait.captcha");
      return { kind: "pause", reason: "captcha" };
    case "risk_control":
      log(ctx, "WARNING", "wait.risk_control", { error: e.message });
      return { kind: "pause", reason: "risk_control" };
    case "study_cap": {
      const wait = (e.retryAfterMs ?? 600_000) + Math.round(ctx.io.random() * 5_000);
      log(ctx, "WARNING", "wait.study_cap", { minutes: Math.ceil(wait / 60_000) });
      return { kind: "next", delayMs: wait, reason: "study_cap" };
    }
    case "face_check":
      // Only the walk skips a whole course; the check outside it treats it as about that one item.
      if (s.phase === "verify" && unexpected) return unexpected(e);
      // A course that captures names what it saw (2026-12 item 2); the older face page and redirect do not.
      return e.reason ? skipCourse(ctx, "left.face_capture", { signals: e.reason }) : skipCourse(ctx, "left.face_check");
    case "relay_offline":
      // Never another route (README "Egress": no silent fallback); the user's relay object resumes the task
      // when an agent connects.
      log(ctx, "WARNING", "wait.relay_offline");
      return { kind: "pause", reason: "relay_offline" };
    case "relay_outdated":
      log(ctx, "WARNING", "wait.relay_outdated");
      return { kind: "pause", reason: "relay_outdated" };
    case "login_failed":
      return fail("fail.login", { error: e.reason ?? e.message });
    case "login_required":
      // A QR-bound account's session ended: one scan resumes every task of the account (README "QR login").
      log(ctx, "WARNING", "wait.login_required");
      return { kind: "pause", reason: "login_required" };
    case "transient":
    case "rate_limited":
    case "session_expired":
      return backoff(ctx, e);
    default:
      if (unexpected) return unexpected(e);
      return backoff(ctx, e);
  }
}

/**
 * The account's study window, daily media cap or a break. Like a student closing the player (for the
 * night, or for a rest), the video starts again (isdrag 3) where it stopped, and the phone's one-video
 * lock goes to whoever waits for it meanwhile.
 */
async function limitWait(ctx: Ctx, reason: WaitReason, waitMs: number): Promise<Outcome> {
  const { s } = ctx;
  if (s.media) prepareMediaRestart(s.media);
  if (s.holdsVideo) await releaseVideo(ctx);
  log(ctx, "INFO", `wait.${reason}`, { until: shanghaiMinute(ctx.io.now() + waitMs) });
  return { kind: "next", delayMs: waitMs, reason };
}

function backoff(ctx: Ctx, e: OpError): Outcome {
  const { s } = ctx;
  s.failures++;
  if (s.failures > MAX_FAILURES) return fail("fail.upstream", { attempts: MAX_FAILURES, error: e.message });
  const wait = Math.max(backoffMs(s.failures, ctx.io.random()), e.retryAfterMs ?? 0);
  log(ctx, "WARNING", "wait.backoff", { error: e.message, seconds: Math.round(wait / 1000), attempt: s.failures });
  return { kind: "next", delayMs: wait, reason: "upstream" };
}

const kit: Kit = { onFailure };
