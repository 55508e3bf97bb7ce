import type { MediaJob } from "../chaoxing/types";
import { itemLabel } from "./progress";
import type { MediaRun, StoredJob } from "./state";
import { call, log, next } from "./book";
import { recoverForbidden } from "./player";
import type { Ctx, Kit, Outcome, Spot } from "./types";

/**
 * A refused report in a course that captures (chaoxing-protocol.md, "Corrections of 2026-12" item 2 and
 * "Consequences for a client"): the platform refuses reports past a capture that was never made, and
 * the rt switches and dtoken refetches of the usual recovery are then only the repeated 403s that put an
 * account at risk. A face course is left before a single report when its cards say so; but a course can
 * turn capture on while a video plays, or a checkpoint may come from a release that played such a course.
 * So the first 403 of a video is answered by reading its card again (one page, no report): if the course
 * now captures, the cards call fails with `face_check` and the course is left at once; otherwise the
 * usual recovery goes on.
 */

/** On a report 403: the card is to be read first (once per video); null when that was done already. */
export function captureFirst(ctx: Ctx, job: MediaJob & StoredJob): Outcome | null {
  const m = ctx.s.media!;
  if (m.captureChecked) return null;
  m.captureChecked = true;
  m.captureCheck = true;
  log(ctx, "WARNING", "report.capture_check", { item: itemLabel(job) });
  return next();
}

/**
 * The card re-read after a 403 (where the video is played: the walk's, or one studied again after a
 * rollback): a course that captures is left (`face_check`); otherwise the recovery.
 */
export async function verifyCapture(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, m: MediaRun, kit: Kit): Promise<Outcome> {
  const r = await call(ctx, { op: "cards", course: spot.course, chapterId: spot.chapter.id, num: job.tab });
  if (!r.ok) {
    // `face_check` leaves the course (onFailure); an odd answer leaves the question open: recover as usual.
    return kit.onFailure(ctx, r, () => {
      m.captureCheck = false;
      return recoverForbidden(ctx, spot, job);
    });
  }
  m.captureCheck = false;
  return recoverForbidden(ctx, spot, job);
}
