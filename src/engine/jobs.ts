import { leaveJob, log, next, passJob } from "./book";
import { chapterDone, mergeJobs } from "./chapters";
import { readDocument } from "./documents";
import { playLive } from "./live";
import { playMedia } from "./media";
import { itemLabel } from "./progress";
import type { StoredJob } from "./state";
import type { Book, Ctx, Kit, Outcome, Spot } from "./types";

/** Re-reads of a chapter after its jobs, for task points that appear once earlier ones pass. */
const MAX_REREADS = 2;

/** Phase "job": the chapter's jobs in turn, each by its kind; then the chapter again (bounded), or the next. */
export async function doJob(ctx: Ctx, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  // Jobs that need no call are passed over in the same step (bounded by the chapter's job list).
  while (s.ji < s.jobs.length) {
    const job = s.jobs[s.ji]!;
    if (!job.required || job.isPassed || job.handled) {
      s.ji++;
      continue;
    }
    switch (job.type) {
      case "quiz":
        if (s.notopen.returnTo === null) log(ctx, "INFO", "job.quiz_left", { item: job.name });
        leaveJob(ctx, job, "left.quiz");
        s.ji++;
        continue;
      case "live":
        return playLive(ctx, job, kit);
      case "other":
        leaveJob(ctx, job, "left.unsupported");
        log(ctx, "WARNING", "job.unsupported", { item: job.name, type: job.rawType });
        s.ji++;
        continue;
      case "document":
      case "read":
        return readDocument(ctx, job, kit);
      case "video":
      case "audio":
        if (job.mid === null) {
          leaveJob(ctx, job, "left.transcode_failed");
          log(ctx, "WARNING", "job.transcode_failed", { item: itemLabel(job) });
          s.ji++;
          continue;
        }
        return playMedia(ctx, walkSpot(ctx, job), job, kit);
    }
  }
  if (s.notopen.returnTo !== null) {
    s.phase = "visit";
    return next();
  }
  // Later task points of a chapter can appear only once the earlier ones passed: read it again (bounded).
  if (s.worked && (s.rereads ?? 0) < MAX_REREADS) {
    s.rereads = (s.rereads ?? 0) + 1;
    s.worked = false;
    s.tab = 0;
    s.phase = "cards";
    return next();
  }
  return chapterDone(ctx);
}

/** The walk's current media job. */
function walkSpot(ctx: Book, job: StoredJob): Spot {
  const { s } = ctx;
  return {
    course: s.courses[s.ci]!,
    chapter: s.chapters[s.hi]!,
    merge: (cards) => mergeJobs(s, cards, job.tab),
    finish(passed, why) {
      if (passed) {
        passJob(ctx, job);
        s.stats.mediaDoneSeconds += s.media?.duration ?? 0;
      } else if (why) leaveJob(ctx, job, ...why);
      s.ji++;
    },
  };
}
