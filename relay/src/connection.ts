/**
 * The agent's connection to the deployment: it dials out (no inbound port, no public address needed),
 * keeps the socket alive with a heartbeat, and reconnects with exponential back-off and jitter. It stops
 * for good only when the deployment refuses the credential (revoked or unknown: pair again) or another
 * agent with the same credential took over.
 */
import WebSocket from "ws";
import { frameKeyOf, parseCredential, PROTOCOL_HEADER, RELAY_PATH, RELAY_PROTOCOL } from "../../src/shared/relay-wire";
import type { Say } from "./messages";
import type { PolicyOptions } from "./policy";
import { AgentSession, type Perform, type RelayEvent } from "./session";

/** Close code the relay object uses when a newer connection of the same relay replaces this one. */
export const CLOSE_REPLACED = 4001;
const PING = '{"type":"ping"}';
const PONG = '{"type":"pong"}';

export interface AgentOptions {
  /** The deployment, e.g. https://cx.example.com */
  url: string;
  credential: string;
  version: string;
  policy: PolicyOptions;
  perform: Perform;
  log: (line: string) => void;
  /** The agent's words for each log line (relay/src/messages.ts). */
  say: Say;
  onEvent?: (e: RelayEvent) => void;
  backoff?: { baseMs: number; maxMs: number };
  heartbeatMs?: number;
  random?: () => number;
  signal?: AbortSignal;
  /** Called on each hello, i.e. each time the deployment accepted this relay. */
  onOnline?: (relayId: number) => void;
  /** Called on each answered heartbeat while online. */
  onAlive?: () => void;
  /** Called when an accepted connection ends. */
  onOffline?: () => void;
}

export type AgentExit =
  | { reason: "stopped" }
  | { reason: "refused"; status: number }
  | { reason: "replaced" }
  /** The deployment does not speak this agent's protocol (426): reinstall from it. */
  | { reason: "outdated"; detail: string };

type Attempt = { kind: "retry"; online: boolean } | { kind: "exit"; exit: AgentExit };

export function wsUrlOf(base: string): string {
  const u = new URL(RELAY_PATH, base);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

/** Exponential back-off with jitter: attempt 1 waits about base, then doubling up to max. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/** Runs until stopped (`signal`), refused or replaced; every other end of a connection is retried. */
export async function runAgent(o: AgentOptions): Promise<AgentExit> {
  const parsed = parseCredential(o.credential);
  if (!parsed) throw new Error("the stored credential is malformed: pair again");
  const frameKey = await frameKeyOf(parsed.secret);
  const { baseMs, maxMs } = o.backoff ?? { baseMs: 1_000, maxMs: 60_000 };
  const random = o.random ?? Math.random;
  let failures = 0;
  while (!o.signal?.aborted) {
    const r = await connectOnce(o, frameKey);
    if (r.kind === "exit") return r.exit;
    if (o.signal?.aborted) break;
    // A connection the deployment accepted starts the back-off over.
    failures = r.online ? 1 : failures + 1;
    const wait = backoffMs(failures, baseMs, maxMs, random());
    o.log(o.say("reconnecting", { seconds: (wait / 1000).toFixed(1) }));
    await sleep(wait, o.signal);
  }
  return { reason: "stopped" };
}

function connectOnce(o: AgentOptions, frameKey: string): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    let online = false;
    const done = (a: Attempt) => {
      if (settled) return;
      settled = true;
      clearInterval(heartbeat);
      o.signal?.removeEventListener("abort", stop);
      if (online) o.onOffline?.();
      resolve(a);
    };
    const session = new AgentSession(frameKey, { policy: o.policy, perform: o.perform, onEvent: o.onEvent });
    const ws = new WebSocket(wsUrlOf(o.url), {
      headers: {
        Authorization: `Bearer ${o.credential}`, "X-Relay-Version": o.version, [PROTOCOL_HEADER]: String(RELAY_PROTOCOL), "User-Agent": `chaoxing-relay/${o.version}`,
      },
      handshakeTimeout: 15_000,
      // Server frames are requests (tiny bodies); anything bigger is not one.
      maxPayload: 256 * 1024,
    });
    const stop = () => {
      ws.close(1000, "agent stopped");
      done({ kind: "exit", exit: { reason: "stopped" } });
    };
    o.signal?.addEventListener("abort", stop, { once: true });

    // The relay object answers the compact ping itself (even while hibernating); silence means a dead path.
    let awaitingPong = false;
    const heartbeat = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (awaitingPong) {
        o.log(o.say("noPong"));
        ws.terminate();
        return;
      }
      awaitingPong = true;
      ws.send(PING);
    }, o.heartbeatMs ?? 25_000);

    ws.on("unexpected-response", (req, res) => {
      const status = res.statusCode ?? 0;
      if (status === 426) {
        // The deployment's refusal says what to do (reinstall from it): read it before giving up.
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body = (body + c).slice(0, 4096)));
        res.on("end", () => {
          req.destroy();
          let detail = body;
          try {
            detail = String((JSON.parse(body) as { detail?: unknown }).detail ?? body);
          } catch {
            // not JSON: shown as it is
          }
          o.log(o.say("outdated", { detail }));
          done({ kind: "exit", exit: { reason: "outdated", detail } });
        });
        return;
      }
      res.resume();
      req.destroy();
      if (status === 401 || status === 403 || status === 404) {
        o.log(o.say("refused", { status }));
        done({ kind: "exit", exit: { reason: "refused", status } });
      } else {
        o.log(o.say("httpStatus", { status }));
        done({ kind: "retry", online: false });
      }
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === PONG) {
        awaitingPong = false;
        if (online) o.onAlive?.();
        return;
      }
      session.handle(text).then(
        (frames) => {
          if (!online && session.hello) {
            online = true;
            o.log(o.say("online", { name: session.hello.name, id: session.hello.relayId }));
            o.onOnline?.(session.hello.relayId);
          }
          for (const f of frames) if (ws.readyState === WebSocket.OPEN) ws.send(f);
        },
        (e: unknown) => {
          o.log(e instanceof Error ? e.message : String(e));
          ws.close(1002, "protocol");
        },
      );
    });
    ws.on("close", (code, reason) => {
      if (code === CLOSE_REPLACED) {
        o.log(o.say("replaced"));
        return done({ kind: "exit", exit: { reason: "replaced" } });
      }
      o.log(o.say("disconnected", { code: `${code}${reason.length ? ` ${reason.toString()}` : ""}` }));
      done({ kind: "retry", online });
    });
    ws.on("error", (e) => {
      o.log(o.say("connectionError", { error: e.message }));
      if (ws.readyState === WebSocket.CLOSED) done({ kind: "retry", online });
    });
  });
}
