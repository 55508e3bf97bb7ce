import { call, courseKey, log, next } from "./book";
import { finishAll } from "./courses";
import { logLine, type LogEvent } from "./log";
import { upgradeState, type EngineState, type LeftEntry } from "./state";
import type { Ctx, Failed, Kit, Outcome } from "./types";

/**
 * A completed task's recheck: the items left for the user are read again, those the user finished by hand
 * are cleared, and the task completes again.
 */

/** Whether a completed task has items left that a recheck could clear. */
export const canRecheck = (s: EngineState): boolean => s.phase === "done" && s.left.length > 0;

/** Starts re-reading the left items' chapters: those the user finished by hand are cleared, then the task completes again. */
export function startRecheck(s: EngineState): LogEvent[] {
  upgradeState(s);
  s.phase = "recheck";
  s.recheck = { i: 0, trees: {}, from: s.left.length };
  s.failures = 0;
  // What the user sees now is the honest figure; the recheck only adds what they finished.
  s.progressFloor = 0;
  return [logLine("INFO", "recheck.start", { n: s.left.length })];
}

/** One left item per step (one call): its chapter's card for a job, the course's chapter tree otherwise. */
export async function recheckStep(ctx: Ctx, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  const rc = (s.recheck ??= { i: 0, trees: {} });
  while (rc.i < s.left.length && !s.left[rc.i]!.ref) rc.i++;
  const entry = s.left[rc.i];
  if (!entry?.ref) return finishRecheck(ctx);
  const ref = entry.ref;
  const course = { courseId: ref.courseId, clazzId: ref.clazzId, cpi: ref.cpi };
  const keep = (): Outcome => {
    rc.i++;
    return next();
  };
  // The chapter still closed or still behind a face capture: the item stays (no course to skip here).
  const failed = (r: Failed) => ("error" in r && (r.error.kind === "face_check" || r.error.kind === "not_open") ? keep() : kit.onFailure(ctx, r, keep));
  if (ref.jobid && ref.chapterId) {
    const r = await call(ctx, { op: "cards", course, chapterId: ref.chapterId, num: ref.tab ?? 0 });
    if (!r.ok) return failed(r);
    const card = r.value.jobs.find((j) => j.jobid === ref.jobid);
    if (card?.isPassed) clearLeft(ctx, entry);
    else rc.i++;
    return next();
  }
  const key = courseKey(ref);
  let tree = rc.trees[key];
  if (!tree) {
    const r = await call(ctx, { op: "chapters", course });
    if (!r.ok) return failed(r);
    const finished = r.value.chapters.filter((c) => c.finished).map((c) => c.id);
    tree = rc.trees[key] = { finished, all: finished.length > 0 && finished.length === r.value.chapters.length };
  }
  if (ref.chapterId ? tree.finished.includes(ref.chapterId) : tree.all) clearLeft(ctx, entry);
  else rc.i++;
  return next();
}

/** The user did it: off the list, and its weight counts as passed for its course. */
function clearLeft(ctx: Ctx, entry: LeftEntry): void {
  const { s } = ctx;
  const ref = entry.ref!;
  const course = s.courses.find((c) => courseKey(c) === courseKey(ref));
  const whole = !ref.chapterId;
  s.left = s.left.filter((l) => l !== entry && !(whole && l.ref && courseKey(l.ref) === courseKey(ref)));
  if (course) {
    course.done = whole ? course.total : Math.min(course.total ?? 0, (course.done ?? 0) + ref.weight);
    if (whole) course.status = "done";
    // Done by the user, so no longer open (a chapter's count is not known here: it stays until the end).
    if (course.jobsOpen !== undefined && (whole || ref.jobid)) course.jobsOpen = whole ? (course.jobsDone ?? 0) : course.jobsOpen - 1;
  }
  log(ctx, "INFO", "recheck.cleared", { item: entry.item || entry.chapter || entry.course });
}

function finishRecheck(ctx: Ctx): Outcome {
  const { s } = ctx;
  // Said in so many words: what the user finished by hand, and what is still theirs to do.
  const from = s.recheck?.from ?? s.left.length;
  log(ctx, "INFO", "recheck.result", { done: Math.max(0, from - s.left.length), left: s.left.length });
  s.recheck = null;
  return finishAll(ctx);
}

