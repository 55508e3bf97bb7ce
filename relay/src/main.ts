/**
 * chaoxing-relay: the agent a student runs on their own connection (issue 14). It dials out to the
 * deployment and performs that student's Chaoxing requests, so they come from an ordinary home or campus
 * address instead of a data centre.
 *
 *   node chaoxing-relay.mjs --url https://<deployment> --pair <code>   # first start: pairs, then runs
 *   node chaoxing-relay.mjs --url https://<deployment>                 # every later start
 */
import { webcrypto } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { PAIR_PATH } from "../../src/shared/relay-wire";
import { runAgent } from "./connection";
import { nodePerform } from "./http";
import { isLoopbackHost, parseDevOrigin } from "./policy";
import type { RelayEvent } from "./session";
import { defaultStatePath, readState, writeState, type AgentState } from "./state";
import { RELAY_VERSION } from "./version";

const USAGE = `chaoxing-relay ${RELAY_VERSION}: performs your Chaoxing requests from this computer for your chaoxing-edge deployment.

  first start:  node chaoxing-relay.mjs --url https://<deployment> --pair <code>
  later:        node chaoxing-relay.mjs --url https://<deployment>

  --url URL               the deployment (the address of the dashboard)
  --pair CODE             a pairing code from the dashboard (Relay page); used once
  --name NAME             how the dashboard lists this relay (default: this computer's name)
  --state FILE            where the credential is kept (default ~/.chaoxing-relay/<host>.json,
                          or the CHAOXING_RELAY_STATE environment variable)
  --dev-allow-loopback ORIGIN
                          development only: also relay to this one origin on this machine
                          (the local simulator, e.g. http://127.0.0.1:8001), and no other port
  --quiet                 print only connection changes and errors
  --help, --version`;

// Node 18 has WebCrypto only as `crypto.webcrypto`; the protocol code uses the global one.
if (!globalThis.crypto) Object.defineProperty(globalThis, "crypto", { value: webcrypto });

const stamp = () => new Date().toLocaleTimeString("en-GB", { hour12: false });
const say = (line: string) => console.log(`${stamp()} ${line}`);

function fail(message: string): never {
  console.error(`chaoxing-relay: ${message}`);
  process.exit(1);
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

async function pair(base: string, code: string, name: string, file: string): Promise<AgentState> {
  const res = await postJson(new URL(PAIR_PATH, base), { code, name, version: RELAY_VERSION }).catch((e: Error) => fail(`cannot reach ${base}: ${e.message}`));
  if (res.status !== 201 || !res.json) fail(`pairing failed (HTTP ${res.status}): ${String(res.json?.detail ?? "no answer")}`);
  const state: AgentState = {
    url: base,
    relay_id: Number(res.json.relay_id),
    name: String(res.json.name),
    credential: String(res.json.credential),
    paired_at: new Date().toISOString(),
  };
  writeState(file, state);
  say(`paired as "${state.name}" (relay #${state.relay_id}); credential saved in ${file}`);
  say(`confirm relay #${state.relay_id} on the dashboard's Relay page ("It's mine"): until then it relays nothing`);
  return state;
}

function printEvent(e: RelayEvent): void {
  const what = e.refused ? `refused: ${e.refused}` : String(e.status);
  say(`${e.method} ${e.host}${e.path} ${what}${e.refused ? "" : ` ${e.ms} ms`}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      pair: { type: "string" },
      name: { type: "string" },
      state: { type: "string" },
      "dev-allow-loopback": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      version: { type: "boolean", default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.version) return void console.log(RELAY_VERSION);
  if (!values.url) fail(`--url is required\n\n${USAGE}`);
  let base: URL;
  try {
    base = new URL(values.url);
  } catch {
    fail(`--url ${values.url} is not a URL`);
  }
  let devOrigin: string | null = null;
  if (values["dev-allow-loopback"] !== undefined) {
    const dev = parseDevOrigin(values["dev-allow-loopback"]);
    if ("error" in dev) fail(`--dev-allow-loopback ${dev.error}`);
    devOrigin = dev.origin;
  }
  // The credential travels in the handshake: only over TLS, or to this very machine in development.
  if (base.protocol !== "https:" && !(devOrigin && base.protocol === "http:" && isLoopbackHost(base.hostname))) {
    fail("--url must be https:// (plain http only to localhost, with --dev-allow-loopback ORIGIN)");
  }
  const url = base.origin;
  const file = values.state ?? process.env.CHAOXING_RELAY_STATE ?? defaultStatePath(url);
  let state = values.pair ? null : readState(file);
  if (values.pair) state = await pair(url, values.pair.trim(), (values.name ?? hostname()).slice(0, 64), file);
  if (!state) fail(`not paired with ${url} yet (no ${file}).\nCreate a pairing code on the dashboard's Relay page and run with --pair <code>.`);
  if (state.url !== url) fail(`${file} belongs to ${state.url}; use --state to keep one file per deployment`);
  say(`chaoxing-relay ${RELAY_VERSION} → ${url} (credential in ${file})${devOrigin ? `; development: also relays to ${devOrigin}` : ""}`);

  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => stop.abort());
  const exit = await runAgent({
    url,
    credential: state.credential,
    version: RELAY_VERSION,
    policy: { devOrigin },
    perform: nodePerform(),
    log: say,
    onEvent: values.quiet ? undefined : printEvent,
    signal: stop.signal,
  });
  if (exit.reason === "refused") process.exitCode = 2;
  if (exit.reason === "replaced") process.exitCode = 3;
  // Keep-alive sockets to Chaoxing would hold the process open.
  process.exit();
}

await main();
