import type { JobCount } from "./types";

/**
 * Course progress 0–100 from chapter job counts (the course list carries none). Floored so an unfinished
 * course never shows 100; a course without task points counts as complete.
 */
export function courseProgress(counts: Iterable<JobCount>): number {
  let total = 0;
  let done = 0;
  for (const c of counts) {
    total += c.totalcount;
    done += Math.min(c.finishcount, c.totalcount);
  }
  if (total === 0) return 100;
  return Math.floor((done * 100) / total);
}
