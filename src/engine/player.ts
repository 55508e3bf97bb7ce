import { rtCandidates } from "../chaoxing/marg";
import type { MediaJob } from "../chaoxing/types";
import { fnv1a } from "../../shared/encoding";
import { CALL_GAP_MS, MAX_STEP_INTERVALS } from "../shared/pacing";
import { log, mmss, next, releaseVideo } from "./book";
import { recordPassed } from "./credit";
import { itemLabel, jobWeight } from "./progress";
import { intervalS, type CourseEntry, type EngineState, type MediaRun, type StoredJob } from "./state";
import type { Ctx, Outcome, Spot, Why } from "./types";

/**
 * The player's clock and the end of a media run, shared by its playing (src/engine/media.ts), its restart
 * after an eviction (restart.ts), the capture check (capture.ts) and the step's waits (step.ts).
 */

const MAX_RECOVERIES = 2;

/** Real ms between two reports of a video: one report per `reportTimeInterval` of media at its speed. */
export const reportIntervalMs = (s: EngineState, m: Pick<MediaRun, "speed">): number => (intervalS(s) / m.speed) * 1000;

/** The most one report may cover: one and a half intervals of media (at the end, of real time sat there). */
export const maxStepS = (s: EngineState): number => intervalS(s) * MAX_STEP_INTERVALS;

/** The longest gap one report may cover while playing, in real seconds (that much media at its speed). */
export const maxGapS = (s: EngineState, m: MediaRun): number => maxStepS(s) / m.speed;

const REPORT_JITTER_MS = 2_000;

/**
 * A player's timer and network vary the gap between reports by up to REPORT_JITTER_MS. Here the reported
 * position fixes it, so after a restart the pending alarm's due time and the card's position tell when the
 * last accepted report was (`resyncMedia`).
 */
// The position first: FNV-1a mixes the characters that follow, so neighbouring positions spread.
export const reportJitterMs = (m: MediaRun, position: number): number => fnv1a(`${position}:${m.jobid}`) % (REPORT_JITTER_MS + 1);

/** Real ms from an accepted report at `position` (the whole seconds it sent) to the next: an interval, or the last stretch. */
export function nextReportMs(s: EngineState, m: MediaRun, position: number, jitter = true): number {
  const interval = reportIntervalMs(s, m) + (jitter ? reportJitterMs(m, position) : 0);
  const remainingMs = ((m.end - position) / m.speed) * 1000;
  return Math.max(CALL_GAP_MS * 4, Math.min(interval, Math.ceil(remainingMs) + 1_000));
}

export function finishMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, passed: true): Promise<Outcome>;
export function finishMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, passed: false, why: Why): Promise<Outcome>;
export async function finishMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, passed: boolean, why?: Why): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media;
  spot.finish(passed, why);
  if (passed) {
    // Verified credit: it awaits the check of a later morning (src/engine/credit.ts).
    recordPassed(s, spot.course, spot.chapter, job, { weight: jobWeight(s, job), duration: m?.duration ?? 0 }, ctx.io.now());
    log(ctx, "INFO", "media.done", { item: itemLabel(job), duration: mmss(m?.duration ?? 0) });
  } else if (why) {
    log(ctx, "WARNING", "media.left", { item: itemLabel(job), reason: why[0], ...why[1] });
  }
  s.media = null;
  await releaseVideo(ctx);
  return next();
}

/**
 * Real seconds of playing covered: counted in whole seconds as the video's total crosses them, so the
 * rounding of one report never adds up over the many of a long video (the platform credits real time).
 */
export function watch(s: EngineState, m: MediaRun, seconds: number, course?: CourseEntry): void {
  const counted = Math.round(m.watched + seconds) - Math.round(m.watched);
  m.watched += seconds;
  s.stats.studySeconds += counted;
  if (course) course.studySeconds = (course.studySeconds ?? 0) + counted;
}

/** Next rt candidate, then a fresh dtoken (audio also as Audio), then give up the job. */
export async function recoverForbidden(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media!;
  if (m.rt.length > 1) {
    m.rt.shift();
    log(ctx, "DEBUG", "report.rt_retry", { rt: m.rt[0]! });
    return next(CALL_GAP_MS * 4);
  }
  m.recoveries++;
  if (m.recoveries > MAX_RECOVERIES) return finishMedia(ctx, spot, job, false, ["left.report_forbidden"]);
  log(ctx, "WARNING", "report.forbidden", { item: itemLabel(job), attempt: m.recoveries });
  m.dtoken = null;
  m.rt = rtCandidates(job);
  m.stage = "start";
  m.lastReportAt = null;
  return next(CALL_GAP_MS * 4);
}

/** The player starts again where it was (isdrag 3): after a pause, a restart, a wait or a lost lock. */
export function prepareMediaRestart(m: MediaRun): void {
  if (m.stage === "confirm") return;
  m.stage = m.stage === "end" ? "end" : "start";
  m.lastReportAt = null;
  // A restart of the player: a cold load's pending resync no longer dates a report.
  if (m.resync) m.resyncDue = null;
}
