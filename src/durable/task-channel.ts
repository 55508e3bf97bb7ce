import { getVersioned, putVersioned } from "../lib/versioned";
import type { TaskMessage } from "../shared/live";
import type { TaskLive } from "../tasks/shape";
import {
  admit, close, CLOSE_POLICY, CLOSE_TOO_BIG, errorFrame, frame, Handover, isExpired, parseClientMessage, PONG, selects, send,
  taskUpdate, TOO_FAST, type LiveSession, type SocketSelector,
} from "./sockets";
import { SUBSCRIBED_HUBS } from "./stored";

/** A direct socket's attachment (`WS /api/tasks/{id}/ws`): the token behind it. */
interface DirectAttachment {
  jti: string;
  exp: number;
  userId: number;
  taskId: number;
}

/** Storage key of the hubs (`hub:<userId>`) that subscribed to this task: pushed to on every update. */
const HUBS_KEY = "subscribers";

/**
 * A task's live channel: its direct hibernatable sockets and the hubs that subscribed to it. Direct sockets
 * carry their token in the attachment; revocation and expiry reach them through the user's hub (which the
 * worker route told about each one), and a broadcast never sends to an expired token either. Pushes to
 * hubs run one after another, so every hub sees this task's messages in order.
 */
export class TaskChannel {
  private pushing: Promise<void> = Promise.resolve();
  /** Counts `addHub` calls, so a "not interested" answer never drops a hub that re-subscribed meanwhile. */
  private registrations = 0;
  private held: TaskMessage[] | null = null;
  /** The sessions of direct sockets about to be opened (`TaskObject.ticket`). */
  readonly handover = new Handover<LiveSession>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  /**
   * Direct sockets are open: the object may hibernate between two steps (it is idle while it waits for
   * its alarm), and its memory with it.
   */
  mayHibernate(): boolean {
    return this.ctx.getWebSockets().length > 0;
  }

  /**
   * Runs `fn` holding back what it broadcasts, then sends it all at once: a step's log lines and its
   * update reach each hub in one push (one RPC, one pass over its sockets), not one per message.
   */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) return fn();
    const held: TaskMessage[] = (this.held = []);
    try {
      return await fn();
    } finally {
      this.held = null;
      this.broadcast(held);
    }
  }

  /** Sends to direct sockets now and queues the push to subscribed hubs (or holds it, in a `batch`); never throws. */
  broadcast(messages: TaskMessage[]): void {
    if (this.held) return void this.held.push(...messages);
    const first = messages[0];
    if (!first) return;
    const frames = messages.map(frame);
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (isExpired((ws.deserializeAttachment() as DirectAttachment).exp)) close(ws, CLOSE_POLICY, "token_expired");
      else if (!send(ws, frames)) close(ws, 1011, "send failed");
    }
    const hubs = this.hubs();
    if (hubs.length) this.pushToHubs(hubs, first.task_id, messages);
  }

  /** A hub subscribes: remembered in storage, and sent the current state through the ordered push queue. */
  addHub(taskId: number, hub: string, data: TaskLive): void {
    this.registrations++;
    const hubs = this.hubs();
    if (!hubs.includes(hub)) this.setHubs([...hubs, hub]);
    this.pushToHubs([hub], taskId, [taskUpdate(taskId, data)]);
  }

  /** Token revoked or expired (told by the user's hub): close the matching direct sockets with 1008. */
  closeSockets(sel: SocketSelector, reason: string): void {
    for (const ws of this.ctx.getWebSockets(`u:${sel.userId}`)) {
      const a = ws.deserializeAttachment() as DirectAttachment;
      if (selects(sel, a.userId, a.jti)) close(ws, CLOSE_POLICY, reason);
    }
  }

  closeAll(reason: string): void {
    for (const ws of this.ctx.getWebSockets()) close(ws, 1000, reason);
  }

  /**
   * `WS /api/tasks/{id}/ws`, naming the session handed over just before (`handover`): 400 without one or
   * without an upgrade, 404 for a task that is gone.
   */
  async upgrade(request: Request, current: (taskId: number) => Promise<TaskLive | null>): Promise<Response> {
    const taskId = Number(new URL(request.url).searchParams.get("task_id"));
    const session = this.handover.take(request);
    if (!taskId || !session || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected an upgrade", { status: 400 });
    const data = await current(taskId);
    if (!data) return new Response("task not found", { status: 404 });
    return this.accept(session, taskId, data);
  }

  /** `WS /api/tasks/{id}/ws`, after the worker route authenticated the token and checked ownership. */
  private accept(s: LiveSession, taskId: number, data: TaskLive): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    // Tagged by user, so a revocation reads only that user's attachments.
    this.ctx.acceptWebSocket(server, [`u:${s.userId}`]);
    server.serializeAttachment({ jti: s.jti, exp: s.exp, userId: s.userId, taskId } satisfies DirectAttachment);
    send(server, [frame(taskUpdate(taskId, data))]);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A direct socket speaks the same messages; it is bound to its task, so subscribing to it just resends the state. */
  async message(ws: WebSocket, raw: string | ArrayBuffer, current: (taskId: number) => Promise<TaskLive | null>): Promise<void> {
    const admission = admit(ws, raw);
    if (admission === "too_big") return close(ws, CLOSE_TOO_BIG, "message too big");
    if (admission === "rate_limited") return void send(ws, [errorFrame(TOO_FAST)]);
    if (admission === "drop") return;
    const a = ws.deserializeAttachment() as DirectAttachment;
    if (isExpired(a.exp)) return close(ws, CLOSE_POLICY, "token_expired");
    const m = parseClientMessage(raw);
    if ("invalid" in m) return void send(ws, [errorFrame(m.invalid)]);
    if (m.type === "ping") return void send(ws, [PONG]);
    if (m.type === "subscribe_task" && m.task_id === a.taskId) {
      const data = await current(a.taskId);
      if (data) send(ws, [frame({ type: "subscribed", task_id: a.taskId }), frame(taskUpdate(a.taskId, data))]);
      return;
    }
    send(ws, [errorFrame(`此连接只推送任务 ${a.taskId}；订阅其他任务请用 /ws/connect，退订请关闭连接`)]);
  }

  /** Unreadable, none: a hub whose push is missed re-subscribes when its socket asks again. */
  private hubs(): string[] {
    return getVersioned(this.ctx.storage.kv, HUBS_KEY, SUBSCRIBED_HUBS)?.hubs ?? [];
  }

  private setHubs(hubs: string[]): void {
    putVersioned(this.ctx.storage.kv, HUBS_KEY, SUBSCRIBED_HUBS, { hubs });
  }

  private removeHub(hub: string): void {
    const hubs = this.hubs();
    if (hubs.includes(hub)) this.setHubs(hubs.filter((h) => h !== hub));
  }

  private pushToHubs(hubs: string[], taskId: number, messages: TaskMessage[]): void {
    this.pushing = this.pushing.then(async () => {
      const registrations = this.registrations;
      await Promise.all(
        hubs.map(async (name) => {
          try {
            // False: the hub has no subscriber left for this task (they left, or it restarted). This is
            // how hubs unregister: the answer reflects the hub's state at that moment, unlike a separate
            // "remove" call that could overtake a later subscribe.
            const interested = await this.env.HUBS.getByName(name).push(taskId, messages);
            if (!interested && registrations === this.registrations) this.removeHub(name);
          } catch (e) {
            console.warn(`task ${taskId}: push to ${name} failed`, e);
          }
        }),
      );
    });
    this.ctx.waitUntil(this.pushing);
  }
}
