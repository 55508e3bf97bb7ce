import { DurableObject } from "cloudflare:workers";
import { ChaoxingClient } from "../chaoxing/client";
import { getTransport, type Transport } from "../chaoxing/transport";
import { CookieJar, type SerializedJar } from "../chaoxing/cookies";
import { ChaoxingError } from "../chaoxing/errors";
import { CALL_GAP_MS, Pacer } from "../chaoxing/paced";
import type { CourseRef } from "../chaoxing/types";
import { upstreamUrlsFromEnv } from "../chaoxing/urls";
import { config } from "../config";
import { isReport, runOp, toOpError, type OpName, type OpOf, type Reply } from "./account-ops";
import { AccountLimits, defaultLimits, type LimitsView } from "../limits/account-limits";
import type { StudyLimits } from "../limits/study-limits";
import { egressFor } from "../relay/transport";
import { clock } from "../lib/clock";
import { open, seal } from "../lib/secretbox";
import { sessionVerifier } from "../lib/verifier";
import { LoginRefusals } from "./login-refusals";

export interface Credentials {
  phone: string;
  password: string;
  /** Issue 14: the user on whose behalf the call is made; their egress (relay or direct) carries it. */
  userId: number;
}

/** Chaoxing accounts are phone numbers: one object per normalised phone, whoever saved it. */
export function normalisePhone(phone: string): string {
  const p = phone.replace(/[\s-]/g, "");
  return /^(\+?86)1\d{10}$/.test(p) ? p.slice(-11) : p.toLowerCase();
}

export const accountName = (phone: string): string => `acct:${normalisePhone(phone)}`;

/** Identifies a (phone, password) pair without keeping the password: a keyed HMAC (src/lib/verifier.ts). */
const verifierOf = (env: Env, creds: Credentials): Promise<string> =>
  sessionVerifier(config(env).CX_ENCRYPTION_KEY, normalisePhone(creds.phone), creds.password);

/** A holder that has not touched the lock for this long (crashed, deleted) loses it. */
const LOCK_STALE_MS = 10 * 60_000;
/** Queue entries that stopped polling (waiting tasks poll every 60 s) are dropped. */
const QUEUE_STALE_MS = 3 * 60_000;
const MAX_LOGINS_PER_WINDOW = 5;
const LOGIN_WINDOW_MS = 10 * 60_000;
/** Logins per Chaoxing account per day, whoever asks (repeated logins look like logins from elsewhere). */
const MAX_LOGINS_PER_DAY = 5;
const DAY_MS = 24 * 3600_000;
const REFUSED_TTL_MS = 10 * 60_000;
const COURSES_TTL_MS = 60_000;
/** A forced refresh (the dashboard's refresh button) reaches Chaoxing at most once a minute per key. */
const FORCED_REFRESH_MIN_MS = 60_000;
const PROGRESS_TTL_MS = 5 * 60_000;

interface LockState {
  holder: number | null;
  queue: number[];
}

interface Persisted {
  jar: string | null;
  /** Hash of the credentials that last logged in: only a caller knowing them shares this session. */
  verifier: string | null;
  /** Times of the successful logins of the last day: the account's daily login budget. */
  logins?: number[];
  /** Chaoxing answers this account 202 (risk control) since `since`; `probed`: its one fresh login was spent. */
  risk?: { since: number; probed: boolean } | null;
}

/**
 * One Chaoxing account: its cookie jar (encrypted at rest), login, the pacing between calls, and the
 * one-video-at-a-time lock (first come, first served). Tasks of every user who saved this phone share it.
 */
export class AccountObject extends DurableObject<Env> {
  private client: ChaoxingClient | null = null;
  private persisted: Persisted | null = null;
  /**
   * Every request of this account, whoever asks and whichever egress carries it, goes through this one
   * pacer (src/chaoxing/paced.ts). It lives in memory: an eviction takes longer than any gap, so losing
   * it cannot speed calls up.
   */
  private pacer = new Pacer();
  /** Login times and refused passwords, per credentials (a verifier): in memory, like the pacing. */
  private logins = new Map<string, number[]>();
  private refused = new Map<string, { at: number; reason: string }>();
  private lastSeen = new Map<number, number>();
  /** The lock's holder when it is between two of its videos (`finishedVideo`); lost on eviction, which only delays a waiter. */
  private between: number | null = null;
  private cache = new Map<string, { at: number; value: unknown }>();
  private guard: AccountLimits | null = null;
  /** The network for egress `direct`: taken when the object loads, as its client used to take it. */
  private direct: Transport = getTransport();
  /** Interactive loads in flight, shared by identical callers (single-flight), and when each key was last forced. */
  private loading = new Map<string, Promise<unknown>>();
  private forcedAt = new Map<string, number>();
  private refusals = new LoginRefusals(this.ctx.storage.kv);

  private get name(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }

  /** This account's own browser (a jar made before keeps the one it has). */
  private get userAgent(): string {
    return ChaoxingClient.userAgentFor(this.name);
  }

  private async load(): Promise<{ client: ChaoxingClient; persisted: Persisted }> {
    if (!this.client || !this.persisted) {
      const stored = this.ctx.storage.kv.get<Persisted>("session") ?? { jar: null, verifier: null };
      let jar = new CookieJar();
      if (stored.jar) {
        try {
          jar = CookieJar.fromJSON(JSON.parse(await open(stored.jar, config(this.env).CX_ENCRYPTION_KEY, this.name)) as SerializedJar);
        } catch {
          stored.jar = null; // key rotated or corrupt: log in again
        }
      }
      this.client = new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), jar, userAgent: this.userAgent });
      this.direct = getTransport();
      this.persisted = stored;
    }
    return { client: this.client, persisted: this.persisted };
  }

  /** Issue 14: this account's study window, daily media cap, gap between videos, and egress hold. */
  private limits(): AccountLimits {
    return (this.guard ??= new AccountLimits(this.ctx.storage.kv, defaultLimits(config(this.env))));
  }

  /** A client on this account's jar that sends through `transport` (the caller's egress). */
  private via(transport: Transport): ChaoxingClient {
    return new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), jar: this.client!.jar, userAgent: this.userAgent, transport: this.pacer.over(transport) });
  }

  private async save(): Promise<void> {
    const { client, persisted } = await this.load();
    persisted.jar = await seal(JSON.stringify(client.jar.toJSON()), config(this.env).CX_ENCRYPTION_KEY, this.name);
    this.ctx.storage.kv.put("session", persisted);
  }

  /**
   * Logs in with a scratch jar and adopts it only on success: a failed attempt (say, another user who
   * saved this phone with a wrong password) never costs the working session. A refused password is
   * remembered for a while so it does not reach Chaoxing again, and logins are limited per credentials
   * and, successful ones, to a few per account per day (past that: `risk_control`, the task pauses).
   */
  private async login(creds: Credentials, verifier: string, transport: Transport): Promise<void> {
    const now = clock.now();
    const refused = this.refused.get(verifier);
    if (refused && now - refused.at < REFUSED_TTL_MS) throw new ChaoxingError("login_failed", `登录超星失败: ${refused.reason}`, { reason: refused.reason });
    // Too many refused passwords for this phone: only the session's own credentials may log in (issue 11 row 6).
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
    this.logins.set(verifier, [...recent, now]);
    const scratch = new ChaoxingClient({ urls: upstreamUrlsFromEnv(this.env), userAgent: this.userAgent, transport: this.pacer.over(transport) });
    try {
      await scratch.login(creds.phone, creds.password);
    } catch (e) {
      if (e instanceof ChaoxingError && e.kind === "login_failed") {
        this.refused.set(verifier, { at: now, reason: e.reason ?? e.message });
        this.refusals.record(now);
      }
      throw e;
    }
    this.refused.delete(verifier);
    this.client = scratch;
    this.persisted = { jar: null, verifier, logins: [...today, now], risk: this.persisted?.risk ?? null };
    await this.save();
  }

  /**
   * Runs one Chaoxing call with this account's session. Logs in when there is no session, when it
   * expired, or when the caller's credentials differ from the ones that opened it. Every request is
   * paced by the transport; an automated call whose first request is not due gets a `waitMs` reply
   * (come back later: an alarm does not sit waiting), an `interactive` one (a user clicking) waits.
   */
  async exec<K extends OpName>(taskId: number | null, creds: Credentials, op: OpOf<K>, interactive = false): Promise<Reply<K>> {
    const now = clock.now();
    const report = isReport(op);
    const waitMs = interactive ? 0 : this.pacer.waitMs(report);
    if (waitMs > 0) return { ok: false, waitMs };
    // Issue 14: a task's calls keep to the account's study window, daily media cap and video gap.
    const automated = !interactive && taskId !== null;
    const limited = automated ? this.limits().gate(op, now, Math.random()) : null;
    if (limited) return { ok: false, waitMs: limited.waitMs, reason: limited.reason };
    if (taskId !== null) this.lastSeen.set(taskId, now);
    const { client, persisted } = await this.load();
    const verifier = await verifierOf(this.env, creds);
    const cookiesBefore = client.jar.fingerprint();
    const riskBefore = JSON.stringify(persisted.risk ?? null);
    try {
      // Issue 14: the call leaves through the caller's egress; a shared account's tasks keep to one.
      const egress = await egressFor(this.env, creds.userId, this.name, this.direct);
      const held = automated ? this.limits().holdEgress(egress.key, creds.userId, now) : null;
      if (held) return { ok: false, waitMs: held.waitMs, reason: held.reason };
      if (!client.userId || persisted.verifier !== verifier) {
        await this.login(creds, verifier, egress.transport);
        // A login is a call of its own: automated callers come back after the gap for theirs.
        if (!interactive) return { ok: false, waitMs: CALL_GAP_MS };
      }
      try {
        const value = await runOp<K>(this.via(egress.transport), op);
        if (automated) this.limits().recordReport(op, clock.now(), Math.random());
        // Answered: whatever risk control there was is over.
        this.persisted!.risk = null;
        return { ok: true, value };
      } catch (e) {
        if (!(e instanceof ChaoxingError && (e.kind === "session_expired" || e.kind === "risk_control"))) throw e;
        if (e.kind === "risk_control") {
          // A 202: one fresh login probes whether it was only the old cookie; after that, the task pauses
          // (never a loop of logins under risk control). Cleared by the next call that is answered.
          if (this.persisted!.risk?.probed) throw e;
          this.persisted!.risk = { since: clock.now(), probed: true };
        }
        // The session expired (or is probed): log in again, then replay the call (at once for a user, paced otherwise).
        this.recordSignal(taskId, e.kind);
        await this.login(creds, verifier, egress.transport);
        if (!interactive) return { ok: false, waitMs: CALL_GAP_MS };
        const value = await runOp<K>(this.via(egress.transport), op);
        this.persisted!.risk = null;
        return { ok: true, value };
      }
    } catch (e) {
      return { ok: false, error: toOpError(e) };
    } finally {
      // Only names and values matter: a refreshed expiry alone is not worth a re-encryption and a row.
      const changed = this.client === client && client.jar.fingerprint() !== cookiesBefore;
      if (changed || JSON.stringify(this.persisted?.risk ?? null) !== riskBefore) await this.save();
    }
  }

  /**
   * The account's course list and per-course progress, cached briefly so a dashboard does not hammer
   * Chaoxing. Cached per credentials: only a caller knowing the password sees this account's courses.
   */
  async courses(creds: Credentials, refresh = false): Promise<Reply<"courses">> {
    const key = `courses:${await verifierOf(this.env, creds)}`;
    return this.cached(key, COURSES_TTL_MS, refresh, () => this.exec<"courses">(null, creds, { op: "courses" }, true));
  }

  async courseProgress(creds: Credentials, course: CourseRef, refresh = false): Promise<Reply<"progress">> {
    const key = `progress:${await verifierOf(this.env, creds)}:${course.courseId}:${course.clazzId}`;
    return this.cached(key, PROGRESS_TTL_MS, refresh, () => this.exec<"progress">(null, creds, { op: "progress", course }, true));
  }

  /** Issue 17: a task over these courses completed, so their cached progress is stale; the next read asks Chaoxing. */
  async dropProgress(courseIds: string[]): Promise<void> {
    for (const key of this.cache.keys()) {
      const [kind, , courseId] = key.split(":");
      if (kind === "progress" && courseIds.includes(courseId!)) this.cache.delete(key);
    }
  }

  /**
   * A cached interactive load (issue 11 row 8): identical loads in flight are shared, and `refresh`
   * skips the cache at most once a minute per key (later ones inside the minute read it as usual).
   */
  private async cached<T extends { ok: boolean }>(key: string, ttl: number, refresh: boolean, load: () => Promise<T>): Promise<T> {
    const now = clock.now();
    const force = refresh && now - (this.forcedAt.get(key) ?? -Infinity) >= FORCED_REFRESH_MIN_MS;
    if (force) this.forcedAt.set(key, now);
    const hit = this.cache.get(key);
    if (!force && hit && now - hit.at < ttl) return hit.value as T;
    // A load already under way is as fresh as a forced one would be: share it.
    const running = this.loading.get(key);
    if (running) return running as Promise<T>;
    const p = load()
      .then((value) => {
        if (value.ok) this.cache.set(key, { at: clock.now(), value });
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, p);
    return p;
  }

  /** Logs in afresh with these credentials: the settings page's "test login". */
  async testLogin(creds: Credentials): Promise<{ ok: true } | { ok: false; error: ReturnType<typeof toOpError> }> {
    await this.load();
    try {
      await this.login(creds, await verifierOf(this.env, creds), (await egressFor(this.env, creds.userId, this.name, this.direct)).transport);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: toOpError(e) };
    }
  }

  // ---- issue 14: the account's safety limits ---------------------------------------------------------

  /**
   * The limits can be read and changed only by a caller whose credentials opened the current session (or
   * before any session exists): saving someone's phone number without their password gives no say.
   */
  private async mayEditLimits(creds: Credentials): Promise<boolean> {
    const { persisted } = await this.load();
    return persisted.verifier === null || persisted.verifier === (await verifierOf(this.env, creds));
  }

  async limitsView(creds: Credentials): Promise<LimitsView | null> {
    return (await this.mayEditLimits(creds)) ? this.limits().view(clock.now()) : null;
  }

  async setLimits(creds: Credentials, limits: StudyLimits): Promise<LimitsView | null> {
    if (!(await this.mayEditLimits(creds))) return null;
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

  // ---- the one-video lock ------------------------------------------------------------------------

  private lock(): LockState {
    return this.ctx.storage.kv.get<LockState>("lock") ?? { holder: null, queue: [] };
  }

  /** A row only when the lock really changed: holders ask on every media step. */
  private putLock(before: string, st: LockState): void {
    if (JSON.stringify(st) !== before) this.ctx.storage.kv.put("lock", st);
  }

  /**
   * Granted when free (or already ours) and we are first in line; otherwise queued, with our position.
   * The holder asks on every media step, which keeps its claim fresh; one that has not asked for
   * LOCK_STALE_MS (a long wait, a crash) loses it, and asks again like anyone else.
   */
  async acquireVideo(taskId: number): Promise<{ granted: boolean; position: number }> {
    const now = clock.now();
    this.lastSeen.set(taskId, now);
    const st = this.lock();
    if (st.holder === taskId) {
      this.between = null;
      return { granted: true, position: 0 };
    }
    const before = JSON.stringify(st);
    // Seen-times live in memory; after a restart everyone gets a fresh grace period.
    const seen = (id: number) => this.lastSeen.get(id) ?? (this.lastSeen.set(id, now), now);
    // A holder between two of its videos plays nothing: the lock passes on at once.
    if (st.holder !== null && (st.holder === this.between || now - seen(st.holder) > LOCK_STALE_MS)) st.holder = null;
    st.queue = st.queue.filter((id) => id === taskId || now - seen(id) <= QUEUE_STALE_MS);
    if (st.holder === null && (st.queue.length === 0 || st.queue[0] === taskId)) {
      st.holder = taskId;
      st.queue = st.queue.filter((id) => id !== taskId);
      this.putLock(before, st);
      return { granted: true, position: 0 };
    }
    if (!st.queue.includes(taskId)) st.queue.push(taskId);
    this.putLock(before, st);
    return { granted: false, position: st.queue.indexOf(taskId) + 1 };
  }

  /**
   * The holder finished a video (issue 16: a row less per video). With someone in line the lock passes to
   * them now; with nobody waiting it stays with the holder, marked as between videos (in memory), so its
   * next video needs no write, and anyone who asks meanwhile gets it at once.
   */
  async finishedVideo(taskId: number): Promise<void> {
    const st = this.lock();
    if (st.holder !== taskId || st.queue.some((id) => id !== taskId)) return this.releaseVideo(taskId);
    this.between = taskId;
  }

  /** Frees the lock and leaves the queue (whichever applies), and wakes the next task in line at once. */
  async releaseVideo(taskId: number): Promise<void> {
    if (this.between === taskId) this.between = null;
    const st = this.lock();
    const before = JSON.stringify(st);
    const wasHolder = st.holder === taskId;
    if (wasHolder) st.holder = null;
    st.queue = st.queue.filter((id) => id !== taskId);
    this.putLock(before, st);
    this.lastSeen.delete(taskId);
    const nextId = st.queue[0];
    if (wasHolder && nextId !== undefined) {
      this.ctx.waitUntil(this.env.TASKS.getByName(`task:${nextId}`).wake().catch(() => undefined));
    }
  }

  /** For tests and the admin: who holds the lock and who waits. */
  async lockState(): Promise<LockState> {
    return this.lock();
  }

  /** The admin export: what no other store has (the session is not exported: a login rebuilds it). */
  async exported(): Promise<ReturnType<AccountLimits["stored"]>> {
    return this.limits().stored();
  }
}
