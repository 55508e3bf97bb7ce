/**
 * The safety limits of one Chaoxing account (issue 14), as plain functions over plain data so tests and
 * the account object share them: a daily study window, a daily cap on media time, and a gap between
 * videos with jitter. Times of day are Asia/Shanghai (UTC+8, no DST), like every "day" in this app.
 */
import { SHANGHAI_OFFSET_MS, shanghaiDay } from "../lib/clock";

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
}

export type LimitReason = "outside_window" | "daily_cap";

export interface LimitWait {
  waitMs: number;
  /**
   * Shown on the task while it waits. `waiting_for_account`: another user's egress carries this shared
   * account for now; null: the gap between videos, a short pacing wait.
   */
  reason: LimitReason | "waiting_for_account" | null;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Tasks waiting for the window or the next day do not all start on the same second. */
export const RESUME_JITTER_MS = 5 * MINUTE;

export const emptyUsage = (day: string): MediaUsage => ({ day, seconds: 0, jobid: null, playingTime: 0, objectId: null, nextVideoAt: 0 });

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
const msOfDay = (now: number): number => (((now + SHANGHAI_OFFSET_MS) % DAY) + DAY) % DAY;

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

/** The first limit that holds an automated call back, or null. `objectId`: the media a status call asks for. */
export function limitWait(l: StudyLimits, u: MediaUsage, op: { media: boolean; objectId?: string }, now: number, random: number): LimitWait | null {
  const window = windowWaitMs(l, now);
  if (window > 0) return { waitMs: window + Math.round(random * RESUME_JITTER_MS), reason: "outside_window" };
  if (!op.media) return null;
  const cap = capWaitMs(l, u, now);
  if (cap > 0) return { waitMs: cap + windowWaitMs(l, now + cap) + Math.round(random * RESUME_JITTER_MS), reason: "daily_cap" };
  // A new video (its status call) waits for the gap after the last one; the same video goes on.
  if (op.objectId !== undefined && op.objectId !== u.objectId && now < u.nextVideoAt) return { waitMs: u.nextVideoAt - now, reason: null };
  return null;
}

/**
 * Counts one accepted progress report: the advance of the playing time since the previous report of the
 * same job (a first report, isdrag 3, counts nothing), and draws the gap before another video may start.
 */
export function recordReport(
  l: StudyLimits,
  u: MediaUsage,
  report: { jobid: string; objectId: string; playingTime: number },
  now: number,
  random: number,
): MediaUsage {
  const day = shanghaiDay(now);
  const base = u.day === day ? u : { ...u, day, seconds: 0 };
  const advance = base.jobid === report.jobid ? Math.max(0, Math.floor(report.playingTime) - base.playingTime) : 0;
  return {
    day,
    seconds: base.seconds + advance,
    jobid: report.jobid,
    playingTime: Math.floor(report.playingTime),
    objectId: report.objectId,
    nextVideoAt: now + (l.videoGapSeconds + random * l.videoGapJitterSeconds) * 1000,
  };
}

/** Whether the account is held back now and when it goes on (before jitter), for the settings page. */
export function resumesAt(l: StudyLimits, u: MediaUsage, now: number): { status: "open" | LimitReason; at: number | null } {
  const window = windowWaitMs(l, now);
  if (window > 0) return { status: "outside_window", at: now + window };
  const cap = capWaitMs(l, u, now);
  if (cap > 0) return { status: "daily_cap", at: now + cap + windowWaitMs(l, now + cap) };
  return { status: "open", at: null };
}
