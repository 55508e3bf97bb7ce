import { clock } from "../../shared/clock";
import type { TaskLive } from "../shared/live";
import type { Job } from "../chaoxing/types";
import { clockAfter, type ItemClock } from "../shared/item-clock";
import { ITEM_MARKS } from "../shared/live";
import { mediaCheckOf } from "./credit";
import { intervalS, type CourseEntry, type EngineState, type Phase, type StoredJob } from "./state";

/** Default media length assumed for a job not seen yet, until real durations are known. */
export const DEFAULT_MEDIA_S = 300;
/** A non-media job weighs as much as this many seconds of media. */
const OTHER_JOB_S = 30;

export type Progress = Pick<
  TaskLive,
  "progress" | "current_item" | "item_progress" | "item_current_time" | "item_total_time" | "item_speed" | "item_time_limit" | "item_rewatch" | "completed_courses" | "total_courses"
>;

export function itemLabel(job: Job): string {
  const mark = job.type === "video" ? ITEM_MARKS.video
    : job.type === "audio" ? ITEM_MARKS.audio
    : job.type === "document" ? ITEM_MARKS.document
    : job.type === "read" ? ITEM_MARKS.read
    : job.type === "live" ? ITEM_MARKS.live
    : ITEM_MARKS.quiz;
  return `${mark} ${job.name}`;
}

/** Where the walk through the courses is: during a next-morning check, where it will go back to. */
const walkPhase = (s: EngineState): Phase => (s.phase === "verify" ? (s.verify?.resume ?? "done") : s.phase);

const averageMedia = (s: EngineState): number => (s.stats.mediaSeen ? s.stats.mediaSeenSeconds / s.stats.mediaSeen : DEFAULT_MEDIA_S);

/** A job's weight in media seconds: its own duration once known, else the average seen so far. */
export function jobWeight(s: EngineState, j: StoredJob): number {
  // A live replay weighs its length once `liveinfo` gave it.
  if (j.type === "live") return j.seconds ?? OTHER_JOB_S;
  if (j.type !== "video" && j.type !== "audio") return OTHER_JOB_S;
  return j.seconds ?? averageMedia(s);
}

/** The weight a chapter not read yet is estimated at, from its job count. */
export const chapterEstimate = (s: EngineState, jobs: number): number => Math.max(jobs, 0) * ((averageMedia(s) + OTHER_JOB_S) / 2);

/** The chapter being worked: its weight, and the part passed (what was left for the user is not passed). */
export function currentChapterWeights(s: EngineState): { weight: number; done: number } {
  let weight = 0;
  let done = 0;
  for (const j of s.jobs) {
    if (!j.required) continue;
    const w = jobWeight(s, j);
    weight += w;
    if (j.isPassed) done += w;
  }
  return { weight, done };
}

interface Weights {
  /** passed */
  done: number;
  /** everything, passed or not (items left for the user stay in it: they are not progress) */
  total: number;
}

/**
 * The current course's weights: each job weighs its media seconds (known durations, else the average
 * seen so far), other jobs a fixed weight; chapters not read yet are estimated from their job counts,
 * chapters done keep the weights they had. Only task points actually passed count as done.
 */
export function courseWeights(s: EngineState): Weights {
  const w: Weights = { done: 0, total: 0 };
  const phase = walkPhase(s);
  s.chapters.forEach((ch, i) => {
    if (i === s.hi && phase !== "chapters") return;
    if (ch.weight !== undefined) {
      w.total += ch.weight;
      w.done += ch.doneWeight ?? ch.weight;
      return;
    }
    const estimate = chapterEstimate(s, ch.jobCount);
    w.total += estimate;
    // A chapter behind us without weights was skipped (not open): it stays undone.
    if (ch.finished) w.done += estimate;
  });
  const current = s.chapters[s.hi];
  if (!current || phase === "chapters") return w;
  // While its tabs are being read, the chapter counts by its estimate; then by its jobs.
  if (phase === "cards" && s.jobs.length === 0) {
    w.total += chapterEstimate(s, current.jobCount);
    return w;
  }
  const m = s.media;
  for (const j of s.jobs) {
    if (!j.required) continue;
    const jw = jobWeight(s, j);
    w.total += jw;
    if (j.isPassed) w.done += jw;
    else if (!j.handled && m && m.jobid === j.jobid) {
      const played = Math.max(0, m.playingTime - m.basePlay);
      const length = Math.max(1, m.end - m.basePlay);
      w.done += jw * Math.min(1, played / length) * 0.999;
    }
  }
  return w;
}

/** A course behind us: passed share of its weight (a course without task points is complete when done). */
function endedFraction(c: CourseEntry): number {
  const total = c.total ?? 0;
  if (total <= 0) return c.status === "done" ? 1 : 0;
  return Math.min(1, (c.done ?? 0) / total);
}

/** Fully passed: done, and nothing of it left for the user. */
const courseComplete = (c: CourseEntry): boolean => c.status !== "todo" && endedFraction(c) >= 0.9999;

/**
 * Overall progress: courses count equally, each by the share of its weight actually passed. While running
 * it never goes below what was shown before (`progressFloor`: estimates shift) and stays below 100; once
 * done it is the honest figure: 100 only when nothing is left for the user.
 */
/** One course of the task as the engine knows it (the task page's per-course card). */
export interface CourseFigures {
  course_id: string;
  /** null until the course list was read. */
  clazz_id: string | null;
  /** The chapters the task chose (null: all), and its deadline for the course (ISO). */
  chapters: string[] | null;
  deadline: string | null;
  /** null until the course list was read (and for a course not in it). */
  name: string | null;
  /** `needs_you`: worked through, with items of it left for the user (never "done" beside a left item). */
  status: CourseEntry["status"] | "needs_you";
  jobs_done: number;
  /** Open task points not passed by this task; null until its chapter list was read. */
  jobs_left: number | null;
  study_seconds: number;
  /** Media this task passed, by the next-morning check: still passed, not checked yet, rolled back (src/engine/credit.ts). */
  media_check: { verified: number; awaiting: number; rolled_back: number };
}

/** Per course of the task: its status, task points passed and still open, and study time. */
export function courseFigures(s: EngineState): CourseFigures[] {
  const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
  const none = (id: string, status: CourseEntry["status"]): CourseFigures => {
    const choice = s.choices?.find((c) => c.courseId === id);
    return {
      course_id: id, clazz_id: null, chapters: choice?.chapters ?? null, deadline: iso(choice?.deadline), name: null, status, jobs_done: 0, jobs_left: null,
      study_seconds: 0, media_check: { verified: 0, awaiting: 0, rolled_back: 0 },
    };
  };
  if (s.phase === "resolve") return s.courseIds.map((id) => none(id, "todo"));
  const leftIn = (c: CourseEntry) => s.left.some((l) => (l.ref ? l.ref.courseId === c.courseId && l.ref.clazzId === c.clazzId : l.course === c.name));
  const found = s.courses.map((c) => ({
    course_id: c.courseId,
    clazz_id: c.clazzId,
    chapters: c.chapters ?? null,
    deadline: iso(c.deadline),
    name: c.name,
    status: c.status === "done" && leftIn(c) ? ("needs_you" as const) : c.status,
    jobs_done: c.jobsDone ?? 0,
    jobs_left: c.jobsOpen === undefined ? null : Math.max(0, c.jobsOpen - (c.jobsDone ?? 0)),
    study_seconds: c.studySeconds ?? 0,
    media_check: mediaCheckOf(s, c),
  }));
  // A course the account does not have is listed as skipped (it is also in left_for_user).
  const missing = s.courseIds.filter((id) => !s.courses.some((c) => c.courseId === id)).map((id) => none(id, "skipped"));
  return [...found, ...missing];
}

/**
 * Where the current video's clock stands at `now` (src/shared/item-clock.ts): from the last accepted
 * report at this video's speed (1× where the course forbids more), never past the next report's expected
 * position nor the end, never below what was shown before (`shown`). `now` null: it stands still (the
 * task waits or is not running).
 */
export function itemClock(s: EngineState, now: number | null): ItemClock {
  const m = s.media;
  if (!m) {
    // A live replay moves a minute at a time, by its records: it stands where they have reached.
    const at = s.live?.duration ? Math.min(s.live.watched, s.live.duration) : 0;
    return { time: at, speed: 0, limit: at };
  }
  const floor = Math.max(m.playingTime, Math.min(m.shown ?? 0, m.end || Infinity));
  const moving = m.stage === "play" && m.lastReportAt !== null && now !== null;
  if (!moving) return { time: floor, speed: 0, limit: floor };
  const limit = Math.max(floor, Math.min(m.end, m.playingTime + intervalS(s)));
  return { time: clockAfter({ time: floor, speed: m.speed, limit }, now - m.lastReportAt!), speed: m.speed, limit };
}

export function computeProgress(s: EngineState, now: number | null = clock.now()): Progress {
  const total = s.courses.length || s.courseIds.length;
  const ended = s.courses.filter((c) => c.status !== "todo");
  const phase = walkPhase(s);
  const inCourse = phase !== "resolve" && phase !== "done" && phase !== "recheck" && s.ci < s.courses.length;
  const cw = inCourse ? courseWeights(s) : { done: 0, total: 0 };
  const currentFraction = cw.total > 0 ? cw.done / cw.total : 0;
  const overall = total ? (ended.reduce((sum, c) => sum + endedFraction(c), 0) + (inCourse ? currentFraction : 0)) / total : 0;
  const finished = s.phase === "done";
  const honest = finished && s.left.length === 0 ? 100 : Math.min(99, Math.floor(overall * 100));

  const job = s.phase === "job" ? s.jobs[s.ji] : s.phase === "verify" && s.verify?.stage === "redo" ? s.verify.redo[0] : undefined;
  const m = s.media;
  const c = itemClock(s, now);
  return {
    progress: finished ? honest : Math.max(s.progressFloor, honest),
    current_item: job ? itemLabel(job) : null,
    item_progress: m && m.duration ? Math.min(100, Math.floor((c.time / m.duration) * 100)) : s.live?.duration ? Math.floor((c.time / s.live.duration) * 100) : 0,
    item_current_time: Math.floor(c.time),
    item_total_time: m ? m.duration : (s.live?.duration ?? 0),
    item_speed: c.speed,
    item_time_limit: Math.floor(c.limit),
    item_rewatch: m?.rewatch === true,
    completed_courses: s.courses.filter(courseComplete).length,
    total_courses: total,
  };
}
