import { clock } from "../lib/clock";
import { isRequired, type FaceCheck, type SimCourse, type SimCourseSpec } from "./model";
import type { HostName } from "./hosts";
import type { QrState } from "./qr-login";
import {
  captchaCode, type Faults, type JobProgress, type LiveProgress, type Platform, type RequestLogEntry, type RollbackRule, type SimAccount, type SimState,
} from "./state";

export interface SimAccountInfo {
  uid: string;
  phone: string;
  password: string;
  fid: string;
  name: string;
  courses: Array<SimCourse & { cpi: string }>;
  rollback: RollbackRule | null;
}

export interface AccountSpec {
  phone?: string;
  password?: string;
  name?: string;
  fid?: string;
  /** defaults to the demo course set */
  courses?: SimCourseSpec[];
  /** the overnight rollback (off by default; the demo account has it on) */
  rollback?: RollbackRule | null;
}

/** A patch of faults: a key set to null clears that fault. */
export type FaultsPatch = { [K in keyof Faults]?: Faults[K] | null };

export interface SimSnapshot {
  now: number;
  faults: Faults;
  platform: Platform;
  sessions: number;
  accounts: Array<{
    phone: string;
    uid: string;
    password: string;
    name: string;
    captchaAnswer: string | null;
    riskControl: boolean;
    requestCount: number;
    rollback: RollbackRule | null;
    /** media jobs the overnight rollback reverted (each time counted) */
    rolledBack: number;
    courses: Array<{ courseId: string; clazzId: string; clazzName: string; state: 0 | 1; cpi: string; name: string; finished: number; total: number }>;
  }>;
  qr: Array<{ uuid: string; state: QrState; shown: boolean; phone: string | null }>;
}

/** What tests (directly) and dev/e2e scripts (through /__sim/*) use to steer the simulator. */
export interface SimControl {
  reset(): void;
  createAccount(spec?: AccountSpec): SimAccountInfo;
  account(phone: string): SimAccountInfo;
  setFaults(patch: FaultsPatch): void;
  clearFaults(): void;
  /** Change how the platform behaves (session life, real-time completion, the captcha threshold). */
  setPlatform(patch: Partial<Platform>): void;
  /** Forget the sessions of one account (or all): next calls get the 302 to the login page. */
  expireSessions(phone?: string): void;
  /**
   * Demand a captcha from one account (or all); returns the answer. Bound to `host` (e.g. "mooc2-ans"),
   * or to the first host the account calls next, and to that host's JSESSIONID.
   */
  requireCaptcha(phone?: string, host?: HostName): string;
  /** Put one account under risk control (every call but the login answers 202) or take it off. */
  riskControl(phone: string, on: boolean): void;
  /** A video that was still transcoding is ready. */
  finishTranscoding(phone: string, jobid: string): void;
  /** Invalidate issued dtokens (a stale dtoken gets 403). */
  rotateDtokens(phone?: string): void;
  openChapter(chapterId: string): void;
  /** Switch strict real time on or off for one course of an account (see `SimCourseSpec.strictRealTime`). */
  strictRealTime(phone: string, courseId: string, on: boolean): void;
  /** Switch the overnight rollback of one account on (with its daily media threshold) or off (null). */
  rollback(phone: string, rule: RollbackRule | null): void;
  /** The user did a task point by hand in 学习通 (a quiz, or a video watched there). */
  completeByHand(phone: string, jobid: string): void;
  /**
   * The course's face capture changes (a teacher turns it on or off mid-term): every class of `courseId`
   * of that account from now on, cards and reports alike.
   */
  setFaceCheck(phone: string, courseId: string, faceCheck: FaceCheck | null): void;
  jobProgress(phone: string, jobid: string): JobProgress | undefined;
  liveProgress(phone: string, jobid: string): LiveProgress | undefined;
  /**
   * The 学习通 app of `phone` scans a QR login code (the one named, or the newest one shown and still
   * open): its polls answer type 4 with that user's uid and nickname. Returns the code's uuid.
   */
  qrScan(phone: string, uuid?: string): string;
  /** The phone user confirms the scanned login: the next poll answers status true and sets the cookies. */
  qrConfirm(uuid?: string): string;
  /** The phone user cancels the scanned login (type 6). */
  qrCancel(uuid?: string): string;
  /** The code expires now (type 2), as it would after the platform's time. */
  qrExpire(uuid?: string): string;
  /** Upstream requests attributed to an account (or all). */
  requestCount(phone?: string): number;
  requests(phone?: string): RequestLogEntry[];
  snapshot(): SimSnapshot;
}

export function createControl(st: SimState): SimControl {
  const get = (phone: string): SimAccount => {
    const a = st.accounts.get(phone);
    if (!a) throw new Error(`no simulated account ${phone}`);
    return a;
  };
  const targets = (phone?: string): SimAccount[] => (phone === undefined ? [...st.accounts.values()] : [get(phone)]);
  const info = (a: SimAccount): SimAccountInfo => ({
    uid: a.uid, phone: a.phone, password: a.password, fid: a.fid, name: a.name,
    courses: a.courses.map((c) => ({ ...c, cpi: st.cpiOf(a, c) })),
    rollback: a.rollback,
  });

  return {
    reset: () => st.reset(),
    createAccount: (spec = {}) => info(st.createAccount(spec)),
    account: (phone) => info(get(phone)),
    setFaults(patch) {
      const next: Record<string, unknown> = { ...st.faults };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null || v === undefined) delete next[k];
        else next[k] = typeof v === "object" ? { ...v } : v;
      }
      st.faults = next as Faults;
    },
    clearFaults: () => {
      st.faults = {};
    },
    setPlatform(patch) {
      st.platform = { ...st.platform, ...patch };
    },
    expireSessions: (phone) => {
      for (const a of targets(phone)) st.expireSessions(a.uid);
    },
    requireCaptcha(phone, host) {
      const answer = captchaCode();
      for (const a of targets(phone)) st.captchas.set(a.uid, { answer, host: host ?? null, jsession: null });
      return answer;
    },
    riskControl(phone, on) {
      const uid = get(phone).uid;
      if (on) st.risk.add(uid);
      else st.risk.delete(uid);
    },
    finishTranscoding(phone, jobid) {
      const found = st.findJob(get(phone), jobid);
      if (!found?.job.transcoding) throw new Error(`no transcoding video ${jobid}`);
      st.transcoded.add(found.job.objectId);
    },
    rotateDtokens(phone) {
      for (const a of targets(phone)) st.dtokenEpochs.set(a.uid, (st.dtokenEpochs.get(a.uid) ?? 0) + 1);
    },
    openChapter: (chapterId) => {
      st.openedChapters.add(chapterId);
    },
    strictRealTime(phone, courseId, on) {
      const courses = get(phone).courses.filter((c) => c.courseId === courseId);
      if (courses.length === 0) throw new Error(`no course ${courseId}`);
      for (const c of courses) c.strictRealTime = on;
    },
    rollback(phone, rule) {
      get(phone).rollback = rule;
    },
    completeByHand(phone, jobid) {
      const a = get(phone);
      const found = st.findJob(a, jobid);
      if (!found) throw new Error(`no task point ${jobid}`);
      if (found.job.type === "live") st.liveProgress(a.uid, jobid).minutes = Math.ceil(found.job.duration / 60);
      else if (found.job.type === "video" || found.job.type === "audio") {
        const p = st.jobProgress(a.uid, jobid);
        p.playTimeS = found.job.clip?.[1] ?? found.job.duration;
        p.passed = true;
      } else st.done.add(`${a.uid}|${jobid}`);
    },
    setFaceCheck(phone, courseId, faceCheck) {
      const courses = get(phone).courses.filter((c) => c.courseId === courseId);
      if (courses.length === 0) throw new Error(`no course ${courseId}`);
      for (const c of courses) c.faceCheck = faceCheck;
    },
    qrScan(phone, uuid) {
      const q = st.qr.pick(uuid, st.platform.qrTtlS);
      st.qr.scan(q, get(phone).uid);
      return q.uuid;
    },
    qrConfirm(uuid) {
      const q = st.qr.pick(uuid, st.platform.qrTtlS);
      st.qr.decide(q, "confirmed");
      return q.uuid;
    },
    qrCancel(uuid) {
      const q = st.qr.pick(uuid, st.platform.qrTtlS);
      st.qr.decide(q, "cancelled");
      return q.uuid;
    },
    qrExpire(uuid) {
      const q = st.qr.pick(uuid, st.platform.qrTtlS);
      st.qr.expire(q);
      return q.uuid;
    },
    jobProgress: (phone, jobid) => {
      st.settleDays();
      return st.progress.get(`${get(phone).uid}|${jobid}`);
    },
    liveProgress: (phone, jobid) => st.live.get(`${get(phone).uid}|${jobid}`),
    requestCount(phone) {
      if (phone !== undefined) return st.requestCounts.get(get(phone).uid) ?? 0;
      return st.totalRequests;
    },
    requests(phone) {
      const uid = phone === undefined ? undefined : get(phone).uid;
      return st.log.filter((e) => uid === undefined || e.uid === uid);
    },
    snapshot: () => {
      st.settleDays();
      return {
        now: clock.now(),
        faults: st.faults,
        platform: st.platform,
        sessions: st.sessions.size,
        accounts: [...st.accounts.values()].map((a) => ({
          phone: a.phone, uid: a.uid, password: a.password, name: a.name,
          captchaAnswer: st.captchas.get(a.uid)?.answer ?? null,
          riskControl: st.risk.has(a.uid),
          requestCount: st.requestCounts.get(a.uid) ?? 0,
          rollback: a.rollback,
          rolledBack: [...st.progress].filter(([k]) => k.startsWith(`${a.uid}|`)).reduce((n, [, p]) => n + p.rolledBack, 0),
          courses: a.courses.map((c) => {
            const jobs = c.chapters.flatMap((ch) => ch.jobs).filter(isRequired);
            return {
              courseId: c.courseId, clazzId: c.clazzId, clazzName: c.clazzName, state: c.state, cpi: st.cpiOf(a, c), name: c.name,
              finished: jobs.filter((j) => st.isJobPassed(a.uid, j)).length, total: jobs.length,
            };
          }),
        })),
        qr: st.qr.list().map((q) => ({ uuid: q.uuid, state: q.state, shown: q.activatedAt !== null, phone: q.uid ? (st.accountByUid(q.uid)?.phone ?? null) : null })),
      };
    },
  };
}
