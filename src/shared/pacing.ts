/**
 * The pacing of one Chaoxing account's requests (chaoxing-protocol.md "Failure signals", last line:
 * ≥0.5 s between ordinary calls, ≥2 s plus jitter between reports): the account's `Pacer`
 * (src/chaoxing/paced.ts) keeps it, and the forecast (src/shared/forecast.ts) counts it. Constants only:
 * the dashboard bundles this file.
 */

/** The gap after every request of one account. */
export const CALL_GAP_MS = 500;
/** The longer gap between two progress reports, and its random extra. */
export const REPORT_GAP_MS = 2_000;
export const REPORT_JITTER_MS = 1_000;
/** The player reports every this many seconds of media (`reportTimeInterval`; chaoxing-protocol.md "Completing jobs" step 6) when the page gives none. */
export const REPORT_INTERVAL_S = 60;
