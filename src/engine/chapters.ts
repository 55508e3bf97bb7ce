import { CARD_TABS } from "../chaoxing/client";
import type { ChapterCards } from "../chaoxing/types";
import { chapterPageUrl, type UpstreamUrls } from "../chaoxing/urls";
import { because, call, leave, log, next, refOf } from "./book";
import { advanceCourse, skipCourse } from "./courses";
import type { LogEvent } from "./log";
import { chapterEstimate, currentChapterWeights } from "./progress";
import type { EngineState, StoredJob } from "./state";
import { beforeCards, cardNum } from "./tabs";
import type { Book, Ctx, Kit, Outcome, Why } from "./types";

/**
 * The chapters of a course: read, entered in turn (finished ones passed over), their cards read tab by
 * tab (src/engine/tabs.ts), and a closed chapter (章节未开放) handled by the task's `notopen_action`.
 */

const MAX_NOTOPEN_RETRIES = 3;
const NOTOPEN_WAIT_MS = 60_000;

/** Phase "chapters": the course's chapter list, then its first chapter not finished. */
export async function readChapters(ctx: Ctx, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const r = await call(ctx, { op: "chapters", course });
  if (!r.ok) return kit.onFailure(ctx, r, (e) => skipCourse(ctx, "left.chapters_failed", { error: e.message }));
  course.enc = r.value.enc;
  // Only the chapters the task chose, when it chose.
  const chosen = r.value.chapters.filter((c) => !course.chapters || course.chapters.includes(c.id));
  s.chapters = chosen.map((c) => ({ id: c.id, title: c.title, jobCount: c.jobCount, finished: c.finished }));
  course.jobsOpen = s.chapters.reduce((n, c) => n + (c.finished ? 0 : c.jobCount), 0);
  log(ctx, "INFO", "course.start", { course: course.name, chapters: s.chapters.length });
  s.hi = 0;
  return enterChapter(ctx);
}

/** Moves to chapter `s.hi`, skipping finished ones without a call (unless we came back to unlock). */
export function enterChapter(ctx: Book): Outcome {
  const { s } = ctx;
  while (s.hi < s.chapters.length && s.chapters[s.hi]!.finished && s.notopen.returnTo === null) s.hi++;
  if (s.hi >= s.chapters.length) return advanceCourse(ctx, "done");
  s.phase = "cards";
  s.tab = 0;
  s.tabList = undefined;
  s.jobs = [];
  s.ji = 0;
  s.rereads = 0;
  s.worked = false;
  return next();
}

function nextChapter(ctx: Book): Outcome {
  ctx.s.hi++;
  return enterChapter(ctx);
}

/** Phase "cards": the chapter's cards, one tab per step, then its jobs (or its visit). */
export async function readCards(ctx: Ctx, kit: Kit): Promise<Outcome> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  // First, once per course its chapter page (face masks), then the chapter's tab bar: a call each.
  const before = await beforeCards(ctx, kit);
  if (before) return before;
  const num = cardNum(s);
  // A tab bar without cards: an empty chapter, and fetching its tab bar was its visit.
  if (num === null) {
    countOpen(s, []);
    log(ctx, "INFO", "chapter.visited", { chapter: chapter.title });
    return chapterDone(ctx);
  }
  const r = await call(ctx, { op: "cards", course, chapterId: chapter.id, num });
  if (!r.ok) {
    if ("error" in r && r.error.kind === "not_open") return notOpen(ctx);
    return kit.onFailure(ctx, r, (e) => skipChapter(ctx, "left.cards_failed", { error: e.message }));
  }
  s.notopen.skipping = false;
  if (r.value.defaults?.reportTimeInterval) s.reportInterval = r.value.defaults.reportTimeInterval;
  const found = mergeJobs(s, r.value, num);
  s.tab++;
  const required = s.jobs.filter((j) => j.required);
  // Cards are read one per step: the tab bar's, or (without one) tabs 0..6 until one has no mArg.
  const more = s.tabList
    ? s.tab < s.tabList.length
    : r.value.defaults !== null && s.tab < CARD_TABS && (found > 0 || required.length < chapter.jobCount);
  if (more) return next();
  countOpen(s, required);
  if (required.length === 0) {
    s.phase = "visit";
    return next();
  }
  const rereading = (s.rereads ?? 0) > 0;
  if (rereading && !required.some((j) => !j.isPassed && !j.handled)) return chapterDone(ctx);
  if (rereading) log(ctx, "INFO", "chapter.new_jobs", { chapter: chapter.title });
  s.phase = "job";
  s.ji = 0;
  return next();
}

/**
 * The chapter list counts no task points for a locked chapter: once its cards are read, the open ones
 * found (or passed by us since) raise the course's count of open task points (its `jobs_left`).
 */
function countOpen(s: EngineState, required: StoredJob[]): void {
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  const open = required.filter((j) => !j.isPassed || j.handled).length;
  const counted = chapter.counted ?? (chapter.finished ? 0 : chapter.jobCount);
  if (open > counted && course.jobsOpen !== undefined) course.jobsOpen += open - counted;
  chapter.counted = Math.max(open, counted);
}

/** Adds the jobs of a cards tab not seen yet; a job seen before takes the card's fresh `isPassed`. */
export function mergeJobs(s: EngineState, cards: ChapterCards, tab: number): number {
  let added = 0;
  for (const job of cards.jobs) {
    const known = s.jobs.find((j) => j.type === job.type && j.jobid === job.jobid);
    if (known) {
      known.isPassed ||= job.isPassed;
      continue;
    }
    s.jobs.push({ ...job, tab });
    added++;
  }
  return added;
}


export function chapterDone(ctx: Book): Outcome {
  const { s } = ctx;
  const chapter = s.chapters[s.hi]!;
  const w = currentChapterWeights(s);
  chapter.finished = true;
  chapter.weight = w.weight;
  chapter.doneWeight = w.done;
  if (s.notopen.returnTo !== null) {
    // Came back one chapter to unlock the closed one: check it again.
    s.hi = s.notopen.returnTo;
    s.notopen.returnTo = null;
    s.chapters[s.hi]!.finished = false;
    return enterChapter(ctx);
  }
  return nextChapter(ctx);
}

/** A chapter that cannot be read: listed for the user with its link, and the course goes on. */
export function skipChapter(ctx: Book, ...why: Why): Outcome {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  leave(ctx, {
    chapter: chapter.title, item: "", kind: "chapter", ...because(...why), url: chapterPageUrl(ctx.io.urls, course, chapter.id, course.enc ?? null),
    ref: refOf(course, chapterEstimate(s, chapter.jobCount), { chapterId: chapter.id }),
  });
  log(ctx, "WARNING", "chapter.skipped", { chapter: chapter.title, reason: why[0], ...why[1] });
  return nextChapter(ctx);
}

/** 章节未开放, by `notopen_action` (protocol "Chapters that are not open"); every path is bounded. */
function notOpen(ctx: Book): Outcome {
  const { s } = ctx;
  const chapter = s.chapters[s.hi]!;
  if (s.notopenAction === "continue") return skipChapter(ctx, "left.notopen_skipped");
  if (s.notopenAction === "ask") {
    if (s.notopen.skipping) return skipChapter(ctx, "left.notopen_user_skip");
    log(ctx, "WARNING", "chapter.notopen_ask", { chapter: chapter.title });
    return { kind: "pause", reason: "notopen_ask", chapter: chapter.title };
  }
  const attempts = (s.notopen.attempts[chapter.id] ?? 0) + 1;
  s.notopen.attempts[chapter.id] = attempts;
  if (attempts > MAX_NOTOPEN_RETRIES) {
    return skipCourse(ctx, "left.notopen_gave_up", { chapter: chapter.title, attempts: MAX_NOTOPEN_RETRIES });
  }
  if (s.hi === 0) {
    log(ctx, "WARNING", "chapter.notopen_wait", { chapter: chapter.title, seconds: NOTOPEN_WAIT_MS / 1000, attempt: attempts });
    return next(NOTOPEN_WAIT_MS);
  }
  log(ctx, "INFO", "chapter.notopen_retry", { chapter: chapter.title, attempt: attempts });
  s.notopen.returnTo = s.hi;
  s.hi--;
  s.chapters[s.hi]!.finished = false;
  return enterChapter(ctx);
}

/**
 * The user's answer to a `notopen_ask` pause: skip the closed chapters, stop the course, or "I finished it
 * myself, check again" (`retry`): the chapter is read again on resume, and a closed one pauses again.
 */
export function applyNotopenChoice(s: EngineState, choice: "skip" | "stop" | "retry", urls: UpstreamUrls): LogEvent[] {
  const logs: LogEvent[] = [];
  const book: Book = { s, logs, io: { urls } };
  if (choice === "skip") s.notopen.skipping = true;
  else if (choice === "stop") skipCourse(book, "left.notopen_user_stop");
  else log(book, "INFO", "chapter.recheck", { chapter: s.chapters[s.hi]?.title ?? "" });
  return logs;
}
