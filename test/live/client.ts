import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { ClientMessage, ServerMessage } from "../../src/shared/live";

/** How long a test waits for a message before failing: a bound on a hang, not a sleep. */
const WAIT_MS = 5000;

export interface Closed {
  code: number;
  reason: string;
}

/** A test's end of a live socket: every message it received, in order, and its close. */
export class LiveClient {
  readonly received: ServerMessage[] = [];
  private cursor = 0;
  private wake: (() => void) | null = null;
  closeEvent: Closed | null = null;
  readonly closed: Promise<Closed>;

  constructor(readonly ws: WebSocket) {
    let onClose!: (c: Closed) => void;
    this.closed = new Promise((r) => (onClose = r));
    ws.addEventListener("message", (e) => {
      this.received.push(JSON.parse(String(e.data)) as ServerMessage);
      this.wake?.();
    });
    ws.addEventListener("close", (e) => {
      this.closeEvent = { code: e.code, reason: e.reason };
      onClose(this.closeEvent);
      this.wake?.();
    });
    ws.accept();
  }

  send(m: ClientMessage | string | ArrayBuffer): void {
    this.ws.send(typeof m === "string" || m instanceof ArrayBuffer ? m : JSON.stringify(m));
  }

  /** The next message not read yet (waits for it). */
  async next(): Promise<ServerMessage> {
    const deadline = Date.now() + WAIT_MS;
    while (this.cursor >= this.received.length) {
      if (this.closeEvent) throw new Error(`socket closed (${this.closeEvent.code}) while waiting; read: ${JSON.stringify(this.received)}`);
      if (Date.now() > deadline) throw new Error(`no message within ${WAIT_MS} ms; read: ${JSON.stringify(this.received.slice(-5))}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
    return this.received[this.cursor++]!;
  }

  /** Reads until a message satisfies `done`; returns everything read on the way, the match last. */
  async until(done: (m: ServerMessage) => boolean): Promise<ServerMessage[]> {
    const out: ServerMessage[] = [];
    for (;;) {
      const m = await this.next();
      out.push(m);
      if (done(m)) return out;
    }
  }

  /** Every message received but not read yet, without waiting. */
  drain(): ServerMessage[] {
    const out = this.received.slice(this.cursor);
    this.cursor = this.received.length;
    return out;
  }
}

export interface Handshake {
  status: number;
  body: { detail?: string } | null;
  client: LiveClient | null;
}

/** Opens `path` through the worker's own fetch handler, as a browser or the Node client would. */
export async function connect(path: string, opts: { origin?: string; upgrade?: boolean } = {}): Promise<Handshake> {
  const headers: Record<string, string> = {};
  if (opts.upgrade !== false) headers.Upgrade = "websocket";
  if (opts.origin) headers.Origin = opts.origin;
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://localhost:8000${path}`, { headers }), env, ctx);
  await waitOnExecutionContext(ctx);
  if (res.webSocket) return { status: res.status, body: null, client: new LiveClient(res.webSocket) };
  return { status: res.status, body: (await res.json()) as { detail?: string }, client: null };
}

/** `/ws/connect` for this token, past its `connected` message. */
export async function hub(token: string): Promise<LiveClient> {
  const h = await connect(`/ws/connect?token=${encodeURIComponent(token)}`);
  if (!h.client) throw new Error(`connect: ${h.status} ${JSON.stringify(h.body)}`);
  const first = await h.client.next();
  if (first.type !== "connected") throw new Error(`expected connected, got ${JSON.stringify(first)}`);
  return h.client;
}

/** `/api/tasks/{id}/ws` for this token. */
export async function direct(token: string, taskId: number): Promise<LiveClient> {
  const h = await connect(`/api/tasks/${taskId}/ws?token=${encodeURIComponent(token)}`);
  if (!h.client) throw new Error(`connect: ${h.status} ${JSON.stringify(h.body)}`);
  return h.client;
}

/** Subscribes and reads the answer: `subscribed`, then the current state. */
export async function subscribe(c: LiveClient, taskId: number): Promise<ServerMessage[]> {
  c.send({ type: "subscribe_task", task_id: taskId });
  return [await c.next(), await c.next()];
}
