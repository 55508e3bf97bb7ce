import { chapterPageUrl } from "../chaoxing/urls";
import { CALL_GAP_MS } from "../shared/pacing";
import { renderText, type TextCode, type TextParams } from "../shared/texts";
import type { OpName, OpOf, Reply } from "../durable/account-ops";
import { logLine, type ArgsOf, type LogEvent } from "./log";
import { jobWeight } from "./progress";
import type { CourseEntry, LeftEntry, LeftRef, StoredJob } from "./state";
import type { Book, Ctx, FailCode, LeftCode, Outcome, Why } from "./types";

/** The bookkeeping every phase shares: calls, log lines, outcomes, and what is left for the user. */

/** A failure outcome: its code, and the Chinese text the API keeps in `error_msg`. */
export function fail<C extends FailCode>(code: C, ...[params = {}]: ArgsOf<C>): Outcome {
  return { kind: "fail", code, params, message: renderText("zh", code, params) };
}

/** A media position as the log shows it. */
export const mmss = (s: number): string => `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

/** A Chaoxing call of the step: one that succeeded ends a run of failures (`Ctx.okCall`). */
export async function call<K extends OpName>(ctx: Ctx, op: OpOf<K>): Promise<Reply<K>> {
  const r = await ctx.io.call<K>(op);
  if (r.ok) ctx.okCall = true;
  return r;
}

export const log = <C extends TextCode>(ctx: Pick<Book, "logs">, level: LogEvent["level"], code: C, ...params: ArgsOf<C>) =>
  ctx.logs.push(logLine(level, code, ...params));
export const next = (delayMs = CALL_GAP_MS): Outcome => ({ kind: "next", delayMs, reason: null });

export const courseKey = (c: { courseId: string; clazzId: string }): string => `${c.courseId}:${c.clazzId}`;

export function refOf(course: CourseEntry, weight: number, at: { chapterId?: string; jobid?: string; tab?: number } = {}): LeftRef {
  return { courseId: course.courseId, clazzId: course.clazzId, cpi: course.cpi, ...at, weight };
}

/** An item's reason, coded, with its Chinese text (`reason`, for old clients). */
export function because(...why: Why): Pick<LeftEntry, "reason" | "reason_code" | "reason_params"> {
  const [code, params = {}]: [LeftCode, TextParams?] = why;
  return { reason: renderText("zh", code, params), reason_code: code, reason_params: params };
}

/** Records what the user must do by hand, once (a chapter revisited to unlock the next is seen twice). */
export function leave(ctx: Book, item: Omit<LeftEntry, "course"> & { course?: string }): void {
  const entry: LeftEntry = { course: ctx.s.courses[ctx.s.ci]?.name ?? "", ...item };
  const same = (l: LeftEntry) => l.course === entry.course && l.chapter === entry.chapter && l.item === entry.item && l.kind === entry.kind;
  if (!ctx.s.left.some(same)) ctx.s.left.push(entry);
}

/** Leaves one job of the current chapter for the user, with a link to its chapter. */
export function leaveJob(ctx: Book, job: StoredJob, ...why: Why): void {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  job.handled = true;
  leave(ctx, {
    chapter: chapter.title, item: job.name, kind: job.type === "other" ? job.rawType : job.type, ...because(...why),
    url: chapterPageUrl(ctx.io.urls, course, chapter.id, course.enc ?? null),
    ref: refOf(course, jobWeight(s, job), { chapterId: chapter.id, jobid: job.jobid, tab: job.tab }),
  });
}

export function passJob(ctx: Book, job: StoredJob): void {
  job.isPassed = true;
  job.handled = true;
  ctx.s.worked = true;
  ctx.s.stats.jobsDone++;
  const course = ctx.s.courses[ctx.s.ci];
  if (course) course.jobsDone = (course.jobsDone ?? 0) + 1;
}

export async function releaseVideo(ctx: Ctx): Promise<void> {
  ctx.s.holdsVideo = false;
  await ctx.io.releaseVideo();
}
