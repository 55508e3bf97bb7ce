import type { ChaoxingClient, ReportParams, ReportResult } from "../chaoxing/client";
import { ChaoxingError, type ChaoxingErrorKind } from "../chaoxing/errors";
import { courseProgress } from "../chaoxing/progress";
import { surveyCourse, type CourseSurvey } from "../chaoxing/survey";
import type { ChapterCards, Course, CourseOutline, CourseRef, DocumentJob, LiveJob, MediaStatus, ReadJob } from "../chaoxing/types";

/**
 * The Chaoxing calls the engine makes, as plain data: the task object sends one to the account object,
 * which runs it with the account's session and pacing (src/durable/account.ts).
 */
export type Op =
  | { op: "courses" }
  | { op: "chapters"; course: CourseRef }
  | { op: "cards"; course: CourseRef; chapterId: string; num: number }
  /** The chapter's tab bar (`studentstudyAjax`): the `num` of each card, null without a tab bar. */
  | { op: "tabs"; course: CourseRef; chapterId: string }
  /** The chapter page, for the face masks of a course that captures (`face_check` when it has them). */
  | { op: "studyPage"; course: CourseRef; chapterId: string; enc: string }
  /** A live replay's length (`liveinfo`); counted as media by the account's limits, like a media status. */
  | { op: "liveInfo"; course: CourseRef; chapterId: string; job: Pick<LiveJob, "jobid" | "liveId" | "liveJobid"> }
  /** One minute of a replay watched (`saveTimePc`); `position`: seconds watched with it, for the daily media count. */
  | { op: "liveTime"; course: CourseRef; job: Pick<LiveJob, "jobid" | "liveId" | "streamName" | "vdoid">; position: number }
  | { op: "status"; objectId: string; media: "video" | "audio" }
  | { op: "report"; params: ReportParams }
  | { op: "document"; course: CourseRef; chapterId: string; job: Pick<DocumentJob, "jobid" | "jtoken"> }
  | { op: "read"; course: CourseRef; chapterId: string; job: Pick<ReadJob, "jobid" | "jtoken"> }
  | { op: "visit"; course: CourseRef; chapterId: string }
  /** A course's progress 0–100 from its chapters' job counts (two calls); null when Chaoxing refused them. */
  | { op: "progress"; course: CourseRef }
  /** What is left of a course, chapter by chapter (the tree, then a page per chapter tab not done: src/chaoxing/survey.ts). */
  | { op: "survey"; course: CourseRef }
  /** The captcha of the host that raised it (`origin` from the captcha error; mooc1 when unknown). */
  | { op: "captchaImage"; origin?: string }
  | { op: "captcha"; code: string; origin?: string };

export interface OpResults {
  courses: Course[];
  chapters: CourseOutline;
  cards: ChapterCards;
  tabs: number[] | null;
  studyPage: null;
  liveInfo: { duration: number };
  liveTime: boolean;
  status: MediaStatus;
  report: ReportResult;
  document: boolean;
  read: boolean;
  visit: null;
  progress: number | null;
  survey: CourseSurvey;
  captchaImage: { contentType: string; bytes: Uint8Array };
  captcha: boolean;
}

export type OpName = Op["op"];
export type OpOf<K extends OpName> = Extract<Op, { op: K }>;

/** Today's figure as every reply carries it to the task (the task page shows it beside the settings page's). */
export interface UsageNote {
  day: string;
  mediaSeconds: number;
  capMinutes: number;
}

/** A ChaoxingError as plain data, so it crosses the RPC boundary. */
export interface OpError {
  kind: ChaoxingErrorKind;
  message: string;
  retryAfterMs?: number;
  reason?: string;
  /** The host that raised a captcha. */
  origin?: string;
}

export type Reply<K extends OpName> = (
  | { ok: true; value: OpResults[K] }
  | { ok: false; error: OpError }
  /**
   * The phone's pacing (or a re-login) asks the caller to come back later; with a `reason`, a wait the
   * task shows: the study window, the daily media cap, or a break.
   */
  | { ok: false; waitMs: number; reason?: WaitReason | null }
) & {
  /** Where today's media count stands after the call (the task page shows it). */
  usage?: UsageNote;
};

export type WaitReason = "outside_window" | "daily_cap" | "break";

export function toOpError(e: unknown): OpError {
  if (e instanceof ChaoxingError) return { kind: e.kind, message: e.message, retryAfterMs: e.retryAfterMs, reason: e.reason, origin: e.origin };
  throw e;
}

export async function runOp<K extends OpName>(client: ChaoxingClient, op: OpOf<K>): Promise<OpResults[K]> {
  const o = op as Op;
  let value: OpResults[OpName];
  switch (o.op) {
    case "courses":
      value = await client.listCourses();
      break;
    case "chapters":
      value = await client.getChapters(o.course);
      break;
    case "cards":
      value = await client.getCardsTab(o.course, o.chapterId, o.num);
      break;
    case "tabs":
      value = await client.getTabs(o.course, o.chapterId);
      break;
    case "studyPage":
      await client.checkStudyPage(o.course, o.chapterId, o.enc);
      value = null;
      break;
    case "liveInfo":
      value = await client.getLiveInfo(o.course, o.chapterId, o.job);
      break;
    case "liveTime":
      value = await client.saveLiveTime(o.course, o.job);
      break;
    case "status":
      value = await client.getMediaStatus(o.objectId, undefined, o.media);
      break;
    case "report":
      value = await client.reportProgress(o.params);
      break;
    case "document":
      value = await client.completeDocument(o.course, o.chapterId, o.job);
      break;
    case "read":
      value = await client.completeRead(o.course, o.chapterId, o.job);
      break;
    case "visit":
      await client.visitEmptyChapter(o.course, o.chapterId);
      value = null;
      break;
    case "progress": {
      const { chapters } = await client.getChapters(o.course);
      value = courseProgress(Object.values(await client.getJobCounts(o.course, chapters.map((c) => c.id))));
      break;
    }
    case "survey":
      value = await surveyCourse(client, o.course);
      break;
    case "captchaImage":
      value = await client.getCaptchaImage(o.origin);
      break;
    case "captcha":
      value = await client.submitCaptcha(o.code, o.origin);
      break;
  }
  return value as OpResults[K];
}
