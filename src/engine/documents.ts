import type { DocumentJob, ReadJob } from "../chaoxing/types";
import { call, leaveJob, log, next, passJob } from "./book";
import { chapterDone, skipChapter } from "./chapters";
import { itemLabel } from "./progress";
import type { StoredJob } from "./state";
import type { Ctx, Kit, Outcome } from "./types";

/** A document or a read (one call marks it done), and the visit of a chapter without task points. */

export async function readDocument(ctx: Ctx, job: (DocumentJob | ReadJob) & StoredJob, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  const r = job.type === "document"
    ? await call(ctx, { op: "document", course, chapterId: chapter.id, job })
    : await call(ctx, { op: "read", course, chapterId: chapter.id, job });
  if (!r.ok) {
    return kit.onFailure(ctx, r, (e) => {
      leaveJob(ctx, job, "left.odd_reply", { error: e.message });
      log(ctx, "WARNING", "job.odd_reply", { item: itemLabel(job), error: e.message });
      s.ji++;
      return next();
    });
  }
  if (r.value) {
    passJob(ctx, job);
    log(ctx, "INFO", "job.done", { item: itemLabel(job) });
  } else {
    leaveJob(ctx, job, "left.not_accepted");
    log(ctx, "WARNING", "job.refused", { item: itemLabel(job) });
  }
  s.ji++;
  return next();
}

/** Phase "visit": a chapter whose cards hold no task point is done by opening it. */
export async function visitChapter(ctx: Ctx, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  const chapter = s.chapters[s.hi]!;
  const r = await call(ctx, { op: "visit", course: s.courses[s.ci]!, chapterId: chapter.id });
  if (!r.ok) return kit.onFailure(ctx, r, (e) => skipChapter(ctx, "left.visit_failed", { error: e.message }));
  log(ctx, "INFO", "chapter.visited", { chapter: chapter.title });
  return chapterDone(ctx);
}
