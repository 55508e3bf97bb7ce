import type { MediaUsage, StudyLimits } from "../limits/study-limits";
import { firstBad, is, isObject, type Raw, type RecordFormat } from "../lib/versioned";

/**
 * The records of a user's binding of a phone (src/durable/account.ts: session, limits, today's usage) and
 * of the phone object (src/durable/phone.ts: the video lock), versioned like the others
 * (src/lib/versioned.ts). Their first version is the shape 0.1.0 kept, without `v`, in its one object per
 * phone; src/durable/account-legacy.ts hands those over once. Each step below is that upgrade, so a record
 * of any earlier shape loads, and one a later release wrote (after a rollback) is not taken for today's.
 */

// The shapes stored today, here beside their formats so the modules that keep them import this one alone.

/** The stored session (version 2; an earlier release's is adopted once, src/durable/account-legacy.ts). */
export interface SessionRecord {
  v: 2;
  jar: string | null;
  /** Hash of the credentials that last logged in: the saved password must be the one that opened this session. */
  verifier: string | null;
  /** Times of the successful logins of the last day: the daily login budget. */
  logins: number[];
  /** Chaoxing answers 202 (risk control) since `since`; `probed`: its one fresh login was spent. */
  risk: { since: number; probed: boolean } | null;
  /**
   * A QR-bound session found ended (at this time): its tasks pause until a scan, and the user was told
   * once (absent in records written before QR login).
   */
  qrLost?: number | null;
}

/** The stored settings (version 2: with `breakAfterMinutes`; the earlier release's are adopted by src/durable/account-legacy.ts). */
export interface LimitsRecord extends StudyLimits {
  v: 2;
}

/** The stored record (version 2; what the earlier release stored in `acct:<phone>` is adopted by src/durable/account-legacy.ts). */
export interface UsageRecord extends MediaUsage {
  v: 2;
  /** What a cold load takes for `seconds` and `streakMs` unless the record is the latest. */
  boundSeconds: number;
  boundStreakMs: number;
  /** Written at the latest report (every report was being written): a cold load takes it as it is. */
  latest: boolean;
}

export interface RefusalsRecord {
  v: 2;
  at: number[];
}

/** The code being scanned, its jar sealed: an eviction between two polls loses nothing (src/durable/account-qr.ts). */
export interface PendingQrRecord {
  v?: number;
  uuid: string;
  enc: string;
  jar: string;
  expiresAt: number;
}

export interface LockRecord {
  v: 1;
  holder: number | null;
  queue: number[];
  /** When the first task began to wait behind the current holder (null: nobody waits); its turn ends TURN_MS later. */
  contestedSince: number | null;
}

const unchanged = (r: Raw): Raw => r;
const object = (r: Raw): Record<string, unknown> => {
  if (!isObject(r)) throw new TypeError("not an object");
  return r;
};
const ints = (v: unknown): boolean => Array.isArray(v) && v.every(is.int);

/** The session: sealed cookie jar, the verifier of the credentials that opened it, the day's logins, risk control. */
export const SESSION_RECORD: RecordFormat<SessionRecord> = {
  name: "account session",
  // 0.1.0 kept no login times nor risk state beside the jar in some records.
  steps: [unchanged, (r) => ({ ...object(r), logins: object(r).logins ?? [], risk: object(r).risk ?? null })],
  // `qrLost` (a QR-bound session found ended) is absent in records from before QR login.
  check: (r) =>
    firstBad(r, {
      jar: is.nullable(is.str), verifier: is.nullable(is.str), logins: ints, risk: is.nullable(is.obj), qrLost: (v) => v === undefined || is.nullable(is.num)(v),
    }),
};

/** The user's own limits (only once edited). */
export const LIMITS_RECORD: RecordFormat<LimitsRecord> = {
  name: "study limits",
  // 0.1.0 had no breaks: the longest stretch the deployment allows (reads keep it within the rules).
  steps: [unchanged, (r) => ({ ...object(r), breakAfterMinutes: Number.MAX_SAFE_INTEGER })],
  check: (r) =>
    firstBad(r, {
      windowStart: is.str, windowEnd: is.str, dailyCapMinutes: is.num, videoGapSeconds: is.num, videoGapJitterSeconds: is.num, breakAfterMinutes: is.num,
    }),
};

/** Today's media count and stretch, with the bounds a cold load takes (src/limits/usage-book.ts). */
export const USAGE_RECORD: RecordFormat<UsageRecord> = {
  name: "media usage",
  // 0.1.0 counted no stretch and wrote every report: exact, no stretch under way.
  steps: [
    unchanged,
    (r) => {
      const u = object(r);
      return { ...u, streakMs: 0, lastMediaAt: null, breakUntil: null, boundSeconds: u.seconds, boundStreakMs: 0, latest: false };
    },
  ],
  check: (r) =>
    firstBad(r, {
      day: is.str, seconds: is.num, playingTime: is.num, nextVideoAt: is.num, streakMs: is.num, boundSeconds: is.num, boundStreakMs: is.num, latest: is.oneOf(true, false),
    }),
};

/** The phone's one-video lock: who plays, who waits, since when. */
export const LOCK_RECORD: RecordFormat<LockRecord> = {
  name: "video lock",
  // 0.1.0 had no turns: nobody's wait has begun counting.
  steps: [(r) => ({ ...object(r), contestedSince: null })],
  check: (r) => firstBad(r, { holder: is.nullable(is.int), queue: ints, contestedSince: is.nullable(is.num) }),
};

/** Refused passwords of the last half hour (src/durable/login-refusals.ts); 0.1.0's, kept per phone, are never adopted. */
export const REFUSALS_RECORD: RecordFormat<RefusalsRecord> = {
  name: "login refusals",
  steps: [unchanged, unchanged],
  check: (r) => firstBad(r, { at: ints }),
};

/**
 * A user's QR code being scanned (src/durable/account-qr.ts), in the user's pending-QR object; its first
 * version is its first release's, so there is no earlier shape to upgrade.
 */
export const QR_PENDING_RECORD: RecordFormat<PendingQrRecord> = {
  name: "pending QR login",
  steps: [unchanged],
  check: (r) => firstBad(r, { uuid: is.str, enc: is.str, jar: is.str, expiresAt: is.num }),
};
