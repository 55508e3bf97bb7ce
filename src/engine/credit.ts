import { SHANGHAI_OFFSET_MS, shanghaiDay } from "../lib/clock";
import { logLine, type LogEvent } from "./log";
import type { CourseEntry, EngineState, PassedMedia, StoredJob } from "./state";

/**
 * Verified credit. The platform rolls back passed media overnight ("回溯", "一般在凌晨") after a day of
 * too much video or videos played concurrently (chaoxing-protocol.md "Corrections of 2026-12", item 6, and
 * "Consequences for a client": "Each next morning, re-read the cards of media passed the day before;
 * reopen and notify on any rollback"). Each video or audio this task passes is kept here until a check on
 * a later morning re-reads its card: still passed, it is verified; rolled back, its credit is taken back
 * (a video is never counted twice) and it is studied again, once.
 */

const DAY_MS = 24 * 3600_000;
/** [inferred] Rollbacks happen in the small hours: a check from this time of a later day sees them. */
export const CHECK_FROM_MS = 6 * 3600_000;
/** A completed task's morning check comes at a random moment within this spread (a person, not a cron). */
export const CHECK_JITTER_MS = 30 * 60_000;
/** Checks that find no card for an item (an earlier card rolled back may hide it) before it stops being checked. */
const MAX_MISSES = 3;

const sameCourse = (a: { courseId: string; clazzId: string }, b: { courseId: string; clazzId: string }) =>
  a.courseId === b.courseId && a.clazzId === b.clazzId;

/** When the check of media passed on `day` is due: that day's next morning, Asia/Shanghai. */
export function checkDueAt(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS + DAY_MS + CHECK_FROM_MS;
}

const checkable = (e: PassedMedia): boolean => e.state === "awaiting" && (e.misses ?? 0) < MAX_MISSES;

/** The earliest moment a check is due, or null when nothing awaits one. */
export function nextCheckAt(s: EngineState): number | null {
  const due = (s.checks ?? []).filter(checkable).map((e) => checkDueAt(e.day));
  return due.length ? Math.min(...due) : null;
}

/** The media whose check is due now, in the order they passed; a run skips those it did not find. */
export function dueChecks(s: EngineState, now: number): PassedMedia[] {
  const missed = s.verify?.missed ?? [];
  return (s.checks ?? []).filter((e) => checkable(e) && checkDueAt(e.day) <= now && !missed.includes(e.jobid));
}

/** A job of `course` passed now: it awaits its next-morning check. */
export function recordPassed(
  s: EngineState, course: CourseEntry, chapter: { id: string; title: string }, job: StoredJob, size: { weight: number; duration: number }, now: number,
): void {
  if (job.type !== "video" && job.type !== "audio") return;
  const checks = (s.checks ??= []);
  const known = checks.find((e) => e.jobid === job.jobid && sameCourse(e, course));
  if (known) {
    // Studied again after a rollback: checked again on the next morning, and not given another chance.
    Object.assign(known, { state: "awaiting", day: shanghaiDay(now), redone: true, misses: 0 });
    return;
  }
  checks.push({
    courseId: course.courseId, clazzId: course.clazzId, chapterId: chapter.id, chapter: chapter.title, name: job.name, type: job.type,
    jobid: job.jobid, tab: job.tab, ...size, day: shanghaiDay(now), state: "awaiting",
  });
}

/** Starts the check (from a step of the walk, or a completed task reopened): phase "verify". */
export function startVerify(s: EngineState, now: number): LogEvent[] {
  s.verify = { resume: s.phase === "verify" ? "done" : s.phase, stage: "check", found: 0, verified: 0, leftBefore: s.left.length, missed: [], redo: [] };
  s.phase = "verify";
  s.failures = 0;
  return [logLine("INFO", "verify.start", { n: dueChecks(s, now).length })];
}

/** Whether a step of the walk should first check the media passed on earlier days (never mid-video, nor mid-replay). */
export const verifyDue = (s: EngineState, now: number): boolean => s.media === null && !s.live && dueChecks(s, now).length > 0;

/** Found still passed: off the list, counted as verified for its course. */
export function markVerified(s: EngineState, e: PassedMedia): void {
  s.checks = (s.checks ?? []).filter((x) => x !== e);
  const course = s.courses.find((c) => sameCourse(c, e));
  if (course) course.verified = (course.verified ?? 0) + 1;
  if (s.verify) s.verify.verified++;
}

/**
 * Moves one passed media's credit in or out of the figures (`sign` -1: rolled back; +1: passed again):
 * task points done, media seconds done, and its progress weight where the walk keeps it (the current
 * chapter's job, a finished chapter of the current course, or a course behind us).
 */
export function moveCredit(s: EngineState, e: PassedMedia, sign: 1 | -1): void {
  const course = s.courses.find((c) => sameCourse(c, e));
  s.stats.jobsDone += sign;
  s.stats.mediaDoneSeconds = Math.max(0, s.stats.mediaDoneSeconds + sign * e.duration);
  if (course) course.jobsDone = Math.max(0, (course.jobsDone ?? 0) + sign);
  const current = s.courses[s.ci];
  const inWalk = current !== undefined && course === current && s.phase !== "done" && (s.verify?.resume ?? s.phase) !== "done";
  const chapter = inWalk ? s.chapters.find((c) => c.id === e.chapterId) : undefined;
  const job = chapter && chapter === s.chapters[s.hi] ? s.jobs.find((j) => j.jobid === e.jobid) : undefined;
  if (job) job.isPassed = sign > 0;
  else if (chapter?.weight !== undefined) chapter.doneWeight = Math.max(0, (chapter.doneWeight ?? chapter.weight) + sign * e.weight);
  else if (course && !inWalk) course.done = Math.max(0, (course.done ?? 0) + sign * e.weight);
  // The figure goes down honestly: the platform took it back.
  if (sign < 0) s.progressFloor = 0;
}

/** Per course: media verified by a later morning's check, awaiting it, and rolled back (studied again or left). */
export function mediaCheckOf(s: EngineState, course: { courseId: string; clazzId: string }): { verified: number; awaiting: number; rolled_back: number } {
  const mine = (s.checks ?? []).filter((e) => sameCourse(e, course));
  const entry = s.courses.find((c) => sameCourse(c, course));
  return {
    verified: entry?.verified ?? 0,
    awaiting: mine.filter((e) => e.state === "awaiting").length,
    rolled_back: mine.filter((e) => e.state === "rolled_back").length,
  };
}
