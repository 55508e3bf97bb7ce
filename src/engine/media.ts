import { rtCandidates } from "../chaoxing/marg";
import type { MediaJob } from "../chaoxing/types";
import { CALL_GAP_MS, MAX_END_REPORTS, playSpeed } from "../shared/pacing";
import { call, log, mmss, next } from "./book";
import { captureFirst, verifyCapture } from "./capture";
import {
  finishMedia, maxGapS, maxStepS, nextReportMs, prepareMediaRestart, recoverForbidden, reportIntervalMs, reportJitterMs, watch,
} from "./player";
import { itemLabel } from "./progress";
import { resyncMedia } from "./restart";
import { intervalS, type CourseEntry, type EngineState, type MediaRun, type StoredJob } from "./state";
import type { Ctx, Kit, Outcome, Spot } from "./types";

/**
 * Video and audio (phase "job", and a rolled-back one studied again in phase "verify"): the player's
 * status, its reports on the player's cadence (src/engine/player.ts), the end reports and the one re-watch.
 */

/** Waiting tasks poll this rarely: the holder's release wakes the next one at once. */
const LOCK_POLL_MS = 60_000;

/** Video/audio on the player's cadence: status → isdrag 3 → 0 … → 4 until passed → confirm on the card. */
export async function playMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, kit: Kit): Promise<Outcome> {
  const { s, io } = ctx;
  const course = spot.course;
  // One video at a time per Chaoxing account: hold the account's lock (or wait in its queue). Asked on
  // every media step: a holder that waited too long may have lost it, and then plays nothing until it
  // is its turn again (and restarts with isdrag 3 where it was).
  const lock = await io.acquireVideo();
  if (!lock.granted) {
    if (s.holdsVideo && s.media) prepareMediaRestart(s.media);
    s.holdsVideo = false;
    return { kind: "next", delayMs: LOCK_POLL_MS, reason: "waiting_for_account", queuePosition: lock.position };
  }
  s.holdsVideo = true;
  if (!s.media || s.media.jobid !== job.jobid) s.media = newMediaRun(s, job, course);
  const m = s.media;
  if (m.resync) return resyncMedia(ctx, spot, job, m, kit);
  if (m.captureCheck) return verifyCapture(ctx, spot, job, m, kit);
  if (m.dtoken === null) {
    const r = await call(ctx, { op: "status", objectId: job.objectId, media: job.type });
    if (!r.ok) {
      return kit.onFailure(ctx, r, (e) => finishMedia(ctx, spot, job, false, e.kind === "not_ready" ? ["left.not_ready"] : ["left.odd_reply", { error: e.message }]));
    }
    m.dtoken = r.value.dtoken;
    m.duration = r.value.duration;
    m.end = Math.min(job.clip?.[1] ?? m.duration, m.duration);
    m.playingTime = Math.min(Math.max(m.playingTime, job.clip?.[0] ?? 0), m.end);
    if (m.stage === "start" && m.recoveries === 0) m.basePlay = m.playingTime;
    job.seconds = m.end - (job.clip?.[0] ?? 0);
    if (m.stage === "start" && m.recoveries === 0) {
      s.stats.mediaSeen++;
      s.stats.mediaSeenSeconds += job.seconds;
      // A card at the end but not passed is unpassed: watched again from the start, not reported at its end.
      if (m.playingTime >= m.end && !m.rewatch) {
        rewatchMedia(ctx, spot, job, m);
        return next();
      }
      // Too far ahead of real time at the end for the end reports to cover: 1× from the start (`playSpeed`).
      const speed = playSpeed(m.speed, m.end - m.playingTime, intervalS(s));
      const tooFar = speed !== m.speed;
      m.speed = speed;
      const code = tooFar ? "media.start_long" : m.speed === s.speed ? "media.start" : job.fastPlayback ? "media.start_realtime" : "media.start_1x";
      log(ctx, "INFO", code, { item: itemLabel(job), at: mmss(m.playingTime), duration: mmss(m.end), speed: m.speed });
    }
    return next();
  }
  if (m.stage === "confirm") {
    const r = await call(ctx, { op: "cards", course, chapterId: spot.chapter.id, num: job.tab });
    if (!r.ok) return kit.onFailure(ctx, r, () => finishMedia(ctx, spot, job, true));
    // The re-read card may carry task points that unlocked when this one passed.
    spot.merge(r.value);
    const card = r.value.jobs.find((j) => j.jobid === job.jobid);
    if (!card || card.isPassed) return finishMedia(ctx, spot, job, true);
    m.stage = "end";
    return next(reportIntervalMs(s, m));
  }

  const now = io.now();
  const maxStep = maxStepS(s);
  let isdrag: 0 | 3 | 4;
  let playingTime = m.playingTime;
  let elapsed = 0;
  if (m.stage === "start") {
    isdrag = 3;
  } else {
    // Media time advances with real time at this video's speed, never faster (at most one and a half intervals).
    // At the end the position no longer moves: the real time sat there is what an end report covers, up to
    // `maxStep` of it, as the end reports' plan below counts it (not `maxStep / speed`, a media bound).
    const realS = Math.max(0, (now - (m.lastReportAt ?? now)) / 1000);
    elapsed = Math.min(realS, m.stage === "end" ? maxStep : maxGapS(s, m));
    playingTime = Math.min(m.end, m.playingTime + elapsed * m.speed);
    isdrag = playingTime >= m.end ? 4 : 0;
  }
  const r = await call(ctx, {
    op: "report",
    params: {
      course,
      job: {
        jobid: job.jobid, objectId: job.objectId, otherInfo: job.otherInfo, type: job.type, attDuration: job.attDuration,
        attDurationEnc: job.attDurationEnc, videoFaceCaptureEnc: job.videoFaceCaptureEnc, clip: job.clip, reportUrl: job.reportUrl,
      },
      dtoken: m.dtoken,
      duration: m.duration,
      playingTime,
      isdrag,
      rt: [m.rt[0]!],
      dtype: m.dtype,
    },
  });
  if (!r.ok) {
    if ("error" in r && r.error.kind === "forbidden") return reportRefused(ctx, spot, job);
    return kit.onFailure(ctx, r, (e) => finishMedia(ctx, spot, job, false, ["left.odd_reply", { error: e.message }]));
  }
  watch(s, m, elapsed, course);
  m.playingTime = playingTime;
  m.lastReportAt = now;
  m.rt = [r.value.rt, ...m.rt.filter((x) => x !== r.value.rt)];
  delete m.randomGaps;
  m.endReports = isdrag === 4 ? (m.endReports ?? 0) + 1 : 0;
  const sent = Math.floor(playingTime);
  const interval = reportIntervalMs(s, m) + reportJitterMs(m, sent);
  // The real time still owed before the platform credits the end (2026: completion needs the video's length).
  const owedMs = Math.max(0, (m.end - m.basePlay - m.watched) * 1000);
  if (isdrag === 4) {
    if (r.value.isPassed) {
      m.stage = "confirm";
      return next(CALL_GAP_MS * 4);
    }
    m.stage = "end";
    // Not passed once the real time is covered, or with more owed than the end reports left can cover (a
    // longer silence than `maxStep` between two reports is no watching): from the start at 1×, once; then
    // the user's.
    const left = MAX_END_REPORTS - m.endReports;
    if (owedMs === 0 || owedMs > left * (maxStep * 1000)) {
      if (m.rewatch) return finishMedia(ctx, spot, job, false, ["left.rewatch_not_passed"]);
      rewatchMedia(ctx, spot, job, m);
      return next(CALL_GAP_MS * 4);
    }
    // Repeated while real time is owed, spread over the end reports left, the last one just after it is covered.
    const wait = left === 1 ? owedMs + 1_500 : Math.min(owedMs + 1_500, Math.max(interval, owedMs / left));
    return next(Math.max(CALL_GAP_MS * 4, Math.round(wait)));
  }
  m.stage = "play";
  return next(nextReportMs(s, m, sent));
}

/**
 * The one re-watch (protocol "Corrections of 2026-12", item 5, and ocsjs's tracker, #265): an end the platform
 * did not pass is watched again from the start (the clip's), at 1×, with a fresh isdrag 3; the real time
 * it needs is the whole part again. Its course credits only real watching: its other videos play at 1×
 * ("strict courses can only be done at 1×"), as more would only cost a re-watch.
 */
function rewatchMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, m: MediaRun): void {
  const begins = job.clip?.[0] ?? 0;
  spot.course.realTimeOnly = true;
  m.rewatch = true;
  m.speed = 1;
  m.playingTime = begins;
  // The clock starts again too: its floor is this playthrough's, not the one before.
  m.shown = begins;
  m.basePlay = begins;
  m.watched = 0;
  m.stage = "start";
  m.lastReportAt = null;
  m.endReports = 0;
  log(ctx, "INFO", "media.rewatch", { item: itemLabel(job), duration: mmss(m.end) });
}

function newMediaRun(s: EngineState, job: MediaJob, course: CourseEntry): MediaRun {
  const start = Math.floor(job.playTimeMs / 1000);
  return {
    jobid: job.jobid,
    dtoken: null,
    duration: 0,
    end: 0,
    playingTime: start,
    basePlay: start,
    watched: 0,
    // The user's speed is a ceiling: 1× where the course forbids fast playback, or credits only real watching.
    speed: job.fastPlayback && !course.realTimeOnly ? s.speed : 1,
    rt: rtCandidates(job),
    dtype: job.type === "audio" ? "Audio" : "Video",
    stage: "start",
    lastReportAt: null,
    recoveries: 0,
  };
}

/**
 * 403 on a report: first the card is read again, for a course that captures stops at its first refusal
 * (src/engine/capture.ts); otherwise the usual recovery.
 */
async function reportRefused(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob): Promise<Outcome> {
  ctx.signal = "forbidden";
  return captureFirst(ctx, job) ?? recoverForbidden(ctx, spot, job);
}
