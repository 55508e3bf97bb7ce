#!/usr/bin/env node
// `npm run drill:upgrade [-- --from <commit> --to <commit> --port N]`: the upgrade an operator makes,
// rehearsed on this machine (docs/operations.md "Upgrading"). Runs the previous release (default: the one
// named below) from its own checkout with a persisted local state, starts tasks on it against the
// simulator, stops it while videos are playing and one task waits for its account's video, then upgrades
// in place the way the README says (migrations first, then the new code on the same state: by default
// this branch's last commit, checked out too, so edits made meanwhile do not reload it) and waits until
// every task has completed. The simulator, which stands for Chaoxing, keeps running through the upgrade,
// as the platform does. Exits 0 when every task completed with its task points finished on the platform.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { appArgs, call, say, simArgs, startWrangler, stop, stopAll, userWithCourses, waitFinished, waitUp, wranglerRun } from "./drill-lib.mjs";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
/** The release before this one (CHANGELOG.md). */
const short = (ref) => execFileSync("git", ["rev-parse", "--short", ref], { cwd: root, encoding: "utf8" }).trim();
const from = short(opt("--from", "05723ba"));
const to = short(opt("--to", "HEAD"));
const port = Number(opt("--port", process.env.DRILL_PORT ?? "8960"));
const app = `http://127.0.0.1:${port}`;
const sim = `http://127.0.0.1:${port + 1}`;
const work = mkdtempSync(path.join(tmpdir(), "cx-drill-"));
const state = path.join(work, "state");
const trees = { [from]: path.join(work, `release-${from}`), [to]: path.join(work, `release-${to}`) };
const migrate = (tree) => wranglerRun(tree, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);

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
  for (const [ref, tree] of Object.entries(trees)) {
    say(`release ${ref} into ${tree}`);
    execFileSync("git", ["worktree", "add", "--detach", tree, ref], { cwd: root, stdio: "pipe" });
    const sameLock = readFileSync(path.join(tree, "package-lock.json"), "utf8") === readFileSync(path.join(root, "package-lock.json"), "utf8");
    if (sameLock) symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));
    else execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: tree, stdio: "inherit" });
    // The worker needs its assets folder; the drill uses the API only.
    mkdirSync(path.join(tree, "web", "dist"), { recursive: true });
  }
  await waitUp(`${sim}/__sim/state`, startWrangler(trees[from], simArgs(port + 1), "simulator"));
  migrate(trees[from]);
  let appProc = startWrangler(trees[from], appArgs(port, state, sim), `app ${from}`);
  await waitUp(`${app}/api/health`, appProc);
  say(`release ${from} up on ${app}, state in ${state}`);

  const tasks = [];
  for (const [key, courses] of Object.entries(COURSES)) {
    const { token, account } = await userWithCourses(app, sim, `drill${key}`, courses);
    for (const c of account.courses) {
      const t = await call("POST", `${app}/api/tasks`, { name: c.name, course_ids: [c.courseId], speed: 2 }, token);
      await call("POST", `${app}/api/tasks/${t.id}/start`, undefined, token);
      tasks.push({ id: t.id, token, phone: account.phone, courseId: c.courseId });
    }
  }
  // Upgrade while videos play and a task waits for its account's video.
  for (let i = 0; ; i++) {
    const now = await Promise.all(tasks.map((t) => call("GET", `${app}/api/tasks/${t.id}`, undefined, t.token)));
    if (now.filter((l) => l.status === "running" && l.item_current_time >= 20).length >= 2 && now.some((l) => l.reason === "waiting_for_account")) {
      say(`before the upgrade: ${now.map((l) => `#${l.id} ${l.status}${l.reason ? `/${l.reason}` : ""} ${l.item_current_time}s`).join(", ")}`);
      break;
    }
    if (i > 240) throw new Error(`the tasks never reached the upgrade point: ${JSON.stringify(now.map((l) => [l.id, l.status, l.reason, l.item_current_time]))}`);
    await new Promise((r) => setTimeout(r, 1000));
  }

  say(`stopping ${from}`);
  await stop(appProc);
  say(`in place: the migrations of ${to}, then ${to} on the same state`);
  migrate(trees[to]);
  appProc = startWrangler(trees[to], appArgs(port, state, sim), `app ${to}`);
  await waitUp(`${app}/api/health`, appProc);
  say(`release ${to} up; health: ${JSON.stringify(await call("GET", `${app}/api/health`))}`);

  const final = await waitFinished(app, tasks, 900);
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
  await stopAll();
  for (const tree of Object.values(trees)) if (existsSync(tree)) execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "pipe" });
  if (!args.includes("--keep")) rmSync(work, { recursive: true, force: true });
  else console.log(`state kept in ${state}`);
}
process.exit(failed ? 1 : 0);
