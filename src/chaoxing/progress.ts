import type { JobCount } from "./types";

/**
 * Course progress 0–100 from chapter job counts (the course list carries none), or null when unknown.
 * Floored so an unfinished course never shows 100; a course without task points counts as complete.
 * Chaoxing refuses the counts with a 200 whose every count is zero: that is "unknown", never 100 %.
 */
export function courseProgress(counts: Iterable<JobCount>): number | null {
  const all = [...counts];
  if (all.length === 0) return 100;
  if (all.every((c) => c.totalcount === 0 && c.finishcount === 0 && c.unfinishcount === 0 && c.openlock === 0 && c.clickcount === 0)) return null;
  let total = 0;
  let done = 0;
  for (const c of all) {
    total += c.totalcount;
    done += Math.min(c.finishcount, c.totalcount);
  }
  if (total === 0) return 100;
  return Math.floor((done * 100) / total);
}
