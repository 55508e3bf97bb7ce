/**
 * What the hub and the task object share about their hibernatable sockets (README "Live progress"): the
 * session the worker authenticated, the client-message parser, the per-connection caps, and safe send/close.
 * Everything here is cheap and synchronous: it runs inside a 10 ms CPU budget.
 */
import { clock } from "../../shared/clock";
import { randomToken } from "../../shared/encoding";
import type { ClientMessage, ServerMessage, TaskLive, TaskMessage } from "../shared/live";

/** The authenticated token behind a socket, as the worker route hands it to the object. */
export interface LiveSession {
  jti: string;
  /** Token expiry, seconds since the epoch (the JWT `exp`). */
  exp: number;
  userId: number;
  username: string;
  role: "user" | "admin";
}

/** The user's hub object: their `/ws/connect` sockets and the registry of all their live sockets. */
export const hubName = (userId: number): string => `hub:${userId}`;

/** The header an upgrade to an object names its handed-over session by (objects are unreachable from outside). */
export const TICKET_HEADER = "X-Upgrade-Ticket";
const TICKET_TTL_MS = 30_000;

/**
 * Sessions a worker route hands to an object by RPC just before the upgrade. An upgrade can only be a
 * fetch, and a header is no place for a session id or a key: the runtime prints the whole value of a
 * header with non-ASCII in it (a Chinese username, the relay name 宿舍电脑) to the worker log. The
 * upgrade names its session by a random single-use ticket instead. In memory: the route makes the two
 * calls one after the other.
 */
export class Handover<S> {
  private readonly waiting = new Map<string, { session: S; until: number }>();

  offer(session: S): string {
    const now = clock.now();
    for (const [t, w] of this.waiting) if (w.until <= now) this.waiting.delete(t);
    const ticket = randomToken(16);
    this.waiting.set(ticket, { session, until: now + TICKET_TTL_MS });
    return ticket;
  }

  /** The session the upgrade's ticket names, once; null for an unknown or expired ticket. */
  take(request: Request): S | null {
    const ticket = request.headers.get(TICKET_HEADER) ?? "";
    const w = this.waiting.get(ticket);
    this.waiting.delete(ticket);
    return w && w.until > clock.now() ? w.session : null;
  }
}

/** The upgrade request a route sends an object, naming the session it handed over. */
export const upgradeRequest = (url: string, ticket: string): Request => new Request(url, { headers: { Upgrade: "websocket", [TICKET_HEADER]: ticket } });

/** Which of a user's sockets to close: one token's, or every token's but the one that asked. */
export type SocketSelector = { userId: number; jti: string } | { userId: number; exceptJti: string | null };

export const selects = (s: SocketSelector, userId: number, jti: string): boolean =>
  s.userId === userId && ("jti" in s ? s.jti === jti : s.exceptJti !== jti);

// 1008 "policy violation" (RFC 6455) tells a client its revoked or expired token will not be served; 1009 is the
// standard code for a message too big to process.
export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;

export const MAX_MESSAGE_BYTES = 4096;
const RATE_WINDOW_MS = 10_000;
const RATE_MAX = 20;

/**
 * The compact ping the dashboard and the seed's clients send: answered by the runtime itself through
 * `setWebSocketAutoResponse`, without waking a hibernated object. Other spellings reach the handler.
 */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

export const isExpired = (exp: number): boolean => exp * 1000 <= clock.now();

export function send(ws: WebSocket, frames: string[]): boolean {
  try {
    for (const f of frames) ws.send(f);
    return true;
  } catch {
    // A socket whose send throws is dead (peer gone mid-frame): the caller drops it.
    return false;
  }
}

export const frame = (m: ServerMessage): string => JSON.stringify(m);

export const errorFrame = (message: string): string => frame({ type: "error", message, detail: message });

/** A task's state as pushed: `task_id` at the top level (the seed document) and inside `data` (the origin's frontend). */
export const taskUpdate = (taskId: number, data: TaskLive): TaskMessage => ({ type: "task_update", task_id: taskId, data: { ...data, task_id: taskId } });

export function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing or closed: nothing left to do.
  }
}

/**
 * Answers the client's close frame (RFC 6455 §5.5.1). 1005/1006 are reserved for "no code" and
 * "abnormal" and may not be sent, so those are answered with a normal 1000.
 */
export function answerClose(ws: WebSocket, code: number, reason: string): void {
  close(ws, code === 1005 || code === 1006 || code < 1000 ? 1000 : code, reason);
}

/**
 * Per-connection rate windows, in memory: an object hibernates only after a quiet spell longer than
 * the window, so a window lost to hibernation had expired anyway.
 */
const windows = new WeakMap<WebSocket, { start: number; n: number; warned: boolean }>();

export type Admission = "ok" | "too_big" | "rate_limited" | "drop";

const encoder = new TextEncoder();

/**
 * A message's size in UTF-8 bytes, what the socket carries (a Chinese character is one UTF-16 unit but three
 * bytes, so a cap on string length would let three times the cap through). A UTF-16 unit is 1–3 bytes,
 * so only lengths between a third of the cap and the cap need encoding.
 */
function byteSize(raw: string | ArrayBuffer): number {
  if (typeof raw !== "string") return raw.byteLength;
  if (raw.length > MAX_MESSAGE_BYTES || raw.length * 3 <= MAX_MESSAGE_BYTES) return raw.length;
  return encoder.encode(raw).byteLength;
}

/** Size and rate caps, applied before any parsing. `rate_limited` is answered once per window, then `drop`. */
export function admit(ws: WebSocket, raw: string | ArrayBuffer): Admission {
  if (byteSize(raw) > MAX_MESSAGE_BYTES) return "too_big";
  const now = clock.now();
  let w = windows.get(ws);
  if (!w || now - w.start >= RATE_WINDOW_MS) {
    w = { start: now, n: 0, warned: false };
    windows.set(ws, w);
  }
  if (++w.n <= RATE_MAX) return "ok";
  if (w.warned) return "drop";
  w.warned = true;
  return "rate_limited";
}

export const TOO_FAST = "消息过于频繁，请稍后再发";

/** A client message, or the reason it is not one (sent back as an `error`). */
export function parseClientMessage(raw: string | ArrayBuffer): ClientMessage | { invalid: string } {
  if (typeof raw !== "string") return { invalid: "只接受 JSON 文本消息" };
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { invalid: "消息不是合法的 JSON" };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { invalid: "消息应为 JSON 对象" };
  const m = v as { type?: unknown; task_id?: unknown; data?: unknown };
  switch (m.type) {
    case "ping":
      return { type: "ping" };
    case "subscribe_task":
    case "unsubscribe_task": {
      // At the top level (the seed document) or inside `data` (the origin's own frontend).
      const inData = typeof m.data === "object" && m.data !== null ? (m.data as { task_id?: unknown }).task_id : undefined;
      if (m.task_id !== undefined && inData !== undefined && m.task_id !== inData) return { invalid: "task_id 与 data.task_id 不一致" };
      const id = m.task_id ?? inData;
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) return { invalid: "task_id 应为正整数" };
      return { type: m.type, task_id: id };
    }
    default:
      return { invalid: `未知的消息类型: ${String(m.type).slice(0, 40)}` };
  }
}
