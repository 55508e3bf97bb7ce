import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { AgentSession, type Inbound, type Outbound, type Perform, type RelayEvent } from "../../relay/src/session";
import worker from "../../src/index";
import type { Simulator } from "../../simulator/src/app";
import { parseCredential, frameKeyOf, PROTOCOL_HEADER, RELAY_PATH, RELAY_PROTOCOL } from "../../src/shared/relay-wire";
import { api } from "./api";

/**
 * A code from the dashboard's route, exchanged the way the agent does, and (unless `confirm: false`) the
 * new relay confirmed by its owner as on the dashboard; the credential it returns.
 */
export async function pairRelay(token: string, name = "test-relay", { confirm = true } = {}): Promise<{ relayId: number; credential: string }> {
  const code = await api("POST", "/api/relays/pairing-code", { token });
  if (code.status !== 201) throw new Error(`pairing code: ${code.status} ${JSON.stringify(code.body)}`);
  const paired = await api("POST", "/api/relays/pair", { body: { code: code.body.code, name, version: "test-1.0" }, headers: { "CF-Connecting-IP": `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` } });
  if (paired.status !== 201) throw new Error(`pair: ${paired.status} ${JSON.stringify(paired.body)}`);
  const relayId = paired.body.relay_id as number;
  if (confirm) {
    const confirmed = await api("POST", `/api/relays/${relayId}/confirm`, { token });
    if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  }
  return { relayId, credential: paired.body.credential as string };
}

/** Bounded wait for something the relay object does after answering (it wakes tasks in waitUntil). */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function useRelay(token: string, egress: "relay" | "direct" = "relay"): Promise<void> {
  const r = await api("PUT", "/api/relays/egress", { token, body: { egress } });
  if (r.status !== 200) throw new Error(`egress: ${r.status} ${JSON.stringify(r.body)}`);
}

/** The agent's network in tests: the in-process simulator, with every Set-Cookie line kept apart. */
export function simPerform(sim: Simulator): Perform {
  return async (req: Outbound): Promise<Inbound> => {
    const res = await sim.app.fetch(new Request(req.url, { method: req.method, headers: req.headers, body: req.body }));
    const headers: [string, string][] = [...res.headers].filter(([k]) => k.toLowerCase() !== "set-cookie");
    for (const c of res.headers.getSetCookie()) headers.push(["set-cookie", c]);
    return { status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
  };
}

/**
 * The agent of relay/ in a test: a WebSocket client through the worker's own fetch handler, answering
 * request frames with the real `AgentSession` (MAC, sequence, allowlist, caps) and `perform`.
 */
export class TestAgent {
  readonly seen: Outbound[] = [];
  readonly events: RelayEvent[] = [];
  closeEvent: { code: number; reason: string } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly session: AgentSession;

  private constructor(
    readonly ws: WebSocket,
    frameKey: string,
    perform: Perform,
  ) {
    this.session = new AgentSession(frameKey, {
      policy: { devOrigin: null },
      perform: (req) => {
        this.seen.push(req);
        return perform(req);
      },
      onEvent: (e) => this.events.push(e),
    });
    let onClose!: (c: { code: number; reason: string }) => void;
    this.closed = new Promise((r) => (onClose = r));
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") return;
      void this.session.handle(e.data).then((frames) => {
        for (const f of frames) if (this.ws.readyState === WebSocket.OPEN) this.ws.send(f);
      });
    });
    ws.addEventListener("close", (e) => {
      this.closeEvent = { code: e.code, reason: e.reason };
      onClose(this.closeEvent);
    });
    ws.accept();
  }

  /** Connects with this credential; the handshake's status and body when it is refused. */
  static async connect(credential: string, perform: Perform, headers: Record<string, string> = {}): Promise<TestAgent | { status: number; body: unknown }> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://localhost:8000${RELAY_PATH}`, { headers: { Upgrade: "websocket", Authorization: `Bearer ${credential}`, "X-Relay-Version": "test-1.0", [PROTOCOL_HEADER]: String(RELAY_PROTOCOL), ...headers } }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    if (!res.webSocket) return { status: res.status, body: await res.json() };
    const parsed = parseCredential(credential);
    if (!parsed) throw new Error("malformed credential");
    const agent = new TestAgent(res.webSocket, await frameKeyOf(parsed.secret), perform);
    return agent;
  }

  static async online(credential: string, perform: Perform): Promise<TestAgent> {
    const a = await TestAgent.connect(credential, perform);
    if (!(a instanceof TestAgent)) throw new Error(`agent refused: ${a.status} ${JSON.stringify(a.body)}`);
    await a.hello();
    return a;
  }

  /** Waits (bounded) until the server's hello was processed. */
  async hello(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!this.session.hello) {
      if (this.closeEvent) throw new Error(`closed before hello: ${JSON.stringify(this.closeEvent)}`);
      if (Date.now() > deadline) throw new Error("no hello within 5 s");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Stops the agent the way a killed process does: its end closes. */
  async stop(): Promise<void> {
    this.ws.close(1001, "agent stopped");
    await this.closed.catch(() => undefined);
  }
}

/** The user's relay object, for what a compromised deployment could ask of an agent. */
export const relayStub = (userId: number) => env.RELAYS.getByName(`relay:${userId}`);
