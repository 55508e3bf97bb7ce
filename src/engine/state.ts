import type { Job } from "../chaoxing/types";
import { firstBad, is, isObject } from "../lib/versioned";
import type { LeftForUser } from "../shared/live";
import type { CourseChoice } from "../tasks/selection";
import { REPORT_INTERVAL_S } from "../shared/pacing";

/**
 * A job of the current chapter, with the cards tab it came from (to confirm it on that tab), its media
 * seconds once the status was read, and whether this run already dealt with it (passed it, or left it).
 */
export type StoredJob = Job & { tab: number; seconds?: number; handled?: boolean };

export type NotopenAction = "retry" | "ask" | "continue";

export interface CourseEntry {
  courseId: string;
  clazzId: string;
  cpi: string;
  name: string;
  status: "todo" | "done" | "skipped";
  /** The chapter page was opened once to look for the face masks of a course that captures (src/engine/tabs.ts). */
  pageChecked?: boolean;
  /** The course's link `enc` from its chapter tree (for chapter links in `left_for_user`). */
  enc?: string | null;
  /** Once the course is behind us: its progress weight passed, and in all (media seconds, see progress.ts). */
  done?: number;
  total?: number;
  /**
   * The per-course figures of the task's detail (`courses`, README "Differences from the seed"): task
   * points passed by this task, and study seconds reported.
   */
  jobsDone?: number;
  studySeconds?: number;
  /** Open task points Chaoxing counted on its chapter list when the course was read (its chapters' `jobCount`). */
  jobsOpen?: number;
  /** Media this task passed that a next-morning check found still passed (src/engine/credit.ts). */
  verified?: number;
  /** A video of it needed a re-watch: it credits only real watching, so its videos play at 1× from then on. */
  realTimeOnly?: boolean;
  /** The chapters (ids) the task studies in it; null or absent: all. */
  chapters?: string[] | null;
  /** The task's deadline for it (ms); the nearest is studied first. */
  deadline?: number | null;
}

export interface ChapterEntry {
  id: string;
  title: string;
  jobCount: number;
  finished: boolean;
  /** Its progress weight, fixed once its jobs were worked through (estimated from jobCount before). */
  weight?: number;
  /** The part of `weight` actually passed (what was left for the user is not). */
  doneWeight?: number;
  /** Open task points counted for it in its course's `jobsOpen` (the list's count until its cards are read). */
  counted?: number;
}

/** Where a left item lives, so a recheck can look at it again, and what it weighs in the progress. */
export interface LeftRef {
  courseId: string;
  clazzId: string;
  cpi: string;
  chapterId?: string;
  jobid?: string;
  tab?: number;
  weight: number;
}

/** An item left for the user; `ref` stays in the engine (the API shows `LeftForUser`). */
export type LeftEntry = LeftForUser & { ref?: LeftRef };

/** The video/audio being played: everything needed to resume it after a restart. */
export interface MediaRun {
  jobid: string;
  /** null until the media status has been read. */
  dtoken: string | null;
  /** The media's full length (s), from its status. */
  duration: number;
  /** Where playing ends: the clip's end, else the duration. */
  end: number;
  /** Seconds of media reported so far (a position inside [clip begins, end]). */
  playingTime: number;
  /** The position playback started from (the resume point or the clip's start). */
  basePlay: number;
  /** Real seconds of playing the reports have covered: completion needs `end - basePlay` of them (2026). */
  watched: number;
  /** This video's speed: the user's, or 1 where the course forbids fast playback. */
  speed: number;
  /** rt values still to try; the accepted one first after a report. */
  rt: string[];
  dtype: "Video" | "Audio";
  /** "start" sends isdrag 3; "play" periodic 0; "end" sends 4 until passed; "confirm" re-reads the card. */
  stage: "start" | "play" | "end" | "confirm";
  /** Engine-clock ms of the last accepted report (null before the first, and after a restart). */
  lastReportAt: number | null;
  /** 403 recoveries (rt switch / dtoken refetch), bounded. */
  recoveries: number;
  /** End reports (isdrag 4) sent in a row: never more than three (protocol "Corrections of 2026-12", item 5). */
  endReports?: number;
  /** The one re-watch from the start at 1× of a video whose end was not passed; after it, the video is left. */
  rewatch?: boolean;
  /**
   * Loaded from an older checkpoint (the object was evicted): the card's `playTime`, which the platform
   * keeps from the reports it accepted, says where playing really is (src/engine/restart.ts `resumeCold`).
   */
  resync?: boolean;
  /**
   * The furthest this playthrough's clock was shown (src/engine/progress.ts), kept at every step so the
   * clock never goes back when a wait holds the position (the next report may come later than expected).
   */
  shown?: number;
  /**
   * When the alarm that first ran after that load was due (src/engine/restart.ts `resumeAlarmDue`): with the
   * card's position it dates the last accepted report. null: not known (a retried alarm, or the player was
   * restarted meanwhile), so the player starts again.
   */
  resyncDue?: number | null;
  /** Its reports were scheduled before their gaps could be told from the position (records of 0.1.0). */
  randomGaps?: boolean;
  /**
   * A report was refused (403) and the card is to be read again before any recovery: a course that
   * captures stops there (src/engine/capture.ts); `captureChecked` once that was done for this video.
   */
  captureCheck?: boolean;
  captureChecked?: boolean;
}

/** The live replay being watched (src/engine/live.ts): everything needed to go on after a restart. */
export interface LiveRun {
  jobid: string;
  /** The replay's length (s) from `liveinfo`; null until read. */
  duration: number | null;
  /** Seconds of the replay reported watched (one minute per accepted `saveTimePc`). */
  watched: number;
  /** Engine-clock ms of the last accepted `saveTimePc`. */
  lastAt: number | null;
  /** "watch": one `saveTimePc` a minute; "confirm": the card is read to see it passed. */
  stage: "watch" | "confirm";
}

/** A class a task names: this (courseId, clazzId), studied even if it ended. */
export interface ClassRef {
  courseId: string;
  clazzId: string;
}

/**
 * A video or audio this task passed, kept until a check on a later morning finds it still passed: the
 * platform rolls back passed media overnight (protocol "Corrections of 2026-12", item 6), see credit.ts.
 */
export interface PassedMedia {
  courseId: string;
  clazzId: string;
  chapterId: string;
  /** the chapter's title and the job's name, for the log and a left item */
  chapter: string;
  name: string;
  type: "video" | "audio";
  jobid: string;
  tab: number;
  /** its progress weight and its media length (seconds), taken back while it is rolled back */
  weight: number;
  duration: number;
  /** the Asia/Shanghai day it passed */
  day: string;
  /** awaiting the check; rolled back (being studied again, or `left` for the user) */
  state: "awaiting" | "rolled_back";
  /** studied again after a rollback: another one leaves it for the user */
  redone?: boolean;
  left?: boolean;
  /** checks that did not find its card (an earlier card rolled back can hide it); bounded */
  misses?: number;
}

/** A next-morning check of the media passed on earlier days, and the study again of those rolled back. */
export interface VerifyRun {
  /** the phase the task goes back to afterwards ("done": it completes again) */
  resume: Phase;
  stage: "check" | "redo";
  /** rolled back and queued to study again, this run */
  found: number;
  /** found still passed, this run */
  verified: number;
  /** items left for the user when it began: one left by the check is news too */
  leftBefore: number;
  /** jobids whose card this run did not find */
  missed: string[];
  /** the cards of the rolled-back media still to study again, in order */
  redo: StoredJob[];
}

export type Phase = "resolve" | "chapters" | "cards" | "job" | "visit" | "recheck" | "verify" | "done";

export interface EngineState {
  v: 1;
  phase: Phase;
  /** The user's speed: a ceiling each course may lower. */
  speed: number;
  /** The player's report interval from the cards page (`reportTimeInterval`, seconds); null until read. */
  reportInterval: number | null;
  notopenAction: NotopenAction;
  /** The courseIds the task was created with. */
  courseIds: string[];
  /** The classes the task names (studied even if ended); its courseIds' other classes are not taken then (src/engine/classes.ts). */
  classes?: ClassRef[];
  /** The chapters and deadline chosen of each class; absent: everything, no deadline. */
  choices?: CourseChoice[];
  courses: CourseEntry[];
  ci: number;
  chapters: ChapterEntry[];
  hi: number;
  /**
   * The cards of the current chapter as its tab bar lists them (`num` of each); undefined until read, null
   * when the page had no tab bar (then tabs 0..6 are probed). `tab` counts the cards read so far.
   */
  tabList?: number[] | null;
  /** Cards tab being read and the jobs merged so far for the current chapter. */
  tab: number;
  jobs: StoredJob[];
  ji: number;
  /** Re-reads of the current chapter after its jobs (task points may appear once earlier ones pass). */
  rereads?: number;
  /** A job of the current chapter passed since it was last read: worth a re-read before moving on. */
  worked?: boolean;
  media: MediaRun | null;
  /** The live replay being watched; like a video it holds the account's one-video lock. */
  live?: LiveRun | null;
  /** Whether this task holds its account's one-video lock. */
  holdsVideo: boolean;
  /** Not-open handling: attempts per chapter id, the chapter to come back to, and `ask`'s skip run. */
  notopen: { attempts: Record<string, number>; returnTo: number | null; skipping: boolean };
  /** Consecutive failed steps, for bounded exponential back-off. */
  failures: number;
  /** The host that raised the pending captcha: its image and answer are there. */
  captchaOrigin?: string | null;
  /** A recheck of the left items: the next one to look at, what each course's chapter tree said, and how many items it began with. */
  recheck?: { i: number; trees: Record<string, { finished: string[]; all: boolean }>; from?: number } | null;
  stats: {
    jobsDone: number;
    studySeconds: number;
    /** Media seconds of jobs finished (for the progress weights and the ETA). */
    mediaDoneSeconds: number;
    /** Count and total duration of media seen, for estimating unknown jobs. */
    mediaSeen: number;
    mediaSeenSeconds: number;
  };
  left: LeftEntry[];
  /** Highest progress shown so far while running: estimates may shift, the number never goes back. */
  progressFloor: number;
  /** Media passed by this task and not yet confirmed by a next-morning check (absent in older records). */
  checks?: PassedMedia[];
  /** The check (and study again) under way, in phase "verify". */
  verify?: VerifyRun | null;
}

/** Media seconds between two progress reports (the player's `reportTimeInterval`, or its usual value). */
export const intervalS = (s: EngineState): number => s.reportInterval ?? REPORT_INTERVAL_S;

export function initialState(
  courseIds: string[],
  speed: number,
  notopenAction: NotopenAction,
  classes: ClassRef[] = [],
  choices: CourseChoice[] = [],
): EngineState {
  return {
    v: 1,
    phase: "resolve",
    speed,
    reportInterval: null,
    notopenAction,
    courseIds,
    classes,
    choices,
    courses: [],
    ci: 0,
    chapters: [],
    hi: 0,
    tab: 0,
    jobs: [],
    ji: 0,
    rereads: 0,
    worked: false,
    media: null,
    holdsVideo: false,
    notopen: { attempts: {}, returnTo: null, skipping: false },
    failures: 0,
    captchaOrigin: null,
    recheck: null,
    stats: { jobsDone: 0, studySeconds: 0, mediaDoneSeconds: 0, mediaSeen: 0, mediaSeenSeconds: 0 },
    left: [],
    progressFloor: 0,
    checks: [],
    verify: null,
  };
}

/**
 * A checkpoint from before the 2026 protocol: its media jobs lack the fields every report now needs, so
 * the chapter is read again, and a video in progress restarts from the card's resume point.
 */
export function upgradeState(s: EngineState): void {
  if (s.media && typeof s.media.watched !== "number") s.media = null;
  // Media jobs read before capture courses were recognised (2026-12 item 2) lack `randomCaptureTime`: the
  // chapter is read again, so a course that captures is left before another report.
  const stale = s.jobs.some((j) => (j.type === "video" || j.type === "audio") && (typeof j.attDuration !== "string" || typeof j.randomCaptureTime !== "number"));
  if (stale && (s.phase === "job" || s.phase === "cards")) {
    s.phase = "cards";
    s.tab = 0;
    s.jobs = [];
    s.ji = 0;
    s.media = null;
  }
  // Per-course figures came later (the detail's `courses`): a one-course task's totals are its course's;
  // with several, what was counted before is not split.
  if (s.courses.length === 1 && s.courses[0]!.jobsDone === undefined) {
    s.courses[0]!.jobsDone = s.stats.jobsDone;
    s.courses[0]!.studySeconds = s.stats.studySeconds;
  }
  // Verified credit came later: a record without it has nothing awaiting a check.
  s.checks ??= [];
  s.verify ??= null;
  // Items left before reasons had codes keep their Chinese reason only.
  for (const l of s.left) {
    l.url ??= null;
    l.reason_code ??= null;
    l.reason_params ??= null;
  }
}

/**
 * Why a stored engine state cannot be used, or null: the fields every read of a task goes through (its
 * live view and progress), so a record that passes never turns a read or a pause into a crash. Deeper
 * damage crashes a step instead, which the task object retries and then fails with the reason.
 */
export function checkEngine(s: Record<string, unknown>): string | null {
  const list = (v: unknown) => Array.isArray(v) && v.every(isObject);
  return firstBad(s, {
    phase: is.oneOf("resolve", "chapters", "cards", "job", "visit", "recheck", "done"),
    speed: is.num,
    courseIds: is.arr,
    courses: list,
    chapters: list,
    jobs: list,
    left: list,
    ci: is.int,
    hi: is.int,
    ji: is.int,
    media: is.nullable(isObject),
    stats: (v) => isObject(v) && ["jobsDone", "studySeconds", "mediaDoneSeconds", "mediaSeen", "mediaSeenSeconds"].every((k) => is.num(v[k])),
    progressFloor: is.num,
  });
}

/** What the API shows of the left items (`left_for_user`). */
export const publicLeft = (s: EngineState): LeftForUser[] => s.left.map(({ ref: _ref, ...item }) => ({ ...item, url: item.url ?? null, reason_code: item.reason_code ?? null, reason_params: item.reason_params ?? null }));
