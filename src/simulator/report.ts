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
  /**
   * Strict real time (protocol "Corrections of 2026-12", item 5): time spent at the end position is not
   * watching, and the recorded position is the last accepted report's, even one not credited.
   */
  strict: boolean;
}

/**
 * Judges one valid progress report. A position ahead of what playback at the allowed speed (2×, or 1× where
 * the course forbids more) could have reached over the credited real time is answered `isPassed:false` and
 * not credited. The job passes when a credited report reaches the end of the played part and, in 2026,
 * the real time credited covers the part still to watch when playback began. In a strict course (`strict`)
 * the end position credits no time, so only a re-watch from an earlier position can pass a video that
 * reached its end too fast.
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
  if (playingTime > p.basePlayS + speed * (p.watchedS + gapS) + SLACK_S) {
    // "平台记的 playTime 是'看到的位置'": strict, the position is recorded though nothing is credited.
    if (j.strict) p.playTimeS = playingTime;
    return false;
  }
  // Strict: a player sitting at the end (the last position recorded there) watches nothing meanwhile.
  p.watchedS += j.strict && p.playTimeS >= ends ? 0 : gapS;
  p.lastReportAt = now;
  // Strict, the position is where the last report was (a restart from 0 goes back to 0); else the furthest.
  p.playTimeS = j.strict ? playingTime : Math.max(p.playTimeS, playingTime);
  const watchedEnough = !j.realTime || p.watchedS + SLACK_S >= ends - p.basePlayS;
  if (playingTime >= ends && watchedEnough) p.passed = true;
  return p.passed;
}
