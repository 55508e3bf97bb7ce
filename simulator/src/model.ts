import { shanghaiDay } from "../../shared/clock";
import { fnv1a } from "../../shared/encoding";

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
      /**
       * seconds into the video where a capture course takes its photo (`randomCaptureTime`); only in
       * courses with `faceCheck: "capture"`, default 658 as in the captured mArg
       */
      randomCaptureTime?: number;
    })
  | (JobSpecCommon & {
      /** a live (直播) card: its replay is watched through `liveinfo` and `saveTimePc` once a minute */
      type: "live";
      /** seconds of the replay */
      duration: number;
      /** `liveStatus: "未开始"`: nothing to replay yet (otherwise "直播回看") */
      notStarted?: boolean;
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
 * Face capture, as courses have it (chaoxing-protocol.md, 2026 and "Corrections of 2026-12" item 2):
 * - `flag`: the player's four-flag gate (`isSupportFace`, `isShowFaceCollection`, `chapterCapture`,
 *   `playingCapture` all 1); `chapterOnly`: `chapterCapture` alone;
 * - `capture`: the captured real mArg: `playingCapture:1, startCapture:1, playingLoopCapture:1,
 *   chapterCapture:0`, no `isSupportFace`, and each video's `randomCaptureTime` (658 s); reports whose
 *   position is past it are refused (403), the capture never having been made;
 * - `mask`: no flag at all, but the chapter page (`mycourse/studentstudy`) carries the face masks
 *   (`#chapterFaceState`, `.maskDiv1`);
 * - `page` answers the cards with a 200 page whose script goes to `/knowledge/startface`; `redirect`
 *   answers with a 302 there.
 * Reports in a `flag`, `mask`, `page` or `redirect` course are refused (403) from about 30 s after the first one.
 */
export type FaceCheck = "flag" | "page" | "redirect" | "chapterOnly" | "capture" | "mask";

/** One class of a course taken in several (one courseId, a clazzId each); `state: 1` = ended. */
/** Days from the day the account was made. */
export interface SimPeriod {
  from: number;
  to: number;
}

export interface SimClassSpec {
  name: string;
  state?: 0 | 1;
  period?: SimPeriod;
}

export interface SimCourseSpec {
  name: string;
  teacher: string;
  /** 1 = ended */
  state?: 0 | 1;
  /**
   * The class's period as its card shows it (开课时间：start～end), in days from the day the account was
   * made; none: the card has no such line. A class of `classes` may have its own.
   */
  period?: SimPeriod;
  /** the course taken in several classes (reference CLI #604): one list entry per class, progress per class */
  classes?: SimClassSpec[];
  /** listed inside this folder */
  folder?: string;
  /** carries `.not-open-tip` in the list (clients skip it) */
  notOpen?: boolean;
  /** 闯关模式: each chapter is locked until the previous one is done */
  sequential?: boolean;
  faceCheck?: FaceCheck;
  /**
   * `defaults.schooldoublespeed`, judged as the player does (2026-12 item 1): absent or 2 → each video's
   * `doublespeed` decides; 0 → no fast playback; 1 → fast playback, even where a video says `doublespeed: 0`
   */
  schooldoublespeed?: 0 | 1 | 2;
  /** the host `defaults.reportUrl` names (default: the host the cards came from), e.g. "mooc1-1" */
  reportHost?: string;
  /**
   * Strict real time (protocol "Corrections of 2026-12", item 5): reports at the end position credit no
   * time, and the recorded position (`playTime`) follows every accepted report, passed or not, so a card
   * can show the end unpassed. Default off; switchable per course through the control API.
   */
  strictRealTime?: boolean;
  chapters: SimChapterSpec[];
}

export interface SimJob {
  jobid: string;
  objectId: string;
  type: "video" | "audio" | "document" | "read" | "quiz" | "live";
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
  /** seconds; 0 = no capture point (and in courses that do not capture) */
  randomCaptureTime: number;
  /** live cards: not started yet */
  notStarted: boolean;
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
  clazzName: string;
  name: string;
  teacher: string;
  state: 0 | 1;
  /** Shanghai days (YYYY-MM-DD) the class begins and ends; null: not shown. */
  period: [string, string] | null;
  folder: { id: string; name: string } | null;
  notOpen: boolean;
  sequential: boolean;
  faceCheck: FaceCheck | null;
  schooldoublespeed: 0 | 1 | 2 | null;
  reportHost: string | null;
  strictRealTime: boolean;
  chapters: SimChapter[];
}


/** 32 hex chars derived from `s` (shaped like Chaoxing's object ids and tokens). */
export function hex32(s: string): string {
  let out = "";
  for (let i = 0; i < 4; i++) out += fnv1a(s, 0x811c9dc5 + i * 0x9e3779b1).toString(16).padStart(8, "0");
  return out;
}

/** Where the captured real mArg takes its photo: `randomCaptureTime: 658` (2026-12 item 2). */
const CAPTURE_TIME_S = 658;

/**
 * Assigns ids to a course spec: one course per class (the same courseId, a clazzId each; each class has
 * its own chapters and task points, so its progress counts apart); `next()` yields unique increasing
 * numbers; `today` places the classes' periods.
 */
export function buildCourses(spec: SimCourseSpec, next: () => number, today: number): SimCourse[] {
  const first = next();
  const courseId = String(228000000 + first);
  const classes = spec.classes ?? [{ name: `${spec.teacher}的班级`, state: spec.state }];
  // The first class takes the course's own number, as the one class did before there were several: a
  // course's ids stay what they were (the platform keeps its ids; stored records of earlier releases name them).
  return classes.map((cls, i) => buildClass(spec, courseId, cls, i === 0 ? first : next(), next, today));
}

function buildClass(spec: SimCourseSpec, courseId: string, cls: SimClassSpec, n: number, next: () => number, today: number): SimCourse {
  const period = cls.period ?? spec.period;
  const chapters = spec.chapters.map((ch): SimChapter => {
    const id = String(660000000 + next());
    const tabs = (ch.tabs ?? []).map((tab) =>
      tab.map((j): SimJob => {
        const k = next();
        const media = j.type === "video" || j.type === "audio" ? j : null;
        const text = j.type === "document" || j.type === "read" ? j : null;
        const live = j.type === "live" ? j : null;
        return {
          jobid: j.type === "quiz" ? `work-${3100000 + k}` : live ? `live-${5200000 + k}` : String(1609300000000000 + k * 7919),
          objectId: hex32(`obj:${courseId}:${k}`),
          type: j.type,
          name: j.name,
          duration: media?.duration ?? live?.duration ?? 0,
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
          randomCaptureTime: media?.type === "video" ? (media.randomCaptureTime ?? CAPTURE_TIME_S) : 0,
          notStarted: live?.notStarted ?? false,
        };
      }),
    );
    return { id, title: ch.title, unit: ch.unit ?? "", notOpen: ch.notOpen ?? false, tabs, jobs: tabs.flat() };
  });
  return {
    courseId,
    clazzId: String(94000000 + n),
    clazzName: cls.name,
    name: spec.name,
    teacher: spec.teacher,
    state: cls.state ?? 0,
    period: period ? [shanghaiDay(today + period.from * DAY_MS), shanghaiDay(today + period.to * DAY_MS)] : null,
    folder: spec.folder ? { id: String(1000000 + (fnv1a(spec.folder) % 9000000)), name: spec.folder } : null,
    notOpen: spec.notOpen ?? false,
    sequential: spec.sequential ?? false,
    faceCheck: spec.faceCheck ?? null,
    schooldoublespeed: spec.schooldoublespeed ?? null,
    reportHost: spec.reportHost ?? null,
    strictRealTime: spec.strictRealTime ?? false,
    chapters,
  };
}

/** Required task points: every card except a video that failed transcoding (it cannot be played). */
export const isRequired = (j: SimJob): boolean => !j.transcodeFailed;

/** Courses whose reports are refused about 30 s after the first: the gate's flags, the masks, the page forms. */
export const faceGated = (c: SimCourse): boolean => c.faceCheck !== null && c.faceCheck !== "chapterOnly" && c.faceCheck !== "capture";

/** The capture point of a video in a course that captures (0: none). */
export const captureTime = (c: SimCourse, j: SimJob): number => (c.faceCheck === "capture" ? j.randomCaptureTime : 0);

/**
 * Fast playback as the player decides it (2026-12 item 1): `schooldoublespeed` absent or 2 → the video's
 * `doublespeed` (0 forbids); 0 → forbidden; 1 → allowed whatever the video says.
 */
export const fastAllowed = (c: SimCourse, j: SimJob): boolean =>
  c.schooldoublespeed === null || c.schooldoublespeed === 2 ? j.doublespeed !== 0 : c.schooldoublespeed === 1;

/** The played part of a media job: [begins, ends] of its clip, else the whole media. */
export const playedRange = (j: SimJob): [number, number] => j.clip ?? [0, j.duration];
