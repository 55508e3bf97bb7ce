import { CARD_TABS } from "../chaoxing/client";
import { CALL_GAP_MS } from "../shared/pacing";
import { rtCandidates } from "../chaoxing/marg";
import type { ChapterCards, MediaJob } from "../chaoxing/types";
import { chapterPageUrl, coursePageUrl, type UpstreamUrls } from "../chaoxing/urls";
import { shanghaiMinute } from "../lib/clock";
import { studyOrder } from "../shared/forecast";
import { renderText, type ParamsOf, type TextCode, type TextParams } from "../shared/texts";
import type { OpError, OpName, OpOf, Reply, WaitReason } from "../durable/account-ops";
import { chapterEstimate, computeProgress, courseWeights, currentChapterWeights, itemClock, itemLabel, jobWeight } from "./progress";
import { logLine, type ArgsOf, type LogEvent } from "./log";
import { intervalS, upgradeState, type CourseEntry, type EngineState, type LeftEntry, type LeftRef, type MediaRun, type StoredJob } from "./state";

/** What a step may ask of the world: Chaoxing calls through the account, and its one-video lock. */
export interface EngineIO {
  call<K extends OpName>(op: OpOf<K>): Promise<Reply<K>>;
  acquireVideo(): Promise<{ granted: boolean; position: number }>;
  releaseVideo(): Promise<void>;
  now(): number;
  /** [0, 1): jitter. */
  random(): number;
  /** The configured Chaoxing hosts, for the links in `left_for_user`. */
  urls: UpstreamUrls;
}

export type PauseReason = "captcha" | "notopen_ask" | "risk_control" | "relay_offline";

export type Outcome =
  | { kind: "next"; delayMs: number; reason?: "waiting_for_account" | "study_cap" | "upstream" | WaitReason | null; queuePosition?: number }
  | { kind: "pause"; reason: PauseReason; chapter?: string }
  | { kind: "complete" }
  | { kind: "fail"; message: string; code: FailCode; params: TextParams };

export type { LogEvent };
type FailCode = Extract<TextCode, `fail.${string}`>;
type LeftCode = Extract<TextCode, `left.${string}`>;
/** Why an item is left for the user: a `left.*` code and its parameters. */
type Why = { [C in LeftCode]: keyof ParamsOf<C> extends never ? [C] : [C, ParamsOf<C>] }[LeftCode];

/** A failure outcome: its code, and the Chinese text the API keeps in `error_msg`. */
function fail<C extends FailCode>(code: C, ...[params = {}]: ArgsOf<C>): Outcome {
  return { kind: "fail", code, params, message: renderText("zh", code, params) };
}

export interface StepResult {
  outcome: Outcome;
  logs: LogEvent[];
  /** A failure signal seen upstream, for the admin statistics. */
  signal?: string;
}

/** Waiting tasks poll this rarely: the holder's release wakes the next one at once. */
const LOCK_POLL_MS = 60_000;
const MAX_FAILURES = 8;
const MAX_RECOVERIES = 2;
const MAX_NOTOPEN_RETRIES = 3;
const NOTOPEN_WAIT_MS = 60_000;
/** Re-reads of a chapter after its jobs, for task points that appear once earlier ones pass. */
const MAX_REREADS = 2;
/**
 * End reports go on until the platform says passed, bounded by the real time of the video: past its
 * length plus this margin (three report intervals, or a tenth of the video if longer) it is given up.
 */
const endMarginS = (m: MediaRun, intervalS: number): number => Math.max(3 * intervalS, (m.end - m.basePlay) / 10);

/** Exponential back-off with jitter: 5 s, 10 s, 20 s … capped at 10 minutes. */
export function backoffMs(failures: number, random: number): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, failures - 1), 600_000);
  return Math.round(base * (0.5 + random / 2));
}


/** Real ms between two reports of a video: one report per `reportTimeInterval` of media at its speed. */
export const reportIntervalMs = (s: EngineState, m: Pick<MediaRun, "speed">): number => (intervalS(s) / m.speed) * 1000;

const mmss = (s: number): string => `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

/**
 * One bounded step of a task: at most one upstream call (plus the account's lock), then the state is
 * checkpointed by the caller and the next alarm set `delayMs` later. Mutates `s`.
 */
export async function step(s: EngineState, io: EngineIO): Promise<StepResult> {
  upgradeState(s);
  // The video's clock as it stands before this step: whatever the step does, it is never shown lower.
  if (s.media) s.media.shown = itemClock(s, io.now()).time;
  const logs: LogEvent[] = [];
  const ctx: Ctx = { s, io, logs };
  const outcome = await dispatch(ctx);
  if (ctx.okCall) s.failures = 0;
  if (s.phase !== "done") s.progressFloor = computeProgress(s, io.now()).progress;
  // A failed task keeps its media position, so a retry resumes the video where it stopped.
  if (outcome.kind === "complete") s.media = null;
  if ((outcome.kind === "complete" || outcome.kind === "fail") && s.holdsVideo) await releaseVideo(ctx);
  return { outcome, logs, signal: ctx.signal };
}

/** What the bookkeeping functions need: the state, the step's log, and the hosts for links. */
interface Book {
  s: EngineState;
  logs: LogEvent[];
  io: Pick<EngineIO, "urls">;
}

interface Ctx extends Book {
  io: EngineIO;
  signal?: string;
  /** A Chaoxing call of this step succeeded: only that ends a run of failures (waits do not). */
  okCall?: boolean;
}

async function call<K extends OpName>(ctx: Ctx, op: OpOf<K>): Promise<Reply<K>> {
  const r = await ctx.io.call<K>(op);
  if (r.ok) ctx.okCall = true;
  return r;
}

const log = <C extends TextCode>(ctx: Pick<Book, "logs">, level: LogEvent["level"], code: C, ...params: ArgsOf<C>) =>
  ctx.logs.push(logLine(level, code, ...params));
const next = (delayMs = CALL_GAP_MS): Outcome => ({ kind: "next", delayMs, reason: null });

async function dispatch(ctx: Ctx): Promise<Outcome> {
  switch (ctx.s.phase) {
    case "resolve":
      return resolveCourses(ctx);
    case "chapters":
      return readChapters(ctx);
    case "cards":
      return readCards(ctx);
    case "job":
      return doJob(ctx);
    case "visit":
      return visitChapter(ctx);
    case "recheck":
      return recheckStep(ctx);
    case "done":
      return { kind: "complete" };
  }
}

type Failed = { ok: false; error: OpError } | { ok: false; waitMs: number; reason?: WaitReason | null };

/**
 * A failed call: waits, pauses, skips or back-off, by the failure signal (protocol "Failure signals" and
 * its 2026 section). Back-off is for transport errors, 5xx and 429 only; anything else the platform says
 * about one job, chapter or course is an outcome for that item (`unexpected`), and the task goes on.
 */
function onFailure(ctx: Ctx, r: Failed, unexpected?: (e: OpError) => Outcome | Promise<Outcome>): Outcome | Promise<Outcome> {
  const { s } = ctx;
  if ("waitMs" in r) return r.reason ? limitWait(ctx, r.reason, r.waitMs) : { kind: "next", delayMs: r.waitMs, reason: null };
  const e = r.error;
  ctx.signal = e.kind;
  switch (e.kind) {
    case "captcha":
      s.captchaOrigin = e.origin ?? null;
      log(ctx, "WARNING", "wait.captcha");
      return { kind: "pause", reason: "captcha" };
    case "risk_control":
      log(ctx, "WARNING", "wait.risk_control", { error: e.message });
      return { kind: "pause", reason: "risk_control" };
    case "study_cap": {
      const wait = (e.retryAfterMs ?? 600_000) + Math.round(ctx.io.random() * 5_000);
      log(ctx, "WARNING", "wait.study_cap", { minutes: Math.ceil(wait / 60_000) });
      return { kind: "next", delayMs: wait, reason: "study_cap" };
    }
    case "face_check":
      return skipCourse(ctx, "left.face_check");
    case "relay_offline":
      // Issue 14: never another route; the user's relay object resumes the task when an agent connects.
      log(ctx, "WARNING", "wait.relay_offline");
      return { kind: "pause", reason: "relay_offline" };
    case "login_failed":
      return fail("fail.login", { error: e.reason ?? e.message });
    case "transient":
    case "rate_limited":
    case "session_expired":
      return backoff(ctx, e);
    default:
      if (unexpected) return unexpected(e);
      return backoff(ctx, e);
  }
}

/**
 * The account's study window, daily media cap or a break. Like a student closing the player (for the
 * night, or for a rest), the video starts again (isdrag 3) where it stopped, and the phone's one-video
 * lock goes to whoever waits for it meanwhile.
 */
async function limitWait(ctx: Ctx, reason: WaitReason, waitMs: number): Promise<Outcome> {
  const { s } = ctx;
  if (s.media) prepareMediaRestart(s.media);
  if (s.holdsVideo) await releaseVideo(ctx);
  log(ctx, "INFO", `wait.${reason}`, { until: shanghaiMinute(ctx.io.now() + waitMs) });
  return { kind: "next", delayMs: waitMs, reason };
}

function backoff(ctx: Ctx, e: OpError): Outcome {
  const { s } = ctx;
  s.failures++;
  if (s.failures > MAX_FAILURES) return fail("fail.upstream", { attempts: MAX_FAILURES, error: e.message });
  const wait = Math.max(backoffMs(s.failures, ctx.io.random()), e.retryAfterMs ?? 0);
  log(ctx, "WARNING", "wait.backoff", { error: e.message, seconds: Math.round(wait / 1000), attempt: s.failures });
  return { kind: "next", delayMs: wait, reason: "upstream" };
}

const courseKey = (c: { courseId: string; clazzId: string }): string => `${c.courseId}:${c.clazzId}`;

function refOf(course: CourseEntry, weight: number, at: { chapterId?: string; jobid?: string; tab?: number } = {}): LeftRef {
  return { courseId: course.courseId, clazzId: course.clazzId, cpi: course.cpi, ...at, weight };
}

/** An item's reason, coded, with its Chinese text (`reason`, for old clients). */
function because(...why: Why): Pick<LeftEntry, "reason" | "reason_code" | "reason_params"> {
  const [code, params = {}]: [LeftCode, TextParams?] = why;
  return { reason: renderText("zh", code, params), reason_code: code, reason_params: params };
}

/** Records what the user must do by hand, once (a chapter revisited to unlock the next is seen twice). */
function leave(ctx: Book, item: Omit<LeftEntry, "course">): void {
  const entry: LeftEntry = { course: ctx.s.courses[ctx.s.ci]?.name ?? "", ...item };
  const same = (l: LeftEntry) => l.course === entry.course && l.chapter === entry.chapter && l.item === entry.item && l.kind === entry.kind;
  if (!ctx.s.left.some(same)) ctx.s.left.push(entry);
}

/** Leaves one job of the current chapter for the user, with a link to its chapter. */
function leaveJob(ctx: Book, job: StoredJob, ...why: Why): void {
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

// ---- courses -------------------------------------------------------------------------------------

async function resolveCourses(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const r = await call(ctx, { op: "courses" });
  if (!r.ok) return onFailure(ctx, r, (e) => fail("fail.courses", { error: e.message }));
  for (const id of s.courseIds) {
    // A course taken in several classes is resolved to each of its classes, or to those the task chose.
    const chosen = (s.choices ?? []).filter((x) => x.courseId === id);
    const choiceOf = (clazzId: string) => chosen.find((x) => x.clazzId === clazzId) ?? chosen.find((x) => x.clazzId === null);
    const matches = r.value.filter((c) => c.courseId === id && (chosen.length === 0 || choiceOf(c.clazzId) !== undefined));
    if (matches.length === 0) {
      if (!s.left.some((l) => l.kind === "course" && l.course === id)) {
        s.left.push({ course: id, chapter: "", item: "", kind: "course", ...because("left.course_missing"), url: null });
      }
      log(ctx, "WARNING", "course.missing", { course_id: id });
    }
    for (const c of matches) {
      const choice = choiceOf(c.clazzId);
      s.courses.push({
        courseId: c.courseId, clazzId: c.clazzId, cpi: c.cpi, name: c.courseName, status: "todo", chapters: choice?.chapters ?? null, deadline: choice?.deadline ?? null,
      });
    }
  }
  if (s.courses.length === 0) return fail("fail.no_courses");
  // The course whose deadline is nearest first (src/shared/forecast.ts counts them in the same order).
  s.courses = studyOrder(s.courses);
  log(ctx, "INFO", "courses.found", { n: s.courses.length, names: s.courses.map((c) => c.name).join(", ") });
  s.phase = "chapters";
  s.ci = 0;
  return next();
}

/** Closes the current course with the weights it ends with (only passed task points count). */
function advanceCourse(ctx: Book, status: "done" | "skipped"): Outcome {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const w = courseWeights(s);
  course.status = status;
  course.done = w.done;
  course.total = w.total;
  const leftHere = s.left.filter((l) => l.ref && courseKey(l.ref) === courseKey(course)).length;
  if (status === "done") {
    if (leftHere) log(ctx, "INFO", "course.done_left", { course: course.name, left: leftHere });
    else log(ctx, "INFO", "course.done", { course: course.name });
  }
  s.ci++;
  s.chapters = [];
  s.hi = 0;
  s.jobs = [];
  s.ji = 0;
  // A course left in the middle of a video (a face capture seen on a report) does not carry it along.
  s.media = null;
  s.notopen = { attempts: {}, returnTo: null, skipping: false };
  if (s.ci >= s.courses.length) return finishAll(ctx);
  s.phase = "chapters";
  return next();
}

function finishAll(ctx: Book): Outcome {
  const { s } = ctx;
  s.phase = "done";
  s.recheck = null;
  const left = s.left.length;
  if (left) log(ctx, "INFO", "all.done_left", { jobs: s.stats.jobsDone, left });
  else log(ctx, "INFO", "all.done", { jobs: s.stats.jobsDone });
  return { kind: "complete" };
}

/** Skips the rest of the current course, listed for the user with a link to the course. */
function skipCourse(ctx: Book, ...why: Why): Outcome {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const w = courseWeights(s);
  leave(ctx, {
    chapter: "", item: "", kind: "course", ...because(...why), url: coursePageUrl(ctx.io.urls, course),
    ref: refOf(course, Math.max(0, w.total - w.done)),
  });
  log(ctx, "WARNING", "course.skipped", { course: course.name, reason: why[0], ...why[1] });
  return advanceCourse(ctx, "skipped");
}

async function readChapters(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const r = await call(ctx, { op: "chapters", course });
  if (!r.ok) return onFailure(ctx, r, (e) => skipCourse(ctx, "left.chapters_failed", { error: e.message }));
  course.enc = r.value.enc;
  // Only the chapters the task chose, when it chose.
  const chosen = r.value.chapters.filter((c) => !course.chapters || course.chapters.includes(c.id));
  s.chapters = chosen.map((c) => ({ id: c.id, title: c.title, jobCount: c.jobCount, finished: c.finished }));
  course.jobsOpen = s.chapters.reduce((n, c) => n + (c.finished ? 0 : c.jobCount), 0);
  log(ctx, "INFO", "course.start", { course: course.name, chapters: s.chapters.length });
  s.hi = 0;
  return enterChapter(ctx);
}

// ---- chapters ------------------------------------------------------------------------------------

/** Moves to chapter `s.hi`, skipping finished ones without a call (unless we came back to unlock). */
function enterChapter(ctx: Book): Outcome {
  const { s } = ctx;
  while (s.hi < s.chapters.length && s.chapters[s.hi]!.finished && s.notopen.returnTo === null) s.hi++;
  if (s.hi >= s.chapters.length) return advanceCourse(ctx, "done");
  s.phase = "cards";
  s.tab = 0;
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

async function readCards(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  const r = await call(ctx, { op: "cards", course, chapterId: chapter.id, num: s.tab });
  if (!r.ok) {
    if ("error" in r && r.error.kind === "not_open") return notOpen(ctx);
    return onFailure(ctx, r, (e) => skipChapter(ctx, "left.cards_failed", { error: e.message }));
  }
  s.notopen.skipping = false;
  if (r.value.defaults?.reportTimeInterval) s.reportInterval = r.value.defaults.reportTimeInterval;
  const found = mergeJobs(s, r.value, s.tab);
  s.tab++;
  const required = s.jobs.filter((j) => j.required);
  // Tabs are read one per step; past the last one the page has no mArg (or no attachments).
  const more = r.value.defaults !== null && s.tab < CARD_TABS && (found > 0 || required.length < chapter.jobCount);
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
function mergeJobs(s: EngineState, cards: ChapterCards, tab: number): number {
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

async function visitChapter(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const chapter = s.chapters[s.hi]!;
  const r = await call(ctx, { op: "visit", course: s.courses[s.ci]!, chapterId: chapter.id });
  if (!r.ok) return onFailure(ctx, r, (e) => skipChapter(ctx, "left.visit_failed", { error: e.message }));
  log(ctx, "INFO", "chapter.visited", { chapter: chapter.title });
  return chapterDone(ctx);
}

function chapterDone(ctx: Book): Outcome {
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
function skipChapter(ctx: Book, ...why: Why): Outcome {
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

// ---- jobs ----------------------------------------------------------------------------------------

async function doJob(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const chapter = s.chapters[s.hi]!;
  // Jobs that need no call are passed over in the same step (bounded by the chapter's job list).
  while (s.ji < s.jobs.length) {
    const job = s.jobs[s.ji]!;
    if (!job.required || job.isPassed || job.handled) {
      s.ji++;
      continue;
    }
    switch (job.type) {
      case "quiz":
        if (s.notopen.returnTo === null) log(ctx, "INFO", "job.quiz_left", { item: job.name });
        leaveJob(ctx, job, "left.quiz");
        s.ji++;
        continue;
      case "other":
        leaveJob(ctx, job, "left.unsupported");
        log(ctx, "WARNING", "job.unsupported", { item: job.name, type: job.rawType });
        s.ji++;
        continue;
      case "document":
      case "read": {
        const r = job.type === "document"
          ? await call(ctx, { op: "document", course, chapterId: chapter.id, job })
          : await call(ctx, { op: "read", course, chapterId: chapter.id, job });
        if (!r.ok) {
          return onFailure(ctx, r, (e) => {
            leaveJob(ctx, job, "left.odd_reply", { error: e.message });
            log(ctx, "WARNING", "job.odd_reply", { item: itemLabel(job), error: e.message });
            s.ji++;
            return next();
          });
        }
        if (r.value) {
          passJob(ctx, job);
          log(ctx, "INFO", "job.done", { item: itemLabel(job) });
        } else {
          leaveJob(ctx, job, "left.not_accepted");
          log(ctx, "WARNING", "job.refused", { item: itemLabel(job) });
        }
        s.ji++;
        return next();
      }
      case "video":
      case "audio":
        if (job.mid === null) {
          leaveJob(ctx, job, "left.transcode_failed");
          log(ctx, "WARNING", "job.transcode_failed", { item: itemLabel(job) });
          s.ji++;
          continue;
        }
        return playMedia(ctx, job);
    }
  }
  if (s.notopen.returnTo !== null) {
    s.phase = "visit";
    return next();
  }
  // Later task points of a chapter can appear only once the earlier ones passed: read it again (bounded).
  if (s.worked && (s.rereads ?? 0) < MAX_REREADS) {
    s.rereads = (s.rereads ?? 0) + 1;
    s.worked = false;
    s.tab = 0;
    s.phase = "cards";
    return next();
  }
  return chapterDone(ctx);
}

function passJob(ctx: Book, job: StoredJob): void {
  job.isPassed = true;
  job.handled = true;
  ctx.s.worked = true;
  ctx.s.stats.jobsDone++;
  const course = ctx.s.courses[ctx.s.ci];
  if (course) course.jobsDone = (course.jobsDone ?? 0) + 1;
}

async function releaseVideo(ctx: Ctx): Promise<void> {
  ctx.s.holdsVideo = false;
  await ctx.io.releaseVideo();
}

async function finishMedia(ctx: Ctx, job: MediaJob & StoredJob, passed: boolean, why: Why = ["left.report_not_passed"]): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media;
  if (passed) {
    passJob(ctx, job);
    s.stats.mediaDoneSeconds += m?.duration ?? 0;
    log(ctx, "INFO", "media.done", { item: itemLabel(job), duration: mmss(m?.duration ?? 0) });
  } else {
    leaveJob(ctx, job, ...why);
    log(ctx, "WARNING", "media.left", { item: itemLabel(job), reason: why[0], ...why[1] });
  }
  s.media = null;
  await releaseVideo(ctx);
  s.ji++;
  return next();
}

/** Video/audio on the player's cadence: status → isdrag 3 → 0 … → 4 until passed → confirm on the card. */
async function playMedia(ctx: Ctx, job: MediaJob & StoredJob): Promise<Outcome> {
  const { s, io } = ctx;
  const course = s.courses[s.ci]!;
  // One video at a time per Chaoxing account: hold the account's lock (or wait in its queue). Asked on
  // every media step: a holder that waited too long may have lost it, and then plays nothing until it
  // is its turn again (and restarts with isdrag 3 where it was).
  const lock = await io.acquireVideo();
  if (!lock.granted) {
    if (s.holdsVideo && s.media) prepareMediaRestart(s.media);
    s.holdsVideo = false;
    return { kind: "next", delayMs: LOCK_POLL_MS, reason: "waiting_for_account", queuePosition: lock.position };
  }
  s.holdsVideo = true;
  if (!s.media || s.media.jobid !== job.jobid) s.media = newMediaRun(s, job);
  const m = s.media;
  if (m.resync) return resyncMedia(ctx, job, m);
  if (m.dtoken === null) {
    const r = await call(ctx, { op: "status", objectId: job.objectId, media: job.type });
    if (!r.ok) {
      return onFailure(ctx, r, (e) => finishMedia(ctx, job, false, e.kind === "not_ready" ? ["left.not_ready"] : ["left.odd_reply", { error: e.message }]));
    }
    m.dtoken = r.value.dtoken;
    m.duration = r.value.duration;
    m.end = Math.min(job.clip?.[1] ?? m.duration, m.duration);
    m.playingTime = Math.min(Math.max(m.playingTime, job.clip?.[0] ?? 0), m.end);
    if (m.stage === "start" && m.recoveries === 0) m.basePlay = m.playingTime;
    job.seconds = m.end - (job.clip?.[0] ?? 0);
    if (m.stage === "start" && m.recoveries === 0) {
      s.stats.mediaSeen++;
      s.stats.mediaSeenSeconds += job.seconds;
      log(ctx, "INFO", m.speed < s.speed ? "media.start_1x" : "media.start", { item: itemLabel(job), at: mmss(m.playingTime), duration: mmss(m.end), speed: m.speed });
    }
    return next();
  }
  if (m.stage === "confirm") {
    const r = await call(ctx, { op: "cards", course, chapterId: s.chapters[s.hi]!.id, num: job.tab });
    if (!r.ok) return onFailure(ctx, r, () => finishMedia(ctx, job, true));
    // The re-read card may carry task points that unlocked when this one passed.
    mergeJobs(s, r.value, job.tab);
    const card = r.value.jobs.find((j) => j.jobid === job.jobid);
    if (!card || card.isPassed) return finishMedia(ctx, job, true);
    m.stage = "end";
    return next(reportIntervalMs(s, m));
  }

  const now = io.now();
  // At most one and a half intervals of media per report, whatever the clock says.
  const maxStep = intervalS(s) * 1.5;
  let isdrag: 0 | 3 | 4;
  let playingTime = m.playingTime;
  let elapsed = 0;
  if (m.stage === "start") {
    isdrag = 3;
  } else {
    // Media time advances with real time at this video's speed, never faster (capped at one interval's worth).
    elapsed = Math.min(Math.max(0, (now - (m.lastReportAt ?? now)) / 1000), maxStep / m.speed);
    playingTime = Math.min(m.end, m.playingTime + elapsed * m.speed);
    isdrag = playingTime >= m.end ? 4 : 0;
  }
  const r = await call(ctx, {
    op: "report",
    params: {
      course,
      job: {
        jobid: job.jobid, objectId: job.objectId, otherInfo: job.otherInfo, type: job.type, attDuration: job.attDuration,
        attDurationEnc: job.attDurationEnc, videoFaceCaptureEnc: job.videoFaceCaptureEnc, clip: job.clip, reportUrl: job.reportUrl,
      },
      dtoken: m.dtoken,
      duration: m.duration,
      playingTime,
      isdrag,
      rt: [m.rt[0]!],
      dtype: m.dtype,
    },
  });
  if (!r.ok) {
    if ("error" in r && r.error.kind === "forbidden") return reportRefused(ctx, job);
    return onFailure(ctx, r, (e) => finishMedia(ctx, job, false, ["left.odd_reply", { error: e.message }]));
  }
  s.stats.studySeconds += Math.round(elapsed);
  course.studySeconds = (course.studySeconds ?? 0) + Math.round(elapsed);
  m.watched += elapsed;
  m.playingTime = playingTime;
  m.lastReportAt = now;
  m.rt = [r.value.rt, ...m.rt.filter((x) => x !== r.value.rt)];
  const interval = reportIntervalMs(s, m) + Math.round(io.random() * 2_000);
  // The real time still owed before the platform credits the end (2026: completion needs the video's length).
  const owedMs = Math.max(0, (m.end - m.basePlay - m.watched) * 1000);
  if (isdrag === 4) {
    if (r.value.isPassed) {
      m.stage = "confirm";
      return next(CALL_GAP_MS * 4);
    }
    m.stage = "end";
    if (m.watched >= m.end - m.basePlay + endMarginS(m, intervalS(s))) return finishMedia(ctx, job, false);
    // Repeated each interval until it passes; the last one just after the real time is covered.
    return next(Math.max(CALL_GAP_MS * 4, Math.min(interval, owedMs > 0 ? owedMs + 1_500 : interval)));
  }
  m.stage = "play";
  // The last stretch may be shorter than an interval: come back when the media ends.
  const remainingMs = ((m.end - playingTime) / m.speed) * 1000;
  return next(Math.max(CALL_GAP_MS * 4, Math.min(interval, Math.ceil(remainingMs) + 1_000)));
}

function newMediaRun(s: EngineState, job: MediaJob): MediaRun {
  const start = Math.floor(job.playTimeMs / 1000);
  return {
    jobid: job.jobid,
    dtoken: null,
    duration: 0,
    end: 0,
    playingTime: start,
    basePlay: start,
    watched: 0,
    // The user's speed is a ceiling: 1× where the course forbids fast playback.
    speed: job.fastPlayback ? s.speed : 1,
    rt: rtCandidates(job),
    dtype: job.type === "audio" ? "Audio" : "Video",
    stage: "start",
    lastReportAt: null,
    recoveries: 0,
  };
}

/** 403 on a report: next rt candidate, then a fresh dtoken (audio also as Audio), then give up the job. */
async function reportRefused(ctx: Ctx, job: MediaJob & StoredJob): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media!;
  ctx.signal = "forbidden";
  if (m.rt.length > 1) {
    m.rt.shift();
    log(ctx, "DEBUG", "report.rt_retry", { rt: m.rt[0]! });
    return next(CALL_GAP_MS * 4);
  }
  m.recoveries++;
  if (m.recoveries > MAX_RECOVERIES) return finishMedia(ctx, job, false, ["left.report_forbidden"]);
  log(ctx, "WARNING", "report.forbidden", { item: itemLabel(job), attempt: m.recoveries });
  m.dtoken = null;
  m.rt = rtCandidates(job);
  m.stage = "start";
  m.lastReportAt = null;
  return next(CALL_GAP_MS * 4);
}

/**
 * After an eviction the video goes on from the platform's position: its card's `playTime` (the furthest
 * accepted report). The playing the checkpoint missed is credited once, as real time at the video's speed,
 * so counters never go back and never count twice; time spent in the end stage (the position no longer
 * moves) is not recovered, which only makes the task wait and report a little longer, never less.
 */
async function resyncMedia(ctx: Ctx, job: MediaJob & StoredJob, m: MediaRun): Promise<Outcome> {
  const { s } = ctx;
  const r = await call(ctx, { op: "cards", course: s.courses[s.ci]!, chapterId: s.chapters[s.hi]!.id, num: job.tab });
  if (!r.ok) return onFailure(ctx, r, () => {
    // Not readable now: go on from the checkpoint's position (the platform never credits a report twice).
    m.resync = false;
    return next();
  });
  m.resync = false;
  mergeJobs(s, r.value, job.tab);
  const card = r.value.jobs.find((j): j is MediaJob => j.jobid === job.jobid && (j.type === "video" || j.type === "audio"));
  if (card?.isPassed) return finishMedia(ctx, job, true);
  const position = Math.min(card ? Math.floor(card.playTimeMs / 1000) : 0, m.end || Infinity);
  if (position > m.playingTime) {
    const credited = (position - m.playingTime) / m.speed;
    m.watched += credited;
    s.stats.studySeconds += Math.round(credited);
    m.playingTime = position;
  }
  return next();
}

/** A checkpoint loaded after an eviction: a video in progress first re-reads where the platform has it. */
export function resumeCold(s: EngineState): void {
  upgradeState(s);
  if (!s.media || s.media.stage === "confirm") return;
  prepareMediaRestart(s.media);
  s.media.resync = true;
}

/**
 * The boundaries a checkpoint must not miss: every job passed or left, and every course begun, so a cold
 * load never does a finished job again nor logs it twice; and the start of a video, whose checkpoint keeps
 * where its playing began and the real time it needs (the platform's card gives its position, not those).
 * Between them a cold load only reads a tab or a chapter again. Within a video the position is the
 * platform's (`resumeCold`), so reports need no checkpoint. Transitions are written too (src/durable/task.ts).
 */
export const checkpointKey = (s: EngineState): string => `${s.ci}|${s.stats.jobsDone}|${s.left.length}|${s.media?.jobid ?? ""}`;

/** After a pause, a restart or a captcha, media resumes with a fresh isdrag 3 at the saved playing time. */
export function prepareResume(s: EngineState): void {
  upgradeState(s);
  if (s.media) prepareMediaRestart(s.media);
  s.failures = 0;
}

function prepareMediaRestart(m: MediaRun): void {
  if (m.stage === "confirm") return;
  m.stage = m.stage === "end" ? "end" : "start";
  m.lastReportAt = null;
}

// ---- recheck -------------------------------------------------------------------------------------

/** Whether a completed task has items left that a recheck could clear. */
export const canRecheck = (s: EngineState): boolean => s.phase === "done" && s.left.length > 0;

/** Starts re-reading the left items' chapters: those the user finished by hand are cleared, then the task completes again. */
export function startRecheck(s: EngineState): LogEvent[] {
  upgradeState(s);
  s.phase = "recheck";
  s.recheck = { i: 0, trees: {} };
  s.failures = 0;
  // What the user sees now is the honest figure; the recheck only adds what they finished.
  s.progressFloor = 0;
  return [logLine("INFO", "recheck.start", { n: s.left.length })];
}

/** One left item per step (one call): its chapter's card for a job, the course's chapter tree otherwise. */
async function recheckStep(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const rc = (s.recheck ??= { i: 0, trees: {} });
  while (rc.i < s.left.length && !s.left[rc.i]!.ref) rc.i++;
  const entry = s.left[rc.i];
  if (!entry?.ref) return finishRecheck(ctx);
  const ref = entry.ref;
  const course = { courseId: ref.courseId, clazzId: ref.clazzId, cpi: ref.cpi };
  const keep = (): Outcome => {
    rc.i++;
    return next();
  };
  // The chapter still closed or still behind a face capture: the item stays (no course to skip here).
  const failed = (r: Failed) => ("error" in r && (r.error.kind === "face_check" || r.error.kind === "not_open") ? keep() : onFailure(ctx, r, keep));
  if (ref.jobid && ref.chapterId) {
    const r = await call(ctx, { op: "cards", course, chapterId: ref.chapterId, num: ref.tab ?? 0 });
    if (!r.ok) return failed(r);
    const card = r.value.jobs.find((j) => j.jobid === ref.jobid);
    if (card?.isPassed) clearLeft(ctx, entry);
    else rc.i++;
    return next();
  }
  const key = courseKey(ref);
  let tree = rc.trees[key];
  if (!tree) {
    const r = await call(ctx, { op: "chapters", course });
    if (!r.ok) return failed(r);
    const finished = r.value.chapters.filter((c) => c.finished).map((c) => c.id);
    tree = rc.trees[key] = { finished, all: finished.length > 0 && finished.length === r.value.chapters.length };
  }
  if (ref.chapterId ? tree.finished.includes(ref.chapterId) : tree.all) clearLeft(ctx, entry);
  else rc.i++;
  return next();
}

/** The user did it: off the list, and its weight counts as passed for its course. */
function clearLeft(ctx: Ctx, entry: LeftEntry): void {
  const { s } = ctx;
  const ref = entry.ref!;
  const course = s.courses.find((c) => courseKey(c) === courseKey(ref));
  const whole = !ref.chapterId;
  s.left = s.left.filter((l) => l !== entry && !(whole && l.ref && courseKey(l.ref) === courseKey(ref)));
  if (course) {
    course.done = whole ? course.total : Math.min(course.total ?? 0, (course.done ?? 0) + ref.weight);
    if (whole) course.status = "done";
    // Done by the user, so no longer open (a chapter's count is not known here: it stays until the end).
    if (course.jobsOpen !== undefined && (whole || ref.jobid)) course.jobsOpen = whole ? (course.jobsDone ?? 0) : course.jobsOpen - 1;
  }
  log(ctx, "INFO", "recheck.cleared", { item: entry.item || entry.chapter || entry.course });
}

function finishRecheck(ctx: Ctx): Outcome {
  const { s } = ctx;
  s.recheck = null;
  return finishAll(ctx);
}
