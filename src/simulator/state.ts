import { clock } from "../lib/clock";
import type { HostName } from "./hosts";
import { fnv1a } from "../lib/encoding";
import { buildCourse, hex32, isRequired, type SimChapter, type SimCourse, type SimCourseSpec, type SimJob } from "./model";
import { DEMO_COURSES, DEMO_PASSWORD, DEMO_PHONE } from "./seed";

export interface SimAccount {
  uid: string;
  phone: string;
  password: string;
  fid: string;
  name: string;
  courses: SimCourse[];
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
}

export const DEFAULT_PLATFORM: Platform = {
  sessionTtlS: 7 * 24 * 3600,
  realTimeCompletion: true,
  // [unverified] the real threshold is not published; the player's cadence (one a minute, two at 2×) stays far below.
  captchaReportsPerMinute: 8,
};

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
  readonly visited = new Set<string>(); // `${uid}|${chapterId}`
  readonly openedChapters = new Set<string>();
  readonly transcoded = new Set<string>(); // objectIds whose transcoding finished
  readonly captchas = new Map<string, PendingCaptcha>(); // uid → captcha
  readonly risk = new Set<string>(); // uids under risk control: 202 to everything but the login
  readonly reportTimes = new Map<string, number[]>(); // `${uid}|${host}` → report times in the last minute
  readonly dtokenEpochs = new Map<string, number>(); // uid → epoch
  faults: Faults = {};
  platform: Platform = { ...DEFAULT_PLATFORM };
  readonly requestCounts = new Map<string, number>(); // uid → count
  readonly log: RequestLogEntry[] = [];
  totalRequests = 0;

  constructor(private readonly seedDemo: boolean) {
    this.reset();
  }

  reset(): void {
    this.seq = 0;
    for (const m of [this.accounts, this.sessions, this.jsessions, this.progress, this.captchas, this.reportTimes, this.dtokenEpochs, this.requestCounts]) m.clear();
    for (const s of [this.done, this.visited, this.openedChapters, this.transcoded, this.risk]) s.clear();
    this.faults = {};
    this.platform = { ...DEFAULT_PLATFORM };
    this.log.length = 0;
    this.totalRequests = 0;
    if (this.seedDemo) this.createAccount({ phone: DEMO_PHONE, password: DEMO_PASSWORD, name: "张三", courses: DEMO_COURSES });
  }

  nextId(): number {
    return ++this.seq;
  }

  createAccount(spec: { phone?: string; password?: string; name?: string; fid?: string; courses?: SimCourseSpec[] }): SimAccount {
    const n = this.nextId();
    const phone = spec.phone ?? String(13900000000 + n);
    if (this.accounts.has(phone)) throw new Error(`account ${phone} exists`);
    const account: SimAccount = {
      uid: String(221000000 + n),
      phone,
      password: spec.password ?? "sim-password",
      fid: spec.fid ?? "1024",
      name: spec.name ?? `学生${n}`,
      courses: (spec.courses ?? DEMO_COURSES).map((c) => buildCourse(c, () => this.nextId(), clock.now())),
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
      p = { firstReportAt: null, lastReportAt: null, basePlayS: 0, playTimeS: 0, watchedS: 0, passed: false, reports: 0 };
      this.progress.set(key, p);
    }
    return p;
  }

  isJobPassed(uid: string, job: SimJob): boolean {
    if (job.type === "video" || job.type === "audio") return this.progress.get(`${uid}|${job.jobid}`)?.passed ?? false;
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
