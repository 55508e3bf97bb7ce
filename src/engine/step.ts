import { CARD_TABS } from "../chaoxing/client";
import { CALL_GAP_MS, MAX_END_REPORTS, MAX_STEP_INTERVALS, playSpeed } from "../shared/pacing";
import { rtCandidates } from "../chaoxing/marg";
import type { ChapterCards, Job, MediaJob } from "../chaoxing/types";
import { chapterPageUrl, coursePageUrl, type UpstreamUrls } from "../chaoxing/urls";
import { shanghaiMinute } from "../lib/clock";
import { fnv1a } from "../lib/encoding";
import { studyOrder } from "../shared/forecast";
import { ITEM_MARKS } from "../shared/live";
import { renderText, type ParamsOf, type TextCode, type TextParams } from "../shared/texts";
import type { OpError, OpName, OpOf, Reply, WaitReason } from "../durable/account-ops";
import { captureFirst, verifyCapture } from "./capture";
import { resolveClasses } from "./classes";
import { playLive } from "./live";
import { chapterEstimate, computeProgress, courseWeights, currentChapterWeights, itemClock, itemLabel, jobWeight } from "./progress";
import { logLine, type ArgsOf, type LogEvent } from "./log";
import { dueChecks, markVerified, moveCredit, recordPassed, startVerify, verifyDue } from "./credit";
import { beforeCards, cardNum } from "./tabs";
import {
  intervalS, upgradeState, type CourseEntry, type EngineState, type LeftEntry, type LeftRef, type MediaRun, type PassedMedia, type Phase, type StoredJob, type VerifyRun,
} from "./state";

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

export type PauseReason = "captcha" | "notopen_ask" | "risk_control" | "relay_offline" | "relay_outdated" | "login_required";

export type Outcome =
  | { kind: "next"; delayMs: number; reason?: "waiting_for_account" | "study_cap" | "upstream" | WaitReason | null; queuePosition?: number }
  | { kind: "pause"; reason: PauseReason; chapter?: string }
  /**
   * `quiet`: a completed task's morning check found nothing rolled back: no news for the user. `checkAt`:
   * it could not check yet (outside the account's study window): completed again until then.
   */
  | { kind: "complete"; quiet?: boolean; checkAt?: number }
  | { kind: "fail"; message: string; code: FailCode; params: TextParams };

export type { LogEvent };
type FailCode = Extract<TextCode, `fail.${string}`>;
type LeftCode = Extract<TextCode, `left.${string}`>;
/** Why an item is left for the user: a `left.*` code and its parameters. */
export type Why = { [C in LeftCode]: keyof ParamsOf<C> extends never ? [C] : [C, ParamsOf<C>] }[LeftCode];

/** A failure outcome: its code, and the Chinese text the API keeps in `error_msg`. */
function fail<C extends FailCode>(code: C, ...[params = {}]: ArgsOf<C>): Outcome {
  return { kind: "fail", code, params, message: renderText("zh", code, params) };
}

export interface StepResult {
  outcome: Outcome;
  logs: LogEvent[];
  /** A failure signal seen upstream, for the admin statistics. */
  signal?: string;
  /** Media the platform rolled back, found by this step's check and now studied again: the user is told. */
  rolledBack?: number;
}

/** Waiting tasks poll this rarely: the holder's release wakes the next one at once. */
const LOCK_POLL_MS = 60_000;
const MAX_FAILURES = 8;
const MAX_RECOVERIES = 2;
const MAX_NOTOPEN_RETRIES = 3;
const NOTOPEN_WAIT_MS = 60_000;
/** Re-reads of a chapter after its jobs, for task points that appear once earlier ones pass. */
const MAX_REREADS = 2;
/** Exponential back-off with jitter: 5 s, 10 s, 20 s … capped at 10 minutes. */
export function backoffMs(failures: number, random: number): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, failures - 1), 600_000);
  return Math.round(base * (0.5 + random / 2));
}

/** Real ms between two reports of a video: one report per `reportTimeInterval` of media at its speed. */
export const reportIntervalMs = (s: EngineState, m: Pick<MediaRun, "speed">): number => (intervalS(s) / m.speed) * 1000;

/** The most one report may cover: one and a half intervals of media (at the end, of real time sat there). */
const maxStepS = (s: EngineState): number => intervalS(s) * MAX_STEP_INTERVALS;

/** The longest gap one report may cover while playing, in real seconds (that much media at its speed). */
const maxGapS = (s: EngineState, m: MediaRun): number => maxStepS(s) / m.speed;

const REPORT_JITTER_MS = 2_000;

/**
 * A player's timer and network vary the gap between reports by up to REPORT_JITTER_MS. Here the reported
 * position fixes it, so after a restart the pending alarm's due time and the card's position tell when the
 * last accepted report was (`resyncMedia`).
 */
// The position first: FNV-1a mixes the characters that follow, so neighbouring positions spread.
const reportJitterMs = (m: MediaRun, position: number): number => fnv1a(`${position}:${m.jobid}`) % (REPORT_JITTER_MS + 1);

/** Real ms from an accepted report at `position` (the whole seconds it sent) to the next: an interval, or the last stretch. */
function nextReportMs(s: EngineState, m: MediaRun, position: number, jitter = true): number {
  const interval = reportIntervalMs(s, m) + (jitter ? reportJitterMs(m, position) : 0);
  const remainingMs = ((m.end - position) / m.speed) * 1000;
  return Math.max(CALL_GAP_MS * 4, Math.min(interval, Math.ceil(remainingMs) + 1_000));
}

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
  return { outcome, logs, signal: ctx.signal, rolledBack: ctx.rolledBack };
}

/** What the bookkeeping functions need: the state, the step's log, and the hosts for links. */
export interface Book {
  s: EngineState;
  logs: LogEvent[];
  io: Pick<EngineIO, "urls">;
}

export interface Ctx extends Book {
  io: EngineIO;
  signal?: string;
  /** A Chaoxing call of this step succeeded: only that ends a run of failures (waits do not). */
  okCall?: boolean;
  rolledBack?: number;
}

async function call<K extends OpName>(ctx: Ctx, op: OpOf<K>): Promise<Reply<K>> {
  const r = await ctx.io.call<K>(op);
  if (r.ok) ctx.okCall = true;
  return r;
}

const log = <C extends TextCode>(ctx: Pick<Book, "logs">, level: LogEvent["level"], code: C, ...params: ArgsOf<C>) =>
  ctx.logs.push(logLine(level, code, ...params));
const next = (delayMs = CALL_GAP_MS): Outcome => ({ kind: "next", delayMs, reason: null });

/** Phases of the walk through the courses, between whose steps the next-morning check may come. */
const WALK: ReadonlySet<Phase> = new Set(["chapters", "cards", "job", "visit"]);

/**
 * What the phases kept in their own modules (src/engine/tabs.ts, capture.ts, live.ts) use of this one: its
 * calls, failure handling and bookkeeping, handed over so that those modules need nothing of it at run time.
 */
export interface Kit {
  call<K extends OpName>(ctx: Ctx, op: OpOf<K>): Promise<Reply<K>>;
  onFailure(ctx: Ctx, r: Failed, unexpected?: (e: OpError) => Outcome | Promise<Outcome>): Outcome | Promise<Outcome>;
  log<C extends TextCode>(ctx: Pick<Book, "logs">, level: LogEvent["level"], code: C, ...params: ArgsOf<C>): void;
  next(delayMs?: number): Outcome;
  leaveJob(ctx: Book, job: StoredJob, ...why: Why): void;
  passJob(ctx: Book, job: StoredJob): void;
  releaseVideo(ctx: Ctx): Promise<void>;
  /** The usual answer to a refused report: next rt, then a fresh dtoken, then the video is left. */
  recoverForbidden(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob): Promise<Outcome>;
}
async function dispatch(ctx: Ctx): Promise<Outcome> {
  // Media passed on an earlier day are checked first (never in the middle of a video): src/engine/credit.ts.
  if (WALK.has(ctx.s.phase) && verifyDue(ctx.s, ctx.io.now())) ctx.logs.push(...startVerify(ctx.s, ctx.io.now()));
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
    case "verify":
      return verifyStep(ctx);
    case "done":
      return { kind: "complete" };
  }
}

export type Failed = { ok: false; error: OpError } | { ok: false; waitMs: number; reason?: WaitReason | null };

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
      // Only the walk skips a whole course; the check outside it treats it as about that one item.
      if (s.phase === "verify" && unexpected) return unexpected(e);
      // A course that captures names what it saw (2026-12 item 2); the older face page and redirect do not.
      return e.reason ? skipCourse(ctx, "left.face_capture", { signals: e.reason }) : skipCourse(ctx, "left.face_check");
    case "relay_offline":
      // Issue 14: never another route; the user's relay object resumes the task when an agent connects.
      log(ctx, "WARNING", "wait.relay_offline");
      return { kind: "pause", reason: "relay_offline" };
    case "relay_outdated":
      log(ctx, "WARNING", "wait.relay_outdated");
      return { kind: "pause", reason: "relay_outdated" };
    case "login_failed":
      return fail("fail.login", { error: e.reason ?? e.message });
    case "login_required":
      // A QR-bound account's session ended: one scan resumes every task of the account (README "QR login").
      log(ctx, "WARNING", "wait.login_required");
      return { kind: "pause", reason: "login_required" };
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
function leave(ctx: Book, item: Omit<LeftEntry, "course"> & { course?: string }): void {
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
  // Each class of a course named by id (ended ones passed over), and each class the task names, with the
  // chapters and deadline the task chose of it.
  const { entries, missing, allEnded, endedSkipped } = resolveClasses(s.courseIds, s.classes ?? [], r.value);
  for (const id of missing) {
    if (!s.left.some((l) => l.kind === "course" && l.course === id)) {
      s.left.push({ course: id, chapter: "", item: "", kind: "course", ...because("left.course_missing"), url: null });
    }
    log(ctx, "WARNING", "course.missing", { course_id: id });
  }
  for (const c of allEnded) {
    if (!s.left.some((l) => l.kind === "course" && l.course === c.courseName)) {
      s.left.push({ course: c.courseName, chapter: "", item: "", kind: "course", ...because("left.class_ended", { clazz: c.clazzName }), url: coursePageUrl(ctx.io.urls, c) });
    }
    log(ctx, "WARNING", "course.class_ended", { course: c.courseName, clazz: c.clazzName });
  }
  for (const c of endedSkipped) log(ctx, "INFO", "course.class_ended_skipped", { course: c.courseName, clazz: c.clazzName });
  for (const e of entries) {
    const choice = s.choices?.find((x) => x.courseId === e.courseId && x.clazzId === e.clazzId);
    s.courses.push({ ...e, chapters: choice?.chapters ?? null, deadline: choice?.deadline ?? null });
  }
  if (s.courses.length === 0) return allEnded.length ? finishAll(ctx) : fail("fail.no_courses");
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
  s.live = null;
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

async function readCards(ctx: Ctx): Promise<Outcome> {
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
    return onFailure(ctx, r, (e) => skipChapter(ctx, "left.cards_failed", { error: e.message }));
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
      case "live":
        return playLive(ctx, job, kit);
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
        return playMedia(ctx, walkSpot(ctx, job), job);
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

/**
 * Where a media job is played: the walk's current job, or (phase "verify") one the platform rolled back,
 * studied again. Its course and chapter for the calls, what a re-read card of its tab adds to the walk, and
 * what its end means for the walk or the check.
 */
export interface Spot {
  course: CourseEntry;
  chapter: { id: string; title: string };
  merge(cards: ChapterCards): void;
  /** Passed: counted (once); else left for the user with `why`. */
  finish(passed: boolean, why?: Why): void;
}

/** The walk's current media job. */
function walkSpot(ctx: Book, job: StoredJob): Spot {
  const { s } = ctx;
  return {
    course: s.courses[s.ci]!,
    chapter: s.chapters[s.hi]!,
    merge: (cards) => mergeJobs(s, cards, job.tab),
    finish(passed, why) {
      if (passed) {
        passJob(ctx, job);
        s.stats.mediaDoneSeconds += s.media?.duration ?? 0;
      } else if (why) leaveJob(ctx, job, ...why);
      s.ji++;
    },
  };
}

const kit: Kit = { call, onFailure, log, next, leaveJob, passJob, releaseVideo, recoverForbidden };

function finishMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, passed: true): Promise<Outcome>;
function finishMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, passed: false, why: Why): Promise<Outcome>;
async function finishMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, passed: boolean, why?: Why): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media;
  spot.finish(passed, why);
  if (passed) {
    // Verified credit: it awaits the check of a later morning (src/engine/credit.ts).
    recordPassed(s, spot.course, spot.chapter, job, { weight: jobWeight(s, job), duration: m?.duration ?? 0 }, ctx.io.now());
    log(ctx, "INFO", "media.done", { item: itemLabel(job), duration: mmss(m?.duration ?? 0) });
  } else if (why) {
    log(ctx, "WARNING", "media.left", { item: itemLabel(job), reason: why[0], ...why[1] });
  }
  s.media = null;
  await releaseVideo(ctx);
  return next();
}

/** Video/audio on the player's cadence: status → isdrag 3 → 0 … → 4 until passed → confirm on the card. */
async function playMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob): Promise<Outcome> {
  const { s, io } = ctx;
  const course = spot.course;
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
  if (!s.media || s.media.jobid !== job.jobid) s.media = newMediaRun(s, job, course);
  const m = s.media;
  if (m.resync) return resyncMedia(ctx, spot, job, m);
  if (m.captureCheck) return verifyCapture(ctx, spot, job, m, kit);
  if (m.dtoken === null) {
    const r = await call(ctx, { op: "status", objectId: job.objectId, media: job.type });
    if (!r.ok) {
      return onFailure(ctx, r, (e) => finishMedia(ctx, spot, job, false, e.kind === "not_ready" ? ["left.not_ready"] : ["left.odd_reply", { error: e.message }]));
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
      // A card at the end but not passed is unpassed: watched again from the start, not reported at its end.
      if (m.playingTime >= m.end && !m.rewatch) {
        rewatchMedia(ctx, spot, job, m);
        return next();
      }
      // Too far ahead of real time at the end for the end reports to cover: 1× from the start (`playSpeed`).
      const speed = playSpeed(m.speed, m.end - m.playingTime, intervalS(s));
      const tooFar = speed !== m.speed;
      m.speed = speed;
      const code = tooFar ? "media.start_long" : m.speed === s.speed ? "media.start" : job.fastPlayback ? "media.start_realtime" : "media.start_1x";
      log(ctx, "INFO", code, { item: itemLabel(job), at: mmss(m.playingTime), duration: mmss(m.end), speed: m.speed });
    }
    return next();
  }
  if (m.stage === "confirm") {
    const r = await call(ctx, { op: "cards", course, chapterId: spot.chapter.id, num: job.tab });
    if (!r.ok) return onFailure(ctx, r, () => finishMedia(ctx, spot, job, true));
    // The re-read card may carry task points that unlocked when this one passed.
    spot.merge(r.value);
    const card = r.value.jobs.find((j) => j.jobid === job.jobid);
    if (!card || card.isPassed) return finishMedia(ctx, spot, job, true);
    m.stage = "end";
    return next(reportIntervalMs(s, m));
  }

  const now = io.now();
  const maxStep = maxStepS(s);
  let isdrag: 0 | 3 | 4;
  let playingTime = m.playingTime;
  let elapsed = 0;
  if (m.stage === "start") {
    isdrag = 3;
  } else {
    // Media time advances with real time at this video's speed, never faster (at most one and a half intervals).
    // At the end the position no longer moves: the real time sat there is what an end report covers, up to
    // `maxStep` of it, as the end reports' plan below counts it (not `maxStep / speed`, a media bound).
    const realS = Math.max(0, (now - (m.lastReportAt ?? now)) / 1000);
    elapsed = Math.min(realS, m.stage === "end" ? maxStep : maxGapS(s, m));
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
    if ("error" in r && r.error.kind === "forbidden") return reportRefused(ctx, spot, job);
    return onFailure(ctx, r, (e) => finishMedia(ctx, spot, job, false, ["left.odd_reply", { error: e.message }]));
  }
  watch(s, m, elapsed, course);
  m.playingTime = playingTime;
  m.lastReportAt = now;
  m.rt = [r.value.rt, ...m.rt.filter((x) => x !== r.value.rt)];
  delete m.randomGaps;
  m.endReports = isdrag === 4 ? (m.endReports ?? 0) + 1 : 0;
  const sent = Math.floor(playingTime);
  const interval = reportIntervalMs(s, m) + reportJitterMs(m, sent);
  // The real time still owed before the platform credits the end (2026: completion needs the video's length).
  const owedMs = Math.max(0, (m.end - m.basePlay - m.watched) * 1000);
  if (isdrag === 4) {
    if (r.value.isPassed) {
      m.stage = "confirm";
      return next(CALL_GAP_MS * 4);
    }
    m.stage = "end";
    // Not passed once the real time is covered, or with more owed than the end reports left can cover (a
    // longer silence than `maxStep` between two reports is no watching): from the start at 1×, once; then
    // the user's.
    const left = MAX_END_REPORTS - m.endReports;
    if (owedMs === 0 || owedMs > left * (maxStep * 1000)) {
      if (m.rewatch) return finishMedia(ctx, spot, job, false, ["left.rewatch_not_passed"]);
      rewatchMedia(ctx, spot, job, m);
      return next(CALL_GAP_MS * 4);
    }
    // Repeated while real time is owed, spread over the end reports left, the last one just after it is covered.
    const wait = left === 1 ? owedMs + 1_500 : Math.min(owedMs + 1_500, Math.max(interval, owedMs / left));
    return next(Math.max(CALL_GAP_MS * 4, Math.round(wait)));
  }
  m.stage = "play";
  return next(nextReportMs(s, m, sent));
}

/**
 * Real seconds of playing covered: counted in whole seconds as the video's total crosses them, so the
 * rounding of one report never adds up over the many of a long video (the platform credits real time).
 */
function watch(s: EngineState, m: MediaRun, seconds: number, course?: CourseEntry): void {
  const counted = Math.round(m.watched + seconds) - Math.round(m.watched);
  m.watched += seconds;
  s.stats.studySeconds += counted;
  if (course) course.studySeconds = (course.studySeconds ?? 0) + counted;
}

/**
 * The one re-watch (protocol "Corrections of 2026-12", item 5, and ocsjs issue 265): an end the platform
 * did not pass is watched again from the start (the clip's), at 1×, with a fresh isdrag 3; the real time
 * it needs is the whole part again. Its course credits only real watching: its other videos play at 1×
 * ("strict courses can only be done at 1×"), as more would only cost a re-watch.
 */
function rewatchMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, m: MediaRun): void {
  const begins = job.clip?.[0] ?? 0;
  spot.course.realTimeOnly = true;
  m.rewatch = true;
  m.speed = 1;
  m.playingTime = begins;
  // The clock starts again too: its floor is this playthrough's, not the one before.
  m.shown = begins;
  m.basePlay = begins;
  m.watched = 0;
  m.stage = "start";
  m.lastReportAt = null;
  m.endReports = 0;
  log(ctx, "INFO", "media.rewatch", { item: itemLabel(job), duration: mmss(m.end) });
}

function newMediaRun(s: EngineState, job: MediaJob, course: CourseEntry): MediaRun {
  const start = Math.floor(job.playTimeMs / 1000);
  return {
    jobid: job.jobid,
    dtoken: null,
    duration: 0,
    end: 0,
    playingTime: start,
    basePlay: start,
    watched: 0,
    // The user's speed is a ceiling: 1× where the course forbids fast playback, or credits only real watching.
    speed: job.fastPlayback && !course.realTimeOnly ? s.speed : 1,
    rt: rtCandidates(job),
    dtype: job.type === "audio" ? "Audio" : "Video",
    stage: "start",
    lastReportAt: null,
    recoveries: 0,
  };
}

/**
 * 403 on a report: first the card is read again, for a course that captures stops at its first refusal
 * (src/engine/capture.ts); otherwise the usual recovery.
 */
async function reportRefused(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob): Promise<Outcome> {
  ctx.signal = "forbidden";
  return captureFirst(ctx, job, kit) ?? recoverForbidden(ctx, spot, job);
}

/** Next rt candidate, then a fresh dtoken (audio also as Audio), then give up the job. */
async function recoverForbidden(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media!;
  if (m.rt.length > 1) {
    m.rt.shift();
    log(ctx, "DEBUG", "report.rt_retry", { rt: m.rt[0]! });
    return next(CALL_GAP_MS * 4);
  }
  m.recoveries++;
  if (m.recoveries > MAX_RECOVERIES) return finishMedia(ctx, spot, job, false, ["left.report_forbidden"]);
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
 *
 * A restart costs no watching: when the last accepted report can be dated (the checkpoint's own, or the
 * one the pending alarm followed: its due time less the gap that report scheduled, `nextReportMs`) and the
 * time since is within what one report may cover, the player goes on with a normal report, which the
 * platform credits with that time. Otherwise it starts again where it was (isdrag 3), as after a pause.
 */
async function resyncMedia(ctx: Ctx, spot: Spot, job: MediaJob & StoredJob, m: MediaRun): Promise<Outcome> {
  const { s, io } = ctx;
  // Not through `call`: a re-read after a restart is no progress, so it does not end a run of failures.
  const r = await io.call({ op: "cards", course: spot.course, chapterId: spot.chapter.id, num: job.tab });
  if (!r.ok) return onFailure(ctx, r, () => {
    // Not readable now: start again from the checkpoint's position (the platform never credits a report twice).
    m.resync = false;
    prepareMediaRestart(m);
    return next();
  });
  m.resync = false;
  const due = m.resyncDue;
  delete m.resyncDue;
  spot.merge(r.value);
  const card = r.value.jobs.find((j): j is MediaJob => j.jobid === job.jobid && (j.type === "video" || j.type === "audio"));
  if (card?.isPassed) return finishMedia(ctx, spot, job, true);
  const position = Math.min(card ? Math.floor(card.playTimeMs / 1000) : 0, m.end || Infinity);
  const reportedSince = position > m.playingTime;
  if (reportedSince) {
    const credited = (position - m.playingTime) / m.speed;
    watch(s, m, credited);
    m.playingTime = position;
  }
  // Before this release the gap's jitter was random: assume none, so the report never claims more than passed.
  const lastReport = !reportedSince
    ? (m.stage === "play" ? m.lastReportAt : null)
    : due === null || due === undefined || m.stage === "end"
      ? null
      : due - (m.randomGaps ? nextReportMs(s, m, position, false) - 1_000 : nextReportMs(s, m, position));
  if (lastReport !== null && m.stage !== "end" && position < m.end && (io.now() - lastReport) / 1000 <= maxGapS(s, m)) {
    m.stage = "play";
    m.lastReportAt = lastReport;
  } else {
    prepareMediaRestart(m);
  }
  return next();
}

/** A checkpoint loaded after an eviction: a video in progress first re-reads where the platform has it. */
export function resumeCold(s: EngineState): void {
  upgradeState(s);
  if (!s.media || s.media.stage === "confirm") return;
  s.media.resync = true;
}

/**
 * The first alarm after such a load: when it was due (null when not known, as on a runtime's retry of an
 * alarm that may already have reported). It dates the last accepted report (`resyncMedia`).
 */
export function resumeAlarmDue(s: EngineState, due: number | null): void {
  if (s.media?.resync && s.media.resyncDue === undefined) s.media.resyncDue = due;
}

/**
 * The boundaries a checkpoint must not miss: every job passed or left, and every course begun, so a cold
 * load never does a finished job again nor logs it twice; and the start of a video, whose checkpoint keeps
 * where its playing began and the real time it needs (the platform's card gives its position, not those).
 * Between them a cold load only reads a tab or a chapter again. Within a video the position is the

 * platform's (`resumeCold`), so reports need no checkpoint. A re-watch from the start is a boundary too: a
 * cold load must not take it for the first watch; so are the stages of a next-morning check (an item found
 * rolled back moves `jobsDone`; one found still passed may be read again after a cold load, harmlessly).
 * Transitions are written too (src/durable/task.ts). The back-off count too: a restart must not start a
 * failing run's back-off over (a row per failure only).
 */
export const checkpointKey = (s: EngineState): string =>
  `${s.ci}|${s.stats.jobsDone}|${s.left.length}|${s.media?.jobid ?? ""}${s.media?.rewatch ? "+rewatch" : ""}|${s.verify?.stage ?? ""}|${s.failures}`;

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
  // A restart of the player: a cold load's pending resync no longer dates a report.
  if (m.resync) m.resyncDue = null;
}

// ---- the next-morning check (src/engine/credit.ts) -----------------------------------------------

const entryLabel = (e: PassedMedia): string => `${ITEM_MARKS[e.type]} ${e.name}`;

/**
 * Phase "verify": the cards of the media passed on earlier days, one tab per step (every due item on it
 * judged at once), then each one rolled back studied again through the same player steps as the walk;
 * then back to where the walk was (or complete again).
 */
async function verifyStep(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  if (!s.verify) startVerify(s, ctx.io.now());
  const v = s.verify!;
  if (v.stage === "check") return checkStep(ctx, v);
  const job = v.redo[0];
  const entry = job && (s.checks ?? []).find((e) => e.jobid === job.jobid && e.state === "rolled_back" && !e.left);
  const course = entry && s.courses.find((c) => c.courseId === entry.courseId && c.clazzId === entry.clazzId);
  if (!job || !entry || !course || (job.type !== "video" && job.type !== "audio")) {
    if (job) v.redo.shift();
    return job ? next() : endVerify(ctx, v);
  }
  return playMedia(ctx, redoSpot(ctx, v, course, entry), job);
}

async function checkStep(ctx: Ctx, v: VerifyRun): Promise<Outcome> {
  const { s, io } = ctx;
  const due = dueChecks(s, io.now());
  const first = due[0];
  if (!first) {
    if (v.found === 0) {
      log(ctx, "INFO", "verify.ok", { n: v.verified });
      return endVerify(ctx, v);
    }
    log(ctx, "WARNING", "verify.rolled_back", { n: v.found });
    ctx.rolledBack = v.found;
    v.stage = "redo";
    return next();
  }
  const group = due.filter((e) => e.courseId === first.courseId && e.clazzId === first.clazzId && e.chapterId === first.chapterId && e.tab === first.tab);
  const course = s.courses.find((c) => c.courseId === first.courseId && c.clazzId === first.clazzId);
  const miss = (): Outcome => {
    for (const e of group) {
      e.misses = (e.misses ?? 0) + 1;
      v.missed.push(e.jobid);
    }
    return next();
  };
  if (!course) return miss();
  const r = await call(ctx, { op: "cards", course, chapterId: first.chapterId, num: first.tab });
  if (!r.ok && "waitMs" in r && r.reason === "outside_window" && v.resume === "done" && v.verified === 0 && v.found === 0) {
    // A completed task reopened before the account's study window: it stays completed until the window opens.
    s.verify = null;
    s.phase = "done";
    return { kind: "complete", quiet: true, checkAt: io.now() + r.waitMs };
  }
  if (!r.ok) return "error" in r && r.error.kind === "not_open" ? miss() : onFailure(ctx, r, miss);
  for (const e of group) {
    const card = r.value.jobs.find((j) => j.jobid === e.jobid);
    if (!card) {
      e.misses = (e.misses ?? 0) + 1;
      v.missed.push(e.jobid);
    } else if (card.isPassed) markVerified(s, e);
    else rolledBack(ctx, v, course, e, card);
  }
  return next();
}

/** The platform took a passed item back: its credit goes, and it is studied again (once), else left. */
function rolledBack(ctx: Ctx, v: VerifyRun, course: CourseEntry, e: PassedMedia, card: Job): void {
  const { s } = ctx;
  log(ctx, "WARNING", "verify.video_rolled_back", { item: entryLabel(e), day: e.day });
  moveCredit(s, e, -1);
  e.state = "rolled_back";
  if (e.redone || (card.type !== "video" && card.type !== "audio")) {
    leaveRolledBack(ctx, course, e, ["left.rolled_back_again"]);
    return;
  }
  v.found++;
  v.redo.push({ ...card, tab: e.tab });
}

function leaveRolledBack(ctx: Book, course: CourseEntry, e: PassedMedia, why: Why): void {
  e.left = true;
  leave(ctx, {
    course: course.name, chapter: e.chapter, item: e.name, kind: e.type, ...because(...why),
    url: chapterPageUrl(ctx.io.urls, course, e.chapterId, course.enc ?? null),
    ref: refOf(course, e.weight, { chapterId: e.chapterId, jobid: e.jobid, tab: e.tab }),
  });
  log(ctx, "WARNING", "media.left", { item: entryLabel(e), reason: why[0], ...why[1] });
}

/** A rolled-back item studied again: passed, its credit comes back (once); else it is the user's. */
function redoSpot(ctx: Ctx, v: VerifyRun, course: CourseEntry, e: PassedMedia): Spot {
  return {
    course,
    chapter: { id: e.chapterId, title: e.chapter },
    merge: () => undefined,
    finish(passed, why) {
      v.redo.shift();
      if (passed) moveCredit(ctx.s, e, 1);
      else if (why) leaveRolledBack(ctx, course, e, why);
    },
  };
}

/** Back to the walk where it was; a completed task completes again (quietly when nothing was rolled back). */
function endVerify(ctx: Book, v: VerifyRun): Outcome {
  const { s } = ctx;
  s.verify = null;
  s.phase = v.resume;
  if (v.resume !== "done") return next();
  if (v.found === 0 && s.left.length === v.leftBefore) return { kind: "complete", quiet: true };
  return finishAll(ctx);
}

// ---- recheck -------------------------------------------------------------------------------------

/** Whether a completed task has items left that a recheck could clear. */
export const canRecheck = (s: EngineState): boolean => s.phase === "done" && s.left.length > 0;

/** Starts re-reading the left items' chapters: those the user finished by hand are cleared, then the task completes again. */
export function startRecheck(s: EngineState): LogEvent[] {
  upgradeState(s);
  s.phase = "recheck";
  s.recheck = { i: 0, trees: {}, from: s.left.length };
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
  // Said in so many words: what the user finished by hand, and what is still theirs to do.
  const from = s.recheck?.from ?? s.left.length;
  log(ctx, "INFO", "recheck.result", { done: Math.max(0, from - s.left.length), left: s.left.length });
  s.recheck = null;
  return finishAll(ctx);
}
