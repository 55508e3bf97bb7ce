// What the operator drills share (scripts/drill-upgrade.mjs, scripts/drill-restore.mjs): wrangler
// processes started from a checkout and stopped by their own id, an HTTP helper, and the app's arguments
// against the simulator with a persisted state.
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { devVarArgs } from "./dev-vars.mjs";

export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" };
// The same secrets on both sides of an upgrade or a restore, as a deployment keeps its own.
const SECRETS = { JWT_SECRET: "drill-jwt-secret-0123456789abcdef0123456789", PASSWORD_PEPPER: "drill-pepper", CX_ENCRYPTION_KEY: "ZHJpbGwtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMtb2s=" };

const started = Date.now();
export const say = (s) => console.log(`[drill +${Math.round((Date.now() - started) / 1000)}s] ${s}`);

const children = new Set();

/** `wrangler <args>` in `cwd`, output kept for the error message. */
export function startWrangler(cwd, args, label) {
  const p = spawn(path.join(cwd, "node_modules", ".bin", "wrangler"), args, { cwd, env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (b) => (tail = (tail + b.toString()).slice(-4000));
  p.stdout.on("data", keep);
  p.stderr.on("data", keep);
  Object.assign(p, { tail: () => tail, label });
  children.add(p);
  p.on("exit", () => children.delete(p));
  return p;
}

/** A wrangler command that finishes (d1 migrations, execute, export). */
export const wranglerRun = (cwd, args) => execFileSync(path.join(cwd, "node_modules", ".bin", "wrangler"), args, { cwd, env: wranglerEnv, encoding: "utf8", stdio: "pipe" });

export async function stop(p) {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once("exit", r));
  p.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (p.exitCode === null) p.kill("SIGKILL");
}

export async function stopAll() {
  for (const p of [...children]) await stop(p);
}

export async function waitUp(url, p) {
  for (let i = 0; i < 240; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (p.exitCode !== null) throw new Error(`${p.label} exited:\n${p.tail()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${p.label} did not answer ${url}:\n${p.tail()}`);
}

export async function call(method, url, body, token) {
  const res = await fetch(url, {
    method,
    headers: { ...(body ? { "Content-Type": "application/json" } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The simulator on `port` (its state is in memory: it stands for Chaoxing, which outlives our deploys). */
export const simArgs = (port) => ["dev", "-c", "wrangler.sim.toml", "--port", String(port), "--inspector-port", String(port + 1229), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];

/** The app on `port` with its state in `state`, its Chaoxing the simulator at `sim`. */
export const appArgs = (port, state, sim) => [
  "dev", "--port", String(port), "--inspector-port", String(port + 1229), "--ip", "127.0.0.1", "--show-interactive-dev-session=false", "--persist-to", state,
  ...["CX_PASSPORT_URL", "CX_MOOC2_URL", "CX_MOOC1_URL", "CX_MOOC1_API_URL"].flatMap((k) => ["--var", `${k}:${sim}`]),
  "--var", `APP_URL:http://127.0.0.1:${port}`, ...devVarArgs(), ...Object.entries(SECRETS).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
];

/** A user with the given simulator courses on a fresh simulator account; returns the token and the account. */
export async function userWithCourses(app, sim, prefix, courses) {
  const account = await call("POST", `${sim}/__sim/accounts`, { courses });
  const username = `${prefix}${Date.now().toString(36)}`;
  const { access_token: token, user } = await call("POST", `${app}/api/auth/register`, { username, email: `${username}@example.com`, password: "password123" });
  await call("PUT", `${app}/api/user/config`, { cx_username: account.phone, cx_password: account.password }, token);
  return { token, user, username, account };
}

/** Polls until every task is out of running/pending (or the deadline); returns their last states. */
export async function waitFinished(app, tasks, seconds) {
  for (let i = 0; ; i++) {
    const now = await Promise.all(tasks.map((t) => call("GET", `${app}/api/tasks/${t.id}`, undefined, t.token)));
    if (now.every((l) => l.status !== "running" && l.status !== "pending")) return now;
    if (i > seconds) throw new Error(`not finished after ${seconds} s: ${JSON.stringify(now.map((l) => [l.id, l.status, l.reason]))}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
