import { DurableObject } from "cloudflare:workers";
import { ChaoxingClient } from "../chaoxing/client";
import { CookieJar, type SerializedJar } from "../chaoxing/cookies";
import { ChaoxingError } from "../chaoxing/errors";
import { CALL_GAP_MS } from "../shared/pacing";
import type { CourseRef } from "../chaoxing/types";
import { upstreamUrlsFromEnv } from "../chaoxing/urls";
import { config } from "../config";
import { AccountLimits, defaultLimits, limitRules, type LimitsView } from "../limits/account-limits";
import type { StudyLimits } from "../limits/study-limits";
import { clock } from "../../shared/clock";
import { normalisePhone } from "../lib/phone-number";
import { open, seal } from "../lib/secretbox";
import { sessionVerifier } from "../lib/verifier";
import type { TaskWork } from "../shared/forecast";
import type { ForecastContext } from "../tasks/forecast-work";
import { handOverLock, handOverSession, isLegacyName, legacyAccountName, type Handover, type V1Lock } from "./account-legacy";
import { SESSION_RECORD, type SessionRecord } from "./binding-records";
import { getVersioned } from "../lib/versioned";
import { runOp, toOpError, type OpError, type OpName, type OpOf, type Reply } from "./account-ops";
import { notify } from "../notify/produce";
import { isQrLoginName, PendingQr, type QrPolled, type QrStarted } from "./account-qr";
import { LoginRefusals } from "./login-refusals";
import { phoneName, PhoneLine } from "./phone";

export interface Credentials {
  phone: string;
  /** Null for an account bound by QR login: the binding's session is used, and never a password login. */
  password: string | null;
  /** The user on whose behalf the call is made: their binding of the phone, their egress (relay or direct). */
  userId: number;
}

/**
 * One user's binding of a Chaoxing phone. Everything one user's actions or one user's relay can
 * influence lives here, so nothing another user does (or their relay answers) reaches it: the session
 * and its cookie jar, who may use it (the verifier), the login budget, refused passwords, the
 * risk-control state, the limits and today's usage, the course cache. What Chaoxing sees as one account
 * for everyone who saved the phone is only the phone object's (src/durable/phone.ts): the pacing of
 * requests and the one-video lock.
 */
export const accountName = (userId: number, phone: string): string => `acct:${userId}:${normalisePhone(phone)}`;

/** What vouches for a session a QR scan opened (src/durable/account-qr.ts): no password to derive one from. */
export const QR_VERIFIER = "qr";

/** Identifies a (phone, password) pair without keeping the password: a keyed HMAC (src/lib/verifier.ts). */
const verifierOf = async (env: Env, creds: Credentials): Promise<string> =>
  creds.password === null ? QR_VERIFIER : sessionVerifier(config(env).CX_ENCRYPTION_KEY, normalisePhone(creds.phone), creds.password);

const MAX_LOGINS_PER_WINDOW = 5;
const LOGIN_WINDOW_MS = 10 * 60_000;
/** Successful logins per day (repeated logins look like logins from elsewhere). */
const MAX_LOGINS_PER_DAY = 5;
const DAY_MS = 24 * 3600_000;
const REFUSED_TTL_MS = 10 * 60_000;
const COURSES_TTL_MS = 60_000;
/** A forced refresh (the dashboard's refresh button) reaches Chaoxing at most once a minute per key. */
const FORCED_REFRESH_MIN_MS = 60_000;
const PROGRESS_TTL_MS = 5 * 60_000;
/** A course survey is a page per chapter: kept longer (lengths do not change; what a task passes meanwhile is its own figures). */
const SURVEY_TTL_MS = 30 * 60_000;

export class AccountObject extends DurableObject<Env> {
  private client: ChaoxingClient | null = null;
  private persisted: SessionRecord | null = null;
  private loading: Promise<void> | null = null;
  /** Login attempts and refused passwords, per credentials (a verifier): in memory. */
  private logins = new Map<string, number[]>();
  private refused = new Map<string, { at: number; reason: string }>();
  private cache = new Map<string, { at: number; value: unknown }>();
  private guard: AccountLimits | null = null;
  /** Interactive loads in flight, shared by identical callers (single-flight), and when each key was last forced. */
  private inFlight = new Map<string, Promise<unknown>>();
  private forcedAt = new Map<string, number>();
  private refusals = new LoginRefusals(this.ctx.storage.kv);
  /** The running tasks' work left, by task id (`forecastContext`). */
  private loads = new Map<number, TaskWork>();

  private get name(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }

  /** The user and phone this binding belongs to (its name), whatever a caller says. */
  private get owner(): { userId: number; phone: string } {
    const [, userId, phone] = this.name.split(":");
    return { userId: Number(userId), phone: phone! };
  }

  /**
   * The phone's own browser, whichever user's binding: derived from the phone's earlier object name, so
   * it is the one the account had before bindings were per user (a jar made before keeps its own).
   */
  private get userAgent(): string {
    return ChaoxingClient.userAgentFor(legacyAccountName(this.owner.phone));
  }

  /** This call's way out: paced by the phone object, through this user's egress. */
  private line(interactive: boolean): PhoneLine {
    return new PhoneLine(this.env.PHONES.getByName(phoneName(this.owner.phone)), this.owner.userId, interactive);
  }

  private async load(creds: Credentials): Promise<{ client: ChaoxingClient; persisted: SessionRecord }> {
    if (!this.client || !this.persisted) {
      await (this.loading ??= this.restore(creds).finally(() => (this.loading = null)));
    }
    return { client: this.client!, persisted: this.persisted! };
  }

  private async restore(creds: Credentials): Promise<void> {
    const key = config(this.env).CX_ENCRYPTION_KEY;
    let stored = getVersioned(this.ctx.storage.kv, "session", SESSION_RECORD);
    let sealedAs = this.name;
    if (!stored) {
      // The first load ever: an earlier release may have kept this session in the phone's shared object.
      const handover = await this.env.ACCOUNTS.getByName(legacyAccountName(this.owner.phone)).handOverSession(await verifierOf(this.env, creds));
      stored = handover ? this.adopt(handover) : { v: 2, jar: null, verifier: null, logins: [], risk: null };
      if (handover) sealedAs = handover.sealedAs;
      else this.ctx.storage.kv.put("session", stored);
    }
    let jar = new CookieJar();
    if (stored.jar) {
      try {
        jar = CookieJar.fromJSON(JSON.parse(await open(stored.jar, key, sealedAs)) as SerializedJar);
      } catch {
        stored.jar = null; // key rotated or corrupt: log in again
      }
    }
    this.client = new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), jar, userAgent: this.userAgent });
    this.persisted = stored;
    // An adopted jar is sealed again in this object's name.
    if (sealedAs !== this.name) await this.save();
  }

  /** The earlier release's session and what it vouched for, as this binding's records. */
  private adopt(h: Handover): SessionRecord {
    const limits = this.limits();
    if (h.limits) limits.set({ ...h.limits, breakAfterMinutes: limits.rules.breakAfterMaxMinutes });
    if (h.usage) limits.usage.adopt({ ...h.usage, streakMs: 0, lastMediaAt: null, breakUntil: null });
    return { v: 2, jar: h.session.jar, verifier: h.session.verifier, logins: h.session.logins ?? [], risk: h.session.risk ?? null };
  }

  private limits(): AccountLimits {
    const cfg = config(this.env);
    return (this.guard ??= new AccountLimits(this.ctx.storage.kv, defaultLimits(cfg), limitRules(cfg)));
  }

  /** A client on this binding's jar that sends through `line`. */
  private via(line: PhoneLine): ChaoxingClient {
    return new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), jar: this.client!.jar, userAgent: this.userAgent, transport: line });
  }

  private async save(): Promise<void> {
    const persisted = this.persisted!;
    persisted.jar = await seal(JSON.stringify(this.client!.jar.toJSON()), config(this.env).CX_ENCRYPTION_KEY, this.name);
    this.ctx.storage.kv.put("session", persisted);
  }

  /**
   * Logs in with a scratch jar and adopts it only on success: a failed attempt (a wrong password saved
   * later) never costs the working session. A refused password is remembered for a while so it does not
   * reach Chaoxing again; logins are limited per credentials and, successful ones, to a few a day (past
   * that: `risk_control`, the task pauses).
   */
  private async login(creds: Credentials, verifier: string, line: PhoneLine): Promise<void> {
    if (creds.password === null) throw new ChaoxingError("login_required", "超星登录已失效：该账号通过扫码绑定，请重新扫码");
    const now = clock.now();
    const refused = this.refused.get(verifier);
    if (refused && now - refused.at < REFUSED_TTL_MS) throw new ChaoxingError("login_failed", `登录超星失败: ${refused.reason}`, { reason: refused.reason });
    // Too many refused passwords here: only the session's own credentials may log in (src/durable/login-refusals.ts).
    const lockedMs = verifier === this.persisted?.verifier ? 0 : this.refusals.waitMs(now);
    if (lockedMs > 0) throw new ChaoxingError("rate_limited", "该超星账号密码错误次数过多，请稍后再试", { retryAfterMs: lockedMs });
    const recent = (this.logins.get(verifier) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
    if (recent.length >= MAX_LOGINS_PER_WINDOW) {
      throw new ChaoxingError("rate_limited", "登录超星过于频繁，稍后再试", { retryAfterMs: LOGIN_WINDOW_MS - (now - recent[0]!) });
    }
    const today = (this.persisted?.logins ?? []).filter((t) => now - t < DAY_MS);
    if (today.length >= MAX_LOGINS_PER_DAY) {
      throw new ChaoxingError("risk_control", `24 小时内已登录超星 ${today.length} 次，为保护账号暂不再登录`, { retryAfterMs: DAY_MS - (now - today[0]!) });
    }
    const scratch = new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), userAgent: this.userAgent, transport: line });
    try {
      await scratch.login(creds.phone, creds.password!);
    } catch (e) {
      // Not sent at all (the phone's pacing said later): not an attempt.
      if (line.notDueMs !== null) throw e;
      this.logins.set(verifier, [...recent, now]);
      if (e instanceof ChaoxingError && e.kind === "login_failed") {
        this.refused.set(verifier, { at: now, reason: e.reason ?? e.message });
        this.refusals.record(now);
      }
      throw e;
    }
    this.logins.set(verifier, [...recent, now]);
    this.refused.delete(verifier);
    this.client = scratch;
    this.persisted = { v: 2, jar: null, verifier, logins: [...today, now], risk: this.persisted?.risk ?? null };
    await this.save();
  }

  /**
   * Runs one Chaoxing call with this binding's session. Logs in when there is no session, when it
   * expired, or when the saved password is not the one that opened it. An automated call whose first
   * request is not due (the phone's pacing) gets a `waitMs` reply (an alarm does not sit waiting); an
   * `interactive` one (a user clicking) waits. Every reply says where today's media count stands.
   */
  async exec<K extends OpName>(taskId: number | null, creds: Credentials, op: OpOf<K>, interactive = false): Promise<Reply<K>> {
    const now = clock.now();
    const { client, persisted } = await this.load(creds);
    const usage = this.limits().note(now);
    // A task's calls keep to the study window, the daily media cap, breaks and the video gap.
    const automated = !interactive && taskId !== null;
    const limited = automated ? this.limits().gate(op, now, Math.random()) : null;
    if (limited) return { ok: false, waitMs: limited.waitMs, reason: limited.reason, usage };
    const verifier = await verifierOf(this.env, creds);
    const line = this.line(interactive);
    const cookiesBefore = client.jar.fingerprint();
    const riskBefore = JSON.stringify(persisted.risk);
    try {
      if (!client.userId || persisted.verifier !== verifier) {
        if (creds.password === null) throw await this.qrSessionLost(taskId);
        await this.login(creds, verifier, line);
        // A login is a call of its own: automated callers come back after the gap for theirs.
        if (!interactive) return { ok: false, waitMs: CALL_GAP_MS, usage };
      }
      try {
        const value = await runOp<K>(this.via(line), op);
        if (automated) this.limits().recordReport(op, clock.now());
        // Answered: whatever risk control there was is over.
        this.persisted!.risk = null;
        return { ok: true, value, usage: this.limits().note(clock.now()) };
      } catch (e) {
        if (!(e instanceof ChaoxingError && (e.kind === "session_expired" || e.kind === "risk_control"))) throw e;
        // Bound by QR: no probe login under risk control, and an ended session waits for a scan.
        if (creds.password === null && e.kind === "risk_control") throw e;
        if (creds.password === null) throw await this.qrSessionLost(taskId);
        if (e.kind === "risk_control") {
          // A 202: one fresh login probes whether it was only the old cookie; after that, the task pauses
          // (never a loop of logins under risk control). Cleared by the next call that is answered.
          if (this.persisted!.risk?.probed) throw e;
          this.persisted!.risk = { since: clock.now(), probed: true };
        }
        // The session expired (or is probed): log in again, then replay the call (at once for a user, paced otherwise).
        this.recordSignal(taskId, e.kind);
        await this.login(creds, verifier, line);
        if (!interactive) return { ok: false, waitMs: CALL_GAP_MS, usage };
        const value = await runOp<K>(this.via(line), op);
        this.persisted!.risk = null;
        return { ok: true, value, usage };
      }
    } catch (e) {
      if (line.notDueMs !== null) return { ok: false, waitMs: line.notDueMs, usage };
      return { ok: false, error: toOpError(e), usage };
    } finally {
      // Only names and values matter: a refreshed expiry alone is not worth a re-encryption and a row.
      const changed = this.client === client && client.jar.fingerprint() !== cookiesBefore;
      if (changed || JSON.stringify(this.persisted?.risk ?? null) !== riskBefore) await this.save();
    }
  }

  /** The course list and per-course progress, cached briefly so a dashboard does not hammer Chaoxing. */
  async courses(creds: Credentials, refresh = false): Promise<Reply<"courses">> {
    const key = `courses:${await verifierOf(this.env, creds)}`;
    return this.cached(key, COURSES_TTL_MS, refresh, () => this.exec<"courses">(null, creds, { op: "courses" }, true));
  }

  async courseProgress(creds: Credentials, course: CourseRef, refresh = false): Promise<Reply<"progress">> {
    const key = `progress:${await verifierOf(this.env, creds)}:${course.courseId}:${course.clazzId}`;
    return this.cached(key, PROGRESS_TTL_MS, refresh, () => this.exec<"progress">(null, creds, { op: "progress", course }, true));
  }

  /** What is left of a course, chapter by chapter, for forecasts before a task starts (src/chaoxing/survey.ts). */
  async survey(creds: Credentials, course: CourseRef, refresh = false): Promise<Reply<"survey">> {
    const key = `survey:${await verifierOf(this.env, creds)}:${course.courseId}:${course.clazzId}`;
    return this.cached(key, SURVEY_TTL_MS, refresh, () => this.exec<"survey">(null, creds, { op: "survey", course }, true));
  }

  /** A survey already made (no Chaoxing call): what a task created now takes for its forecast, if any. */
  async surveyCached(creds: Credentials, course: CourseRef): Promise<Reply<"survey"> | null> {
    const hit = this.cache.get(`survey:${await verifierOf(this.env, creds)}:${course.courseId}:${course.clazzId}`);
    return hit && clock.now() - hit.at < SURVEY_TTL_MS ? (hit.value as Reply<"survey">) : null;
  }

  /** A task over these courses completed, so their cached progress and surveys are stale; the next read asks Chaoxing. */
  async dropProgress(courseIds: string[]): Promise<void> {
    for (const key of this.cache.keys()) {
      const [kind, , courseId] = key.split(":");
      if ((kind === "progress" || kind === "survey") && courseIds.includes(courseId!)) this.cache.delete(key);
    }
  }

  /**
   * A cached interactive load: identical loads in flight are shared, and `refresh` skips the cache at
   * most once a minute per key (later ones inside the minute read it as usual).
   */
  private async cached<T extends { ok: boolean }>(key: string, ttl: number, refresh: boolean, load: () => Promise<T>): Promise<T> {
    const now = clock.now();
    const force = refresh && now - (this.forcedAt.get(key) ?? -Infinity) >= FORCED_REFRESH_MIN_MS;
    if (force) this.forcedAt.set(key, now);
    const hit = this.cache.get(key);
    if (!force && hit && now - hit.at < ttl) return hit.value as T;
    // A load already under way is as fresh as a forced one would be: share it.
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const p = load()
      .then((value) => {
        if (value.ok) this.cache.set(key, { at: clock.now(), value });
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** Logs in afresh with these credentials: the settings page's "test login". */
  async testLogin(creds: Credentials): Promise<{ ok: true } | { ok: false; error: ReturnType<typeof toOpError> }> {
    await this.load(creds);
    try {
      // Bound by QR: the test is whether the session still answers (a scan is the only login).
      if (creds.password === null) {
        const r = await this.exec<"courses">(null, creds, { op: "courses" }, true);
        return r.ok ? { ok: true } : { ok: false, error: "error" in r ? r.error : { kind: "rate_limited", message: "超星请求过于频繁，请稍后再试" } };
      }
      await this.login(creds, await verifierOf(this.env, creds), this.line(true));
      return { ok: true };
    } catch (e) {
      return { ok: false, error: toOpError(e) };
    }
  }

  // ---- QR login (src/durable/account-qr.ts) ----------------------------------------------------------

  /**
   * A QR-bound session ended (or there is none): the call fails as `login_required` and the task pauses.
   * The first time a task meets it, the user is told once, with a link to scan again; later calls and
   * the account's other tasks add nothing until a scan opens a session.
   */
  private async qrSessionLost(taskId: number | null): Promise<ChaoxingError> {
    const persisted = this.persisted!;
    const firstLoss = !persisted.qrLost && taskId !== null;
    if (firstLoss) persisted.qrLost = clock.now();
    if (persisted.verifier === QR_VERIFIER) {
      this.client = new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), userAgent: this.userAgent });
      persisted.verifier = null;
    }
    await this.save();
    if (firstLoss) {
      this.recordSignal(taskId, "session_expired");
      await notify(this.env, { kind: "login_required", userId: this.owner.userId, taskId: taskId!, occurrence: `qr:${persisted.qrLost}` });
    }
    return new ChaoxingError("login_required", "超星登录已失效：该账号通过扫码绑定，请重新扫码");
  }

  /**
   * A scan logged this binding's account in (the user's pending QR login, src/durable/account-qr.ts): its
   * cookies become the session, vouched for as a scan's. No password is involved or kept.
   */
  async adoptQrSession(jar: string): Promise<void> {
    const creds: Credentials = { phone: this.owner.phone, password: null, userId: this.owner.userId };
    const { persisted } = await this.load(creds);
    this.client = new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), jar: CookieJar.fromJSON(JSON.parse(jar) as SerializedJar), userAgent: this.userAgent });
    this.persisted = { ...persisted, v: 2, verifier: QR_VERIFIER, qrLost: null };
    this.cache.clear();
    await this.save();
  }

  /** The pending QR login of this user (this object only when named by `qrLoginName`). */
  async qrStart(): Promise<QrStarted | { error: OpError }> {
    return this.qr().start();
  }

  async qrPoll(): Promise<QrPolled> {
    return this.qr().poll();
  }

  private qrFlow: PendingQr | null = null;
  private qr(): PendingQr {
    if (!isQrLoginName(this.name)) throw new Error(`${this.name} is not a pending QR login`);
    return (this.qrFlow ??= new PendingQr(this.env, this.ctx.storage.kv, this.owner.userId));
  }

  // ---- the limits: this user's own ---------------------------------------------------------------

  /**
   * What a forecast of this account needs (src/shared/forecast.ts): its limits, today's usage, and what
   * the user's other running tasks on it still have to do — they share its cap and its video lock. A task
   * tells its own work (`load`; null when it stops) each time it forecasts; kept in memory only: after an
   * eviction each running task is counted again from its next forecast.
   */
  async forecastContext(taskId: number | null, load: TaskWork | null): Promise<ForecastContext> {
    if (taskId !== null) {
      if (load) this.loads.set(taskId, load);
      else this.loads.delete(taskId);
    }
    const l = this.limits();
    const now = clock.now();
    return { limits: l.current(), rules: l.rules, usage: l.usage.current(now, l.current()), others: [...this.loads].filter(([id]) => id !== taskId).map(([, w]) => w) };
  }

  async limitsView(creds: Credentials): Promise<LimitsView> {
    await this.load(creds);
    return this.limits().view(clock.now());
  }

  async setLimits(creds: Credentials, limits: StudyLimits): Promise<LimitsView> {
    await this.load(creds);
    this.limits().set(limits);
    return this.limits().view(clock.now());
  }

  private recordSignal(taskId: number | null, kind: string): void {
    this.ctx.waitUntil(
      this.env.DB.prepare("INSERT INTO upstream_events (task_id, kind, created_at) VALUES (?, ?, ?)")
        .bind(taskId, kind, new Date(clock.now()).toISOString())
        .run()
        .catch(() => undefined),
    );
  }

  // ---- an earlier release's per-phone object (src/durable/account-legacy.ts) -------------------------

  /** Its session and what it vouched for, once, to the binding whose credentials opened it. */
  async handOverSession(verifier: string): Promise<Handover | null> {
    return isLegacyName(this.name) ? handOverSession(this.ctx.storage.kv, this.name, verifier) : null;
  }

  /** Its video lock, once, to the phone object. */
  async handOverLock(): Promise<V1Lock | null> {
    return isLegacyName(this.name) ? handOverLock(this.ctx.storage.kv) : null;
  }

  /** The admin export: what no other store has (the session is not exported: a login rebuilds it). */
  async exported(): Promise<ReturnType<AccountLimits["stored"]>> {
    return this.limits().stored();
  }
}

