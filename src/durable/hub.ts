import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { tasks, users } from "../db/schema";
import { taskStub } from "../tasks/stub";
import type { TaskMessage } from "../shared/live";
import type { SocketCloseReason } from "../auth/tokens";
import { getVersioned, listVersioned, putVersioned } from "../lib/versioned";
import { DIRECT_ENTRY, RUN_SLOTS, type DirectEntry } from "./stored";
import {
  admit, answerClose, close, CLOSE_POLICY, CLOSE_TOO_BIG, errorFrame, frame, hubName, isExpired, parseClientMessage,
  Handover, PING, PONG, selects, send, TOO_FAST, type LiveSession, type SocketSelector,
} from "./sockets";

/** Per socket, in its attachment (a few hundred bytes at most): the token behind it and what it watches. */
interface HubAttachment extends LiveSession {
  subscriptions: number[];
}


// Keeps each attachment far below the 2 KB the runtime allows, whatever a client asks for.
const MAX_SUBSCRIPTIONS = 100;
const DIRECT = "d:";
/** The user's running tasks (ids), for the running-task cap. */
const RUN_KEY = "slots";
const directKey = (taskId: number, jti: string) => `${DIRECT}${taskId}:${jti}`;

const attachmentOf = (ws: WebSocket) => ws.deserializeAttachment() as HubAttachment;

/**
 * One per user (`hub:<userId>`): the user's `/ws/connect` sockets, hibernatable. The routing (task →
 * subscribed sockets) lives only in the sockets' attachments; the in-memory map is a cache rebuilt from
 * `getWebSockets()` after every wake. Task objects push updates here by RPC once the hub has registered
 * with them (`addHub`), and the hub fans them out.
 *
 * The hub is also the user's registry of live sockets for token revocation and expiry: it closes its
 * own, and it records which task objects hold this user's direct task sockets (`noteDirect`), so one
 * call (`closeSockets`) reaches every socket of a token without any object polling D1.
 */
export class HubObject extends DurableObject<Env> {
  private routes: Map<number, Set<WebSocket>> | null = null;
  private readonly handover = new Handover<LiveSession>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** The session of the upgrade that follows (the worker route authenticated the token and checked the Origin). */
  async ticket(session: LiveSession): Promise<string> {
    return this.handover.offer(session);
  }

  /** The upgrade, naming the session handed over just before. */
  override async fetch(request: Request): Promise<Response> {
    const session = this.handover.take(request);
    if (!session || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected an upgrade", { status: 400 });
    const { 0: client, 1: server } = new WebSocketPair();
    // Tagged by token id, so revoking one token finds its sockets without reading every attachment.
    this.ctx.acceptWebSocket(server, [session.jti]);
    server.serializeAttachment({ ...session, subscriptions: [] } satisfies HubAttachment);
    send(server, [frame({ type: "connected", user_id: session.userId, username: session.username })]);
    await this.expireAt(session.exp);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const admission = admit(ws, raw);
    if (admission === "too_big") return this.drop(ws, CLOSE_TOO_BIG, "message too big");
    if (admission === "rate_limited") return void send(ws, [errorFrame(TOO_FAST)]);
    if (admission === "drop") return;
    const att = attachmentOf(ws);
    // The alarm closes expired sockets; this covers a message that arrives before it runs.
    if (isExpired(att.exp)) return this.drop(ws, CLOSE_POLICY, "token expired");
    const m = parseClientMessage(raw);
    if ("invalid" in m) return void send(ws, [errorFrame(m.invalid)]);
    switch (m.type) {
      case "ping":
        send(ws, [PONG]);
        return;
      case "subscribe_task":
        return this.subscribe(ws, m.task_id);
      case "unsubscribe_task":
        this.unsubscribe(ws, m.task_id);
        send(ws, [frame({ type: "unsubscribed", task_id: m.task_id })]);
        return;
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    answerClose(ws, code, reason);
    this.forget(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.forget(ws);
  }

  /** The health check's Durable Object round trip (`hub:health`, which holds nothing). */
  async ping(): Promise<true> {
    return true;
  }

  // ---- RPC from task objects -----------------------------------------------------------------------

  /** A task's update or log lines: fanned out to the sockets subscribed to it. False: nobody here cares any more. */
  async push(taskId: number, messages: TaskMessage[]): Promise<boolean> {
    const subs = this.routing().get(taskId);
    if (!subs) return false;
    const frames = messages.map(frame);
    for (const ws of [...subs]) if (!send(ws, frames)) this.forget(ws);
    return this.routing().has(taskId);
  }

  // ---- RPC from the worker (token revocation, direct task sockets) ---------------------------------

  /** A direct task socket was opened with this token: remember where it is until the token dies. */
  async noteDirect(taskId: number, session: LiveSession): Promise<void> {
    putVersioned(this.ctx.storage.kv, directKey(taskId, session.jti), DIRECT_ENTRY, { exp: session.exp, userId: session.userId });
    await this.expireAt(session.exp);
  }

  /**
   * Revocation (logout, password change/reset, deactivation) or a demotion: close the selected tokens'
   * sockets with 1008, here and in task objects. The close reason is the API's code for it
   * (src/auth/tokens.ts), so a client can say why the session ended, or reconnect after a role change.
   */
  async closeSockets(sel: SocketSelector, reason: SocketCloseReason): Promise<void> {
    for (const ws of this.ctx.getWebSockets("jti" in sel ? sel.jti : undefined)) {
      const a = attachmentOf(ws);
      if (selects(sel, a.userId, a.jti)) this.drop(ws, CLOSE_POLICY, reason);
    }
    await this.closeDirect((e, jti) => selects(sel, e.userId, jti), sel, reason);
    await this.reschedule();
  }

  /** At the earliest token expiry: close what expired (1008), here and in task objects, then re-arm. */
  override async alarm(): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) {
      if (isExpired(attachmentOf(ws).exp)) this.drop(ws, CLOSE_POLICY, "token_expired");
    }
    await this.closeDirect((e) => isExpired(e.exp), null, "token_expired");
    await this.reschedule();
  }

  // ---- RPC from task objects: the running-task cap (api-contract.md) --------------------------------

  /**
   * A run slot for `taskId`, or false when the user already has `max` tasks running. Starts of one user's
   * tasks all come here, one at a time, so the cap holds however many race. A full set is checked against
   * the tasks themselves first: a slot whose release never arrived (a crash) is not kept forever.
   */
  async claimRun(taskId: number, max: number): Promise<boolean> {
    if (this.runSlots().includes(taskId)) return true;
    if (this.runSlots().length >= max) {
      const holders = this.runSlots();
      const running = await Promise.all(holders.map((id) => taskStub(this.env, id).isRunning().catch(() => true)));
      const stale = new Set(holders.filter((_, i) => !running[i]));
      // Re-read after the awaits: other claims and releases may have come meanwhile.
      if (stale.size) this.setRunSlots(this.runSlots().filter((id) => !stale.has(id)));
    }
    const slots = this.runSlots();
    if (slots.includes(taskId)) return true;
    if (slots.length >= max) return false;
    this.setRunSlots([...slots, taskId]);
    return true;
  }

  async releaseRun(taskId: number): Promise<void> {
    const slots = this.runSlots();
    if (slots.includes(taskId)) this.setRunSlots(slots.filter((id) => id !== taskId));
  }

  /** Unreadable slots count as none: the cap heals, as it does when a release never arrives. */
  private runSlots(): number[] {
    return getVersioned(this.ctx.storage.kv, RUN_KEY, RUN_SLOTS)?.ids ?? [];
  }

  private setRunSlots(ids: number[]): void {
    putVersioned(this.ctx.storage.kv, RUN_KEY, RUN_SLOTS, { ids });
  }

  // ---- internals -----------------------------------------------------------------------------------

  private async subscribe(ws: WebSocket, taskId: number): Promise<void> {
    const { userId } = attachmentOf(ws);
    // The role is read now, not from the handshake: a demoted admin loses other users' tasks at once.
    const row = await getDb(this.env)
      .select({ userId: tasks.user_id, role: users.role })
      .from(tasks)
      .innerJoin(users, eq(users.id, userId))
      .where(eq(tasks.id, taskId))
      .get();
    // Another user's task reads as a missing one, as in the REST API; the connection stays up.
    if (!row || (row.userId !== userId && row.role !== "admin")) return void send(ws, [errorFrame(`任务不存在或无权访问: ${taskId}`)]);
    if (ws.readyState !== WebSocket.OPEN) return;
    // Re-read: other messages on this socket may have changed its subscriptions while D1 answered.
    const att = attachmentOf(ws);
    if (!att.subscriptions.includes(taskId)) {
      if (att.subscriptions.length >= MAX_SUBSCRIPTIONS) return void send(ws, [errorFrame(`每个连接最多订阅 ${MAX_SUBSCRIPTIONS} 个任务`)]);
      att.subscriptions.push(taskId);
      ws.serializeAttachment(att);
    }
    this.route(taskId).add(ws);
    send(ws, [frame({ type: "subscribed", task_id: taskId })]);
    try {
      // The task sends the current state back through the same ordered push channel as every later
      // update, so this socket never sees an older state after a newer one.
      await taskStub(this.env, taskId).addHub(taskId, hubName(userId));
    } catch (e) {
      console.error(`hub: addHub for task ${taskId} failed`, e);
      send(ws, [errorFrame("订阅失败，请重新订阅")]);
    }
  }

  private unsubscribe(ws: WebSocket, taskId: number): void {
    const att = attachmentOf(ws);
    att.subscriptions = att.subscriptions.filter((id) => id !== taskId);
    ws.serializeAttachment(att);
    this.unroute(ws, taskId);
  }

  /** Lazily rebuilt from the sockets' attachments: after a wake this instance remembers nothing else. */
  private routing(): Map<number, Set<WebSocket>> {
    if (!this.routes) {
      this.routes = new Map();
      for (const ws of this.ctx.getWebSockets()) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        for (const id of attachmentOf(ws).subscriptions) this.route(id).add(ws);
      }
    }
    return this.routes;
  }

  private route(taskId: number): Set<WebSocket> {
    const routes = this.routing();
    let subs = routes.get(taskId);
    if (!subs) routes.set(taskId, (subs = new Set()));
    return subs;
  }

  /** When the last subscriber leaves, the task's next push gets `false` and drops this hub. */
  private unroute(ws: WebSocket, taskId: number): void {
    const subs = this.routing().get(taskId);
    if (subs?.delete(ws) && subs.size === 0) this.routing().delete(taskId);
  }

  private forget(ws: WebSocket): void {
    for (const id of attachmentOf(ws).subscriptions) this.unroute(ws, id);
  }

  private drop(ws: WebSocket, code: number, reason: string): void {
    close(ws, code, reason);
    this.forget(ws);
  }

  /** Tells the task objects holding matching direct sockets to close them, and forgets those entries. */
  private async closeDirect(match: (e: DirectEntry, jti: string) => boolean, sel: SocketSelector | null, reason: string): Promise<void> {
    // A revocation needs one call per task (its selector covers every token); expiry one per expired token.
    const calls = new Map<number, SocketSelector[]>();
    for (const [key, e] of listVersioned(this.ctx.storage.kv, DIRECT, DIRECT_ENTRY)) {
      const [, id, jti] = key.split(":") as [string, string, string];
      if (!match(e, jti)) continue;
      this.ctx.storage.kv.delete(key);
      const taskId = Number(id);
      calls.set(taskId, sel ? [sel] : [...(calls.get(taskId) ?? []), { userId: e.userId, jti }]);
    }
    await Promise.all(
      [...calls].flatMap(([taskId, sels]) =>
        sels.map((s) => taskStub(this.env, taskId).closeSockets(s, reason).catch((e: unknown) => console.warn("hub: closeSockets failed", e))),
      ),
    );
  }

  private async expireAt(exp: number): Promise<void> {
    const at = await this.ctx.storage.getAlarm();
    if (at === null || at > exp * 1000) await this.ctx.storage.setAlarm(exp * 1000);
  }

  private async reschedule(): Promise<void> {
    let earliest = Infinity;
    for (const ws of this.ctx.getWebSockets()) if (ws.readyState === WebSocket.OPEN) earliest = Math.min(earliest, attachmentOf(ws).exp);
    for (const [, e] of listVersioned(this.ctx.storage.kv, DIRECT, DIRECT_ENTRY)) earliest = Math.min(earliest, e.exp);
    if (earliest === Infinity) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(earliest * 1000);
  }
}
