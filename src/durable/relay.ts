import { DurableObject } from "cloudflare:workers";
import { egressOf } from "../relay/egress";
import { taskStub } from "../tasks/stub";
import { clock, isoNow, shanghaiDay } from "../../shared/clock";
import { randomToken } from "../../shared/encoding";
import { deleteVersioned, getVersioned, listVersioned, putVersioned } from "../lib/versioned";
import {
  AGENT_TIMEOUT_MS, connKeyOf, decodeEnvelope, encodeBody, MAX_RESPONSE_BODY_BYTES, PART_BYTES, RELAY_PROTOCOL, signRequest,
  type Header, type HelloFrame, type RelayErrorCode,
} from "../shared/relay-wire";
import { answerClose, close, CLOSE_POLICY, Handover, PING, PONG } from "./sockets";
import { RELAY_COUNT, RELAY_OUTDATED, RELAY_OWNER, RELAY_PIN } from "./stored";

/** The user's relay object: their agents' sockets, and the way out for their Chaoxing traffic. */
export const relayName = (userId: number): string => `relay:${userId}`;

/** What the worker route established at the handshake (credential checked against D1). */
export interface RelaySession {
  relayId: number;
  userId: number;
  name: string;
  version: string;
  /** hex; unsealed from D1 by the route, kept here only as the per-connection key derived from it */
  frameKey: string;
  /** Its owner confirmed it on the dashboard: only then does it carry traffic. */
  confirmed: boolean;
}

/** A request as it crosses the RPC boundary. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Header[];
  body: Uint8Array | null;
}

export type RelayReply =
  | { ok: true; status: number; headers: Header[]; body: Uint8Array }
  /**
   * None of the user's agents is online: the caller must not fall back to anything else. `outdated`: one
   * of them was refused at the handshake for its protocol since it last connected (it needs an update).
   */
  | { ok: false; offline: true; outdated: boolean }
  /** The agent refused or could not perform it; `lost`: the connection dropped while it was in flight. */
  | { ok: false; offline: false; code: RelayErrorCode | "lost"; message: string };

export interface RelayStatus {
  relayId: number;
  online: boolean;
  connectedAt: number | null;
  requestsToday: number;
  /** Refused at the handshake for its protocol since it last connected. */
  needsUpdate: boolean;
}

/** Close code telling an agent that a newer connection of the same relay replaced it (it stops). */
export const CLOSE_REPLACED = 4001;

/** Per socket: which relay, the connection's nonce and key, and the last sequence number sent. */
interface RelayAttachment {
  relayId: number;
  conn: string;
  connKey: string;
  seq: number;
  since: number;
  /** Absent in sockets accepted before confirmation existed (their relays were all confirmed). */
  confirmed?: boolean;
}

interface Pending {
  resolve: (r: RelayReply) => void;
  /** From part 0. */
  head: { status: number; headers: Header[] } | null;
  parts: Uint8Array[];
  received: number;
  size: number;
  timer: ReturnType<typeof setTimeout>;
}

/** The agent gives up after AGENT_TIMEOUT_MS; this covers the way there and back. */
const FORWARD_TIMEOUT_MS = AGENT_TIMEOUT_MS + 10_000;
const PIN = "pinned:";
const COUNT = "n:";
const OUTDATED = "out:";
/** The user this object belongs to, kept at the first connection or refusal. */
const OWNER = "owner";
const tagOf = (relayId: number) => `r:${relayId}`;
const attachmentOf = (ws: WebSocket) => ws.deserializeAttachment() as RelayAttachment;

/** Parts must not outnumber what the size cap allows (each but the last is full). */
const MAX_PARTS = Math.ceil(MAX_RESPONSE_BODY_BYTES / PART_BYTES) + 1;

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * One per user (`relay:<userId>`): the hibernatable sockets of the user's relay agents, and
 * `forward`, through which the account object sends that user's Chaoxing requests (src/relay/transport.ts).
 * Each Chaoxing account sticks to one agent while it stays online (a stable address per account). Only
 * relays their owner confirmed carry traffic. With no such agent online the answer is `offline`, never
 * another route; when one connects (or is confirmed), the user's tasks paused for want of one are woken.
 */
export class RelayObject extends DurableObject<Env> {
  private pending = new Map<string, Pending>();
  /** Frames go out in sequence order: signing is asynchronous, so sends are chained. */
  private outbox: Promise<void> = Promise.resolve();
  private readonly handover = new Handover<RelaySession>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The agent's heartbeat is answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** The session of the agent's upgrade that follows (the worker route checked its credential). */
  async ticket(session: RelaySession): Promise<string> {
    return this.handover.offer(session);
  }

  /** The agent's upgrade, naming the session handed over just before. */
  override async fetch(request: Request): Promise<Response> {
    const s = this.handover.take(request);
    if (!s || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected an upgrade", { status: 400 });
    putVersioned(this.ctx.storage.kv, OWNER, RELAY_OWNER, { userId: s.userId });
    deleteVersioned(this.ctx.storage.kv, `${OUTDATED}${s.relayId}`, RELAY_OUTDATED);
    // One connection per relay: the newest wins (an agent that reconnected, or a copy running elsewhere).
    for (const old of this.ctx.getWebSockets(tagOf(s.relayId))) {
      this.dropPending(attachmentOf(old).conn, "中继连接已被新的连接取代");
      close(old, CLOSE_REPLACED, "replaced by a newer connection");
    }
    const conn = randomToken(16);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [tagOf(s.relayId)]);
    server.serializeAttachment({ relayId: s.relayId, conn, connKey: await connKeyOf(s.frameKey, conn), seq: 0, since: clock.now(), confirmed: s.confirmed } satisfies RelayAttachment);
    server.send(JSON.stringify({ type: "hello", protocol: RELAY_PROTOCOL, nonce: conn, relay_id: s.relayId, name: s.name } satisfies HelloFrame));
    this.ctx.waitUntil(this.cameOnline(s));
    return new Response(null, { status: 101, webSocket: client });
  }

  // ---- RPC from the account object ------------------------------------------------------------------

  /** Sends one request through the agent this account is pinned to (pinning it now if need be). */
  async forward(account: string, req: WireRequest): Promise<RelayReply> {
    const ws = this.pick(account);
    if (!ws) return { ok: false, offline: true, outdated: this.anyOutdated() };
    this.count(attachmentOf(ws).relayId);
    return new Promise<RelayReply>((resolve) => {
      const lost: RelayReply = { ok: false, offline: false, code: "lost", message: "中继连接已断开" };
      const sent = this.outbox.then(async () => {
        const att = attachmentOf(ws);
        att.seq++;
        ws.serializeAttachment(att);
        const key = `${att.conn}:${att.seq}`;
        const timer = setTimeout(() => this.settle(key, { ok: false, offline: false, code: "timeout", message: "中继没有及时应答" }), FORWARD_TIMEOUT_MS);
        this.pending.set(key, { resolve, head: null, parts: [], received: 0, size: 0, timer });
        try {
          const frame = await signRequest(att.connKey, { seq: att.seq, method: req.method, url: req.url, headers: req.headers, body: encodeBody(req.body) });
          ws.send(JSON.stringify(frame));
        } catch {
          this.settle(key, lost);
        }
      });
      this.outbox = sent.catch(() => resolve(lost));
    });
  }

  // ---- RPC from the routes ---------------------------------------------------------------------------

  async status(): Promise<RelayStatus[]> {
    const today = shanghaiDay(clock.now());
    const online = this.online();
    const out: RelayStatus[] = [];
    for (const [key, c] of listVersioned(this.ctx.storage.kv, COUNT, RELAY_COUNT)) {
      const relayId = Number(key.slice(COUNT.length));
      if (!online.has(relayId)) out.push({ relayId, online: false, connectedAt: null, requestsToday: c.day === today ? c.n : 0, needsUpdate: false });
    }
    for (const [relayId, ws] of online) {
      const c = getVersioned(this.ctx.storage.kv, `${COUNT}${relayId}`, RELAY_COUNT);
      out.push({ relayId, online: true, connectedAt: attachmentOf(ws).since, requestsToday: c?.day === today ? c.n : 0, needsUpdate: false });
    }
    for (const [key] of listVersioned(this.ctx.storage.kv, OUTDATED, RELAY_OUTDATED)) {
      const relayId = Number(key.slice(OUTDATED.length));
      const known = out.find((x) => x.relayId === relayId);
      if (known) known.needsUpdate = true;
      else out.push({ relayId, online: false, connectedAt: null, requestsToday: 0, needsUpdate: true });
    }
    return out;
  }

  /** Its owner confirmed the relay: an open connection of it carries traffic from now on, and wakes the tasks waiting for one. */
  async confirm(relayId: number, userId: number): Promise<void> {
    const sockets = this.ctx.getWebSockets(tagOf(relayId));
    for (const ws of sockets) ws.serializeAttachment({ ...attachmentOf(ws), confirmed: true } satisfies RelayAttachment);
    if (sockets.some((ws) => ws.readyState === WebSocket.OPEN)) this.ctx.waitUntil(this.wakeWaiting(userId));
  }

  /**
   * The connect route refused one of the user's agents for its protocol. The first refusal (until that
   * relay connects again) is noted for the Relay page and, with no agent online, pauses the user's running
   * relay tasks with `relay_outdated`; an agent that keeps knocking changes nothing more.
   */
  async refusedOutdated(userId: number, relayId: number, version: string, protocol: number | null): Promise<void> {
    putVersioned(this.ctx.storage.kv, OWNER, RELAY_OWNER, { userId });
    const first = getVersioned(this.ctx.storage.kv, `${OUTDATED}${relayId}`, RELAY_OUTDATED) === undefined;
    putVersioned(this.ctx.storage.kv, `${OUTDATED}${relayId}`, RELAY_OUTDATED, { version, protocol, at: clock.now() });
    if (!first) return;
    await this.env.DB.prepare("UPDATE relays SET version = ?, last_seen_at = ? WHERE id = ?").bind(version || null, isoNow(), relayId).run();
    if (this.carrying().size === 0) await this.pauseRelayTasks(userId, "relay_outdated");
  }

  /** Whether any confirmed agent is online, and whether one was refused for its protocol (for a start's check). */
  async presence(): Promise<{ online: boolean; needsUpdate: boolean }> {
    return { online: this.carrying().size > 0, needsUpdate: this.anyOutdated() };
  }

  /** The relay was revoked (or its user is going): its socket closes at once. */
  async revoke(relayId: number): Promise<void> {
    for (const ws of this.ctx.getWebSockets(tagOf(relayId))) {
      this.dropPending(attachmentOf(ws).conn, "中继已被撤销");
      close(ws, CLOSE_POLICY, "relay revoked");
    }
    this.ctx.storage.kv.delete(`${COUNT}${relayId}`);
    deleteVersioned(this.ctx.storage.kv, `${OUTDATED}${relayId}`, RELAY_OUTDATED);
    for (const [key, pin] of listVersioned(this.ctx.storage.kv, PIN, RELAY_PIN)) if (pin.relayId === relayId) deleteVersioned(this.ctx.storage.kv, key, RELAY_PIN);
  }

  /**
   * The user was deactivated or deleted: every agent's socket closes at once (their credentials are
   * refused from now on by the connect route, which checks the user), with nothing left pending.
   */
  async closeAll(reason: "account_disabled"): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) {
      this.dropPending(attachmentOf(ws).conn, "账号已被禁用");
      close(ws, CLOSE_POLICY, reason);
    }
  }

  // ---- sockets ---------------------------------------------------------------------------------------

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Text from an agent is only its heartbeat (answered by the runtime); answers are binary.
    if (typeof message === "string") return;
    const env = decodeEnvelope(new Uint8Array(message));
    if (!env) return;
    const key = `${attachmentOf(ws).conn}:${env.header.seq}`;
    const p = this.pending.get(key);
    if (!p) return;
    const h = env.header;
    if (h.type === "error") return this.settle(key, { ok: false, offline: false, code: h.code, message: h.message });
    const broken = (message: string) => this.settle(key, { ok: false, offline: false, code: "bad_frame", message });
    const consistent = (p.received === 0 || p.parts.length === h.parts) && h.parts >= 1 && h.parts <= MAX_PARTS && h.part >= 0 && h.part < h.parts;
    if (!consistent || p.parts[h.part]) return broken("中继的应答分片有误");
    if (p.received === 0) p.parts = new Array<Uint8Array>(h.parts);
    if (h.type === "response") p.head = { status: h.status, headers: h.headers };
    p.parts[h.part] = env.body.slice();
    p.received++;
    p.size += env.body.length;
    if (p.size > MAX_RESPONSE_BODY_BYTES) return this.settle(key, { ok: false, offline: false, code: "response_too_large", message: "超星的应答超过中继上限" });
    if (p.received === h.parts && p.head) this.settle(key, { ok: true, status: p.head.status, headers: p.head.headers, body: concat(p.parts, p.size) });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    answerClose(ws, code, reason);
    this.wentOffline(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.wentOffline(ws);
  }

  // ---- internals -------------------------------------------------------------------------------------

  /** The newest open socket of each relay. */
  private online(): Map<number, WebSocket> {
    const out = new Map<number, WebSocket>();
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      const a = attachmentOf(ws);
      const cur = out.get(a.relayId);
      if (!cur || attachmentOf(cur).since < a.since) out.set(a.relayId, ws);
    }
    return out;
  }

  /** The online relays that carry traffic: their owner confirmed them. */
  private carrying(): Map<number, WebSocket> {
    return new Map([...this.online()].filter(([, ws]) => attachmentOf(ws).confirmed !== false));
  }

  /** The account's agent while it stays online; otherwise the online agent carrying the fewest accounts. Confirmed relays only. */
  private pick(account: string): WebSocket | null {
    const online = this.carrying();
    if (online.size === 0) return null;
    const pinned = this.pinOf(account);
    if (pinned !== undefined && online.has(pinned)) return online.get(pinned)!;
    const load = new Map<number, number>([...online.keys()].map((id) => [id, 0]));
    for (const [, { relayId: id }] of listVersioned(this.ctx.storage.kv, PIN, RELAY_PIN)) if (load.has(id)) load.set(id, load.get(id)! + 1);
    const [chosen] = [...load].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0]!;
    putVersioned(this.ctx.storage.kv, `${PIN}${account}`, RELAY_PIN, { relayId: chosen });
    return online.get(chosen)!;
  }

  /**
   * The agent an account is pinned to. Accounts are named by their phone object (`phone:<phone>`); 0.1.0
   * named them by its one account object per phone (`acct:<phone>`): such a pin is taken over once.
   */
  private pinOf(account: string): number | undefined {
    const kv = this.ctx.storage.kv;
    const pin = getVersioned(kv, `${PIN}${account}`, RELAY_PIN);
    if (pin) return pin.relayId;
    const phone = /^phone:(.+)$/.exec(account)?.[1];
    const old = phone === undefined ? undefined : getVersioned(kv, `${PIN}acct:${phone}`, RELAY_PIN);
    if (!old) return undefined;
    deleteVersioned(kv, `${PIN}acct:${phone}`, RELAY_PIN);
    putVersioned(kv, `${PIN}${account}`, RELAY_PIN, { relayId: old.relayId });
    return old.relayId;
  }

  /** Requests relayed today, per relay, for the dashboard. */
  private count(relayId: number): void {
    const today = shanghaiDay(clock.now());
    const c = getVersioned(this.ctx.storage.kv, `${COUNT}${relayId}`, RELAY_COUNT);
    putVersioned(this.ctx.storage.kv, `${COUNT}${relayId}`, RELAY_COUNT, { day: today, n: c?.day === today ? c.n + 1 : 1 });
  }

  private settle(key: string, r: RelayReply): void {
    const p = this.pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(key);
    p.resolve(r);
  }

  private dropPending(conn: string, message: string): void {
    for (const key of [...this.pending.keys()]) if (key.startsWith(`${conn}:`)) this.settle(key, { ok: false, offline: false, code: "lost", message });
  }

  /**
   * An agent's socket ended. If it was the user's last one, their running relay tasks pause at once (they
   * would only find out at their next call): `relay_outdated` if one of their agents was refused for its
   * protocol since, else `relay_offline`.
   */
  private wentOffline(ws: WebSocket): void {
    const a = attachmentOf(ws);
    this.dropPending(a.conn, "中继连接已断开");
    const userId = getVersioned(this.ctx.storage.kv, OWNER, RELAY_OWNER)?.userId;
    const last = this.carrying().size === 0;
    this.ctx.waitUntil(
      (async () => {
        await this.env.DB.prepare("UPDATE relays SET last_seen_at = ? WHERE id = ?").bind(isoNow(), a.relayId).run().catch(() => undefined);
        if (last && userId !== undefined) await this.pauseRelayTasks(userId, this.anyOutdated() ? "relay_outdated" : "relay_offline");
      })(),
    );
  }

  private anyOutdated(): boolean {
    return [...this.ctx.storage.kv.list({ prefix: OUTDATED, limit: 1 })].length > 0;
  }

  /** Tells each running task of the user to pause, if their traffic goes through the relay (direct egress needs none). */
  private async pauseRelayTasks(userId: number, reason: "relay_offline" | "relay_outdated"): Promise<void> {
    try {
      if ((await egressOf(this.env, userId)) !== "relay") return;
      const { results } = await this.env.DB.prepare("SELECT id FROM tasks WHERE user_id = ? AND status = 'running' ORDER BY id").bind(userId).all<{ id: number }>();
      await Promise.all(results.map(({ id }) => taskStub(this.env, id).relayLost(reason)));
    } catch (e) {
      console.error(`relay object of user ${userId}: pausing tasks failed`, e);
    }
  }

  /** An agent connected: note its version and time, and (once its relay is confirmed) wake the tasks waiting for one. */
  private async cameOnline(s: RelaySession): Promise<void> {
    try {
      await this.env.DB.prepare("UPDATE relays SET version = ?, last_seen_at = ? WHERE id = ?").bind(s.version, isoNow(), s.relayId).run();
    } catch (e) {
      console.error(`relay ${s.relayId}: version not noted`, e);
    }
    if (s.confirmed) await this.wakeWaiting(s.userId);
  }

  /**
   * Resumes the user's tasks that paused because no relay was online, oldest first, as many as the
   * running-task cap leaves room for (each task claims its slot from the user's hub like any start; the
   * rest stay paused).
   */
  private async wakeWaiting(userId: number): Promise<void> {
    try {
      const { results } = await this.env.DB.prepare(
        "SELECT id FROM tasks WHERE user_id = ? AND status = 'paused' AND reason IN ('relay_offline', 'relay_outdated') ORDER BY id",
      ).bind(userId).all<{ id: number }>();
      for (const { id } of results) {
        const r = await taskStub(this.env, id).relayOnline();
        if (!r.ok && r.code === "running_cap") break;
      }
    } catch (e) {
      console.error(`relays of user ${userId}: waking tasks failed`, e);
    }
  }
}
