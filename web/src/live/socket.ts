/**
 * The dashboard's one WebSocket (`/ws/connect?token=`), speaking the shared message union. It
 * reconnects with capped, jittered exponential backoff (a deploy closes every socket, so this is
 * routine), re-subscribes every task on reopen and announces the reopen so callers can refetch what
 * they missed while disconnected. It is honest about the line: a socket that stops answering pings is
 * declared down within 15 s, and while the browser is offline it does not pretend to reconnect.
 */
import type { ClientMessage, ServerMessage } from "@shared/live";

export type LiveState =
  | { kind: "idle" }
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "offline" }
  | { kind: "reconnecting"; at: number };

type Listener = (m: ServerMessage) => void;

// The compact `{"type":"ping"}` is answered by the runtime without waking a hibernated object (README
// "Live progress"), so a short interval costs the server nothing. Worst case from the last answer to
// "down": STALE_MS rounded up to the next ping tick, 12 s: inside the 15 s in which the badge must turn on
// a silent line (README "The dashboard").
const PING_MS = 4_000;
const STALE_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** Close code for a revoked or expired token (src/durable/sockets.ts): the session is over. */
const CLOSE_POLICY = 1008;

export class LiveSocket {
  private ws: WebSocket | null = null;
  private state: LiveState = { kind: "idle" };
  private attempt = 0;
  private everOpened = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastSeen = 0;
  private readonly subs = new Map<number, number>();
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<() => void>();
  private readonly resyncListeners = new Set<() => void>();
  private ended: (code: string) => void = () => undefined;

  constructor(private readonly token: () => string | null) {
    window.addEventListener("online", () => {
      if (this.state.kind === "offline") this.open();
      else this.reconnectNow();
    });
    window.addEventListener("offline", () => this.goOffline());
  }

  getState = (): LiveState => this.state;

  onState = (fn: () => void): (() => void) => {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  };

  onMessage(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Called after a reconnect: state pushed while we were away was lost, so refetch it. */
  onResync(fn: () => void): () => void {
    this.resyncListeners.add(fn);
    return () => this.resyncListeners.delete(fn);
  }

  /** The server closed the socket because the session ended (1008); the code says why. */
  onSessionEnd(fn: (code: string) => void) {
    this.ended = fn;
  }

  start() {
    if (this.ws || this.state.kind === "reconnecting" || this.state.kind === "offline") return;
    this.open();
  }

  stop() {
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.everOpened = false;
    this.attempt = 0;
    this.setState({ kind: "idle" });
  }

  reconnectNow() {
    if (this.state.kind !== "reconnecting") return;
    clearTimeout(this.retryTimer);
    this.open();
  }

  /** Reference-counted: several components may watch the same task. Returns the unsubscribe. */
  subscribe(taskId: number): () => void {
    const n = this.subs.get(taskId) ?? 0;
    this.subs.set(taskId, n + 1);
    if (n === 0) this.send({ type: "subscribe_task", task_id: taskId });
    return () => {
      const left = (this.subs.get(taskId) ?? 1) - 1;
      if (left > 0) return void this.subs.set(taskId, left);
      this.subs.delete(taskId);
      this.send({ type: "unsubscribe_task", task_id: taskId });
    };
  }

  private send(m: ClientMessage) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private setState(s: LiveState) {
    this.state = s;
    for (const fn of this.stateListeners) fn();
  }

  /** The browser says the network is gone: drop the socket now and wait for `online`, no retries. */
  private goOffline() {
    if (this.state.kind === "idle" || !this.token()) return;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.setState({ kind: "offline" });
  }

  private open() {
    const token = this.token();
    if (!token) return this.setState({ kind: "idle" });
    if (!navigator.onLine) return this.setState({ kind: "offline" });
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/ws/connect?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    this.setState({ kind: "connecting" });
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.lastSeen = Date.now();
      for (const id of this.subs.keys()) this.send({ type: "subscribe_task", task_id: id });
      this.setState({ kind: "open" });
      if (this.everOpened) for (const fn of this.resyncListeners) fn();
      this.everOpened = true;
      this.pingTimer = setInterval(() => {
        // Missed answers: the line is dead even if the browser has not noticed. onclose reconnects.
        if (Date.now() - this.lastSeen > STALE_MS) this.lost(ws);
        else this.send({ type: "ping" });
      }, PING_MS);
    };
    ws.onmessage = (ev) => {
      this.lastSeen = Date.now();
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return;
      }
      for (const fn of this.listeners) fn(msg);
    };
    ws.onclose = (ev) => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return; // closed on purpose (stop, offline, or already declared lost)
      this.ws = null;
      // A demotion closes with `role_changed`: the session goes on, so reconnect (subscriptions are checked again).
      if (ev.code === CLOSE_POLICY && ev.reason.trim() !== "role_changed") {
        // The reason is the API's code for why the session ended (token_expired, token_revoked…).
        this.setState({ kind: "idle" });
        return this.ended(ev.reason.trim() || "unauthorized");
      }
      this.retry();
    };
  }

  /** A socket that stopped answering: close() on a dead line may take a long time to fire onclose, so retry now. */
  private lost(ws: WebSocket) {
    clearInterval(this.pingTimer);
    this.ws = null;
    ws.close(4000, "stale");
    this.retry();
  }

  private retry() {
    if (!navigator.onLine) return this.setState({ kind: "offline" });
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    this.setState({ kind: "reconnecting", at: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}
