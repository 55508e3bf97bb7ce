import type { Job } from "../chaoxing/types";
import type { LeftForUser } from "../shared/live";

/** A job of the current chapter, with the cards tab it came from (to confirm it on that tab). */
export type StoredJob = Job & { tab: number; /** media seconds, once the status was read */ seconds?: number };

export type NotopenAction = "retry" | "ask" | "continue";

export interface CourseEntry {
  courseId: string;
  clazzId: string;
  cpi: string;
  name: string;
  status: "todo" | "done" | "skipped";
}

export interface ChapterEntry {
  id: string;
  title: string;
  jobCount: number;
  finished: boolean;
  /** Its progress weight, fixed once its jobs were worked through (estimated from jobCount before). */
  weight?: number;
}

/** The video/audio being played: everything needed to resume it after a restart. */
export interface MediaRun {
  jobid: string;
  /** null until the media status has been read. */
  dtoken: string | null;
  duration: number;
  /** Seconds of media reported so far. */
  playingTime: number;
  /** rt values still to try; the accepted one first after a report. */
  rt: string[];
  dtype: "Video" | "Audio";
  /** "start" sends isdrag 3; "play" periodic 0; "end" sends 4 until passed; "confirm" re-reads the card. */
  stage: "start" | "play" | "end" | "confirm";
  /** Engine-clock ms of the last accepted report (null before the first). */
  lastReportAt: number | null;
  endAttempts: number;
  /** 403 recoveries (rt switch / dtoken refetch), bounded. */
  recoveries: number;
}

export type Phase = "resolve" | "chapters" | "cards" | "job" | "visit" | "done";

export interface EngineState {
  v: 1;
  phase: Phase;
  speed: number;
  /** The player's report interval from the cards page (`reportTimeInterval`, seconds); null until read. */
  reportInterval: number | null;
  notopenAction: NotopenAction;
  /** The courseIds the task was created with. */
  courseIds: string[];
  courses: CourseEntry[];
  ci: number;
  chapters: ChapterEntry[];
  hi: number;
  /** Cards tab being read and the jobs merged so far for the current chapter. */
  tab: number;
  jobs: StoredJob[];
  ji: number;
  media: MediaRun | null;
  /** Whether this task holds its account's one-video lock. */
  holdsVideo: boolean;
  /** Not-open handling: attempts per chapter id, the chapter to come back to, and `ask`'s skip run. */
  notopen: { attempts: Record<string, number>; returnTo: number | null; skipping: boolean };
  /** Consecutive failed steps, for bounded exponential back-off. */
  failures: number;
  stats: {
    jobsDone: number;
    studySeconds: number;
    /** Media seconds of jobs finished (for the progress weights and the ETA). */
    mediaDoneSeconds: number;
    /** Count and total duration of media seen, for estimating unknown jobs. */
    mediaSeen: number;
    mediaSeenSeconds: number;
  };
  left: LeftForUser[];
  /** Highest progress shown so far: estimates may shift, the number the user sees never goes back. */
  progressFloor: number;
}

export function initialState(courseIds: string[], speed: number, notopenAction: NotopenAction): EngineState {
  return {
    v: 1,
    phase: "resolve",
    speed,
    reportInterval: null,
    notopenAction,
    courseIds,
    courses: [],
    ci: 0,
    chapters: [],
    hi: 0,
    tab: 0,
    jobs: [],
    ji: 0,
    media: null,
    holdsVideo: false,
    notopen: { attempts: {}, returnTo: null, skipping: false },
    failures: 0,
    stats: { jobsDone: 0, studySeconds: 0, mediaDoneSeconds: 0, mediaSeen: 0, mediaSeenSeconds: 0 },
    left: [],
    progressFloor: 0,
  };
}
