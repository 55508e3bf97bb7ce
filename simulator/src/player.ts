/**
 * The platform's video player as the judgement of its reports assumes it (report.ts) and the rollback
 * of overlapping plays reads it (state.ts).
 */

/** The fastest playback the platform's player offers (and credits, where the course allows it). */
export const MAX_SPEED = 2;
/** Seconds of video time forgiven for timer and network jitter. */
export const SLACK_S = 3;
/**
 * [unverified] The player reports once a `reportTimeInterval` (60 s); a longer silence between two reports
 * (a pause, a closed tab) is not watching, so at most this much real time is credited per report.
 */
export const MAX_CREDIT_GAP_S = 90;
