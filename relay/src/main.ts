/**
 * chaoxing-relay: the agent a student runs on their own connection (README "Run the relay"). It dials out
 * to the deployment and performs that student's Chaoxing requests, so they come from an ordinary home or
 * campus address instead of a data centre.
 *
 *   node chaoxing-relay.mjs --url https://<deployment> --pair <code>   # first start: pairs, then runs
 *   node chaoxing-relay.mjs --url https://<deployment>                 # every later start
 *
 * Exit codes are for supervisors (version.ts `EXIT`). Node built-ins that older Node.js lacks are read
 * from their namespace, so an old Node.js still loads this file and is told what to install.
 */
import * as crypto from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { hostname } from "node:os";
import * as util from "node:util";
import { PAIR_PATH } from "../../src/shared/relay-wire";
import { runAgent } from "./connection";
import { nodePerform } from "./http";
import { langOf, messages, type Say } from "./messages";
import { isLoopbackHost, parseDevOrigin } from "./policy";
import type { RelayEvent } from "./session";
import { defaultStatePath, readState, writeState, type AgentState } from "./state";
import { atLeast, EXIT, MIN_NODE, RELAY_VERSION } from "./version";

const stamp = () => new Date().toLocaleTimeString("en-GB", { hour12: false });
const print = (line: string) => console.log(`${stamp()} ${line}`);

function fail(message: string, code: number): never {
  console.error(`chaoxing-relay: ${message}`);
  process.exit(code);
}

/** POST JSON with node:http(s): Node 18's fetch prints an experimental warning. */
function postJson(url: URL, body: unknown): Promise<{ status: number; json: Record<string, unknown> | null }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request(url, { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data), "User-Agent": `chaoxing-relay/${RELAY_VERSION}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.setTimeout(20_000, () => req.destroy(new Error("no answer in 20 s")));
    req.on("error", reject);
    req.end(data);
  });
}

async function pair(say: Say, base: string, code: string, name: string, file: string): Promise<AgentState> {
  const res = await postJson(new URL(PAIR_PATH, base), { code, name, version: RELAY_VERSION }).catch((e: Error) =>
    fail(say("cannotReach", { url: base, error: e.message }), EXIT.tempfail),
  );
  if (res.status >= 500 || res.status === 429) fail(say("pairFailed", { status: res.status, detail: String(res.json?.detail ?? "—") }), EXIT.tempfail);
  if (res.status !== 201 || !res.json) fail(say("pairFailed", { status: res.status, detail: String(res.json?.detail ?? "—") }), EXIT.usage);
  const state: AgentState = {
    url: base,
    relay_id: Number(res.json.relay_id),
    name: String(res.json.name),
    credential: String(res.json.credential),
    paired_at: new Date().toISOString(),
  };
  writeState(file, state);
  print(say("paired", { name: state.name, id: state.relay_id, file }));
  print(say("confirmFirst", { id: state.relay_id }));
  return state;
}

function printEvent(e: RelayEvent): void {
  const what = e.refused ? `refused: ${e.refused}` : String(e.status);
  print(`${e.method} ${e.host}${e.path} ${what}${e.refused ? "" : ` ${e.ms} ms`}`);
}

/** The health file's mtime is the last sign of life while connected (a container's HEALTHCHECK reads it). */
function healthFile(file: string | undefined) {
  return {
    alive: () => {
      if (file) writeFileSync(file, `${new Date().toISOString()}\n`);
    },
    gone: () => {
      if (file) rmSync(file, { force: true });
    },
  };
}

async function main(): Promise<void> {
  const parsed = (() => {
    try {
      return util.parseArgs({
        options: {
          url: { type: "string" },
          pair: { type: "string" },
          "pair-only": { type: "boolean", default: false },
          name: { type: "string" },
          state: { type: "string" },
          "health-file": { type: "string" },
          lang: { type: "string" },
          "dev-allow-loopback": { type: "string" },
          quiet: { type: "boolean", default: false },
          help: { type: "boolean", default: false },
          version: { type: "boolean", default: false },
        },
      });
    } catch (e) {
      return fail(`${(e as Error).message}\n\n${messages(langOf(undefined, process.env) ?? "en")("usage", { version: RELAY_VERSION })}`, EXIT.usage);
    }
  })();
  const { values } = parsed;
  const lang = langOf(values.lang, process.env);
  if (!lang) fail(messages("en")("badLang"), EXIT.usage);
  const say = messages(lang);
  const usage = say("usage", { version: RELAY_VERSION });
  if (values.help) return void console.log(usage);
  if (values.version) return void console.log(RELAY_VERSION);
  if (!values.url) fail(`${say("needUrl")}\n\n${usage}`, EXIT.usage);
  let base: URL;
  try {
    base = new URL(values.url);
  } catch {
    fail(say("badUrl", { url: values.url }), EXIT.usage);
  }
  let devOrigin: string | null = null;
  if (values["dev-allow-loopback"] !== undefined) {
    const dev = parseDevOrigin(values["dev-allow-loopback"]);
    if ("error" in dev) fail(`--dev-allow-loopback ${dev.error}`, EXIT.usage);
    devOrigin = dev.origin;
  }
  // The credential travels in the handshake: only over TLS, or to this very machine in development.
  if (base.protocol !== "https:" && !(devOrigin && base.protocol === "http:" && isLoopbackHost(base.hostname))) fail(say("httpsOnly"), EXIT.usage);
  const url = base.origin;
  const file = values.state ?? process.env.CHAOXING_RELAY_STATE ?? defaultStatePath(url);
  let state = values.pair ? null : readState(file);
  if (values.pair) state = await pair(say, url, values.pair.trim(), (values.name ?? hostname()).slice(0, 64), file);
  if (!state) fail(say("notPaired", { url, file }), EXIT.usage);
  if (state.url !== url) fail(say("otherDeployment", { file, url: state.url }), EXIT.usage);
  if (values["pair-only"]) return;
  print(`${say("starting", { version: RELAY_VERSION, url, file })}${devOrigin ? say("devLoopback", { origin: devOrigin }) : ""}`);

  const health = healthFile(values["health-file"] ?? process.env.CHAOXING_RELAY_HEALTH);
  health.gone();
  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => stop.abort());
  const exit = await runAgent({
    url,
    credential: state.credential,
    version: RELAY_VERSION,
    policy: { devOrigin },
    perform: nodePerform(),
    log: print,
    say,
    onEvent: values.quiet ? undefined : printEvent,
    onOnline: health.alive,
    onAlive: health.alive,
    onOffline: health.gone,
    signal: stop.signal,
  });
  health.gone();
  process.exitCode = exit.reason === "stopped" ? EXIT.stopped : EXIT.noperm;
  // Keep-alive sockets to Chaoxing would hold the process open.
  process.exit();
}

// Before anything else: an old Node.js gets one clear sentence and a code that says "do not restart".
if (!atLeast(process.versions.node, MIN_NODE)) {
  fail(messages(langOf(undefined, process.env) ?? "en")("nodeTooOld", { min: MIN_NODE, have: process.versions.node }), EXIT.noperm);
}
// Node 18 has WebCrypto only as `crypto.webcrypto`; the protocol code uses the global one.
if (!globalThis.crypto) Object.defineProperty(globalThis, "crypto", { value: crypto.webcrypto });
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
