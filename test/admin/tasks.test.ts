import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { driveUntil, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse, type InstalledSimulator } from "../helpers/sim";
import { insertTask } from "./fixtures";
import { raised } from "../helpers/notify";

useFutureClock();

/** A user with a simulated account and a task mid-video (several upstream requests made already). */
async function runningTask(sim: InstalledSimulator) {
  const owner = await registerUser("owner");
  const account = await userWithAccount(sim, owner.token, [videoCourse(600)]);
  const id = await startTask(owner.token, [account.courses[0]!.courseId]);
  await driveUntil(id, (l) => l.item_current_time > 60);
  return { owner, account, id };
}

/** Drives the clock well past the next report and alarms: nothing may reach Chaoxing for this account. */
async function assertNoFurtherRequests(sim: InstalledSimulator, phone: string) {
  const before = sim.control.requestCount(phone);
  for (let i = 0; i < 5; i++) {
    clock.advance(120_000);
    await tick();
  }
  expect(sim.control.requestCount(phone)).toBe(before);
}

const row = (id: number) => env.DB.prepare("SELECT status, reason FROM tasks WHERE id = ?").bind(id).first();
const logMessages = async (id: number) =>
  (await env.DB.prepare("SELECT message FROM task_logs WHERE task_id = ? ORDER BY id").bind(id).all<{ message: string }>()).results.map((r) => r.message);

describe("GET /api/admin/tasks", () => {
  it("lists every user's tasks newest first with the owner's username, filtered by status and user", async () => {
    const { token } = await registerAdmin();
    const a = await registerUser("ta");
    const b = await registerUser("tb");
    const a1 = await insertTask(a.user.id, { status: "failed", error_msg: "boom" });
    const b1 = await insertTask(b.user.id, { status: "completed", progress: 100 });
    const a2 = await insertTask(a.user.id);

    const byA = await api("GET", `/api/admin/tasks?user_id=${a.user.id}`, { token });
    expect(byA.status).toBe(200);
    expect(byA.body).toMatchObject({ total: 2, page: 1, page_size: 20, total_pages: 1 });
    expect(byA.body.items.map((t: { id: number }) => t.id)).toEqual([a2, a1]);
    expect(byA.body.items[1]).toMatchObject({ id: a1, user_id: a.user.id, username: a.user.username, status: "failed", error_msg: "boom", course_ids: ["1"] });

    const failedA = await api("GET", `/api/admin/tasks?user_id=${a.user.id}&status=failed`, { token });
    expect(failedA.body.items.map((t: { id: number }) => t.id)).toEqual([a1]);
    const all = await api("GET", "/api/admin/tasks?page_size=100", { token });
    expect(all.body.items.find((t: { id: number }) => t.id === b1)).toMatchObject({ username: b.user.username, status: "completed" });

    const paged = await api("GET", `/api/admin/tasks?user_id=${a.user.id}&page=2&page_size=1`, { token });
    expect(paged.body).toMatchObject({ total: 2, page: 2, total_pages: 2 });
    expect(paged.body.items.map((t: { id: number }) => t.id)).toEqual([a1]);
  });

  it("rejects bad filters with a 400", async () => {
    const { token } = await registerAdmin();
    for (const q of ["status=done", "user_id=abc", "user_id=0", "page_size=0"]) expect((await api("GET", `/api/admin/tasks?${q}`, { token })).status, q).toBe(400);
  });
});

describe("POST /api/admin/tasks/{id}/force-stop", () => {
  it("stops a pending task: cancelled, reason admin, a log line says so", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("fsp");
    const id = await insertTask(u.user.id);
    const r = await api("POST", `/api/admin/tasks/${id}/force-stop`, { token });
    expect(r).toMatchObject({ status: 200, body: { message: "任务已强制停止", task: { id, status: "cancelled", reason: "admin" } } });
    expect(await row(id)).toEqual({ status: "cancelled", reason: "admin" });
    expect(await logMessages(id)).toEqual(["任务已被管理员取消"]);
  });

  it("takes the admin's reason: the owner's task page and log say it, the owner is notified, the audit keeps it", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("fsr");
    const id = await insertTask(u.user.id);
    const from = raised.length;
    const r = await api("POST", `/api/admin/tasks/${id}/force-stop`, { token, body: { reason: "同一账号的任务太多" } });
    expect(r).toMatchObject({ status: 200, body: { task: { id, status: "cancelled", reason: "admin", error_code: "task.cancelled_admin_reason", error_params: { note: "同一账号的任务太多" } } } });
    expect(await logMessages(id)).toEqual(["任务已被管理员停止：同一账号的任务太多"]);
    const mine = await api("GET", `/api/tasks/${id}`, { token: u.token });
    expect(mine.body).toMatchObject({ status: "cancelled", error_code: "task.cancelled_admin_reason", error_msg: "任务已被管理员停止：同一账号的任务太多" });
    expect(raised.slice(from)).toEqual([expect.objectContaining({ kind: "admin_stop", user_id: u.user.id, task_id: id, detail: { note: "同一账号的任务太多" } })]);
    const audit = await api("GET", `/api/admin/audit?action=task.force_stop&target_id=${id}`, { token });
    expect(audit.body.items[0].details).toMatchObject({ reason: "同一账号的任务太多" });
    // A reason is words, not a novel.
    expect((await api("POST", `/api/admin/tasks/${await insertTask(u.user.id)}/force-stop`, { token, body: { reason: "x".repeat(201) } })).status).toBe(400);
  });

  it("stops another user's running task at once: no further upstream requests", async () => {
    const sim = installSimulator();
    const { token } = await registerAdmin();
    const { account, id } = await runningTask(sim);
    const r = await api("POST", `/api/admin/tasks/${id}/force-stop`, { token });
    expect(r).toMatchObject({ status: 200, body: { task: { id, status: "cancelled", reason: "admin" } } });
    await assertNoFurtherRequests(sim, account.phone);
    expect(await taskLive(id)).toMatchObject({ status: "cancelled", reason: "admin" });
    expect(await row(id)).toEqual({ status: "cancelled", reason: "admin" });
    expect((await logMessages(id)).at(-1)).toBe("任务已被管理员取消");
  });

  it("stops a paused task", async () => {
    const sim = installSimulator();
    const { token } = await registerAdmin();
    const { owner, id } = await runningTask(sim);
    expect((await api("POST", `/api/tasks/${id}/pause`, { token: owner.token })).status).toBe(200);
    const r = await api("POST", `/api/admin/tasks/${id}/force-stop`, { token });
    expect(r).toMatchObject({ status: 200, body: { task: { status: "cancelled", reason: "admin" } } });
    expect(await taskLive(id)).toMatchObject({ status: "cancelled", reason: "admin" });
  });

  it("409 for a finished task, 404 for a missing one, 400 for a bad id", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("fsf");
    for (const status of ["completed", "failed", "cancelled"]) {
      const id = await insertTask(u.user.id, { status });
      const r = await api("POST", `/api/admin/tasks/${id}/force-stop`, { token });
      expect(r, status).toMatchObject({ status: 409, body: { code: "task_state", status } });
      expect(r.body.detail).toContain(status);
      expect(await row(id)).toMatchObject({ status });
    }
    expect(await api("POST", "/api/admin/tasks/999999/force-stop", { token })).toMatchObject({ status: 404, body: { detail: "任务不存在" } });
    expect((await api("POST", "/api/admin/tasks/x/force-stop", { token })).status).toBe(400);
  });
});

describe("deactivating or deleting a user stops their running tasks", () => {
  it("deactivation: the running task is cancelled (account_disabled) and Chaoxing hears nothing more", async () => {
    const sim = installSimulator();
    const { token } = await registerAdmin();
    const { owner, account, id } = await runningTask(sim);
    const pending = await insertTask(owner.user.id);
    const r = await api("PUT", `/api/admin/users/${owner.user.id}`, { token, body: { is_active: false } });
    expect(r.status).toBe(200);
    await assertNoFurtherRequests(sim, account.phone);
    expect(await taskLive(id)).toMatchObject({ status: "cancelled", reason: "account_disabled" });
    expect(await row(id)).toEqual({ status: "cancelled", reason: "account_disabled" });
    expect(await row(pending)).toEqual({ status: "cancelled", reason: "account_disabled" });
    expect((await logMessages(id)).at(-1)).toBe("任务已被系统（账号已停用）取消");
    expect(await api("GET", "/api/tasks", { token: owner.token })).toMatchObject({ status: 403, body: { code: "account_disabled" } });
  });

  it("deletion: the running task stops, its object storage and alarm are gone, and Chaoxing hears nothing more", async () => {
    const sim = installSimulator();
    const { token } = await registerAdmin();
    const { owner, account, id } = await runningTask(sim);
    const done = await insertTask(owner.user.id, { status: "completed" });
    const r = await api("DELETE", `/api/admin/users/${owner.user.id}`, { token });
    expect(r.status).toBe(200);
    await assertNoFurtherRequests(sim, account.phone);
    const stub = env.TASKS.getByName(`task:${id}`);
    // Only the tombstone is left, so a request that raced the delete cannot revive the task.
    const storage = await runInDurableObject(stub, async (_o, state) => ({ keys: [...state.storage.kv.list()].map(([k]) => k), alarm: await state.storage.getAlarm() }));
    expect(storage).toEqual({ keys: ["deleted"], alarm: null });
    expect(await taskLive(id)).toBeNull();
    expect(await row(id)).toBeNull();
    expect(await row(done)).toBeNull();
    // The phone's video lock was released with the task.
    expect((await env.PHONES.getByName(`phone:${account.phone}`).lockState()).holder).toBeNull();
  });
});
