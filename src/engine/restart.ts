import type { MediaJob } from "../chaoxing/types";
import { next } from "./book";
import { finishMedia, maxGapS, nextReportMs, prepareMediaRestart, watch } from "./player";
import { upgradeState, type EngineState, type MediaRun, type StoredJob } from "./state";
import type { Ctx, Kit, Outcome, Spot } from "./types";

/**
 * A task's restart: a checkpoint loaded after an eviction, the boundaries a checkpoint must not miss, and
 * the player after a pause or a resume (the task object calls these: src/durable/task.ts, task-loop.ts,
 * task-records.ts; `resyncMedia` is a media step, src/engine/media.ts).
 */

/**
 * After an eviction the video goes on from the platform's position: its card's `playTime` (the furthest
 * accepted report). The playing the checkpoint missed is credited once, as real time at the video's speed,
 * so counters never go back and never count twice; time spent in the end stage (the position no longer
 * moves) is not recovered, which only makes the task wait and report a little longer, never less.
 *
 * A restart costs no watching: when the last accepted report can be dated (the checkpoint's own, or the
 * one the pending alarm followed: its due time less the gap that report scheduled, `nextReportMs`) and the
 * time since is within what one report may cover, the player goes on with a normal report, which the
 * platform credits with that time. Otherwise it starts again where it was (isdrag 3), as after a pause.
 */
export async function resyncMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, m: MediaRun, kit: Kit): Promise<Outcome> {
  const { s, io } = ctx;
  // Not through `call`: a re-read after a restart is no progress, so it does not end a run of failures.
  const r = await io.call({ op: "cards", course: spot.course, chapterId: spot.chapter.id, num: job.tab });
  if (!r.ok) return kit.onFailure(ctx, r, () => {
    // Not readable now: start again from the checkpoint's position (the platform never credits a report twice).
    m.resync = false;
    prepareMediaRestart(m);
    return next();
  });
  m.resync = false;
  const due = m.resyncDue;
  delete m.resyncDue;
  spot.merge(r.value);
  const card = r.value.jobs.find((j): j is MediaJob => j.jobid === job.jobid && (j.type === "video" || j.type === "audio"));
  if (card?.isPassed) return finishMedia(ctx, spot, job, true);
  const position = Math.min(card ? Math.floor(card.playTimeMs / 1000) : 0, m.end || Infinity);
  const reportedSince = position > m.playingTime;
  if (reportedSince) {
    const credited = (position - m.playingTime) / m.speed;
    watch(s, m, credited);
    m.playingTime = position;
  }
  // Before this release the gap's jitter was random: assume none, so the report never claims more than passed.
  const lastReport = !reportedSince
    ? (m.stage === "play" ? m.lastReportAt : null)
    : due === null || due === undefined || m.stage === "end"
      ? null
      : due - (m.randomGaps ? nextReportMs(s, m, position, false) - 1_000 : nextReportMs(s, m, position));
  if (lastReport !== null && m.stage !== "end" && position < m.end && (io.now() - lastReport) / 1000 <= maxGapS(s, m)) {
    m.stage = "play";
    m.lastReportAt = lastReport;
  } else {
    prepareMediaRestart(m);
  }
  return next();
}

/** A checkpoint loaded after an eviction: a video in progress first re-reads where the platform has it. */
export function resumeCold(s: EngineState): void {
  upgradeState(s);
  if (!s.media || s.media.stage === "confirm") return;
  s.media.resync = true;
}

/**
 * The first alarm after such a load: when it was due (null when not known, as on a runtime's retry of an
 * alarm that may already have reported). It dates the last accepted report (`resyncMedia`).
 */
export function resumeAlarmDue(s: EngineState, due: number | null): void {
  if (s.media?.resync && s.media.resyncDue === undefined) s.media.resyncDue = due;
}

/**
 * The boundaries a checkpoint must not miss: every job passed or left, and every course begun, so a cold
 * load never does a finished job again nor logs it twice; and the start of a video, whose checkpoint keeps
 * where its playing began and the real time it needs (the platform's card gives its position, not those).
 * Between them a cold load only reads a tab or a chapter again. Within a video the position is the
 * platform's (`resumeCold`), so reports need no checkpoint. A re-watch from the start is a boundary too: a
 * cold load must not take it for the first watch; so are the stages of a next-morning check (an item found
 * rolled back moves `jobsDone`; one found still passed may be read again after a cold load, harmlessly).
 * Transitions are written too (src/durable/task.ts). The back-off count too: a restart must not start a
 * failing run's back-off over (a row per failure only).
 */
export const checkpointKey = (s: EngineState): string =>
  `${s.ci}|${s.stats.jobsDone}|${s.left.length}|${s.media?.jobid ?? ""}${s.media?.rewatch ? "+rewatch" : ""}|${s.verify?.stage ?? ""}|${s.failures}`;

/** After a pause, a restart or a captcha, media resumes with a fresh isdrag 3 at the saved playing time. */
export function prepareResume(s: EngineState): void {
  upgradeState(s);
  if (s.media) prepareMediaRestart(s.media);
  s.failures = 0;
}

