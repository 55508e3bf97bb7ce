import { DurableObject } from "cloudflare:workers";
import { ChaoxingError, type ChaoxingErrorKind } from "../chaoxing/errors";
import { isReportUrl, Pacer } from "../chaoxing/paced";
import { getTransport, type Transport } from "../chaoxing/transport";
import { clock } from "../lib/clock";
import { egressTransport, rebuild, wireOf } from "../relay/transport";
import type { Header } from "../shared/relay-wire";
import { getVersioned } from "../lib/versioned";
import { legacyAccountName } from "./account-legacy";
import { LOCK_RECORD } from "./binding-records";
import { normalisePhone } from "../lib/phone-number";
import type { WireRequest } from "./relay";

/**
 * What Chaoxing sees as one account, shared by every user who saved the phone: the only state that is not
 * one user's (src/durable/account.ts holds everything else, per user). Two things, and nothing any user's
 * relay answers can change in either:
 *
 * - **The pacing of requests** (src/chaoxing/paced.ts): every request of the phone, whoever sends it and
 *   whichever egress carries it, goes through this object's one pacer, so the platform never sees two at
 *   once or closer than the gaps. Each user's binding sends its requests here (`send`); this object passes
 *   them to that user's own egress.
 * - **The one-video lock** (chaoxing-protocol.md "Corrections of 2026-12" item 6: videos played
 *   concurrently on one account are rolled back): turns, first come first served. A hostile user gets at
 *   most their turn: the lock passes at every video's end to the next in line, a holder that stops asking
 *   (every media step asks) loses it after LOCK_STALE_MS, and a turn that others wait behind ends after
 *   TURN_MS even if its "video" never ends (a relay can answer that a video is ten hours long).
 */
export const phoneName = (phone: string): string => `phone:${normalisePhone(phone)}`;

/** A holder that has not touched the lock for this long (crashed, deleted, on a long wait) loses it. */
const LOCK_STALE_MS = 10 * 60_000;
/** Queue entries that stopped polling (waiting tasks poll every 60 s) are dropped. */
const QUEUE_STALE_MS = 3 * 60_000;
/**
 * How long a holder keeps the lock once someone waits behind it. Longer than any lecture a course is
 * likely to have (and than the 90-minute stretch the default breaks allow); a holder past it goes to the
 * back of the line and resumes its video, with isdrag 3, in its next turn.
 */
export const TURN_MS = 2 * 3600_000;

export interface LockRecord {
  v: 1;
  holder: number | null;
  queue: number[];
  /** When the first task began to wait behind the current holder (null: nobody waits); its turn ends TURN_MS later. */
  contestedSince: number | null;
}

export interface LockState {
  holder: number | null;
  queue: number[];
}

/** A request's answer as it crosses the RPC boundary back to the user's binding. */
export type SendReply =
  | { ok: true; status: number; headers: Header[]; body: Uint8Array }
  /** An automated call's first request was not due: nothing was sent, come back in `notDueMs`. */
  | { ok: false; notDueMs: number }
  /** The egress failed (a relay offline, the network): the error, as data. */
  | { ok: false; error: { kind: ChaoxingErrorKind | null; message: string } };

export class PhoneObject extends DurableObject<Env> {
  private pacer = new Pacer();
  /** The network for egress `direct`, taken when the object starts (the test/dev override of that moment). */
  private readonly direct: Transport = getTransport();
  private lastSeen = new Map<number, number>();
  /** The lock's holder when it is between two of its videos (`finishedVideo`); lost on eviction, which only delays a waiter. */
  private between: number | null = null;
  private loaded: Promise<LockRecord> | null = null;

  private get name(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }

  // ---- pacing: every request of the phone --------------------------------------------------------

  /**
   * Sends one request of user `userId`'s binding through that user's egress, in turn with every other
   * request of the phone. `mayWait` false (an automated call's first request): when it is not due, it is
   * not sent and the caller hears how long to wait, so an alarm never sits waiting.
   */
  async send(userId: number, req: WireRequest, mayWait: boolean): Promise<SendReply> {
    if (!mayWait) {
      const notDueMs = this.pacer.waitMs(isReportUrl(req.url));
      if (notDueMs > 0) return { ok: false, notDueMs };
    }
    try {
      const egress = await egressTransport(this.env, userId, this.name, this.direct);
      const res = await this.pacer.over(egress).fetch(new Request(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: "manual" }));
      const headers: Header[] = [...res.headers].filter(([k]) => k.toLowerCase() !== "set-cookie");
      for (const c of res.headers.getSetCookie()) headers.push(["set-cookie", c]);
      return { ok: true, status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
    } catch (e) {
      return { ok: false, error: { kind: e instanceof ChaoxingError ? e.kind : null, message: e instanceof Error ? e.message : String(e) } };
    }
  }

  // ---- the one-video lock ------------------------------------------------------------------------

  /** The stored lock; the first time, the one an earlier release kept in `acct:<phone>` (src/durable/account-legacy.ts). */
  private lock(): Promise<LockRecord> {
    return (this.loaded ??= (async () => {
      const stored = getVersioned(this.ctx.storage.kv, "lock", LOCK_RECORD);
      if (stored) return stored;
      const phone = this.name.slice("phone:".length);
      const legacy = await this.env.ACCOUNTS.getByName(legacyAccountName(phone)).handOverLock();
      const st: LockRecord = { v: 1, holder: legacy?.holder ?? null, queue: legacy?.queue ?? [], contestedSince: legacy?.queue.length ? clock.now() : null };
      this.ctx.storage.kv.put("lock", st);
      return st;
    })().catch((e: unknown) => {
      this.loaded = null;
      throw e;
    }));
  }

  /** A row only when the lock really changed: holders ask on every media step. */
  private put(before: string, st: LockRecord): void {
    if (JSON.stringify(st) !== before) this.ctx.storage.kv.put("lock", st);
  }

  /**
   * Granted when free (or already ours) and we are first in line; otherwise queued, with our position.
   * The holder asks on every media step, which keeps its claim fresh; one that has not asked for
   * LOCK_STALE_MS loses it, and one whose turn others have waited behind for TURN_MS goes to the back.
   */
  async acquireVideo(taskId: number): Promise<{ granted: boolean; position: number }> {
    const now = clock.now();
    this.lastSeen.set(taskId, now);
    const st = await this.lock();
    const before = JSON.stringify(st);
    // Seen-times live in memory; after a restart everyone gets a fresh grace period.
    const seen = (id: number) => this.lastSeen.get(id) ?? (this.lastSeen.set(id, now), now);
    st.queue = st.queue.filter((id) => id === taskId || now - seen(id) <= QUEUE_STALE_MS);
    if (st.holder === taskId) {
      if (st.queue.length === 0 || st.contestedSince === null || now - st.contestedSince < TURN_MS) {
        this.between = null;
        if (st.queue.length === 0) st.contestedSince = null;
        this.put(before, st);
        return { granted: true, position: 0 };
      }
      // Its turn is over: the next in line goes now, and it waits behind everyone who was there.
      this.pass(st);
      st.queue.push(taskId);
      this.put(before, st);
      return { granted: false, position: st.queue.length };
    }
    // A holder between two of its videos plays nothing: the lock passes on at once.
    if (st.holder !== null && (st.holder === this.between || now - seen(st.holder) > LOCK_STALE_MS)) st.holder = null;
    if (st.holder === null && (st.queue.length === 0 || st.queue[0] === taskId)) {
      st.holder = taskId;
      st.queue = st.queue.filter((id) => id !== taskId);
      st.contestedSince = st.queue.length ? now : null;
      this.between = null;
      this.put(before, st);
      return { granted: true, position: 0 };
    }
    if (!st.queue.includes(taskId)) st.queue.push(taskId);
    st.contestedSince ??= now;
    this.put(before, st);
    return { granted: false, position: st.queue.indexOf(taskId) + 1 };
  }

  /**
   * The holder finished a video. With someone in line the lock passes to them now; with nobody waiting it
   * stays with the holder, marked as between videos (in memory, no row), so its next video needs no
   * write and anyone who asks meanwhile gets it at once.
   */
  async finishedVideo(taskId: number): Promise<void> {
    const st = await this.lock();
    if (st.holder !== taskId || st.queue.some((id) => id !== taskId)) return this.releaseVideo(taskId);
    this.between = taskId;
  }

  /** Frees the lock and leaves the queue (whichever applies), and wakes the next task in line at once. */
  async releaseVideo(taskId: number): Promise<void> {
    if (this.between === taskId) this.between = null;
    const st = await this.lock();
    const before = JSON.stringify(st);
    st.queue = st.queue.filter((id) => id !== taskId);
    if (st.holder === taskId) this.pass(st);
    else if (st.queue.length === 0) st.contestedSince = null;
    this.put(before, st);
    this.lastSeen.delete(taskId);
  }

  /** The holder is done: the lock is free, and the first in line (asked at once) takes it. */
  private pass(st: LockRecord): void {
    st.holder = null;
    st.contestedSince = null;
    const nextId = st.queue[0];
    if (nextId !== undefined) this.ctx.waitUntil(this.env.TASKS.getByName(`task:${nextId}`).wake().catch(() => undefined));
  }

  /** For tests and the admin: who holds the lock and who waits. */
  async lockState(): Promise<LockState> {
    const { holder, queue } = await this.lock();
    return { holder, queue: [...queue] };
  }
}

/**
 * A user's binding's way to Chaoxing for one call (src/durable/account.ts): each request goes to the
 * phone object, which paces it with the phone's other requests and sends it through this user's egress.
 * An automated call's first request does not wait: when it is not due, `notDueMs` says for how long, and
 * every later request of the call fails at once (the call is abandoned before anything was sent).
 */
export class PhoneLine implements Transport {
  notDueMs: number | null = null;
  private sent = 0;

  constructor(
    private readonly phone: DurableObjectStub<PhoneObject>,
    private readonly userId: number,
    private readonly waitFirst: boolean,
  ) {}

  async fetch(req: Request): Promise<Response> {
    if (this.notDueMs !== null) throw new ChaoxingError("transient", "请求尚未到时间");
    const mayWait = this.waitFirst || this.sent > 0;
    this.sent++;
    const r = await this.phone.send(this.userId, await wireOf(req), mayWait);
    if (r.ok) return rebuild(r);
    if ("notDueMs" in r) {
      this.notDueMs = r.notDueMs;
      throw new ChaoxingError("transient", "请求尚未到时间");
    }
    if (r.error.kind) throw new ChaoxingError(r.error.kind, r.error.message);
    throw new Error(r.error.message);
  }
}
