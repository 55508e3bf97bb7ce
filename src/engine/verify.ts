import type { Job } from "../chaoxing/types";
import { chapterPageUrl } from "../chaoxing/urls";
import { ITEM_MARKS } from "../shared/live";
import { because, call, leave, log, next, refOf } from "./book";
import { finishAll } from "./courses";
import { dueChecks, markVerified, moveCredit, startVerify } from "./credit";
import { playMedia } from "./media";
import type { CourseEntry, PassedMedia, VerifyRun } from "./state";
import type { Book, Ctx, Kit, Outcome, Spot, Why } from "./types";

/** The next-morning check of media passed on earlier days (src/engine/credit.ts keeps their credit). */

const entryLabel = (e: PassedMedia): string => `${ITEM_MARKS[e.type]} ${e.name}`;

/**
 * Phase "verify": the cards of the media passed on earlier days, one tab per step (every due item on it
 * judged at once), then each one rolled back studied again through the same player steps as the walk;
 * then back to where the walk was (or complete again).
 */
export async function verifyStep(ctx: Ctx, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  if (!s.verify) startVerify(s, ctx.io.now());
  const v = s.verify!;
  if (v.stage === "check") return checkStep(ctx, v, kit);
  const job = v.redo[0];
  const entry = job && (s.checks ?? []).find((e) => e.jobid === job.jobid && e.state === "rolled_back" && !e.left);
  const course = entry && s.courses.find((c) => c.courseId === entry.courseId && c.clazzId === entry.clazzId);
  if (!job || !entry || !course || (job.type !== "video" && job.type !== "audio")) {
    if (job) v.redo.shift();
    return job ? next() : endVerify(ctx, v);
  }
  return playMedia(ctx, redoSpot(ctx, v, course, entry), job, kit);
}

async function checkStep(ctx: Ctx, v: VerifyRun, kit: Kit): Promise<Outcome> {
  const { s, io } = ctx;
  const due = dueChecks(s, io.now());
  const first = due[0];
  if (!first) {
    if (v.found === 0) {
      log(ctx, "INFO", "verify.ok", { n: v.verified });
      return endVerify(ctx, v);
    }
    log(ctx, "WARNING", "verify.rolled_back", { n: v.found });
    ctx.rolledBack = v.found;
    v.stage = "redo";
    return next();
  }
  const group = due.filter((e) => e.courseId === first.courseId && e.clazzId === first.clazzId && e.chapterId === first.chapterId && e.tab === first.tab);
  const course = s.courses.find((c) => c.courseId === first.courseId && c.clazzId === first.clazzId);
  const miss = (): Outcome => {
    for (const e of group) {
      e.misses = (e.misses ?? 0) + 1;
      v.missed.push(e.jobid);
    }
    return next();
  };
  if (!course) return miss();
  const r = await call(ctx, { op: "cards", course, chapterId: first.chapterId, num: first.tab });
  if (!r.ok && "waitMs" in r && r.reason === "outside_window" && v.resume === "done" && v.verified === 0 && v.found === 0) {
    // A completed task reopened before the account's study window: it stays completed until the window opens.
    s.verify = null;
    s.phase = "done";
    return { kind: "complete", quiet: true, checkAt: io.now() + r.waitMs };
  }
  if (!r.ok) return "error" in r && r.error.kind === "not_open" ? miss() : kit.onFailure(ctx, r, miss);
  for (const e of group) {
    const card = r.value.jobs.find((j) => j.jobid === e.jobid);
    if (!card) {
      e.misses = (e.misses ?? 0) + 1;
      v.missed.push(e.jobid);
    } else if (card.isPassed) markVerified(s, e);
    else rolledBack(ctx, v, course, e, card);
  }
  return next();
}

/** The platform took a passed item back: its credit goes, and it is studied again (once), else left. */
function rolledBack(ctx: Ctx, v: VerifyRun, course: CourseEntry, e: PassedMedia, card: Job): void {
  const { s } = ctx;
  log(ctx, "WARNING", "verify.video_rolled_back", { item: entryLabel(e), day: e.day });
  moveCredit(s, e, -1);
  e.state = "rolled_back";
  if (e.redone || (card.type !== "video" && card.type !== "audio")) {
    leaveRolledBack(ctx, course, e, ["left.rolled_back_again"]);
    return;
  }
  v.found++;
  v.redo.push({ ...card, tab: e.tab });
}

function leaveRolledBack(ctx: Book, course: CourseEntry, e: PassedMedia, why: Why): void {
  e.left = true;
  leave(ctx, {
    course: course.name, chapter: e.chapter, item: e.name, kind: e.type, ...because(...why),
    url: chapterPageUrl(ctx.io.urls, course, e.chapterId, course.enc ?? null),
    ref: refOf(course, e.weight, { chapterId: e.chapterId, jobid: e.jobid, tab: e.tab }),
  });
  log(ctx, "WARNING", "media.left", { item: entryLabel(e), reason: why[0], ...why[1] });
}

/** A rolled-back item studied again: passed, its credit comes back (once); else it is the user's. */
function redoSpot(ctx: Ctx, v: VerifyRun, course: CourseEntry, e: PassedMedia): Spot {
  return {
    course,
    chapter: { id: e.chapterId, title: e.chapter },
    merge: () => undefined,
    finish(passed, why) {
      v.redo.shift();
      if (passed) moveCredit(ctx.s, e, 1);
      else if (why) leaveRolledBack(ctx, course, e, why);
    },
  };
}

/** Back to the walk where it was; a completed task completes again (quietly when nothing was rolled back). */
function endVerify(ctx: Book, v: VerifyRun): Outcome {
  const { s } = ctx;
  s.verify = null;
  s.phase = v.resume;
  if (v.resume !== "done") return next();
  if (v.found === 0 && s.left.length === v.leftBefore) return { kind: "complete", quiet: true };
  return finishAll(ctx);
}
