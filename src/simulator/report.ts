import type { JobProgress } from "./state";

/** The fastest playback the platform credits (its player offers up to 2×). */
export const MAX_SPEED = 2;
/** Seconds of video time forgiven for timer and network jitter. */
export const SLACK_S = 3;

/**
 * Judges one valid progress report by real elapsed time since the job's first report. A position ahead of
 * what 2× playback could have reached is answered `isPassed:false` and not credited; the job passes when an
 * in-bounds report reaches the duration.
 */
export function judgeReport(p: JobProgress, playingTime: number, duration: number, now: number): boolean {
  p.reports++;
  if (p.passed) return true;
  if (p.firstReportAt === null) {
    p.firstReportAt = now;
    p.basePlayS = p.playTimeS;
  }
  const elapsedS = (now - p.firstReportAt) / 1000;
  if (playingTime > p.basePlayS + MAX_SPEED * elapsedS + SLACK_S) return false;
  p.playTimeS = Math.max(p.playTimeS, playingTime);
  if (playingTime >= duration) p.passed = true;
  return p.passed;
}
