import { CARD_TABS } from "../chaoxing/client";
import { rtCandidates } from "../chaoxing/marg";
import type { ChapterCards, MediaJob } from "../chaoxing/types";
import { shanghaiMinute } from "../lib/clock";
import { ITEM_MARKS, type LeftForUser } from "../shared/live";
import type { OpError, OpName, OpOf, Reply, WaitReason } from "./ops";
import { computeProgress, currentChapterWeight, itemLabel } from "./progress";
import type { EngineState, MediaRun, StoredJob } from "./state";

/** What a step may ask of the world: Chaoxing calls through the account, and its one-video lock. */
export interface EngineIO {
  call<K extends OpName>(op: OpOf<K>): Promise<Reply<K>>;
  acquireVideo(): Promise<{ granted: boolean; position: number }>;
  releaseVideo(): Promise<void>;
  now(): number;
  /** [0, 1): jitter. */
  random(): number;
}

export type Outcome =
  | { kind: "next"; delayMs: number; reason?: "waiting_for_account" | "study_cap" | "upstream" | "outside_window" | "daily_cap" | null; queuePosition?: number }
  | { kind: "pause"; reason: "captcha" | "notopen_ask" | "relay_offline"; chapter?: string }
  | { kind: "complete" }
  | { kind: "fail"; message: string };

export interface LogEvent {
  level: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  message: string;
}

export interface StepResult {
  outcome: Outcome;
  logs: LogEvent[];
  /** A failure signal seen upstream, for the admin statistics. */
  signal?: string;
}

/** Pacing (chaoxing-protocol.md): ≥0.5 s between ordinary calls, reports at the player's cadence. */
export const CALL_GAP_MS = 600;
/** The player's `reportTimeInterval` when the page does not give one. */
const DEFAULT_REPORT_INTERVAL_S = 60;
/** Waiting tasks poll this rarely: the holder's release wakes the next one at once. */
const LOCK_POLL_MS = 60_000;
const MAX_FAILURES = 8;
const MAX_END_ATTEMPTS = 6;
const MAX_RECOVERIES = 2;
const MAX_NOTOPEN_RETRIES = 3;
const NOTOPEN_WAIT_MS = 60_000;

/** Exponential back-off with jitter: 5 s, 10 s, 20 s … capped at 10 minutes. */
export function backoffMs(failures: number, random: number): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, failures - 1), 600_000);
  return Math.round(base * (0.5 + random / 2));
}

/** Real seconds between two reports at `speed`: one report per 60 s of media time. */
export const reportIntervalMs = (s: Pick<EngineState, "speed" | "reportInterval">): number =>
  ((s.reportInterval ?? DEFAULT_REPORT_INTERVAL_S) / s.speed) * 1000;

const mmss = (s: number): string => `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;


/**
 * One bounded step of a task: at most one upstream call (plus the account's lock), then the state is
 * checkpointed by the caller and the next alarm set `delayMs` later. Mutates `s`.
 */
export async function step(s: EngineState, io: EngineIO): Promise<StepResult> {
  const logs: LogEvent[] = [];
  const ctx: Ctx = { s, io, logs };
  const outcome = await dispatch(ctx);
  if (ctx.okCall) s.failures = 0;
  s.progressFloor = computeProgress(s, io.now()).progress;
  // A failed task keeps its media position, so a retry resumes the video where it stopped.
  if (outcome.kind === "complete") s.media = null;
  if ((outcome.kind === "complete" || outcome.kind === "fail") && s.holdsVideo) await releaseVideo(ctx);
  return { outcome, logs, signal: ctx.signal };
}

/** What the bookkeeping functions need: the state and the step's log. */
interface Book {
  s: EngineState;
  logs: LogEvent[];
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

const log = (ctx: Book, level: LogEvent["level"], message: string) => ctx.logs.push({ level, message });
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
    case "done":
      return { kind: "complete" };
  }
}

/** A failed call: waits, pauses, skips or back-off, by the failure signal (protocol "Failure signals"). */
function onFailure(ctx: Ctx, r: { ok: false; error: OpError } | { ok: false; waitMs: number; reason?: WaitReason | null }): Outcome {
  const { s } = ctx;
  if ("waitMs" in r) {
    // Issue 14: the account's study window or daily media cap. Like a student closing the player for the
    // night, the video starts again (isdrag 3) where it stopped.
    if (r.reason === "outside_window" || r.reason === "daily_cap") {
      if (s.media) prepareMediaRestart(s.media);
      const what = r.reason === "outside_window" ? "不在该超星账号的学习时段内" : "该超星账号今日的媒体学习时长已达上限";
      log(ctx, "INFO", `${what}，将于 ${shanghaiMinute(ctx.io.now() + r.waitMs)}（北京时间）继续`);
    }
    return { kind: "next", delayMs: r.waitMs, reason: r.reason ?? null };
  }
  const e = r.error;
  ctx.signal = e.kind;
  switch (e.kind) {
    case "captcha":
      log(ctx, "WARNING", "超星要求输入验证码，任务已暂停，请在任务页输入验证码");
      return { kind: "pause", reason: "captcha" };
    case "study_cap": {
      const wait = (e.retryAfterMs ?? 600_000) + Math.round(ctx.io.random() * 5_000);
      log(ctx, "WARNING", `已达到超星单次学习时长上限，${Math.ceil(wait / 60_000)} 分钟后继续`);
      return { kind: "next", delayMs: wait, reason: "study_cap" };
    }
    case "face_check":
      return skipCourse(ctx, "该课程需要人脸识别，无法自动学习");
    case "relay_offline":
      // Issue 14: never another route; the user's relay object resumes the task when an agent connects.
      log(ctx, "WARNING", "没有在线的中继，任务已暂停；中继连接后自动继续");
      return { kind: "pause", reason: "relay_offline" };
    case "login_failed":
      return { kind: "fail", message: e.message.startsWith("登录超星失败") ? e.message : `登录超星失败: ${e.reason ?? e.message}` };
    default: {
      s.failures++;
      if (s.failures > MAX_FAILURES) return { kind: "fail", message: `超星服务持续异常，已重试 ${MAX_FAILURES} 次: ${e.message}` };
      const wait = backoffMs(s.failures, ctx.io.random());
      log(ctx, "WARNING", `${e.message}，${Math.round(wait / 1000)} 秒后重试（第 ${s.failures} 次）`);
      return { kind: "next", delayMs: wait, reason: "upstream" };
    }
  }
}

/** Records what the user must do by hand, once (a chapter revisited to unlock the next is seen twice). */
function leave(ctx: Book, item: Omit<LeftForUser, "course">): void {
  const entry = { course: ctx.s.courses[ctx.s.ci]?.name ?? "", ...item };
  const same = (l: LeftForUser) => l.course === entry.course && l.chapter === entry.chapter && l.item === entry.item && l.kind === entry.kind;
  if (!ctx.s.left.some(same)) ctx.s.left.push(entry);
}

// ---- courses -------------------------------------------------------------------------------------

async function resolveCourses(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const r = await call(ctx, { op: "courses" });
  if (!r.ok) return onFailure(ctx, r);
  for (const id of s.courseIds) {
    // A course taken in several classes is resolved to each of its classes.
    const matches = r.value.filter((c) => c.courseId === id);
    if (matches.length === 0) {
      if (!s.left.some((l) => l.kind === "course" && l.course === id)) {
        s.left.push({ course: id, chapter: "", item: "", kind: "course", reason: "该课程不在超星账号的课程列表中" });
      }
      log(ctx, "WARNING", `课程 ${id} 不在超星账号的课程列表中，已跳过`);
    }
    for (const c of matches) s.courses.push({ courseId: c.courseId, clazzId: c.clazzId, cpi: c.cpi, name: c.courseName, status: "todo" });
  }
  if (s.courses.length === 0) return { kind: "fail", message: "所选课程均不在超星账号的课程列表中" };
  log(ctx, "INFO", `共 ${s.courses.length} 门课程: ${s.courses.map((c) => c.name).join("、")}`);
  s.phase = "chapters";
  s.ci = 0;
  return next();
}

function advanceCourse(ctx: Book, status: "done" | "skipped"): Outcome {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  course.status = status;
  if (status === "done") log(ctx, "INFO", `✅ 课程「${course.name}」已完成`);
  s.ci++;
  s.chapters = [];
  s.hi = 0;
  s.jobs = [];
  s.ji = 0;
  s.notopen = { attempts: {}, returnTo: null, skipping: false };
  if (s.ci >= s.courses.length) {
    s.phase = "done";
    log(ctx, "INFO", `🎉 全部课程处理完毕，完成 ${s.stats.jobsDone} 个任务点${s.left.length ? `，${s.left.length} 项需要你手动完成` : ""}`);
    return { kind: "complete" };
  }
  s.phase = "chapters";
  return next();
}

function skipCourse(ctx: Book, reason: string): Outcome {
  const course = ctx.s.courses[ctx.s.ci];
  leave(ctx, { chapter: "", item: "", kind: "course", reason });
  log(ctx, "WARNING", `课程「${course?.name ?? ""}」已跳过: ${reason}`);
  return advanceCourse(ctx, "skipped");
}

async function readChapters(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const course = s.courses[s.ci]!;
  const r = await call(ctx, { op: "chapters", course });
  if (!r.ok) return onFailure(ctx, r);
  s.chapters = r.value.map((c) => ({ id: c.id, title: c.title, jobCount: c.jobCount, finished: c.finished }));
  log(ctx, "INFO", `📚 开始课程「${course.name}」，共 ${s.chapters.length} 个章节`);
  s.hi = 0;
  return enterChapter(ctx);
}

// ---- chapters ------------------------------------------------------------------------------------

/** Moves to chapter `s.hi`, skipping finished ones without a call (unless we came back to unlock). */
function enterChapter(ctx: Ctx): Outcome {
  const { s } = ctx;
  while (s.hi < s.chapters.length && s.chapters[s.hi]!.finished && s.notopen.returnTo === null) s.hi++;
  if (s.hi >= s.chapters.length) return advanceCourse(ctx, "done");
  s.phase = "cards";
  s.tab = 0;
  s.jobs = [];
  s.ji = 0;
  return next();
}

function nextChapter(ctx: Ctx): Outcome {
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
    return onFailure(ctx, r);
  }
  s.notopen.skipping = false;
  if (r.value.defaults?.reportTimeInterval) s.reportInterval = r.value.defaults.reportTimeInterval;
  const found = mergeJobs(s, r.value);
  s.tab++;
  const pending = s.jobs.filter((j) => j.required && !j.isPassed).length;
  // Tabs are read one per step; past the last one the page has no mArg (or no attachments).
  const more = r.value.defaults !== null && s.tab < CARD_TABS && (found > 0 || pending < chapter.jobCount);
  if (more) return next();
  if (s.jobs.filter((j) => j.required).length === 0) {
    s.phase = "visit";
    return next();
  }
  s.phase = "job";
  s.ji = 0;
  return next();
}

function mergeJobs(s: EngineState, cards: ChapterCards): number {
  let added = 0;
  for (const job of cards.jobs) {
    if (s.jobs.some((j) => j.type === job.type && j.jobid === job.jobid)) continue;
    s.jobs.push({ ...job, tab: s.tab });
    added++;
  }
  return added;
}

async function visitChapter(ctx: Ctx): Promise<Outcome> {
  const { s } = ctx;
  const chapter = s.chapters[s.hi]!;
  const r = await call(ctx, { op: "visit", course: s.courses[s.ci]!, chapterId: chapter.id });
  if (!r.ok) return onFailure(ctx, r);
  log(ctx, "INFO", `${ITEM_MARKS.empty} 已访问章节「${chapter.title}」`);
  return chapterDone(ctx);
}

function chapterDone(ctx: Ctx): Outcome {
  const { s } = ctx;
  s.chapters[s.hi]!.finished = true;
  s.chapters[s.hi]!.weight = currentChapterWeight(s);
  if (s.notopen.returnTo !== null) {
    // Came back one chapter to unlock the closed one: check it again.
    s.hi = s.notopen.returnTo;
    s.notopen.returnTo = null;
    s.chapters[s.hi]!.finished = false;
    return enterChapter(ctx);
  }
  return nextChapter(ctx);
}

/** 章节未开放, by `notopen_action` (protocol "Chapters that are not open"); every path is bounded. */
function notOpen(ctx: Ctx): Outcome {
  const { s } = ctx;
  const chapter = s.chapters[s.hi]!;
  const skip = (reason: string): Outcome => {
    leave(ctx, { chapter: chapter.title, item: "", kind: "chapter", reason });
    log(ctx, "WARNING", `章节「${chapter.title}」未开放，已跳过`);
    return nextChapter(ctx);
  };
  if (s.notopenAction === "continue") return skip("章节未开放，已跳过");
  if (s.notopenAction === "ask") {
    if (s.notopen.skipping) return skip("章节未开放，按你的选择跳过");
    log(ctx, "WARNING", `章节「${chapter.title}」未开放，任务已暂停，等待你选择跳过或停止该课程`);
    return { kind: "pause", reason: "notopen_ask", chapter: chapter.title };
  }
  const attempts = (s.notopen.attempts[chapter.id] ?? 0) + 1;
  s.notopen.attempts[chapter.id] = attempts;
  if (attempts > MAX_NOTOPEN_RETRIES) {
    return skipCourse(ctx, `章节「${chapter.title}」重试 ${MAX_NOTOPEN_RETRIES} 次仍未开放。请手动完成前面章节的测验等任务点后重试任务`);
  }
  if (s.hi === 0) {
    log(ctx, "WARNING", `章节「${chapter.title}」未开放，${NOTOPEN_WAIT_MS / 1000} 秒后重试（第 ${attempts} 次）`);
    return next(NOTOPEN_WAIT_MS);
  }
  log(ctx, "INFO", `章节「${chapter.title}」未开放，回到上一章补完任务点后重试（第 ${attempts} 次）`);
  s.notopen.returnTo = s.hi;
  s.hi--;
  s.chapters[s.hi]!.finished = false;
  return enterChapter(ctx);
}

/** The user's answer to a `notopen_ask` pause. */
export function applyNotopenChoice(s: EngineState, choice: "skip" | "stop"): LogEvent[] {
  const logs: LogEvent[] = [];
  if (choice === "skip") {
    s.notopen.skipping = true;
  } else {
    skipCourse({ s, logs }, "章节未开放，已按你的选择停止该课程");
  }
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
    if (!job.required || job.isPassed) {
      s.ji++;
      continue;
    }
    switch (job.type) {
      case "quiz":
        if (s.notopen.returnTo === null) log(ctx, "INFO", `${ITEM_MARKS.quiz} 测验「${job.name}」留给你手动完成`);
        leave(ctx, { chapter: chapter.title, item: job.name, kind: "quiz", reason: "章节测验需要你手动完成" });
        s.ji++;
        continue;
      case "other":
        leave(ctx, { chapter: chapter.title, item: job.name, kind: job.rawType, reason: "暂不支持的任务点类型" });
        log(ctx, "WARNING", `任务点「${job.name}」(${job.rawType}) 暂不支持，已跳过`);
        s.ji++;
        continue;
      case "document":
      case "read": {
        const r = job.type === "document"
          ? await call(ctx, { op: "document", course, chapterId: chapter.id, job })
          : await call(ctx, { op: "read", course, chapterId: chapter.id, job });
        if (!r.ok) return onFailure(ctx, r);
        if (r.value) {
          s.stats.jobsDone++;
          log(ctx, "INFO", `${itemLabel(job)} 已完成`);
        } else {
          leave(ctx, { chapter: chapter.title, item: job.name, kind: job.type, reason: "超星未接受该任务点" });
          log(ctx, "WARNING", `${itemLabel(job)} 未被超星接受，已跳过`);
        }
        s.ji++;
        return next();
      }
      case "video":
      case "audio":
        if (job.mid === null) {
          leave(ctx, { chapter: chapter.title, item: job.name, kind: job.type, reason: "视频转码失败，无法播放" });
          log(ctx, "WARNING", `${itemLabel(job)} 转码失败，无法播放，已跳过`);
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
  return chapterDone(ctx);
}

async function releaseVideo(ctx: Ctx): Promise<void> {
  ctx.s.holdsVideo = false;
  await ctx.io.releaseVideo();
}

async function finishMedia(ctx: Ctx, job: MediaJob, passed: boolean): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media!;
  if (passed) {
    s.stats.jobsDone++;
    s.stats.mediaDoneSeconds += m.duration;
    log(ctx, "INFO", `${itemLabel(job)} 已完成 (${mmss(m.duration)})`);
  } else {
    leave(ctx, { chapter: s.chapters[s.hi]!.title, item: job.name, kind: job.type, reason: "进度上报未被超星通过，请手动观看" });
    log(ctx, "ERROR", `${itemLabel(job)} 多次上报仍未通过，已跳过`);
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
  if (!s.media || s.media.jobid !== job.jobid) s.media = newMediaRun(job);
  const m = s.media;
  if (m.dtoken === null) {
    const r = await call(ctx, { op: "status", objectId: job.objectId, media: job.type });
    if (!r.ok) return onFailure(ctx, r);
    m.dtoken = r.value.dtoken;
    m.duration = r.value.duration;
    job.seconds = m.duration;
    m.playingTime = Math.min(m.playingTime, m.duration);
    if (m.stage === "start" && m.recoveries === 0) {
      s.stats.mediaSeen++;
      s.stats.mediaSeenSeconds += m.duration;
      log(ctx, "INFO", `${itemLabel(job)} 开始播放 (${mmss(m.playingTime)} / ${mmss(m.duration)}，${s.speed}x)`);
    }
    return next();
  }
  if (m.stage === "confirm") {
    const r = await call(ctx, { op: "cards", course, chapterId: s.chapters[s.hi]!.id, num: job.tab });
    if (!r.ok) return onFailure(ctx, r);
    const card = r.value.jobs.find((j) => j.jobid === job.jobid);
    if (!card || card.isPassed) return finishMedia(ctx, job, true);
    m.stage = "end";
    return next(reportIntervalMs(s));
  }

  const now = io.now();
  // At most one and a half intervals of media per report, whatever the clock says.
  const maxStep = (s.reportInterval ?? DEFAULT_REPORT_INTERVAL_S) * 1.5;
  let isdrag: 0 | 3 | 4;
  let playingTime = m.playingTime;
  let elapsed = 0;
  if (m.stage === "start") {
    isdrag = 3;
  } else {
    // Media time advances with real time at the user's speed, never faster (capped at one interval's worth).
    elapsed = Math.max(0, (now - (m.lastReportAt ?? now)) / 1000);
    playingTime = Math.min(m.duration, m.playingTime + Math.min(elapsed * s.speed, maxStep));
    isdrag = playingTime >= m.duration ? 4 : 0;
  }
  const r = await call(ctx, {
    op: "report",
    params: {
      course,
      job: { jobid: job.jobid, objectId: job.objectId, otherInfo: job.otherInfo, type: job.type },
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
    return onFailure(ctx, r);
  }
  s.stats.studySeconds += Math.round(Math.min(elapsed, maxStep / s.speed));
  m.playingTime = playingTime;
  m.lastReportAt = now;
  m.rt = [r.value.rt, ...m.rt.filter((x) => x !== r.value.rt)];
  const interval = reportIntervalMs(s) + Math.round(io.random() * 2_000);
  if (isdrag === 4) {
    if (r.value.isPassed) {
      m.stage = "confirm";
      return next(CALL_GAP_MS * 4);
    }
    m.stage = "end";
    m.endAttempts++;
    if (m.endAttempts > MAX_END_ATTEMPTS) return finishMedia(ctx, job, false);
    return next(interval);
  }
  m.stage = "play";
  // The last stretch may be shorter than an interval: come back when the media ends.
  const remainingMs = ((m.duration - playingTime) / s.speed) * 1000;
  return next(Math.max(CALL_GAP_MS * 4, Math.min(interval, Math.ceil(remainingMs) + 1_000)));
}

function newMediaRun(job: MediaJob): MediaRun {
  return {
    jobid: job.jobid,
    dtoken: null,
    duration: 0,
    playingTime: Math.floor(job.playTimeMs / 1000),
    rt: rtCandidates(job),
    dtype: job.type === "audio" ? "Audio" : "Video",
    stage: "start",
    lastReportAt: null,
    endAttempts: 0,
    recoveries: 0,
  };
}

/** 403 on a report: next rt candidate, then a fresh dtoken (audio also as Audio), then give up the job. */
async function reportRefused(ctx: Ctx, job: MediaJob): Promise<Outcome> {
  const { s } = ctx;
  const m = s.media!;
  ctx.signal = "forbidden";
  if (m.rt.length > 1) {
    m.rt.shift();
    log(ctx, "DEBUG", `上报被拒绝(403)，改用 rt=${m.rt[0]} 重试`);
    return next(CALL_GAP_MS * 4);
  }
  m.recoveries++;
  if (m.recoveries > MAX_RECOVERIES) return finishMedia(ctx, job, false);
  log(ctx, "WARNING", `${itemLabel(job)} 上报被拒绝(403)，重新获取播放凭证（第 ${m.recoveries} 次）`);
  m.dtoken = null;
  m.rt = rtCandidates(job);
  m.stage = "start";
  return next(CALL_GAP_MS * 4);
}

/** After a pause, a restart or a captcha, media resumes with a fresh isdrag 3 at the saved playing time. */
export function prepareResume(s: EngineState): void {
  if (s.media) prepareMediaRestart(s.media);
  s.failures = 0;
}

function prepareMediaRestart(m: MediaRun): void {
  if (m.stage === "confirm") return;
  m.stage = m.stage === "end" ? "end" : "start";
  m.lastReportAt = null;
}
