/**
 * When a task will be done, as a date a student can plan with: what is left (each video's and audio's
 * media still to play, the calls around it), played out on one Chaoxing account's day under its limits —
 * the study window (it may wrap midnight), the daily media cap (per Asia/Shanghai day), breaks after a
 * stretch, the gap between videos, the pacing between calls — and beside the account's other running
 * tasks, which share its one-video lock and its cap. The rules are the limits module's
 * (src/limits/study-limits.ts), the same functions the account object enforces; random parts (break
 * lengths, gaps, the resume jitter) are taken at their mean.
 *
 * Pure: no clock, no I/O, nothing runtime-specific (the dashboard bundles it). The server feeds it from
 * the course survey and the engine's state (src/tasks/forecast-work.ts).
 */
import { SHANGHAI_OFFSET_MS, shanghaiDay } from "../../shared/clock";
import {
  minuteOf, msOfDay, RESUME_JITTER_MS, windowLeftMs, windowWaitMs, type LimitRules, type MediaUsage, type StudyLimits,
} from "../limits/study-limits";
import { CALL_GAP_MS, playSpeed, REPORT_INTERVAL_S } from "./pacing";

/** Media still to play (`seconds` of the media's own time) at the speed the engine will use for it. */
export interface MediaWork {
  kind: "media";
  seconds: number;
  /**
   * The speed it plays at: the task's, 1 where the course forbids fast playback, and 1 for a video that
   * would end too far ahead of real time (src/shared/pacing.ts `playSpeed`).
   */
  speed: number;
}

/** Calls that are not media: page reads, documents, reads, visits; each waits the account's pacing. */
export interface CallsWork {
  kind: "calls";
  n: number;
}

export type WorkItem = MediaWork | CallsWork;

export interface CourseWork {
  /** `courseId:clazzId`, or whatever names the course for the caller. */
  key: string;
  /** ms; null: none. */
  deadline: number | null;
  items: WorkItem[];
}

/** One task's work, course by course, in the order it studies them. */
export interface TaskWork {
  courses: CourseWork[];
}

/** A chapter as the course survey saw it: its media still to play and its other calls. */
export interface OutlineChapter {
  id: string;
  /** `fast`: the course and the video allow fast playback (chaoxing-protocol.md "Corrections of 2026-12" item 1). */
  media: { seconds: number; fast: boolean }[];
  calls: number;
}

export interface ForecastInput {
  now: number;
  limits: StudyLimits;
  rules: Pick<LimitRules, "breakMinMinutes" | "breakMaxMinutes">;
  /** The account's count today and its stretch (null: nothing counted yet). */
  usage: MediaUsage | null;
  task: TaskWork;
  /** What the account's other running tasks still have to do. */
  others?: TaskWork[];
  /** The task holds the account's video lock now: it plays first; otherwise it queues behind the others. */
  holdsLock?: boolean;
  /**
   * The platform passes a video played fast once its length at that speed has passed. Not so in 2026: it
   * judges the real time since playback began (chaoxing-protocol.md "Speed and real time (2026)" and
   * "Corrections of 2026-12" item 5), so any speed takes the video's own length.
   */
  fastCredited?: boolean;
}

export interface CourseForecast {
  key: string;
  /** ms; null: not within MAX_DAYS. */
  finishAt: number | null;
  /** Study days from now until it is done (the days a window is used, today included). */
  studyDays: number;
  /** Real seconds of study it still needs (waits not included). */
  remainingSeconds: number;
  deadline: number | null;
  missesDeadline: boolean;
}

export interface Forecast {
  finishAt: number | null;
  studyDays: number;
  remainingSeconds: number;
  missesDeadline: boolean;
  courses: CourseForecast[];
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Beyond this the forecast gives up: no date, "more than ten years". */
export const MAX_DAYS = 3650;
/**
 * Around each video the engine spends a few calls and a second (src/engine/step.ts `playMedia`): the media
 * status, the last report one second after the end, the confirmation read four gaps later, and on.
 */
const MEDIA_OVERHEAD_MS = 8 * CALL_GAP_MS + 1_000;
const REPORT_INTERVAL_MS = REPORT_INTERVAL_S * 1000;
/**
 * The cap and the stretch are checked before each report (src/limits/study-limits.ts `limitWait`): the
 * report that crosses them is still sent, so a day plays on average half an interval past its cap and a
 * stretch runs half an interval past its length. (A cap of a few intervals ends with the day's first
 * reports, whose phase the day's start fixes: no mean to add there.)
 */
const pastLimitMs = (limitMs: number): number => (limitMs >= 10 * REPORT_INTERVAL_MS ? REPORT_INTERVAL_MS / 2 : 0);

/** Courses with the nearest deadline first, those without last; otherwise as given. */
export function studyOrder<T extends { deadline?: number | null }>(courses: readonly T[]): T[] {
  return courses
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (a.c.deadline ?? Infinity) - (b.c.deadline ?? Infinity) || a.i - b.i)
    .map(({ c }) => c);
}

/** A course's work from its survey: the chosen chapters (null: all), media at the speed each plays at. */
export function courseWork(key: string, chapters: readonly OutlineChapter[], o: { chosen: readonly string[] | null; speed: number; deadline: number | null }): CourseWork {
  const items: WorkItem[] = [];
  for (const ch of chapters) {
    if (o.chosen && !o.chosen.includes(ch.id)) continue;
    if (ch.calls > 0) items.push({ kind: "calls", n: ch.calls });
    for (const m of ch.media) items.push({ kind: "media", seconds: m.seconds, speed: playSpeed(m.fast ? o.speed : 1, m.seconds) });
  }
  return { key, deadline: o.deadline, items };
}

/** Real ms a video plays: its length, or its length at its speed where the platform credits fast playback. */
const mediaMs = (m: MediaWork, fastCredited: boolean): number => (m.seconds / (fastCredited ? Math.max(1, m.speed) : 1)) * 1000;

/** Real ms an item takes (waits not included). */
const realMs = (item: WorkItem, fastCredited: boolean): number =>
  item.kind === "calls" ? item.n * CALL_GAP_MS : mediaMs(item, fastCredited) + MEDIA_OVERHEAD_MS;

/** The day a window opened: a window past midnight belongs to the evening it began. */
function studyDay(l: StudyLimits, t: number): string {
  const s = minuteOf(l.windowStart);
  const e = minuteOf(l.windowEnd);
  const wraps = s > e && e > 0;
  return shanghaiDay(wraps && msOfDay(t) < e * MINUTE ? t - DAY : t);
}

/** The account's day as the simulation goes: the clock, today's count, the stretch, a break, the next video's earliest start. */
interface Account {
  t: number;
  day: string;
  usedS: number;
  streakMs: number;
  breakUntil: number;
  nextVideoAt: number;
  days: Set<string>;
}

function startOf(i: ForecastInput): Account {
  const u = i.usage;
  const today = shanghaiDay(i.now);
  const breakMinMs = i.rules.breakMinMinutes * MINUTE;
  const stretchGoesOn = u?.lastMediaAt != null && i.now - u.lastMediaAt < breakMinMs;
  return {
    t: i.now,
    day: today,
    usedS: u && u.day === today ? u.seconds : 0,
    streakMs: stretchGoesOn ? u!.streakMs + (i.now - u!.lastMediaAt!) : 0,
    breakUntil: u?.breakUntil ?? 0,
    nextVideoAt: u?.nextVideoAt ?? 0,
    days: new Set(),
  };
}

/** Plays one task's items on the account's day, under the limits (mutates `a`). */
class Day {
  private readonly capS: number;
  private readonly breakAfterMs: number;
  private readonly breakMinMs: number;
  private readonly meanBreakMs: number;
  private readonly meanGapMs: number;
  private readonly resumeMs = RESUME_JITTER_MS / 2;
  readonly horizon: number;

  constructor(private readonly i: ForecastInput, private readonly a: Account) {
    const l = i.limits;
    this.capS = (l.dailyCapMinutes * MINUTE + pastLimitMs(l.dailyCapMinutes * MINUTE)) / 1000;
    this.breakAfterMs = l.breakAfterMinutes * MINUTE + pastLimitMs(l.breakAfterMinutes * MINUTE);
    this.breakMinMs = i.rules.breakMinMinutes * MINUTE;
    this.meanBreakMs = ((i.rules.breakMinMinutes + i.rules.breakMaxMinutes) / 2) * MINUTE;
    this.meanGapMs = (l.videoGapSeconds + l.videoGapJitterSeconds / 2) * 1000;
    this.horizon = i.now + MAX_DAYS * DAY;
  }

  /**
   * Time passes without media. A pause as long as the shortest break ends the stretch; a shorter one is
   * part of it (src/limits/study-limits.ts `recordReport`).
   */
  private idle(ms: number): void {
    this.a.t += ms;
    this.a.streakMs = ms >= this.breakMinMs ? 0 : this.a.streakMs + ms;
  }

  /** The Shanghai day changed: a new day's count. */
  private roll(): void {
    const d = shanghaiDay(this.a.t);
    if (d !== this.a.day) {
      this.a.day = d;
      this.a.usedS = 0;
    }
  }

  /** Every call waits for the window (src/limits/study-limits.ts `limitWait`); media also for the cap and a break. */
  private open(media: boolean): void {
    const l = this.i.limits;
    for (let guard = 0; guard < 10 && this.a.t < this.horizon; guard++) {
      const window = windowWaitMs(l, this.a.t);
      if (window > 0) {
        this.idle(window + this.resumeMs);
        continue;
      }
      this.roll();
      if (!media) return;
      if (this.a.usedS >= this.capS) {
        const midnight = this.a.t + (DAY - msOfDay(this.a.t));
        this.idle(midnight - this.a.t + windowWaitMs(l, midnight) + this.resumeMs);
        continue;
      }
      if (this.a.breakUntil > this.a.t) {
        this.idle(this.a.breakUntil - this.a.t);
        continue;
      }
      return;
    }
  }

  /**
   * Plays `ms` of real time (media, reports included: under the cap and breaks too), counting `mediaPerMs`
   * media seconds per ms (none while reports sit at a video's end).
   */
  private play(ms: number, mediaPerMs: number, media = mediaPerMs > 0): void {
    const a = this.a;
    let left = ms;
    while (left > 0 && a.t < this.horizon) {
      this.open(media);
      const bounds = [left, windowLeftMs(this.i.limits, a.t)];
      if (media) bounds.push(this.breakAfterMs - a.streakMs, DAY - msOfDay(a.t));
      if (mediaPerMs > 0) bounds.push((this.capS - a.usedS) / mediaPerMs);
      const chunk = Math.max(1, Math.min(...bounds));
      a.days.add(studyDay(this.i.limits, a.t));
      a.t += chunk;
      a.streakMs += chunk;
      left -= chunk;
      if (!media) continue;
      a.usedS += chunk * mediaPerMs;
      if (a.streakMs >= this.breakAfterMs) {
        a.breakUntil = a.t + this.meanBreakMs;
        a.streakMs = 0;
      }
    }
  }

  /**
   * One item, until it is done: a video waits for the gap after the last one, then plays, then its calls.
   * Played fast where only real time is credited, it reaches its end at its speed, its media counted as
   * fast, and its end reports cover the rest of its length (src/engine/step.ts `playMedia`).
   */
  run(item: WorkItem, fastCredited: boolean): void {
    if (item.kind === "calls") return this.play(item.n * CALL_GAP_MS, 0);
    const a = this.a;
    if (a.nextVideoAt > a.t) this.idle(a.nextVideoAt - a.t);
    const playMs = mediaMs(item, fastCredited);
    const fastMs = (item.seconds / Math.max(1, item.speed)) * 1000;
    if (fastMs > 0) this.play(fastMs, item.seconds / fastMs);
    if (playMs > fastMs) this.play(playMs - fastMs, 0, true);
    a.nextVideoAt = a.t + this.meanGapMs;
    this.play(MEDIA_OVERHEAD_MS, 0);
  }
}

/** Where one task is in its work: course, item. */
interface Cursor {
  work: TaskWork;
  ci: number;
  ii: number;
  /** When each of its courses was done. */
  done: number[];
  days: number[];
}

/** The cursor's next item, or null when its work is done. */
const nextItem = (c: Cursor): WorkItem | null => c.work.courses[c.ci]?.items[c.ii] ?? null;

/** Past the item just done, and past every course that ends there (done now). */
function advance(c: Cursor, a: Account, by: number): void {
  c.ii += by;
  while (c.ci < c.work.courses.length && c.ii >= c.work.courses[c.ci]!.items.length) {
    c.done.push(a.t);
    c.days.push(a.days.size);
    c.ci++;
    c.ii = 0;
  }
}

/**
 * The forecast. Tasks take turns on the account's one-video lock, passed on at every video's end: each
 * turn a task does its calls up to its next video, then plays it.
 */
export function forecast(i: ForecastInput): Forecast {
  const a = startOf(i);
  const day = new Day(i, a);
  const fastCredited = i.fastCredited ?? false;
  const cursor = (work: TaskWork): Cursor => {
    const c: Cursor = { work, ci: 0, ii: 0, done: [], days: [] };
    advance(c, a, 0);
    return c;
  };
  const mine = cursor(i.task);
  const others = (i.others ?? []).map(cursor);
  const queue = i.holdsLock ? [mine, ...others] : [...others, mine];
  while (nextItem(mine) !== null && a.t < day.horizon) {
    for (const c of queue) {
      for (let item = nextItem(c); item !== null && a.t < day.horizon; item = nextItem(c)) {
        day.run(item, fastCredited);
        advance(c, a, 1);
        if (item.kind === "media") break;
      }
    }
  }
  const courses = i.task.courses.map((course, k): CourseForecast => {
    const finishAt = mine.done[k] !== undefined && mine.done[k]! < day.horizon ? mine.done[k]! : null;
    const remainingMs = course.items.reduce((n, item) => n + realMs(item, fastCredited), 0);
    return {
      key: course.key,
      finishAt,
      studyDays: mine.days[k] ?? a.days.size,
      remainingSeconds: Math.round(remainingMs / 1000),
      deadline: course.deadline,
      missesDeadline: course.deadline !== null && (finishAt === null || finishAt > course.deadline),
    };
  });
  const finished = courses.every((c) => c.finishAt !== null);
  return {
    finishAt: finished ? Math.max(i.now, ...courses.map((c) => c.finishAt!)) : null,
    studyDays: courses.length ? Math.max(...courses.map((c) => c.studyDays)) : 0,
    remainingSeconds: courses.reduce((n, c) => n + c.remainingSeconds, 0),
    missesDeadline: courses.some((c) => c.missesDeadline),
    courses,
  };
}

/** An instant as Asia/Shanghai wall time (UTC+8, no DST), whatever zone the reader's device is in. */
export function shanghaiParts(ms: number): { year: number; month: number; day: number; hour: number; minute: number } {
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}
