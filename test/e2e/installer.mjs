// Part of `npm run test:e2e`: the Linux one-line installer run for real against a local deployment
// (`npm run dev` on free ports, the simulator as Chaoxing), as a student would from the Relay page: the
// line from the pairing code's `install_commands.sh` (curl the deployment's install.sh, piped to sh),
// in a fresh HOME, with `--no-service` so no service is set up on the machine running the test. It must
// check the agent, pair, come online, and relay a Chaoxing call (a refreshed course list).
// `--base URL` reuses a running `npm run dev`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startApp } from "./harness.mjs";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

console.log("Installer: the Linux one-line install against a local deployment");
const app = arg("--base") ? { base: arg("--base"), stop: () => undefined } : await startApp();
const home = mkdtempSync(path.join(tmpdir(), "relay-install-home-"));
let passed = 0;
let failed = 0;
const check = (ok, what, detail = "") => {
  if (ok) passed++;
  else failed++;
  console.log(`  ${ok ? "✓" : "✗"} ${what}${ok || !detail ? "" : `\n      ${detail}`}`);
  return ok;
};

const { base } = app;
const call = async (method, p, token, body) => {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text };
};

try {
  const user = `inst${Date.now().toString(36)}`;
  const reg = await call("POST", "/api/auth/register", null, { username: user, email: `${user}@example.com`, password: "installer-pass-1" });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
  const token = reg.json.access_token;
  const egress = await call("PUT", "/api/relays/egress", token, { egress: "relay" });
  if (egress.status !== 200) throw new Error(`egress: ${egress.status} ${egress.text}`);
  // The simulator's demo account, so a relayed call has something to answer.
  const cfg = await call("PUT", "/api/user/config", token, { cx_username: "13800138000", cx_password: "your_password" });
  if (cfg.status !== 200) throw new Error(`config: ${cfg.status} ${cfg.text}`);
  const code = await call("POST", "/api/relays/pairing-code", token);
  if (code.status !== 201) throw new Error(`pairing code: ${code.status} ${code.text}`);
  const line = code.json.install_commands.sh;
  check(/^curl -fsSL \S+\/relay\/install\.sh \| sh -s -- --url \S+ --pair \S+/.test(line), "the pairing code carries the one-line install", line);

  // The line exactly as shown, plus --no-service: a test must not install a service on its machine.
  const out = [];
  const install = spawn("sh", ["-c", `${line} --no-service`], { env: { ...process.env, HOME: home, LANG: "en_US.UTF-8" }, stdio: ["ignore", "pipe", "pipe"] });
  install.stdout.on("data", (b) => out.push(b.toString()));
  install.stderr.on("data", (b) => out.push(b.toString()));
  const exit = await new Promise((r) => install.on("exit", r));
  const said = out.join("");
  check(exit === 0, "the installer exits 0", said);
  check(/relay \S+ verified \(sha256 [0-9a-f]{64}\)/.test(said), "it checked the agent's checksum", said);
  check(said.includes("paired as"), "it paired with the code", said);

  let online = false;
  for (let i = 0; i < 60 && !online; i++) {
    const r = await call("GET", "/api/relays", token);
    online = r.json?.relays?.some((x) => x.online) ?? false;
    if (!online) await sleep(500);
  }
  check(online, "the relay it started comes online", readLog());

  // A new relay carries nothing until its owner confirms it (the Relay page's "It's mine"): the one the
  // installer says it paired as.
  const relayNo = Number(/relay #(\d+)/.exec(said)?.[1]);
  const before = await call("GET", "/api/courses/list?refresh=true", token);
  check(before.status === 502, `unconfirmed, it relays nothing (course list ${before.status})`, before.text.slice(0, 300));
  const confirmed = await call("POST", `/api/relays/${relayNo}/confirm`, token);
  check(confirmed.status === 200, `its owner confirms relay #${relayNo}`, confirmed.text.slice(0, 300));

  const list = await call("GET", "/api/courses/list?refresh=true", token);
  const relays = await call("GET", "/api/relays", token);
  const relayed = relays.json?.relays?.[0]?.requests_today ?? 0;
  check(list.status === 200 && relayed > 0, `a Chaoxing call goes through it (course list ${list.status}, ${relayed} requests relayed)`, list.text.slice(0, 300));
} catch (e) {
  failed++;
  console.log(`  ✗ ${e?.stack ?? e}`);
} finally {
  stopAgent();
  await app.stop();
}

function readLog() {
  try {
    return readFileSync(path.join(home, ".chaoxing-relay", "relay.log"), "utf8").slice(-1500);
  } catch {
    return "(no log)";
  }
}

/** The installer's run.sh loop, by the pid it wrote: its trap stops the agent it started. */
function stopAgent() {
  try {
    process.kill(Number(readFileSync(path.join(home, ".chaoxing-relay", "relay.pid"), "utf8")), "SIGTERM");
  } catch {
    /* never started */
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
