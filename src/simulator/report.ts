import type { JobProgress } from "./state";

/** The fastest playback the platform's player offers (and credits, where the course allows it). */
export const MAX_SPEED = 2;
/** Seconds of video time forgiven for timer and network jitter. */
export const SLACK_S = 3;
/**
 * [unverified] The player reports once a `reportTimeInterval` (60 s); a longer silence between two reports
 * (a pause, a closed tab) is not watching, so at most this much real time is credited per report.
 */
export const MAX_CREDIT_GAP_S = 90;

export interface Judged {
  /** [begins, ends] of the played part, seconds */
  range: [number, number];
  /** fast playback allowed (`doublespeed` and `schooldoublespeed` not 0) */
  fastAllowed: boolean;
  /** 2026: completion needs the real time of the played part */
  realTime: boolean;
}

/**
 * Judges one valid progress report. A position ahead of what playback at the allowed speed (2×, or 1× where
 * the course forbids more) could have reached over the credited real time is answered `isPassed:false` and
 * not credited. The job passes when a credited report reaches the end of the played part and, in 2026,
 * the real time credited covers the part still to watch when playback began.
 */
export function judgeReport(p: JobProgress, playingTime: number, j: Judged, now: number): boolean {
  p.reports++;
  if (p.passed) return true;
  const [begins, ends] = j.range;
  if (p.firstReportAt === null) {
    p.firstReportAt = now;
    p.lastReportAt = now;
    p.playTimeS = Math.max(p.playTimeS, begins);
    p.basePlayS = p.playTimeS;
  }
  const gapS = Math.min(MAX_CREDIT_GAP_S, Math.max(0, (now - (p.lastReportAt ?? now)) / 1000));
  const speed = j.fastAllowed ? MAX_SPEED : 1;
  if (playingTime > p.basePlayS + speed * (p.watchedS + gapS) + SLACK_S) return false;
  p.watchedS += gapS;
  p.lastReportAt = now;
  p.playTimeS = Math.max(p.playTimeS, playingTime);
  const watchedEnough = !j.realTime || p.watchedS + SLACK_S >= ends - p.basePlayS;
  if (playingTime >= ends && watchedEnough) p.passed = true;
  return p.passed;
}
