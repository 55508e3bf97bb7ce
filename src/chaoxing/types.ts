/** A course is identified by (courseId, clazzId); `cpi` belongs to that class and most calls need it. */
export interface CourseRef {
  courseId: string;
  clazzId: string;
  cpi: string;
}

export interface Course extends CourseRef {
  courseName: string;
  teacherName: string;
  /** The class's name (`班级：…` on its card; a course taken in several classes is listed once per class); "" when absent. */
  clazzName: string;
  /** 0 ongoing, 1 ended (seed's `/courses/list` shape). */
  state: 0 | 1;
  /** The class's period as its card shows it (开课时间：start～end), Shanghai days YYYY-MM-DD; null: not shown. */
  startDate: string | null;
  endDate: string | null;
  /** Folder (`courseFolderId`) the course was listed in; null for the top level. */
  folderId: string | null;
  folderName: string | null;
  /** `div.course` attributes, kept for callers that want them. */
  info: string;
  roleid: string;
}

export interface Folder {
  id: string;
  name: string;
}

export interface Chapter {
  id: string;
  title: string;
  jobCount: number;
  finished: boolean;
  /** Locked until earlier work is done (tip says 解锁 and the job count is hidden). */
  locked: boolean;
}

/** The chapter tree of a course and what its page gives for links into it. */
export interface CourseOutline {
  chapters: Chapter[];
  /** [unverified] `input#enc`: the course-level enc of `mycourse/studentstudy` links; null when absent. */
  enc: string | null;
}

export interface JobCount {
  totalcount: number;
  finishcount: number;
  unfinishcount: number;
  openlock: number;
  clickcount: number;
}

export interface CardDefaults {
  reportTimeInterval: number;
  cpi: string;
  ktoken: string;
  fid: string;
  userid: string;
  clazzId: string;
  courseid: string;
  knowledgeid: string;
  /**
   * The capture flags at 1 (`startCapture`, `playingCapture`, `playingLoopCapture`, `chapterCapture`,
   * `endCapture`, `playAginCapture`): any of them makes a face course (2026-12 item 2); [] when none.
   */
  capture: string[];
  /** `reportUrl`: the report base (may be another mooc1 host); null when the page has none. */
  reportUrl: string | null;
  /** `schooldoublespeed` (0 no fast playback, 1 fast playback, 2 each video decides); null when absent (each video decides). */
  schoolDoubleSpeed: number | null;
}

interface JobCommon {
  jobid: string;
  name: string;
  /** Already done: skip it. */
  isPassed: boolean;
  /** A required task point (`job` truthy, or a read whose `job` is null). */
  required: boolean;
  /** `otherInfo` without the `&courseId=…` tail the page appends. */
  otherInfo: string;
}

export interface MediaJob extends JobCommon {
  type: "video" | "audio";
  objectId: string;
  /** null: the video failed transcoding and cannot be played: skip it. */
  mid: string | null;
  /** Resume point (ms already watched). */
  playTimeMs: number;
  /** `property.rt` when the page gives it (2026 pages keep it in otherInfo only). */
  rt: string | null;
  /** The three fields every report carries, copied from the attachment ("" when absent). */
  attDuration: string;
  attDurationEnc: string;
  videoFaceCaptureEnc: string;
  /** `begins`/`ends` (s) of the part to play; null: the whole media. */
  clip: [number, number] | null;
  /** Fast playback allowed, by the player's rule over `schooldoublespeed` and `property.doublespeed` (2026-12 item 1). */
  fastPlayback: boolean;
  /** Seconds into the video where a capture course takes its photo (`randomCaptureTime`); 0: none. */
  randomCaptureTime: number;
  /** The report base of the page it came from (`defaults.reportUrl`). */
  reportUrl: string | null;
}

export interface DocumentJob extends JobCommon {
  type: "document";
  objectId: string;
  jtoken: string;
}

export interface ReadJob extends JobCommon {
  type: "read";
  jtoken: string;
}

/** A chapter quiz (`workid`): left for the user. */
export interface QuizJob extends JobCommon {
  type: "quiz";
  workId: string;
}

/**
 * A live (直播) card (2026-12 item 3): its replay is watched through `liveinfo` and `saveTimePc` (item 12);
 * one whose `liveStatus` is 未开始 has nothing to replay yet.
 */
export interface LiveJob extends JobCommon {
  type: "live";
  liveId: string;
  streamName: string;
  vdoid: string;
  /** `property._jobid`, which `liveinfo` takes. */
  liveJobid: string;
  notStarted: boolean;
}

/** Anything newer: reported, not done. */
export interface OtherJob extends JobCommon {
  type: "other";
  rawType: string;
}

export type Job = MediaJob | DocumentJob | ReadJob | QuizJob | LiveJob | OtherJob;

export interface ChapterCards {
  /** null when no tab carried an `mArg` object. */
  defaults: CardDefaults | null;
  jobs: Job[];
}

export interface MediaStatus {
  dtoken: string;
  /** seconds */
  duration: number;
  objectId: string;
  filename: string;
}
