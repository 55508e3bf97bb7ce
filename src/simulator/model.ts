import { shanghaiDay } from "../lib/clock";
import { fnv1a } from "../lib/encoding";

const DAY_MS = 24 * 3600_000;

/** The simulator's catalogue: course specs as tests and the seed write them, and their built form with ids. */

/** What any card may have: whether it shows only once the chapter's earlier task points passed. */
interface JobSpecCommon {
  name: string;
  /** the card appears only after every earlier task point of the chapter passed (2026) */
  afterPrevious?: boolean;
}

export type SimJobSpec =
  | (JobSpecCommon & {
      type: "video" | "audio";
      /** seconds */
      duration: number;
      /** the rt the platform expects (default "0.9") */
      rt?: "0.9" | "1";
      /** where the page reveals rt: only `-rt_x` in otherInfo (default, as in 2026), property.rt, or nowhere */
      rtIn?: "property" | "otherInfo" | "none";
      /** failed transcoding: the attachment has no `mid` */
      transcodeFailed?: boolean;
      /** still transcoding: the media status is not `success` until `control.finishTranscoding` */
      transcoding?: boolean;
      /** `property.doublespeed`: 0 forbids fast playback (default 1) */
      doublespeed?: 0 | 1;
      /** a clip of the media, [begins, ends] in seconds: only that part is played and `clipTime` names it */
      clip?: [number, number];
    })
  | (JobSpecCommon & {
      type: "document" | "read";
      /** the reply is an HTML page instead of JSON, and the job is not done */
      notJson?: boolean;
      /** reads: the card has no `job` key (default) or `job: false`; either way it is a task point */
      jobKey?: "absent" | "false";
    })
  | (JobSpecCommon & { type: "quiz" });

export interface SimChapterSpec {
  title: string;
  /** unit heading (`div.chapter_unit`); consecutive chapters with the same unit share one */
  unit?: string;
  /** job cards per tab (num=0..); omit or [] for an empty chapter */
  tabs?: SimJobSpec[][];
  /** 章节未开放 until `control.openChapter` */
  notOpen?: boolean;
}

/**
 * Face capture, as courses have it in 2026: `flag` sets `chapterCapture` and `playingCapture` (the gate);
 * `page` answers the cards with a 200 page whose script goes to `/knowledge/startface`; `redirect` answers
 * with a 302 there; `chapterOnly` sets `chapterCapture` alone, which is not the gate. Reports in a gated
 * course are refused (403) from about 30 s after the first one.
 */
export type FaceCheck = "flag" | "page" | "redirect" | "chapterOnly";

export interface SimCourseSpec {
  name: string;
  teacher: string;
  /** 1 = ended */
  state?: 0 | 1;
  /**
   * The class's period as its card shows it (开课时间：start～end), in days from the day the account was
   * made; none: the card has no such line.
   */
  period?: { from: number; to: number };
  /** listed inside this folder */
  folder?: string;
  /** carries `.not-open-tip` in the list (clients skip it) */
  notOpen?: boolean;
  /** 闯关模式: each chapter is locked until the previous one is done */
  sequential?: boolean;
  faceCheck?: FaceCheck;
  /** false: `schooldoublespeed: 0`, the school forbids fast playback in this course */
  fastPlayback?: boolean;
  /** the host `defaults.reportUrl` names (default: the host the cards came from), e.g. "mooc1-1" */
  reportHost?: string;
  chapters: SimChapterSpec[];
}

export interface SimJob {
  jobid: string;
  objectId: string;
  type: "video" | "audio" | "document" | "read" | "quiz";
  name: string;
  duration: number;
  rt: "0.9" | "1";
  rtIn: "property" | "otherInfo" | "none";
  transcodeFailed: boolean;
  transcoding: boolean;
  doublespeed: 0 | 1;
  clip: [number, number] | null;
  afterPrevious: boolean;
  notJson: boolean;
  jobKey: "absent" | "false";
  workId: string;
}

export interface SimChapter {
  id: string;
  title: string;
  unit: string;
  notOpen: boolean;
  tabs: SimJob[][];
  /** all tabs' jobs, in order: every card is a required task point */
  jobs: SimJob[];
}

export interface SimCourse {
  courseId: string;
  clazzId: string;
  name: string;
  teacher: string;
  state: 0 | 1;
  /** Shanghai days (YYYY-MM-DD) the class begins and ends; null: not shown. */
  period: [string, string] | null;
  folder: { id: string; name: string } | null;
  notOpen: boolean;
  sequential: boolean;
  faceCheck: FaceCheck | null;
  fastPlayback: boolean;
  reportHost: string | null;
  chapters: SimChapter[];
}


/** 32 hex chars derived from `s` (shaped like Chaoxing's object ids and tokens). */
export function hex32(s: string): string {
  let out = "";
  for (let i = 0; i < 4; i++) out += fnv1a(s, 0x811c9dc5 + i * 0x9e3779b1).toString(16).padStart(8, "0");
  return out;
}

/** Assigns ids to a course spec; `next()` yields unique increasing numbers; `today` places its period. */
export function buildCourse(spec: SimCourseSpec, next: () => number, today: number): SimCourse {
  const n = next();
  const courseId = String(228000000 + n);
  const chapters = spec.chapters.map((ch): SimChapter => {
    const id = String(660000000 + next());
    const tabs = (ch.tabs ?? []).map((tab) =>
      tab.map((j): SimJob => {
        const k = next();
        const media = j.type === "video" || j.type === "audio" ? j : null;
        const text = j.type === "document" || j.type === "read" ? j : null;
        return {
          jobid: j.type === "quiz" ? `work-${3100000 + k}` : String(1609300000000000 + k * 7919),
          objectId: hex32(`obj:${courseId}:${k}`),
          type: j.type,
          name: j.name,
          duration: media?.duration ?? 0,
          rt: media?.rt ?? "0.9",
          rtIn: media?.rtIn ?? "otherInfo",
          transcodeFailed: media?.transcodeFailed ?? false,
          transcoding: media?.transcoding ?? false,
          doublespeed: media?.doublespeed ?? 1,
          clip: media?.clip ?? null,
          afterPrevious: j.afterPrevious ?? false,
          notJson: text?.notJson ?? false,
          jobKey: text?.jobKey ?? "absent",
          workId: String(3100000 + k),
        };
      }),
    );
    return { id, title: ch.title, unit: ch.unit ?? "", notOpen: ch.notOpen ?? false, tabs, jobs: tabs.flat() };
  });
  return {
    courseId,
    clazzId: String(94000000 + n),
    name: spec.name,
    teacher: spec.teacher,
    state: spec.state ?? 0,
    period: spec.period ? [shanghaiDay(today + spec.period.from * DAY_MS), shanghaiDay(today + spec.period.to * DAY_MS)] : null,
    folder: spec.folder ? { id: String(1000000 + (fnv1a(spec.folder) % 9000000)), name: spec.folder } : null,
    notOpen: spec.notOpen ?? false,
    sequential: spec.sequential ?? false,
    faceCheck: spec.faceCheck ?? null,
    fastPlayback: spec.fastPlayback ?? true,
    reportHost: spec.reportHost ?? null,
    chapters,
  };
}

/** Required task points: every card except a video that failed transcoding (it cannot be played). */
export const isRequired = (j: SimJob): boolean => !j.transcodeFailed;

/** The face gate of 2026: `chapterCapture == 1 && playingCapture == 1` (and its page forms). */
export const faceGated = (c: SimCourse): boolean => c.faceCheck !== null && c.faceCheck !== "chapterOnly";

/** The played part of a media job: [begins, ends] of its clip, else the whole media. */
export const playedRange = (j: SimJob): [number, number] => j.clip ?? [0, j.duration];
