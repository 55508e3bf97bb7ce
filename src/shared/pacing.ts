/**
 * The pacing of one Chaoxing account's requests (chaoxing-protocol.md "Failure signals", last line:
 * ≥0.5 s between ordinary calls, ≥2 s plus jitter between reports): the account's `Pacer`
 * (src/chaoxing/paced.ts) keeps it, and the forecast (src/shared/forecast.ts) counts it; and the speed a
 * video plays at, which the engine uses and the forecast counts. Pure: the dashboard bundles this file.
 */

/** The gap after every request of one account. */
export const CALL_GAP_MS = 500;
/** The longer gap between two progress reports, and its random extra. */
export const REPORT_GAP_MS = 2_000;
export const REPORT_JITTER_MS = 1_000;
/** The player reports every this many seconds of media (`reportTimeInterval`; chaoxing-protocol.md "Completing jobs" step 6) when the page gives none. */
export const REPORT_INTERVAL_S = 60;

/** The most one report may cover: one and a half intervals of media (at the end, of real time sat there). */
export const MAX_STEP_INTERVALS = 1.5;
/**
 * End reports in a row (chaoxing-protocol.md "Corrections of 2026-12", item 5): repeating the end report is
 * reported not to pass a video ("在结尾反复重报没有意义，必须从头回看一遍"), so at most this many, the last one
 * once the real time is covered, and none beyond the first when they could not cover it; then the video is
 * watched again from the start at 1×, once (src/engine/step.ts).
 */
export const MAX_END_REPORTS = 3;

/**
 * The speed a video plays at from `remainingS` before its end: the one asked for, unless the lead over real
 * time it would have at the end is more than the end reports can cover. The platform credits real time, and
 * only three end reports may cover that lead (chaoxing-protocol.md "Corrections of 2026-12", item 5): such a
 * re-watch is certain, so the video plays at 1× from the start instead of throwing its fast half-run away.
 * The engine decides with it (src/engine/step.ts `playMedia`), the forecast counts with it.
 */
export function playSpeed(speed: number, remainingS: number, intervalS: number = REPORT_INTERVAL_S): number {
  const lead = remainingS * (1 - 1 / speed);
  return speed > 1 && lead > MAX_END_REPORTS * MAX_STEP_INTERVALS * intervalS ? 1 : speed;
}
