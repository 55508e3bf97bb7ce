/**
 * The safety limits of one user's Chaoxing account, as plain functions over plain data so tests, the
 * account object and the benchmark share them: a daily study window, a daily cap on media time, breaks
 * after a stretch of continuous media, and a gap between videos with jitter. They are there so the
 * account's day looks like a person's: finished videos are reported rolled back overnight after about
 * 20–24 h of video in a day, one user at 20 h/day (chaoxing-protocol.md "Corrections of 2026-12" item 6,
 * https://github.com/Samueli924/chaoxing/issues/588). Times of day are Asia/Shanghai (UTC+8, no DST),
 * like every "day" in this app.
 */
import { SHANGHAI_OFFSET_MS, shanghaiDay } from "../../shared/clock";

/** `HH:MM-HH:MM`; the end may be 24:00, and a window may wrap past midnight (22:00-02:00). */
export const WINDOW_RE = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const TIME_RE = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export interface StudyLimits {
  /** "HH:MM" */
  windowStart: string;
  /** "HH:MM" or "24:00" */
  windowEnd: string;
  dailyCapMinutes: number;
  videoGapSeconds: number;
  videoGapJitterSeconds: number;
  /** Minutes of continuous media (real time) after which a break is taken. */
  breakAfterMinutes: number;
}

/** What only the operator sets (`LIMIT_*` vars): how long a break lasts, and how far users may raise their limits. */
export interface LimitRules {
  breakMinMinutes: number;
  breakMaxMinutes: number;
  dailyCapMaxMinutes: number;
  breakAfterMaxMinutes: number;
}

/** Media time reported today and what the gap between videos needs, kept by the account object. */
export interface MediaUsage {
  /** The Shanghai day `seconds` counts. */
  day: string;
  /** Media seconds reported on `day`: how far the playing time moved, whatever the speed. */
  seconds: number;
  /** The job and playing time of the last report, to count only the advance of the next one. */
  jobid: string | null;
  playingTime: number;
  /** The media of the last report, and when another one may start (gap plus jitter, drawn once). */
  objectId: string | null;
  nextVideoAt: number;
  /** Real ms of media since the last break: reports closer together than the shortest break are one stretch. */
  streakMs: number;
  /** The last accepted report (null: none since the last break). */
  lastMediaAt: number | null;
  /** A break is on until then. */
  breakUntil: number | null;
}

export type LimitReason = "outside_window" | "daily_cap" | "break";

export interface LimitWait {
  waitMs: number;
  /** Shown on the task while it waits; null: the gap between videos, a short pacing wait. */
  reason: LimitReason | null;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Tasks waiting for the window or the next day do not all start on the same second. */
export const RESUME_JITTER_MS = 5 * MINUTE;

export const emptyUsage = (day: string): MediaUsage => ({
  day, seconds: 0, jobid: null, playingTime: 0, objectId: null, nextVideoAt: 0, streakMs: 0, lastMediaAt: null, breakUntil: null,
});

/** Media seconds as the API and the dashboard show them: minutes, one decimal. */
export const mediaMinutes = (seconds: number): number => Math.round((seconds / 60) * 10) / 10;

/** Minutes since midnight of `HH:MM` (24:00 is 1440). */
export function minuteOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

export function parseWindow(w: string): { windowStart: string; windowEnd: string } {
  const [windowStart, windowEnd] = w.split("-") as [string, string];
  return { windowStart, windowEnd };
}

/** Milliseconds since the Shanghai midnight of `now`. */
export const msOfDay = (now: number): number => (((now + SHANGHAI_OFFSET_MS) % DAY) + DAY) % DAY;

/** A window whose start equals its end, or 00:00-24:00, is always open. */
const alwaysOpen = (l: StudyLimits): boolean => {
  const s = minuteOf(l.windowStart);
  const e = minuteOf(l.windowEnd);
  return s === e % 1440 || (s === 0 && e === 1440);
};

export function inWindow(l: StudyLimits, now: number): boolean {
  if (alwaysOpen(l)) return true;
  const m = msOfDay(now) / MINUTE;
  const s = minuteOf(l.windowStart);
  const e = minuteOf(l.windowEnd);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** How long the window stays open from `now`: 0 outside it, Infinity when it is always open. */
export function windowLeftMs(l: StudyLimits, now: number): number {
  if (alwaysOpen(l)) return Infinity;
  if (!inWindow(l, now)) return 0;
  const untilEnd = minuteOf(l.windowEnd) * MINUTE - msOfDay(now);
  return untilEnd > 0 ? untilEnd : untilEnd + DAY;
}

/** How long until the window opens (0 inside it). */
export function windowWaitMs(l: StudyLimits, now: number): number {
  if (inWindow(l, now)) return 0;
  const untilStart = minuteOf(l.windowStart) * MINUTE - msOfDay(now);
  return untilStart > 0 ? untilStart : untilStart + DAY;
}

/** How long until the next Shanghai day when today's media time reached the cap (0 otherwise). */
export function capWaitMs(l: StudyLimits, u: MediaUsage, now: number): number {
  if (u.day !== shanghaiDay(now) || u.seconds < l.dailyCapMinutes * 60) return 0;
  return DAY - msOfDay(now);
}

/** How long a break that is on lasts still (0: none). */
export const breakWaitMs = (u: MediaUsage, now: number): number => Math.max(0, (u.breakUntil ?? 0) - now);

/** The first limit that holds an automated call back, or null. `objectId`: the media a status call asks for. */
export function limitWait(l: StudyLimits, u: MediaUsage, op: { media: boolean; objectId?: string }, now: number, random: number): LimitWait | null {
  const window = windowWaitMs(l, now);
  if (window > 0) return { waitMs: window + Math.round(random * RESUME_JITTER_MS), reason: "outside_window" };
  if (!op.media) return null;
  const cap = capWaitMs(l, u, now);
  if (cap > 0) return { waitMs: cap + windowWaitMs(l, now + cap) + Math.round(random * RESUME_JITTER_MS), reason: "daily_cap" };
  const pause = breakWaitMs(u, now);
  if (pause > 0) return { waitMs: pause, reason: "break" };
  // A new video (its status call) waits for the gap after the last one; the same video goes on.
  if (op.objectId !== undefined && op.objectId !== u.objectId && now < u.nextVideoAt) return { waitMs: u.nextVideoAt - now, reason: null };
  return null;
}

/**
 * Counts one accepted progress report: the advance of the playing time since the previous report of the
 * same job (a first report, isdrag 3, counts nothing); the stretch of continuous media, and a break of
 * `rules`' length (jittered) once it reaches `breakAfterMinutes`; and draws the gap before another video
 * may start. Two reports at least the shortest break apart are two stretches: the pause was a break.
 */
export function recordReport(
  l: StudyLimits,
  rules: Pick<LimitRules, "breakMinMinutes" | "breakMaxMinutes">,
  u: MediaUsage,
  report: { jobid: string; objectId: string; playingTime: number },
  now: number,
  random: () => number,
): MediaUsage {
  const day = shanghaiDay(now);
  const base = u.day === day ? u : { ...u, day, seconds: 0 };
  const advance = base.jobid === report.jobid ? Math.max(0, Math.floor(report.playingTime) - base.playingTime) : 0;
  const since = base.lastMediaAt === null ? null : now - base.lastMediaAt;
  let streakMs = since !== null && since < rules.breakMinMinutes * MINUTE ? base.streakMs + since : 0;
  let breakUntil = base.breakUntil;
  let lastMediaAt: number | null = now;
  if (streakMs >= l.breakAfterMinutes * MINUTE) {
    breakUntil = now + Math.round((rules.breakMinMinutes + random() * (rules.breakMaxMinutes - rules.breakMinMinutes)) * MINUTE);
    streakMs = 0;
    lastMediaAt = null;
  }
  return {
    day,
    seconds: base.seconds + advance,
    jobid: report.jobid,
    playingTime: Math.floor(report.playingTime),
    objectId: report.objectId,
    nextVideoAt: now + (l.videoGapSeconds + random() * l.videoGapJitterSeconds) * 1000,
    streakMs,
    lastMediaAt,
    breakUntil,
  };
}

/** Whether the account is held back now and when it goes on (before jitter), for the settings page. */
export function resumesAt(l: StudyLimits, u: MediaUsage, now: number): { status: "open" | LimitReason; at: number | null } {
  const window = windowWaitMs(l, now);
  if (window > 0) return { status: "outside_window", at: now + window };
  const cap = capWaitMs(l, u, now);
  if (cap > 0) return { status: "daily_cap", at: now + cap + windowWaitMs(l, now + cap) };
  const pause = breakWaitMs(u, now);
  if (pause > 0) return { status: "break", at: now + pause };
  return { status: "open", at: null };
}
