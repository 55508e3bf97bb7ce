import { clock, shanghaiDay } from "../../shared/clock";
import type { HostName } from "./hosts";
import { fnv1a } from "../../shared/encoding";
import { buildCourses, hex32, isRequired, playedRange, type SimChapter, type SimCourse, type SimCourseSpec, type SimJob } from "./model";
import { DEFAULT_QR_TTL_S, QrLogins } from "./qr-login";
import { MAX_CREDIT_GAP_S } from "./player";
import { DEMO_COURSES, DEMO_PASSWORD, DEMO_PHONE, DEMO_ROLLBACK } from "./seed";

/**
 * The overnight rollback ("回溯", protocol "Corrections of 2026-12", item 6): at the Shanghai day change,
 * media passed on a day whose credited media time exceeded `dailyMediaS`, or played while another media
 * job of the account was playing, go back to unpassed.
 */
export interface RollbackRule {
  dailyMediaS: number;
}

export interface SimAccount {
  uid: string;
  phone: string;
  password: string;
  fid: string;
  name: string;
  courses: SimCourse[];
  /** null: this account is never rolled back */
  rollback: RollbackRule | null;
}

/** One account's progress on one media job (what the platform's judgement remembers). */
export interface JobProgress {
  /** shared-clock ms of the first accepted report; null until then */
  firstReportAt: number | null;
  /** shared-clock ms of the last accepted report */
  lastReportAt: number | null;
  /** position (s) already watched when the first report came: real time is measured from there */
  basePlayS: number;
  /** resume point (s) */
  playTimeS: number;
  /** real seconds credited as watching: the time between accepted reports, each gap capped */
  watchedS: number;
  passed: boolean;
  reports: number;
  /** Shanghai day it passed on, until the day change judged it (rollback) */
  passedDay: string | null;
  /** played while another media job of the account was playing (rollback) */
  concurrent: boolean;
  /** times the overnight rollback reverted it */
  rolledBack: number;
}

interface CountedFault {
  /** only requests whose path contains this */
  path?: string;
  /** how many requests it hits; undefined = until cleared */
  times?: number;
}

/** Failures switched on by tests and the control API. */
export interface Faults {
  serverError?: CountedFault & { status?: number };
  /** a request that hangs: held for `holdMs` (default 30 s), then 504 */
  timeout?: CountedFault & { holdMs?: number };
  rateLimit?: CountedFault & { retryAfterS?: number };
  /** reports answer 403 `code=20 … [restTime:N]` until the rest time has passed on the clock */
  studyCap?: { restTimeS: number; until?: number };
  /** report replies as a JS object literal instead of JSON */
  jsLiteralReports?: boolean;
  /** an expired session is answered with a 200 login page instead of the 302 to it */
  loginPage200?: boolean;
  /** `myjobsnodesmap` refuses with 200 and all-zero counts */
  jobCountsRefused?: boolean;
  /** document and read replies are an HTML page, not JSON (the job is not done) */
  nonJsonJobs?: CountedFault;
}

/** How the platform behaves (2026 by default); switchable through the control API. */
export interface Platform {
  /** a session lasts this long (about 7 days) */
  sessionTtlS: number;
  /** completion needs the real time of the played part (2026); false: positions up to 2× pass at the end */
  realTimeCompletion: boolean;
  /** more reports than this from one session to one host within 60 s raise a captcha there; 0 = never */
  captchaReportsPerMinute: number;
  /**
   * How a pending captcha is shown (2026-12 item 14): a 302 to `antispiderShowVerify.ac`, or the captcha
   * page itself as the body of a 200 or of a 403, on every path of its host (reports and cards included)
   */
  captchaForm: "redirect" | "body200" | "body403";
  /**
   * A folder's course list posted without the root list's Referer and XHR headers answers a page that is
   * not a course list (2026-12 item 7); false: it answers as the reference CLI expects
   */
  folderListNeedsReferer: boolean;
  /** a QR login code expires this long after it was shown (`createqr`) */
  qrTtlS: number;
}

export const DEFAULT_PLATFORM: Platform = {
  sessionTtlS: 7 * 24 * 3600,
  realTimeCompletion: true,
  // [unverified] the real threshold is not published. The reference CLI spaces an account's reports at least
  // 2 s apart against captchas ("上报进度极其容易卡验证码，限制2s一次", Samueli924/chaoxing api/base.py) and plays a
  // chapter's videos side by side under that one limit, so up to 30 a minute must pass; faster is a captcha.
  captchaReportsPerMinute: 30,
  captchaForm: "redirect",
  folderListNeedsReferer: true,
  qrTtlS: DEFAULT_QR_TTL_S,
};

/** One account's replay of one live card: minutes credited by `saveTimePc`, and when the last one counted. */
export interface LiveProgress {
  minutes: number;
  lastAt: number | null;
  calls: number;
}

/** A captcha the platform demands: bound to the host that redirected and to that host's JSESSIONID. */
export interface PendingCaptcha {
  answer: string;
  /** null until shown: one raised through the control API binds to the first host the account calls next */
  host: HostName | null;
  /** null until shown on its host */
  jsession: string | null;
}

export interface RequestLogEntry {
  at: number;
  method: string;
  host: HostName;
  path: string;
  /** the raw query string, without `?` */
  query: string;
  uid: string | null;
  status: number;
  referer: string | null;
  ua: string | null;
  accept: string | null;
  /** the host-only JSESSIONID sent: this host's own, one issued by another host, or none */
  jsession: "own" | "foreign" | "none";
}

const LOG_LIMIT = 2000;

/** A media job as if never played (also what a rollback leaves). */
const freshProgress = () => ({
  firstReportAt: null, lastReportAt: null, basePlayS: 0, playTimeS: 0, watchedS: 0, passed: false, passedDay: null, concurrent: false,
});

const CAPTCHA_CHARS = "abcdefhjkmnpqrstuvwxyz2345678";

/** A fresh four-character captcha answer. */
export function captchaCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return [...bytes].map((b) => CAPTCHA_CHARS[b % CAPTCHA_CHARS.length]).join("");
}

/** Everything the simulated platform knows. All times come from the shared `clock`. */
export class SimState {
  private seq = 0;
  readonly accounts = new Map<string, SimAccount>(); // by phone
  readonly sessions = new Map<string, { uid: string; createdAt: number }>(); // by vc3 token
  /** host-only JSESSIONIDs: value → the host that issued it */
  readonly jsessions = new Map<string, HostName>();
  readonly progress = new Map<string, JobProgress>(); // `${uid}|${jobid}`
  readonly done = new Set<string>(); // `${uid}|${jobid}` for documents, reads, quizzes
  readonly live = new Map<string, LiveProgress>(); // `${uid}|${jobid}` for live replays
  readonly visited = new Set<string>(); // `${uid}|${chapterId}`
  readonly openedChapters = new Set<string>();
  readonly transcoded = new Set<string>(); // objectIds whose transcoding finished
  readonly captchas = new Map<string, PendingCaptcha>(); // uid → captcha
  readonly risk = new Set<string>(); // uids under risk control: 202 to everything but the login
  readonly reportTimes = new Map<string, number[]>(); // `${uid}|${host}` → report times in the last minute
  readonly dtokenEpochs = new Map<string, number>(); // uid → epoch
  readonly qr = new QrLogins();
  faults: Faults = {};
  platform: Platform = { ...DEFAULT_PLATFORM };
  readonly requestCounts = new Map<string, number>(); // uid → count
  /** media seconds credited per account and Shanghai day: uid → day → seconds */
  readonly mediaDays = new Map<string, Map<string, number>>();
  /** the Shanghai day whose change was last settled (rollback) */
  private settledDay = "";
  readonly log: RequestLogEntry[] = [];
  totalRequests = 0;

  constructor(private readonly seedDemo: boolean) {
    this.reset();
  }

  reset(): void {
    this.seq = 0;
    for (const m of [this.accounts, this.sessions, this.jsessions, this.progress, this.live, this.captchas, this.reportTimes, this.dtokenEpochs, this.requestCounts, this.mediaDays]) m.clear();
    this.settledDay = shanghaiDay(clock.now());
    for (const s of [this.done, this.visited, this.openedChapters, this.transcoded, this.risk]) s.clear();
    this.qr.clear();
    this.faults = {};
    this.platform = { ...DEFAULT_PLATFORM };
    this.log.length = 0;
    this.totalRequests = 0;
    if (this.seedDemo) this.createAccount({ phone: DEMO_PHONE, password: DEMO_PASSWORD, name: "张三", courses: DEMO_COURSES, rollback: DEMO_ROLLBACK });
  }

  nextId(): number {
    return ++this.seq;
  }

  createAccount(spec: { phone?: string; password?: string; name?: string; fid?: string; courses?: SimCourseSpec[]; rollback?: RollbackRule | null }): SimAccount {
    const n = this.nextId();
    const phone = spec.phone ?? String(13900000000 + n);
    if (this.accounts.has(phone)) throw new Error(`account ${phone} exists`);
    const account: SimAccount = {
      uid: String(221000000 + n),
      phone,
      password: spec.password ?? "sim-password",
      fid: spec.fid ?? "1024",
      name: spec.name ?? `学生${n}`,
      courses: (spec.courses ?? DEMO_COURSES).flatMap((c) => buildCourses(c, () => this.nextId(), clock.now())),
      rollback: spec.rollback ?? null,
    };
    this.accounts.set(phone, account);
    return account;
  }

  accountByUid(uid: string): SimAccount | undefined {
    for (const a of this.accounts.values()) if (a.uid === uid) return a;
    return undefined;
  }

  /** `cpi` is the account's membership in a class. */
  cpiOf(account: SimAccount, course: SimCourse): string {
    return String(100000000 + (fnv1a(`${account.uid}:${course.clazzId}`) % 900000000));
  }

  /** [unverified] The course-level `enc` of the chapter-page links (`mycourse/studentstudy`). */
  courseEnc(account: SimAccount, course: SimCourse): string {
    return hex32(`enc:${account.uid}:${course.courseId}:${course.clazzId}`);
  }

  findCourse(account: SimAccount, courseId: string, clazzId: string): SimCourse | undefined {
    return account.courses.find((c) => c.courseId === courseId && c.clazzId === clazzId);
  }

  findJob(account: SimAccount, jobid: string): { course: SimCourse; chapter: SimChapter; job: SimJob } | undefined {
    for (const course of account.courses)
      for (const chapter of course.chapters)
        for (const job of chapter.jobs) if (job.jobid === jobid) return { course, chapter, job };
    return undefined;
  }

  findObject(account: SimAccount, objectId: string): { course: SimCourse; job: SimJob } | undefined {
    for (const course of account.courses)
      for (const chapter of course.chapters) for (const job of chapter.jobs) if (job.objectId === objectId) return { course, job };
    return undefined;
  }

  // ---- sessions --------------------------------------------------------------------------

  openSession(account: SimAccount): string {
    const token = hex32(`vc3:${account.uid}:${clock.now()}:${this.nextId()}`);
    this.sessions.set(token, { uid: account.uid, createdAt: clock.now() });
    return token;
  }

  /** The live session of a `vc3` token, dropping it once it is older than the platform's session life. */
  session(token: string): { uid: string } | undefined {
    const s = this.sessions.get(token);
    if (s && clock.now() - s.createdAt > this.platform.sessionTtlS * 1000) {
      this.sessions.delete(token);
      return undefined;
    }
    return s;
  }

  expireSessions(uid?: string): void {
    for (const [t, s] of this.sessions) if (uid === undefined || s.uid === uid) this.sessions.delete(t);
  }

  issueJsession(host: HostName): string {
    const value = hex32(`js:${host}:${clock.now()}:${this.nextId()}`).toUpperCase();
    this.jsessions.set(value, host);
    return value;
  }

  // ---- job state -------------------------------------------------------------------------

  jobProgress(uid: string, jobid: string): JobProgress {
    const key = `${uid}|${jobid}`;
    let p = this.progress.get(key);
    if (!p) {
      p = { ...freshProgress(), reports: 0, rolledBack: 0 };
      this.progress.set(key, p);
    }
    return p;
  }

  liveProgress(uid: string, jobid: string): LiveProgress {
    const key = `${uid}|${jobid}`;
    let p = this.live.get(key);
    if (!p) this.live.set(key, (p = { minutes: 0, lastAt: null, calls: 0 }));
    return p;
  }

  isJobPassed(uid: string, job: SimJob): boolean {
    if (job.type === "video" || job.type === "audio") return this.progress.get(`${uid}|${job.jobid}`)?.passed ?? false;
    if (job.type === "live") return (this.live.get(`${uid}|${job.jobid}`)?.minutes ?? 0) * 60 >= job.duration;
    return this.done.has(`${uid}|${job.jobid}`);
  }

  /** A card shows unless it waits for the chapter's earlier task points, and one of them has not passed. */
  isJobVisible(uid: string, chapter: SimChapter, job: SimJob): boolean {
    if (!job.afterPrevious) return true;
    const earlier = chapter.jobs.slice(0, chapter.jobs.indexOf(job)).filter(isRequired);
    return earlier.every((j) => this.isJobPassed(uid, j));
  }

  isTranscoding(job: SimJob): boolean {
    return job.transcoding && !this.transcoded.has(job.objectId);
  }

  /** Done: every required task point passed; a chapter without any must be visited. */
  isChapterDone(uid: string, chapter: SimChapter): boolean {
    const required = chapter.jobs.filter(isRequired);
    if (required.length === 0) return this.visited.has(`${uid}|${chapter.id}`);
    return required.every((j) => this.isJobPassed(uid, j));
  }

  /** Why a chapter cannot be studied now, or null if it can. */
  chapterBlock(uid: string, course: SimCourse, chapter: SimChapter): "not_open" | "locked" | null {
    if (chapter.notOpen && !this.openedChapters.has(chapter.id)) return "not_open";
    if (!course.sequential) return null;
    for (const ch of course.chapters) {
      if (ch === chapter) return null;
      const open = !ch.notOpen || this.openedChapters.has(ch.id);
      if (!open || !this.isChapterDone(uid, ch)) return "locked";
    }
    return null;
  }

  dtoken(uid: string, objectId: string): string {
    return hex32(`dtoken:${uid}:${objectId}:${this.dtokenEpochs.get(uid) ?? 0}`);
  }

  jtoken(uid: string, jobid: string): string {
    return hex32(`jtoken:${uid}:${jobid}`).slice(0, 16);
  }

  /** Counts a report from this session to `host`; true when that is more than the platform lets pass in a minute. */
  reportTooFrequent(uid: string, host: HostName): boolean {
    const limit = this.platform.captchaReportsPerMinute;
    if (limit <= 0) return false;
    const key = `${uid}|${host}`;
    const now = clock.now();
    const times = [...(this.reportTimes.get(key) ?? []).filter((t) => now - t < 60_000), now];
    this.reportTimes.set(key, times);
    return times.length > limit;
  }

  // ---- the overnight rollback ------------------------------------------------------------

  /**
   * After a judged report (200): the media time it credited counts for today, and a pass is dated. Two
   * media jobs of one account playing at once are both marked: another job reported between this job's
   * previous report (within the credit gap: it was playing) and this one, and was not at its end.
   */
  afterReport(account: SimAccount, p: JobProgress, before: Pick<JobProgress, "watchedS" | "passed" | "lastReportAt">, now: number): void {
    const day = shanghaiDay(now);
    const days = this.mediaDays.get(account.uid) ?? new Map<string, number>();
    days.set(day, (days.get(day) ?? 0) + Math.max(0, p.watchedS - before.watchedS));
    this.mediaDays.set(account.uid, days);
    if (p.passed && !before.passed) p.passedDay = day;
    const since = before.lastReportAt;
    if (since === null || now - since >= MAX_CREDIT_GAP_S * 1000) return;
    for (const [key, other] of this.progress) {
      if (other === p || !key.startsWith(`${account.uid}|`) || other.lastReportAt === null || other.lastReportAt <= since) continue;
      const found = this.findJob(account, key.slice(account.uid.length + 1));
      if (found && other.playTimeS < playedRange(found.job)[1]) p.concurrent = other.concurrent = true;
    }
  }

  /**
   * The Shanghai day change, settled lazily at the first look after it (every request and control read):
   * for each account with the rule on, media passed on an earlier day go back to unpassed when that day's
   * media total exceeded the threshold or they played concurrently; the others stay passed for good.
   */
  settleDays(now = clock.now()): void {
    const today = shanghaiDay(now);
    if (today <= this.settledDay) return;
    this.settledDay = today;
    for (const account of this.accounts.values()) {
      const rule = account.rollback;
      for (const [key, p] of this.progress) {
        if (!key.startsWith(`${account.uid}|`) || !p.passed || p.passedDay === null || p.passedDay >= today) continue;
        const total = this.mediaDays.get(account.uid)?.get(p.passedDay) ?? 0;
        if (rule && (total > rule.dailyMediaS || p.concurrent)) Object.assign(p, freshProgress(), { rolledBack: p.rolledBack + 1 });
        else p.passedDay = null;
      }
    }
  }

  // ---- faults and logging ----------------------------------------------------------------

  /** Consumes one hit of a counted fault if it applies to `path`. */
  takeFault<K extends "serverError" | "timeout" | "rateLimit" | "nonJsonJobs">(kind: K, path: string): Faults[K] | null {
    const f = this.faults[kind];
    if (!f || (f.path && !path.includes(f.path))) return null;
    if (f.times !== undefined) {
      if (f.times <= 0) return null;
      f.times--;
    }
    return f;
  }

  /** Remaining study-cap rest in seconds, or 0 when there is none. */
  studyCapRemaining(): number {
    const cap = this.faults.studyCap;
    if (!cap) return 0;
    cap.until ??= clock.now() + cap.restTimeS * 1000;
    const left = Math.ceil((cap.until - clock.now()) / 1000);
    if (left > 0) return left;
    delete this.faults.studyCap;
    return 0;
  }

  record(entry: RequestLogEntry): void {
    this.totalRequests++;
    if (entry.uid) this.requestCounts.set(entry.uid, (this.requestCounts.get(entry.uid) ?? 0) + 1);
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }
}
