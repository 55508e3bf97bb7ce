/**
 * The agent in Node, against local sockets: a stand-in deployment (a `ws` server speaking the relay
 * protocol) and local HTTP servers as "Chaoxing". Covers what the workerd suite cannot: the Node network
 * code, reconnecting, the heartbeat, the CLI and its state file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import {
  connKeyOf, decodeEnvelope, formatCredential, frameKeyOf, MAX_RESPONSE_BODY_BYTES, RELAY_PROTOCOL, signRequest, type AgentHeader, type Header,
} from "../../src/shared/relay-wire";
import { backoffMs, runAgent, type AgentExit } from "../src/connection";
import { nodePerform } from "../src/http";
import { langOf, messages } from "../src/messages";
import { atLeast, MIN_NODE } from "../src/version";
import { AgentSession, type Perform } from "../src/session";

const SECRET = "A".repeat(43);
const CREDENTIAL = formatCredential(7, SECRET);
/** The development origin the command-line tests name (a local simulator; nothing is fetched from it). */
const SIM_ORIGIN = "http://127.0.0.1:8001";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const listen = async (server: http.Server): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
};

async function until<T>(read: () => T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A stand-in deployment: authenticates, says hello with a nonce, and sends signed requests on demand. */
class FakeDeployment {
  readonly connections: WebSocket[] = [];
  readonly answers: { header: AgentHeader; body: Uint8Array }[] = [];
  readonly pings: string[] = [];
  answerPings = true;
  refuseWith: number | null = null;
  /** The body of that refusal (the deployment's JSON error). */
  refuseBody = "";
  /** The headers of each handshake the agent made. */
  readonly handshakes: http.IncomingHttpHeaders[] = [];
  private keys = new Map<WebSocket, { connKey: string; seq: number }>();
  port = 0;

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      // Pairing, as the real route answers it.
      if (req.method === "POST" && req.url === "/api/relays/pair") {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          const { code } = JSON.parse(body) as { code: string };
          res.writeHead(code === "GOOD-CODE" ? 201 : 400, { "Content-Type": "application/json" });
          res.end(JSON.stringify(code === "GOOD-CODE" ? { relay_id: 7, name: "test-pc", credential: CREDENTIAL } : { detail: "配对码无效" }));
        });
        return;
      }
      res.writeHead(404).end();
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, socket, head) => {
      this.handshakes.push(req.headers);
      if (this.refuseWith || req.headers.authorization !== `Bearer ${CREDENTIAL}` || req.url !== "/ws/relay") {
        const body = Buffer.from(this.refuseBody);
        socket.end(`HTTP/1.1 ${this.refuseWith ?? 401} Refused\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${this.refuseBody}`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws));
    });
    cleanups.push(() => {
      for (const ws of this.connections) ws.terminate();
      wss.close();
    });
    this.port = await listen(server);
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async accept(ws: WebSocket): Promise<void> {
    const nonce = `nonce-${this.connections.length}-0123456789abcdef`;
    // Listening before the key is derived: on a loaded machine the agent's first heartbeat can come
    // before that, and a message with no listener yet is lost.
    ws.on("message", (data, isBinary) => {
      if (!isBinary) {
        this.pings.push(data.toString());
        if (this.answerPings) ws.send('{"type":"pong"}');
        return;
      }
      const env = decodeEnvelope(new Uint8Array(data as Buffer));
      if (env) this.answers.push({ header: env.header, body: env.body });
    });
    this.keys.set(ws, { connKey: await connKeyOf(await frameKeyOf(SECRET), nonce), seq: 0 });
    this.connections.push(ws);
    // Sequence numbers start again on each connection: only the newest one's answers count.
    this.answers.length = 0;
    ws.send(JSON.stringify({ type: "hello", protocol: RELAY_PROTOCOL, nonce, relay_id: 7, name: "test-pc" }));
  }

  /** Signs and sends a request on the newest connection; resolves with the agent's answer. */
  async request(url: string, opts: { method?: string; body?: Uint8Array; headers?: Header[] } = {}): Promise<{ header: AgentHeader; body: Uint8Array }> {
    const ws = this.connections.at(-1)!;
    const k = this.keys.get(ws)!;
    const seq = ++k.seq;
    const frame = await signRequest(k.connKey, {
      seq, method: opts.method ?? "GET", url, headers: opts.headers ?? [["accept", "*/*"]], body: opts.body ? Buffer.from(opts.body).toString("base64") : null,
    });
    ws.send(JSON.stringify(frame));
    return until(() => this.answers.find((a) => a.header.seq === seq && (a.header.type !== "response" || a.header.parts === 1)), (a) => a !== undefined) as Promise<{ header: AgentHeader; body: Uint8Array }>;
  }
}

function agent(deployment: FakeDeployment, perform: Perform, extra: { devOrigin?: string; heartbeatMs?: number } = {}) {
  const stop = new AbortController();
  const log: string[] = [];
  const done: Promise<AgentExit> = runAgent({
    url: deployment.url,
    credential: CREDENTIAL,
    version: "test",
    policy: { devOrigin: extra.devOrigin ?? null },
    perform,
    log: (l) => log.push(l),
    say: messages("en"),
    backoff: { baseMs: 20, maxMs: 100 },
    heartbeatMs: extra.heartbeatMs,
    signal: stop.signal,
  });
  cleanups.push(async () => {
    stop.abort();
    await done;
  });
  return { log, done, stop };
}

const okPerform: Perform = async () => ({ status: 200, headers: [["content-type", "text/plain"]], body: new TextEncoder().encode("ok") });

describe("the agent's protocol session", () => {
  it("checks every frame: MAC of this connection, increasing sequence, and one hello only", async () => {
    const frameKey = await frameKeyOf(SECRET);
    let performed = 0;
    const session = new AgentSession(frameKey, { policy: { devOrigin: null }, perform: async (r) => (performed++, okPerform(r)) });
    const connKey = await connKeyOf(frameKey, "nonce-of-this-connection");
    const other = await connKeyOf(frameKey, "nonce-of-another-connection");
    const req = (seq: number, key = connKey) => signRequest(key, { seq, method: "GET", url: "https://mooc1.chaoxing.com/x", headers: [], body: null });
    const header = async (frames: Promise<Uint8Array[]>) => decodeEnvelope((await frames)[0]!)!.header;

    expect(await header(session.handle(JSON.stringify(await req(1))))).toMatchObject({ type: "error", code: "bad_mac" });
    expect(await session.handle(JSON.stringify({ type: "hello", protocol: RELAY_PROTOCOL, nonce: "nonce-of-this-connection", relay_id: 7, name: "pc" }))).toEqual([]);
    expect(await header(session.handle(JSON.stringify(await req(1))))).toMatchObject({ type: "response", status: 200 });
    expect(await header(session.handle(JSON.stringify(await req(1))))).toMatchObject({ type: "error", code: "bad_seq" });
    expect(await header(session.handle(JSON.stringify(await req(2, other))))).toMatchObject({ type: "error", code: "bad_mac" });
    const tampered = { ...(await req(3)), url: "https://mooc1.chaoxing.com/other" };
    expect(await header(session.handle(JSON.stringify(tampered)))).toMatchObject({ type: "error", code: "bad_mac" });
    // A second hello cannot swap the connection key (and restart the sequence).
    await session.handle(JSON.stringify({ type: "hello", protocol: RELAY_PROTOCOL, nonce: "nonce-of-another-connection", relay_id: 7, name: "pc" }));
    expect(await header(session.handle(JSON.stringify(await req(4, other))))).toMatchObject({ type: "error", code: "bad_mac" });
    expect(await header(session.handle(JSON.stringify(await req(5))))).toMatchObject({ type: "response", status: 200 });
    expect(performed).toBe(2);
  });

  it("admits frames in arrival order even though checking them is asynchronous", async () => {
    const frameKey = await frameKeyOf(SECRET);
    const session = new AgentSession(frameKey, { policy: { devOrigin: null }, perform: okPerform });
    await session.handle(JSON.stringify({ type: "hello", protocol: RELAY_PROTOCOL, nonce: "nonce-of-this-connection", relay_id: 7, name: "pc" }));
    const connKey = await connKeyOf(frameKey, "nonce-of-this-connection");
    const frames = await Promise.all([1, 2, 3, 4, 5].map((seq) => signRequest(connKey, { seq, method: "GET", url: "https://mooc1.chaoxing.com/x", headers: [], body: null })));
    const answers = await Promise.all(frames.map((f) => session.handle(JSON.stringify(f))));
    expect(answers.map((a) => decodeEnvelope(a[0]!)!.header.type)).toEqual(["response", "response", "response", "response", "response"]);
  });
});

describe("the agent against a local deployment", () => {
  it("performs signed requests for Chaoxing hosts and refuses others, plain HTTP, and bodies over the cap", async () => {
    const d = await new FakeDeployment().start();
    const seen: string[] = [];
    agent(d, async (r) => (seen.push(r.url.toString()), okPerform(r)));
    await until(() => d.connections.length, (n) => n === 1);
    expect((await d.request("https://mooc1.chaoxing.com/mooc-ans/knowledge/cards?x=1")).header).toMatchObject({ type: "response", status: 200 });
    expect((await d.request("https://mooc1-1.chaoxing.com/x")).header).toMatchObject({ type: "response", status: 200 });
    expect((await d.request("https://zhibo.chaoxing.com/saveTimePc?x=1")).header).toMatchObject({ type: "response", status: 200 });
    expect((await d.request("https://sso.chaoxing.com/apis/login/userLogin4Uname.do")).header).toMatchObject({ type: "response", status: 200 });
    expect((await d.request("https://example.com/")).header).toMatchObject({ type: "error", code: "host_not_allowed" });
    expect((await d.request("https://passport2.chaoxing.com.example.com/")).header).toMatchObject({ type: "error", code: "host_not_allowed" });
    expect((await d.request("http://passport2.chaoxing.com/fanyalogin")).header).toMatchObject({ type: "error", code: "scheme_not_allowed" });
    expect((await d.request("http://127.0.0.1:1/")).header).toMatchObject({ type: "error", code: "scheme_not_allowed" });
    expect((await d.request("https://passport2.chaoxing.com/fanyalogin", { method: "POST", body: new Uint8Array(70_000) })).header).toMatchObject({ type: "error", code: "request_too_large" });
    expect(seen).toEqual([
      "https://mooc1.chaoxing.com/mooc-ans/knowledge/cards?x=1", "https://mooc1-1.chaoxing.com/x", "https://zhibo.chaoxing.com/saveTimePc?x=1",
      "https://sso.chaoxing.com/apis/login/userLogin4Uname.do",
    ]);
  });

  it("reconnects with back-off after the connection drops, and stops when the credential is refused", async () => {
    const d = await new FakeDeployment().start();
    const a = agent(d, okPerform);
    await until(() => d.connections.length, (n) => n === 1);
    d.connections[0]!.close(1011, "restart");
    await until(() => d.connections.length, (n) => n === 2);
    expect((await d.request("https://mooc1.chaoxing.com/after-reconnect")).header).toMatchObject({ type: "response" });
    d.connections[1]!.terminate();
    await until(() => d.connections.length, (n) => n === 3);
    expect(a.log.filter((l) => l.startsWith("reconnecting in")).length).toBe(2);
    // Revoked meanwhile: the next handshake gets 401 and the agent exits instead of retrying forever.
    d.refuseWith = 401;
    d.connections[2]!.close(1008, "relay revoked");
    expect(await a.done).toEqual({ reason: "refused", status: 401 });
  });

  it("reconnects when the heartbeat gets no answer", async () => {
    const d = await new FakeDeployment().start();
    d.answerPings = false;
    agent(d, okPerform, { heartbeatMs: 50 });
    await until(() => d.connections.length, (n) => n >= 2);
    expect(d.pings.length).toBeGreaterThan(0);
  });

  it("exits when another agent with the same credential replaced it", async () => {
    const d = await new FakeDeployment().start();
    const a = agent(d, okPerform);
    await until(() => d.connections.length, (n) => n === 1);
    d.connections[0]!.close(4001, "replaced by a newer connection");
    expect(await a.done).toEqual({ reason: "replaced" });
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(backoffMs(1, 1000, 60_000, 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, 1)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, 1)).toBe(4000);
    expect(backoffMs(20, 1000, 60_000, 1)).toBe(60_000);
  });
});

describe("the agent's network (node:http, loopback under the development flag)", () => {
  async function upstream() {
    const big = Buffer.alloc(MAX_RESPONSE_BODY_BYTES + 10, 97);
    const server = http.createServer((req, res) => {
      if (req.url === "/redirect") {
        res.writeHead(302, { Location: "https://passport2.chaoxing.com/login", "Set-Cookie": ["a=1; Path=/", "b=2; Path=/"] });
        return res.end();
      }
      if (req.url === "/gzip") {
        res.writeHead(200, { "Content-Encoding": "gzip", "Content-Type": "text/html" });
        return res.end(gzipSync("<html>解压后的页面</html>"));
      }
      if (req.url === "/big") return res.end(big);
      if (req.url === "/echo") {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => res.end(JSON.stringify({ method: req.method, cookie: req.headers.cookie, body })));
        return;
      }
      if (req.url === "/slow") return setTimeout(() => res.end("late"), 2000);
      res.writeHead(404).end();
    });
    return `http://127.0.0.1:${await listen(server)}`;
  }
  const perform = nodePerform({ timeoutMs: 1000 });
  const get = (url: string) => perform({ method: "GET", url: new URL(url), headers: [], body: null });

  it("returns a 302 as it is, with Location and every Set-Cookie line, and decodes gzip", async () => {
    const base = await upstream();
    const r = await get(`${base}/redirect`);
    expect(r.status).toBe(302);
    expect(r.headers.filter(([k]) => k.toLowerCase() === "location")).toEqual([["Location", "https://passport2.chaoxing.com/login"]]);
    expect(r.headers.filter(([k]) => k.toLowerCase() === "set-cookie").map(([, v]) => v)).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const g = await get(`${base}/gzip`);
    expect(new TextDecoder().decode(g.body)).toBe("<html>解压后的页面</html>");
    expect(g.headers.some(([k]) => k.toLowerCase() === "content-encoding")).toBe(false);
  });

  it("sends method, headers and body; caps the response; times out", async () => {
    const base = await upstream();
    const echo = await perform({ method: "POST", url: new URL(`${base}/echo`), headers: [["Cookie", "x=1"], ["Host", "evil"]], body: new TextEncoder().encode("a=b") });
    expect(JSON.parse(new TextDecoder().decode(echo.body))).toEqual({ method: "POST", cookie: "x=1", body: "a=b" });
    await expect(get(`${base}/big`)).rejects.toMatchObject({ code: "response_too_large" });
    await expect(get(`${base}/slow`)).rejects.toMatchObject({ code: "timeout" });
  });

  it("through the whole agent: loopback only the one origin the flag names, and a response over the cap refused", async () => {
    const base = await upstream();
    const d = await new FakeDeployment().start();
    agent(d, nodePerform(), { devOrigin: base });
    await until(() => d.connections.length, (n) => n === 1);
    const g = await d.request(`${base}/gzip`);
    expect(g.header).toMatchObject({ type: "response", status: 200 });
    expect(new TextDecoder().decode(g.body)).toBe("<html>解压后的页面</html>");
    expect((await d.request(`${base}/big`)).header).toMatchObject({ type: "error", code: "response_too_large" });
    // Any other port of this machine is refused, however it is named.
    const port = Number(new URL(base).port);
    for (const other of [`http://127.0.0.1:${port + 1}/`, `http://localhost:${port + 1}/`, `https://127.0.0.1:${port}/`, `http://[::1]:${port}/`]) {
      expect((await d.request(other)).header, other).toMatchObject({ type: "error" });
    }
    // Still never another machine over plain HTTP.
    expect((await d.request("http://192.168.1.1/")).header).toMatchObject({ type: "error", code: "scheme_not_allowed" });
  });
});

describe("the command line (the downloadable bundle)", () => {
  let bundle = "";
  async function built(): Promise<string> {
    if (!bundle) {
      const { bundleRelay } = (await import(path.join(import.meta.dirname, "..", "..", "scripts", "relay-bundle.mjs"))) as { bundleRelay: (out: string) => Promise<string> };
      bundle = await bundleRelay(path.join(mkdtempSync(path.join(tmpdir(), "relay-cli-")), "chaoxing-relay.mjs"));
    }
    return bundle;
  }
  function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
    let out = "";
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "", LC_MESSAGES: "", ...env } });
    child.stdout!.on("data", (b) => (out += b));
    child.stderr!.on("data", (b) => (out += b));
    const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    cleanups.push(() => void child.kill("SIGTERM"));
    return { child, output: () => out, exit };
  }

  it("pairs once (credential in a 0600 file), then later starts need only --url", async () => {
    await built();
    const d = await new FakeDeployment().start();
    const state = path.join(mkdtempSync(path.join(tmpdir(), "relay-state-")), "sub", "state.json");
    const first = run(["--url", d.url, "--pair", "GOOD-CODE", "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    await until(() => d.connections.length, (n) => n === 1);
    expect(first.output()).toContain(`credential saved in ${state}`);
    expect(statSync(state).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(state, "utf8"))).toMatchObject({ url: d.url, relay_id: 7, credential: CREDENTIAL });
    first.child.kill("SIGTERM");
    expect(await first.exit).toBe(0);

    const later = run(["--url", d.url, "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    await until(() => d.connections.length, (n) => n === 2);
    await until(() => later.output(), (o) => o.includes('online as "test-pc"'));
  });

  it("refuses plain http without the flag, the flag without one loopback origin, a wrong code, and starting unpaired", async () => {
    await built();
    const d = await new FakeDeployment().start();
    const state = path.join(mkdtempSync(path.join(tmpdir(), "relay-state-")), "state.json");
    const plain = run(["--url", d.url, "--pair", "GOOD-CODE", "--state", state]);
    expect(await plain.exit).toBe(64);
    expect(plain.output()).toContain("must be https://");
    for (const flag of [["--dev-allow-loopback"], ["--dev-allow-loopback", "http://192.168.1.5:8001"], ["--dev-allow-loopback", "http://127.0.0.1:8001/path"]]) {
      const bad = run(["--url", d.url, "--pair", "GOOD-CODE", "--state", state, ...flag]);
      expect(await bad.exit, flag.join(" ")).toBe(64);
    }
    const wrong = run(["--url", d.url, "--pair", "BAD-CODE", "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    expect(await wrong.exit).toBe(64);
    expect(wrong.output()).toContain("pairing failed (HTTP 400)");
    const unpaired = run(["--url", d.url, "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    expect(await unpaired.exit).toBe(64);
    expect(unpaired.output()).toContain("not paired");
    // Nobody answering while pairing is temporary: a supervisor may try again.
    const closed = await listen(http.createServer());
    const unreachable = run(["--url", `http://127.0.0.1:${closed}`, "--pair", "GOOD-CODE", "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await unreachable.exit).toBe(75);
  });

  it("exit codes a supervisor can act on: 77 when revoked or when the deployment refuses its protocol (with what to do), 0 when stopped", async () => {
    await built();
    const d = await new FakeDeployment().start();
    const state = path.join(mkdtempSync(path.join(tmpdir(), "relay-state-")), "state.json");
    const paired = run(["--url", d.url, "--pair", "GOOD-CODE", "--pair-only", "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    expect(await paired.exit).toBe(0);
    expect(d.connections).toHaveLength(0);
    d.refuseWith = 426;
    d.refuseBody = JSON.stringify({ code: "relay_outdated", detail: "请重新安装中继：curl -fsSL https://x/relay/install.sh | sh" });
    const outdated = run(["--url", d.url, "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    expect(await outdated.exit).toBe(77);
    expect(outdated.output()).toContain("does not accept this relay's version: 请重新安装中继：curl -fsSL https://x/relay/install.sh | sh");
    expect(d.handshakes.at(-1)).toMatchObject({ "x-relay-protocol": String(RELAY_PROTOCOL), "x-relay-version": expect.any(String) });
    d.refuseWith = 401;
    const revoked = run(["--url", d.url, "--state", state, "--dev-allow-loopback", SIM_ORIGIN]);
    expect(await revoked.exit).toBe(77);
  });

  it("speaks Chinese when the locale is Chinese (or --lang zh), and keeps a health file fresh while online", async () => {
    await built();
    const d = await new FakeDeployment().start();
    const dir = mkdtempSync(path.join(tmpdir(), "relay-state-"));
    const health = path.join(dir, "health");
    const zh = run(["--url", d.url, "--pair", "GOOD-CODE", "--state", path.join(dir, "s.json"), "--dev-allow-loopback", SIM_ORIGIN, "--health-file", health], { LANG: "zh_CN.UTF-8" });
    await until(() => zh.output(), (o) => o.includes("已在线：「test-pc」"));
    expect(zh.output()).toContain("已配对为「test-pc」");
    await until(() => existsSync(health), (x) => x);
    zh.child.kill("SIGTERM");
    expect(await zh.exit).toBe(0);
    expect(existsSync(health)).toBe(false);
    const en = run(["--url", "http://x", "--lang", "en"], { LANG: "zh_CN.UTF-8" });
    expect(await en.exit).toBe(64);
    expect(en.output()).toContain("must be https://");
  });
});

describe("the agent's small rules", () => {
  it("compares Node.js versions as numbers", () => {
    expect(atLeast("v18.3.0", MIN_NODE)).toBe(true);
    expect(atLeast("18.2.9", MIN_NODE)).toBe(false);
    expect(atLeast("v16.20.2", MIN_NODE)).toBe(false);
    expect(atLeast("v22.11.0", MIN_NODE)).toBe(true);
    expect(atLeast("v18.10.0", "18.3.0")).toBe(true);
  });

  it("picks its language from --lang, else the locale", () => {
    expect(langOf(undefined, { LANG: "zh_CN.UTF-8" })).toBe("zh");
    expect(langOf(undefined, { LC_ALL: "en_US.UTF-8", LANG: "zh_CN.UTF-8" })).toBe("en");
    expect(langOf(undefined, {})).toBe("en");
    expect(langOf("zh", { LANG: "en_US" })).toBe("zh");
    expect(langOf("fr", {})).toBeNull();
  });
});
