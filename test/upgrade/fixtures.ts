import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { clock } from "../../shared/clock";
import type { JobProgress } from "../../simulator/src/state";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, taskLive } from "../helpers/drive";
import { installSimulator, type InstalledSimulator } from "../helpers/sim";
import { FIXTURE_COURSES, FIXTURE_PHONE, type ObjectDump } from "../fixtures/records/capture/common";

/** What scripts/record-fixtures.mjs kept of a release (test/fixtures/records/<release>/tasks.json). */
export interface TasksFixture {
  release: string;
  commit: string;
  capturedAt: number;
  user: { id: number; username: string };
  account: { phone: string; password: string };
  rows: { id: number; name: string; status: string; reason: string | null; progress: number; start_time: string | null; end_time: string | null; error_msg: string | null }[];
  roles: { completed: number; paused: number; running: number; waiting: number };
  objects: Record<"TASKS" | "HUBS" | "ACCOUNTS", ObjectDump[]>;
  platform: { uid: string; progress: [string, Partial<JobProgress> & { firstReportAt: number | null }][]; done: string[]; visited: string[] };
}

type Stored = { courseIds?: string[]; engine?: { courseIds: string[]; speed: number } | null; speed?: number | null };

/**
 * The deployment a release left behind, rebuilt here: the same user, account and tasks in D1 (made
 * through the API, in the order the capture made them, so the ids are the same), the platform's memory of
 * the account, and every object's storage and alarm exactly as that release wrote them; the clock where
 * the capture stopped. Then the objects are dropped from memory, as a deploy does.
 */
export async function restoreDeployment(sim: InstalledSimulator, fx: TasksFixture): Promise<string> {
  clock.setOffset(fx.capturedAt - Date.now());
  const account = sim.control.createAccount({ phone: FIXTURE_PHONE, courses: FIXTURE_COURSES });
  expect(account.uid).toBe(fx.platform.uid);
  for (const [key, p] of fx.platform.progress) {
    // The platform keeps its memory across our upgrade; a capture from before the simulator counted
    // watched time has the real time since the first report instead.
    sim.state.progress.set(key, {
      lastReportAt: null, watchedS: p.firstReportAt === null ? 0 : (fx.capturedAt - p.firstReportAt) / 1000, reports: 0, passed: false, basePlayS: 0, playTimeS: 0,
      ...p,
    } as JobProgress);
  }
  for (const k of fx.platform.done) sim.state.done.add(k);
  for (const k of fx.platform.visited) sim.state.visited.add(k);

  const { token, user } = await registerUser("fx");
  expect(user.id).toBe(fx.user.id);
  // The per-phone account object of that release first: the user's binding takes it over at its first load.
  for (const d of fx.objects.ACCOUNTS) await writeStorage(env.ACCOUNTS, d);
  expect((await api("PUT", "/api/user/config", { token, body: { cx_username: account.phone, cx_password: account.password } })).status).toBe(200);
  const records = new Map(fx.objects.TASKS.map((o) => [o.name, new Map(o.kv).get("t") as Stored]));
  for (const row of fx.rows) {
    const t = records.get(`task:${row.id}`)!;
    const courseIds = t.courseIds ?? t.engine!.courseIds;
    const created = await api("POST", "/api/tasks", { token, body: { name: row.name, course_ids: courseIds, speed: t.speed ?? t.engine!.speed } });
    expect(created.body.id, JSON.stringify(created.body)).toBe(row.id);
    await env.DB.prepare("UPDATE tasks SET status = ?, reason = ?, progress = ?, start_time = ?, end_time = ?, error_msg = ? WHERE id = ?")
      .bind(row.status, row.reason, row.progress, row.start_time, row.end_time, row.error_msg, row.id)
      .run();
  }
  for (const d of fx.objects.TASKS) await writeStorage(env.TASKS, d);
  for (const d of fx.objects.HUBS) await writeStorage(env.HUBS, d);
  await abortAllDurableObjects();
  return token;
}

/** An object's storage and alarm, as a dump says. */
export async function writeStorage<T extends Rpc.DurableObjectBranded | undefined>(ns: DurableObjectNamespace<T>, d: ObjectDump): Promise<void> {
  await runInDurableObject(ns.getByName(d.name), async (_o, state) => {
    for (const [k, v] of d.kv) state.storage.kv.put(k, v);
    if (d.alarm !== null) await state.storage.setAlarm(d.alarm);
  });
}

/**
 * Loads what a release stored and drives its tasks: every task answers at once, as it was; the running video
 * goes on with the report expected of that release's record; the running,
 * the queued and the paused one (resumed) complete with their videos passed on the platform; the completed
 * one stays completed; the D1 rows follow.
 */
export async function loadsAndCompletes(fx: TasksFixture, firstReport: { isdrag: "0" | "3" }): Promise<void> {
  const sim = installSimulator({ seedDemo: false });
  const token = await restoreDeployment(sim, fx);
  const { running, waiting, paused, completed } = fx.roles;

  // Every task answers at once, as it was.
  for (const row of fx.rows) {
    const r = await api("GET", `/api/tasks/${row.id}`, { token });
    expect(r.status, `task ${row.id}`).toBe(200);
    expect(r.body.status).toBe(row.status);
  }
  // The run slots that release kept are still counted: no third slot under a cap of two.
  if (fx.objects.HUBS.some((h) => h.kv.some(([k]) => k === "run"))) expect(await env.HUBS.getByName(`hub:${fx.user.id}`).claimRun(999, 2)).toBe(false);
  const done = await driveUntil(running, finished);
  expect(done).toMatchObject({ status: "completed", progress: 100, left_for_user: [] });
  // The running video's first report after the upgrade: a normal one where the record dates the last
  // report (src/engine/restart.ts `resyncMedia`), a restart of the player where it cannot.
  const longJob = sim.control.account(fx.account.phone).courses[0]!.chapters[0]!.jobs[0]!.jobid;
  const first = sim.control.requests(fx.account.phone).find((r) => r.path.includes("/multimedia/log/") && r.query.includes(`jobid=${longJob}`))!;
  expect(new URLSearchParams(first.query).get("isdrag")).toBe(firstReport.isdrag);
  expect(await driveUntil(waiting, finished)).toMatchObject({ status: "completed", progress: 100, left_for_user: [] });
  expect((await api("POST", `/api/tasks/${paused}/resume`, { token })).status).toBe(200);
  expect(await driveUntil(paused, finished)).toMatchObject({ status: "completed", progress: 100, left_for_user: [] });
  for (const job of sim.control.account(fx.account.phone).courses.flatMap((c) => c.chapters.flatMap((ch) => ch.jobs))) {
    if (job.type === "video") expect(sim.control.jobProgress(fx.account.phone, job.jobid)?.passed, job.name).toBe(true);
  }
  // The completed task stays completed, and its left quiz (where that release left it) can be rechecked.
  const quiz = (await taskLive(completed))!;
  expect(quiz.status).toBe("completed");
  if (quiz.left_for_user.length) expect((await api("POST", `/api/tasks/${completed}/recheck`, { token })).status).toBe(200);
  await driveUntil(completed, finished);
  // The D1 rows followed.
  const rows = await env.DB.prepare("SELECT status FROM tasks WHERE user_id = ?").bind(fx.user.id).all<{ status: string }>();
  expect(rows.results.map((r) => r.status)).toEqual(fx.rows.map(() => "completed"));
}
