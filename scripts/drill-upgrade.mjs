#!/usr/bin/env node
// `npm run drill:upgrade [-- --from <commit> --to <commit>]`: the upgrade an operator makes, rehearsed on
// this machine (docs/operations.md "Upgrading"). Runs the previous release (default: the one named below)
// from its own checkout with a persisted local state, starts tasks on it against the simulator, stops it while videos
// are playing and one task waits for its account's video, then upgrades in place the way the README says
// (migrations first, then the new code on the same state: by default this branch's last commit, checked out
// too, so edits made meanwhile do not reload it) and waits until every task has completed.
// The simulator, which stands for Chaoxing, keeps running through the upgrade, as the platform does.
// Prints what it did and exits 0 when every task completed with its videos passed on the platform.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { devVarArgs } from "./dev-vars.mjs";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
/** The release before this one (CHANGELOG.md). */
const from = opt("--from", "05723ba");
const to = execFileSync("git", ["rev-parse", "--short", opt("--to", "HEAD")], { cwd: root, encoding: "utf8" }).trim();
const port = Number(opt("--port", process.env.DRILL_PORT ?? "8960"));
const simPort = port + 1;
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" };
const work = mkdtempSync(path.join(tmpdir(), "cx-drill-"));
const state = path.join(work, "state");
const oldTree = path.join(work, `release-${from}`);
const newTree = path.join(work, `release-${to}`);
const app = `http://127.0.0.1:${port}`;
const sim = `http://127.0.0.1:${simPort}`;
// The same secrets on both sides of the upgrade, as a deployment keeps its own.
const SECRETS = { JWT_SECRET: "drill-jwt-secret-0123456789abcdef0123456789", PASSWORD_PEPPER: "drill-pepper", CX_ENCRYPTION_KEY: "ZHJpbGwtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMtb2s=" };
const started = Date.now();
const say = (s) => console.log(`[drill +${Math.round((Date.now() - started) / 1000)}s] ${s}`);

const children = new Set();
function start(cwd, wranglerArgs, name) {
  const wrangler = path.join(cwd, "node_modules", ".bin", "wrangler");
  const p = spawn(wrangler, wranglerArgs, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (b) => (tail = (tail + b.toString()).slice(-4000));
  p.stdout.on("data", keep);
  p.stderr.on("data", keep);
  p.tail = () => tail;
  p.label = name;
  children.add(p);
  p.on("exit", () => children.delete(p));
  return p;
}
async function stop(p) {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once("exit", r));
  p.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (p.exitCode === null) p.kill("SIGKILL");
}
async function waitUp(url, p) {
  for (let i = 0; i < 240; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (p.exitCode !== null) throw new Error(`${p.label} exited:\n${p.tail()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${p.label} did not answer ${url}:\n${p.tail()}`);
}
async function call(method, url, body, token) {
  const res = await fetch(url, {
    method,
    headers: { ...(body ? { "Content-Type": "application/json" } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
const appArgs = (p) => [
  "dev", "--port", String(p), "--inspector-port", String(p + 1229), "--ip", "127.0.0.1", "--show-interactive-dev-session=false", "--persist-to", state,
  ...["CX_PASSPORT_URL", "CX_MOOC2_URL", "CX_MOOC1_URL", "CX_MOOC1_API_URL"].flatMap((k) => ["--var", `${k}:${sim}`]),
  "--var", `APP_URL:${app}`, ...devVarArgs(), ...Object.entries(SECRETS).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
];
const migrate = (cwd) => execFileSync(path.join(cwd, "node_modules", ".bin", "wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd, env, stdio: "pipe" });

/** Two users, three tasks: two on one Chaoxing account (one video at a time: the second waits), one on another. */
const COURSES = {
  a: [
    { name: "演练课程一", teacher: "甲", chapters: [{ title: "1.1", tabs: [[{ type: "video", name: "a1.mp4", duration: 90 }, { type: "document", name: "a1.pdf" }]] }, { title: "1.2", tabs: [[{ type: "video", name: "a2.mp4", duration: 60 }]] }] },
    { name: "演练课程二", teacher: "乙", chapters: [{ title: "2.1", tabs: [[{ type: "video", name: "b1.mp4", duration: 60 }]] }] },
  ],
  b: [{ name: "演练课程三", teacher: "丙", fastPlayback: false, chapters: [{ title: "3.1", tabs: [[{ type: "video", name: "c1.mp4", duration: 120 }]] }] }],
};

let failed = false;
try {
  for (const [ref, tree] of [[from, oldTree], [to, newTree]]) {
    say(`release ${ref} into ${tree}`);
    execFileSync("git", ["worktree", "add", "--detach", tree, ref], { cwd: root, stdio: "pipe" });
    const sameLock = readFileSync(path.join(tree, "package-lock.json"), "utf8") === readFileSync(path.join(root, "package-lock.json"), "utf8");
    if (sameLock) symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));
    else execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: tree, stdio: "inherit" });
    // The worker needs its assets folder; the drill uses the API only.
    mkdirSync(path.join(tree, "web", "dist"), { recursive: true });
  }

  const simProc = start(oldTree, ["dev", "-c", "wrangler.sim.toml", "--port", String(simPort), "--inspector-port", String(simPort + 1229), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"], "simulator");
  await waitUp(`${sim}/__sim/state`, simProc);
  migrate(oldTree);
  let appProc = start(oldTree, appArgs(port), `app ${from}`);
  await waitUp(`${app}/api/health`, appProc);
  say(`release ${from} up on ${app}, state in ${state}`);

  const tasks = [];
  for (const [key, courses] of Object.entries(COURSES)) {
    const account = await call("POST", `${sim}/__sim/accounts`, { courses });
    const username = `drill${key}${Date.now().toString(36)}`;
    const { access_token: token } = await call("POST", `${app}/api/auth/register`, { username, email: `${username}@example.com`, password: "password123" });
    await call("PUT", `${app}/api/user/config`, { cx_username: account.phone, cx_password: account.password }, token);
    for (const c of account.courses) {
      const t = await call("POST", `${app}/api/tasks`, { name: c.name, course_ids: [c.courseId], speed: 2 }, token);
      await call("POST", `${app}/api/tasks/${t.id}/start`, undefined, token);
      tasks.push({ id: t.id, token, phone: account.phone, courseId: c.courseId });
    }
  }
  const live = (t) => call("GET", `${app}/api/tasks/${t.id}`, undefined, t.token);
  // Upgrade while videos play and a task waits for its account's video.
  for (let i = 0; ; i++) {
    const now = await Promise.all(tasks.map(live));
    const playing = now.filter((l) => l.status === "running" && l.item_current_time >= 20).length;
    if (playing >= 2 && now.some((l) => l.reason === "waiting_for_account")) {
      say(`before the upgrade: ${now.map((l) => `#${l.id} ${l.status}${l.reason ? `/${l.reason}` : ""} ${l.item_current_time}s`).join(", ")}`);
      break;
    }
    if (i > 240) throw new Error(`the tasks never reached the upgrade point: ${JSON.stringify(now.map((l) => [l.id, l.status, l.reason, l.item_current_time]))}`);
    await new Promise((r) => setTimeout(r, 1000));
  }

  say(`stopping ${from}`);
  await stop(appProc);
  say("upgrading in place: migrations of this release, then this release on the same state");
  migrate(newTree);
  appProc = start(newTree, appArgs(port), `app ${to}`);
  await waitUp(`${app}/api/health`, appProc);
  say(`release ${to} up; health: ${JSON.stringify(await call("GET", `${app}/api/health`))}`);

  let final;
  for (let i = 0; ; i++) {
    final = await Promise.all(tasks.map(live));
    if (final.every((l) => l.status !== "running" && l.status !== "pending")) break;
    if (i > 900) throw new Error(`not finished after 15 minutes: ${JSON.stringify(final.map((l) => [l.id, l.status, l.reason]))}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  // The platform's own count of each course's finished task points.
  const snapshot = await fetch(`${sim}/__sim/state`).then((r) => r.json());
  for (const [i, l] of final.entries()) {
    const t = tasks[i];
    const course = snapshot.accounts.find((a) => a.phone === t.phone)?.courses.find((c) => c.courseId === t.courseId);
    say(`after: #${l.id} ${l.status}${l.reason ? `/${l.reason}` : ""} progress ${l.progress}, studied ${l.study_seconds} s; the platform: ${course ? `${course.finished}/${course.total}` : "no such course"} task points finished`);
    if (l.status !== "completed" || l.progress !== 100 || l.left_for_user.length || !course || course.finished !== course.total) failed = true;
  }
  say(failed ? "FAILED: not every task completed" : `every task completed after the upgrade from ${from} to ${to}`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  for (const p of [...children]) await stop(p);
  for (const tree of [oldTree, newTree]) if (existsSync(tree)) execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "pipe" });
  if (!args.includes("--keep")) rmSync(work, { recursive: true, force: true });
  else console.log(`state kept in ${state}`);
}
process.exit(failed ? 1 : 0);
