/**
 * The dashboard's one WebSocket (`/ws/connect?token=`), speaking the shared message union. It
 * reconnects with capped, jittered exponential backoff (a deploy closes every socket, so this is
 * routine), re-subscribes every task on reopen and announces the reopen so callers can refetch what
 * they missed while disconnected.
 */
import type { ClientMessage, ServerMessage } from "@shared/live";

export type LiveState =
  | { kind: "idle" }
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "reconnecting"; at: number };

type Listener = (m: ServerMessage) => void;

const PING_MS = 25_000;
// Two missed pongs: the connection is dead even if the browser has not noticed.
const STALE_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

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

  constructor(private readonly token: () => string | null) {
    window.addEventListener("online", () => this.reconnectNow());
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

  start() {
    if (this.ws || this.state.kind === "reconnecting") return;
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

  private open() {
    const token = this.token();
    if (!token) return this.setState({ kind: "idle" });
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
        if (Date.now() - this.lastSeen > STALE_MS) ws.close(4000, "stale");
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
    ws.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return; // closed on purpose by stop()
      this.ws = null;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      this.setState({ kind: "reconnecting", at: Date.now() + delay });
      this.retryTimer = setTimeout(() => this.open(), delay);
    };
  }
}
