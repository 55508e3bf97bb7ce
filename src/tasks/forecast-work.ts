/**
 * What a task has left, as the forecast (src/shared/forecast.ts) counts it: from the course survey before
 * it starts (src/chaoxing/survey.ts, kept in its selection), then from the engine's state as it goes —
 * the video playing (the real time it still owes), the jobs of the chapter it is in, and the survey's
 * figures for the chapters and courses ahead. What nothing has measured is estimated from job counts.
 */
import { mediaLeft, type CourseSurvey, type SurveyChapter } from "../chaoxing/survey";
import { DEFAULT_MEDIA_S } from "../engine/progress";
import { intervalS, type CourseEntry, type EngineState, type Phase, type StoredJob } from "../engine/state";
import { courseWork, forecast, studyOrder, type CourseWork, type Forecast, type ForecastInput, type TaskWork, type WorkItem } from "../shared/forecast";
import type { LimitRules, MediaUsage, StudyLimits } from "../limits/study-limits";
import { playSpeed } from "../shared/pacing";
import type { CourseSelection, PlannedChapter } from "./selection";

/** How a course is named in a forecast: its class. */
export const courseKey = (c: { courseId: string; clazzId: string | null }): string => `${c.courseId}:${c.clazzId ?? ""}`;

/**
 * The calls a chapter costs beside its media: each cards page, read again once the chapter has worked
 * (src/engine/step.ts `readCards`), each document and read; a chapter without task points is visited.
 */
function chapterCalls(c: SurveyChapter): number {
  const work = c.media.length + c.documents;
  return work > 0 ? 2 * Math.max(1, c.tabs) + c.documents : Math.max(1, c.tabs) + 1;
}

/**
 * The survey as forecast figures, chapters already done left out. A chapter it could not read (closed,
 * locked until earlier work is done) is estimated: its task points at the mean media per task point of
 * the chapters read (a locked chapter hides its count: the mean chapter). A face course has no work: the
 * engine skips it.
 */
export function outlineOf(survey: CourseSurvey): PlannedChapter[] {
  if (survey.face) return [];
  const read = survey.chapters.filter((c) => c.read && !c.finished);
  const known = read.flatMap((c) => c.media.map((m) => m.seconds)).filter((x): x is number => x !== null);
  const meanMedia = known.length ? known.reduce((a, b) => a + b, 0) / known.length : DEFAULT_MEDIA_S;
  const mediaOf = (c: SurveyChapter) => c.media.reduce((n, m) => n + (m.seconds ?? meanMedia), 0);
  const readMedia = read.reduce((n, c) => n + mediaOf(c), 0);
  const readJobs = read.reduce((n, c) => n + c.media.length + c.documents + c.others, 0);
  const perJob = readJobs ? readMedia / readJobs : meanMedia;
  const perChapter = read.length ? readMedia / read.length : meanMedia;
  const fastVotes = read.flatMap((c) => c.media.map((m) => m.fast));
  const fast = fastVotes.length === 0 || fastVotes.filter(Boolean).length * 2 >= fastVotes.length;
  return survey.chapters
    .filter((c) => !c.finished)
    .map((c): PlannedChapter =>
      c.read
        ? { id: c.id, media: c.media.map((m) => ({ seconds: m.seconds ?? meanMedia, fast: m.fast })), calls: chapterCalls(c) }
        : { id: c.id, media: [{ seconds: Math.round(c.jobCount > 0 ? c.jobCount * perJob : perChapter), fast }], calls: 2 + c.jobCount, estimated: true },
    );
}

/** A course nothing was read of: the engine's own guess, ten videos of the default length. */
const unknownCourse = (key: string, deadline: number | null): CourseWork => ({
  key, deadline, items: Array.from({ length: 10 }, (): WorkItem => ({ kind: "media", seconds: DEFAULT_MEDIA_S, speed: 1 })),
});

const estimatedIn = (outline: PlannedChapter[], chosen: string[] | null): boolean =>
  outline.some((c) => c.estimated && (!chosen || chosen.includes(c.id)));

/** A chosen course ahead of the engine: the survey's figures for its chosen chapters (class null: not resolved yet). */
type Planned = Pick<CourseSelection, "courseId" | "chapters" | "deadline" | "outline"> & { clazzId: string | null };
function plannedWork(c: Planned, speed: number): { work: CourseWork; estimated: boolean } {
  const key = courseKey(c);
  if (!c.outline) return { work: unknownCourse(key, c.deadline), estimated: true };
  return { work: courseWork(key, c.outline, { chosen: c.chapters, speed, deadline: c.deadline }), estimated: estimatedIn(c.outline, c.chapters) };
}

export interface WorkLeft {
  work: TaskWork;
  /** Some of it is an estimate (a chapter or course the survey could not read, or no survey). */
  estimated: boolean;
}

/** Before the task runs: its selection, the nearest deadline first, as the engine will study it. */
export function selectionWork(selection: CourseSelection[], speed: number): WorkLeft {
  const parts = studyOrder(selection).map((c) => plannedWork(c, speed));
  return { work: { courses: parts.map((p) => p.work) }, estimated: parts.some((p) => p.estimated) };
}

/** The video playing: the media still to play, or the real time it still owes, whichever is more (2026). */
function mediaOwed(s: EngineState, j: StoredJob): number {
  const m = s.media;
  if (m && m.jobid === j.jobid && m.duration > 0) {
    if (m.stage === "confirm") return 0;
    return Math.max(0, m.end - m.playingTime, m.end - m.basePlay - m.watched);
  }
  const left = j.type === "video" || j.type === "audio" ? mediaLeft(j) : null;
  return left ?? j.seconds ?? DEFAULT_MEDIA_S;
}

/**
 * The speed a course's videos play at: the task's, or 1× once a video of it needed a re-watch (it credits
 * only real watching: src/engine/step.ts `rewatchMedia`).
 */
const courseSpeed = (s: EngineState, c: CourseEntry): number => (c.realTimeOnly ? 1 : s.speed);

/** A live replay: its minutes at real pace, one `saveTimePc` a minute (src/engine/live.ts). */
function liveOwed(s: EngineState, j: StoredJob): number {
  if (s.live && s.live.jobid === j.jobid && s.live.duration !== null) return Math.max(0, s.live.duration - s.live.watched);
  return j.seconds ?? DEFAULT_MEDIA_S;
}

/** The chapter the engine is in, from its jobs: what is not passed nor left, and the re-read after it. */
function currentChapterItems(s: EngineState, course: CourseEntry): WorkItem[] {
  const items: WorkItem[] = [];
  let calls = 1;
  for (const j of s.jobs) {
    if (!j.required || j.isPassed || j.handled) continue;
    if (j.type === "video" || j.type === "audio") {
      if (j.mid === null) continue;
      // The video playing goes on at its own speed (1× in a re-watch); one too long for fast playback at 1×.
      const seconds = mediaOwed(s, j);
      const speed = s.media?.jobid === j.jobid ? s.media.speed : j.fastPlayback ? courseSpeed(s, course) : 1;
      items.push({ kind: "media", seconds, speed: playSpeed(speed, seconds, intervalS(s)) });
    } else if (j.type === "live" && !j.notStarted) items.push({ kind: "media", seconds: liveOwed(s, j), speed: 1 });
    else if (j.type === "document" || j.type === "read") calls++;
  }
  return [{ kind: "calls", n: calls }, ...items];
}

/** The course the engine is in: the current chapter from its jobs, the rest from the survey (or estimates). */
function currentCourseWork(s: EngineState, phase: Phase, course: CourseEntry, plan: CourseSelection | undefined): { work: CourseWork; estimated: boolean } {
  const key = courseKey(course);
  const deadline = course.deadline ?? null;
  const speed = courseSpeed(s, course);
  if (phase === "chapters") return plannedWork({ ...course, chapters: course.chapters ?? null, deadline, outline: plan?.outline ?? null }, speed);
  const items: WorkItem[] = [];
  let estimated = false;
  const jobsRead = phase === "job" || phase === "visit" || (phase === "cards" && (s.rereads ?? 0) > 0);
  s.chapters.forEach((ch, i) => {
    if (i < s.hi || (i > s.hi && ch.finished)) return;
    if (i === s.hi && jobsRead) return items.push(...currentChapterItems(s, course));
    const planned = plan?.outline?.find((c) => c.id === ch.id);
    if (planned) {
      estimated ||= planned.estimated === true;
      return items.push(...courseWork(key, [planned], { chosen: null, speed, deadline }).items);
    }
    // Not surveyed (a task from before surveys, or none was at hand): its task points at the default length.
    estimated = true;
    items.push({ kind: "calls", n: 2 + ch.jobCount });
    if (ch.jobCount > 0) items.push({ kind: "media", seconds: ch.jobCount * DEFAULT_MEDIA_S, speed: 1 });
  });
  return { work: { key, deadline, items }, estimated };
}

/** The media rolled back overnight still to study again, each whole at 1× (src/engine/credit.ts); null: none. */
function redoWork(s: EngineState): CourseWork | null {
  const redo = (s.checks ?? []).filter((e) => e.state === "rolled_back" && !e.left);
  if (!redo.length) return null;
  return { key: "redo", deadline: null, items: [{ kind: "calls", n: 2 * redo.length }, ...redo.map((e): WorkItem => ({ kind: "media", seconds: e.duration, speed: 1 }))] };
}

/** While the task runs: from the engine's state, its selection's survey for what lies ahead. */
export function engineWork(s: EngineState, selection: CourseSelection[] | null): WorkLeft {
  const planOf = (c: { courseId: string; clazzId: string }) => selection?.find((p) => p.courseId === c.courseId && p.clazzId === c.clazzId);
  if (s.phase === "resolve") {
    if (selection) return selectionWork(selection, s.speed);
    const parts = s.courseIds.map((courseId) => plannedWork({ courseId, clazzId: null, chapters: null, deadline: null, outline: null }, s.speed));
    return { work: { courses: parts.map((p) => p.work) }, estimated: true };
  }
  // Media rolled back overnight and being studied again come first (src/engine/credit.ts), each from its start.
  const redo = redoWork(s);
  const phase = s.phase === "verify" ? (s.verify?.resume ?? "done") : s.phase;
  if (phase === "done" || phase === "recheck") return { work: { courses: redo ? [redo] : [] }, estimated: false };
  const parts = s.courses.flatMap((c, i) => {
    if (i < s.ci || c.status !== "todo") return [];
    const plan = planOf(c);
    if (i === s.ci) return [currentCourseWork(s, phase, c, plan)];
    return [plannedWork({ ...c, chapters: c.chapters ?? null, deadline: c.deadline ?? null, outline: plan?.outline ?? null }, courseSpeed(s, c))];
  });
  return { work: { courses: [...(redo ? [redo] : []), ...parts.map((p) => p.work)] }, estimated: parts.some((p) => p.estimated) };
}

/** Where the engine is, as far as the forecast goes: a new chapter or course (or one skipped, or an item left) calls for a new one. */
export const forecastKeyOf = (s: EngineState): string => `${s.phase === "resolve" ? "-" : s.ci}|${s.hi}|${s.left.length}`;

/** What the account object says of the account for a forecast: its limits, today's usage, its other tasks' work. */
export interface ForecastContext {
  limits: StudyLimits;
  rules: LimitRules;
  usage: MediaUsage;
  others: TaskWork[];
}

/** A forecast as a task keeps and shows it. */
export interface TaskForecast extends Forecast {
  at: number;
  estimated: boolean;
  basis: { windowStart: string; windowEnd: string; dailyCapMinutes: number; breakAfterMinutes: number; otherTasks: number };
}

export function forecastFor(left: WorkLeft, ctx: ForecastContext, now: number, extra: Pick<ForecastInput, "holdsLock"> = {}): TaskForecast {
  const f = forecast({ now, limits: ctx.limits, rules: ctx.rules, usage: ctx.usage, task: left.work, others: ctx.others, ...extra });
  const l = ctx.limits;
  return {
    ...f,
    at: now,
    estimated: left.estimated,
    basis: { windowStart: l.windowStart, windowEnd: l.windowEnd, dailyCapMinutes: l.dailyCapMinutes, breakAfterMinutes: l.breakAfterMinutes, otherTasks: ctx.others.length },
  };
}
