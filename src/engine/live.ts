import { CALL_GAP_MS } from "../shared/pacing";
import type { LiveJob } from "../chaoxing/types";
import { itemLabel } from "./progress";
import type { StoredJob } from "./state";
import { call, leaveJob, log, mmss, next, passJob, releaseVideo } from "./book";
import type { Ctx, Kit, Outcome, Why } from "./types";

/**
 * A live (直播) card (chaoxing-protocol.md, "Corrections of 2026-12" items 3 and 12, as the reference CLI
 * does it in api/live.py): the replay's length from `liveinfo`, then one `saveTimePc` a minute until the
 * replay's length is covered, then the card is read to see it passed. At real pace whatever the user's
 * speed (the platform credits a minute per call, not faster), holding the phone's one-video lock like a
 * video (one video or replay at a time per account: item 6; src/durable/phone.ts), and counted like one by
 * the user's limits (src/limits/account-limits.ts treats these calls as media): its minutes go into the
 * daily cap and the stretch before a break, and either stops it between two minutes, as a window's end
 * does. A live not started yet has nothing to replay: left for the user.
 */

/** One `saveTimePc` per minute of the replay, as the player records watching. */
const MINUTE_MS = 60_000;
/** Waiting tasks poll this rarely: the holder's release wakes the next one at once (as for videos). */
const LOCK_POLL_MS = 60_000;
/** Minutes reported past the replay's length before it is given up, if the card still does not say passed. */
const EXTRA_MINUTES = 3;

export async function playLive(ctx: Ctx, job: LiveJob & StoredJob, kit: Kit): Promise<Outcome> {
  const { s, io } = ctx;
  if (job.notStarted) return notStarted(ctx, job);
  const lock = await io.acquireVideo();
  if (!lock.granted) {
    s.holdsVideo = false;
    return { kind: "next", delayMs: LOCK_POLL_MS, reason: "waiting_for_account", queuePosition: lock.position };
  }
  s.holdsVideo = true;
  if (!s.live || s.live.jobid !== job.jobid) s.live = { jobid: job.jobid, duration: null, watched: 0, lastAt: null, stage: "watch" };
  const run = s.live;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;

  if (run.duration === null) {
    const r = await call(ctx, { op: "liveInfo", course, chapterId: chapter.id, job });
    if (!r.ok) return kit.onFailure(ctx, r, (e) => finish(ctx, job, false, ["left.odd_reply", { error: e.message }]));
    if (r.value.duration <= 0) return notStarted(ctx, job);
    run.duration = r.value.duration;
    job.seconds = r.value.duration;
    s.stats.mediaSeen++;
    s.stats.mediaSeenSeconds += r.value.duration;
    log(ctx, "INFO", "live.start", { item: itemLabel(job), duration: mmss(r.value.duration) });
    return next();
  }

  if (run.stage === "confirm") {
    const r = await call(ctx, { op: "cards", course, chapterId: chapter.id, num: job.tab });
    if (!r.ok) return kit.onFailure(ctx, r, () => finish(ctx, job, true));
    const card = r.value.jobs.find((j) => j.jobid === job.jobid);
    if (!card || card.isPassed) return finish(ctx, job, true);
    if (run.watched >= run.duration + EXTRA_MINUTES * 60) return finish(ctx, job, false, ["left.report_not_passed"]);
    run.stage = "watch";
    return next(MINUTE_MS);
  }

  // A minute between two records, whatever happened in between (a pause, a restart): never faster.
  const now = io.now();
  if (run.lastAt !== null && now - run.lastAt < MINUTE_MS) return next(run.lastAt + MINUTE_MS - now);
  const position = run.watched + 60;
  const r = await call(ctx, { op: "liveTime", course, job, position });
  if (!r.ok) return kit.onFailure(ctx, r, (e) => finish(ctx, job, false, ["left.odd_reply", { error: e.message }]));
  if (!r.value) return finish(ctx, job, false, ["left.not_accepted"]);
  run.watched = position;
  run.lastAt = now;
  s.stats.studySeconds += 60;
  course.studySeconds = (course.studySeconds ?? 0) + 60;
  if (run.watched >= run.duration) {
    run.stage = "confirm";
    return next(CALL_GAP_MS * 4);
  }
  return next(MINUTE_MS + Math.round(io.random() * 2_000));
}

function notStarted(ctx: Ctx, job: LiveJob & StoredJob): Outcome {
  leaveJob(ctx, job, "left.live_not_started");
  log(ctx, "WARNING", "live.not_started", { item: itemLabel(job) });
  ctx.s.ji++;
  return next();
}

async function finish(ctx: Ctx, job: LiveJob & StoredJob, passed: boolean, why: Why = ["left.report_not_passed"]): Promise<Outcome> {
  const { s } = ctx;
  if (passed) {
    passJob(ctx, job);
    s.stats.mediaDoneSeconds += s.live?.duration ?? 0;
    log(ctx, "INFO", "live.done", { item: itemLabel(job), duration: mmss(s.live?.duration ?? 0) });
  } else {
    leaveJob(ctx, job, ...why);
    log(ctx, "WARNING", "media.left", { item: itemLabel(job), reason: why[0], ...why[1] });
  }
  s.live = null;
  await releaseVideo(ctx);
  s.ji++;
  return next();
}
