#!/usr/bin/env node
// `npm run drill:restore [-- --port N]`: the backup and the restore of docs/operations.md, rehearsed on this
// machine on a persisted local state. A deployment with an admin and a task in the middle of a video is
// backed up the two ways the guide says (`wrangler d1 export` for D1, `GET /api/admin/export` for what only
// the objects hold), then lost; a new state gets the D1 export (`wrangler d1 execute --file`) and the
// object export (`POST /api/admin/import`), and the drill checks that the user signs in with their
// password, sees their task, and that the task goes on to complete. Runs this branch's last commit.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { appArgs, call, say, simArgs, startWrangler, stop, stopAll, userWithCourses, waitFinished, waitUp, wranglerRun } from "./drill-lib.mjs";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const port = Number(args.includes("--port") ? args[args.indexOf("--port") + 1] : (process.env.DRILL_PORT ?? "8965"));
const app = `http://127.0.0.1:${port}`;
const sim = `http://127.0.0.1:${port + 1}`;
const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
const work = mkdtempSync(path.join(tmpdir(), "cx-restore-"));
const tree = path.join(work, `release-${head}`);
// `wrangler d1 export --local` reads the checkout's own local state (it takes no --persist-to).
const before = path.join(tree, ".wrangler", "state");
const after = path.join(work, "state-after");
const backup = { d1: path.join(work, "backup-d1.sql"), restore: path.join(work, "restore-d1.sql"), objects: path.join(work, "backup-objects.json") };

let failed = false;
try {
  execFileSync("git", ["worktree", "add", "--detach", tree, head], { cwd: root, stdio: "pipe" });
  symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));
  mkdirSync(path.join(tree, "web", "dist"), { recursive: true });
  await waitUp(`${sim}/__sim/state`, startWrangler(tree, simArgs(port + 1), "simulator"));
  wranglerRun(tree, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", before]);
  let appProc = startWrangler(tree, appArgs(port, before, sim), "app");
  await waitUp(`${app}/api/health`, appProc);
  say(`${head} up on ${app}, state in ${before}`);

  const admin = await userWithCourses(app, sim, "admin", []);
  wranglerRun(tree, ["d1", "execute", "DB", "--local", "--persist-to", before, "--command", `UPDATE users SET role = 'admin' WHERE id = ${admin.user.id}`]);
  const courses = [{ name: "恢复演练", teacher: "甲", chapters: [{ title: "1.1", tabs: [[{ type: "video", name: "r1.mp4", duration: 120 }, { type: "document", name: "r1.pdf" }]] }] }];
  const student = await userWithCourses(app, sim, "student", courses);
  const course = student.account.courses[0];
  const task = await call("POST", `${app}/api/tasks`, { name: "恢复演练任务", course_ids: [course.courseId], speed: 1 }, student.token);
  await call("POST", `${app}/api/tasks/${task.id}/start`, undefined, student.token);
  for (let i = 0; (await call("GET", `${app}/api/tasks/${task.id}`, undefined, student.token)).item_current_time < 30; i++) {
    if (i > 180) throw new Error("the video never got going");
    await new Promise((r) => setTimeout(r, 1000));
  }

  const pages = [];
  for (let after_user = 0; after_user !== null; ) {
    const page = await call("GET", `${app}/api/admin/export?after_user=${after_user}&limit=50`, undefined, admin.token);
    pages.push(page);
    after_user = page.next_after_user;
  }
  writeFileSync(backup.objects, JSON.stringify(pages, null, 1));
  say(`backup: GET /api/admin/export, ${pages.length} page(s), ${pages.flatMap((p) => p.tasks).length} task record(s) → ${backup.objects}`);
  // Locally the export opens the database files itself: not beside a running `wrangler dev` (a deployed
  // D1 is exported live).
  await stop(appProc);
  say(`backup: npx wrangler d1 export DB --local --output ${backup.d1}`);
  wranglerRun(tree, ["d1", "export", "DB", "--local", "--output", backup.d1]);
  say("the deployment is lost: its state is deleted");
  rmSync(before, { recursive: true, force: true });
  say(`restore: node scripts/d1-import-order.mjs ${backup.d1} ${backup.restore} (tables before rows: workers-sdk#5683)`);
  execFileSync(process.execPath, [path.join(tree, "scripts", "d1-import-order.mjs"), backup.d1, backup.restore], { stdio: "pipe" });
  say(`restore: npx wrangler d1 execute DB --local --persist-to ${after} --file ${backup.restore}`);
  wranglerRun(tree, ["d1", "execute", "DB", "--local", "--persist-to", after, "--file", backup.restore, "--yes"]);
  const pending = wranglerRun(tree, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", after]);
  say(`restore: migrations after the import: ${/No migrations to apply/.test(pending) ? "none to apply" : pending.trim().split("\n").at(-1)}`);
  appProc = startWrangler(tree, appArgs(port, after, sim), "app (restored)");
  await waitUp(`${app}/api/health`, appProc);
  const signedIn = await call("POST", `${app}/api/auth/login`, { username: student.username, password: "password123" });
  say(`restored: ${student.username} signs in with their password; their task reads ${(await call("GET", `${app}/api/tasks/${task.id}`, undefined, signedIn.access_token)).status}`);
  const adminAgain = await call("POST", `${app}/api/auth/login`, { username: admin.username, password: "password123" });
  const imported = await call("POST", `${app}/api/admin/import`, { tasks: pages.flatMap((p) => p.tasks).map((t) => ({ id: t.id, record: t.record })) }, adminAgain.access_token);
  say(`restore: POST /api/admin/import → restored ${JSON.stringify(imported.restored)}, skipped ${JSON.stringify(imported.skipped)}`);

  const [done] = await waitFinished(app, [{ id: task.id, token: signedIn.access_token }], 600);
  const platform = (await fetch(`${sim}/__sim/state`).then((r) => r.json())).accounts.find((a) => a.phone === student.account.phone).courses[0];
  say(`after the restore: #${done.id} ${done.status} progress ${done.progress}, studied ${done.study_seconds} s; the platform: ${platform.finished}/${platform.total} task points finished`);
  failed = done.status !== "completed" || done.progress !== 100 || platform.finished !== platform.total;
  say(failed ? "FAILED" : "the restored deployment completed the task");
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await stopAll();
  if (existsSync(tree)) execFileSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "pipe" });
  if (!args.includes("--keep")) rmSync(work, { recursive: true, force: true });
  else console.log(`kept in ${work}`);
}
process.exit(failed ? 1 : 0);
