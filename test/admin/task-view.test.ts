import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { driveUntil, startTask, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { auditRows, insertTask } from "./fixtures";

useFutureClock();

/** `n` log lines on a task, levels cycling INFO, DEBUG, WARNING, ERROR (ids ascending). */
async function insertLogs(taskId: number, n: number): Promise<void> {
  const levels = ["INFO", "DEBUG", "WARNING", "ERROR"];
  const at = new Date(clock.now()).toISOString();
  const stmt = env.DB.prepare("INSERT INTO task_logs (task_id, level, message, created_at) VALUES (?, ?, ?, ?)");
  await env.DB.batch(Array.from({ length: n }, (_, i) => stmt.bind(taskId, levels[i % 4], `第 ${i + 1} 行`, at)));
}

describe("GET /api/admin/tasks/{id}", () => {
  it("shows any user's task as its owner sees it, plus the owner's username", async () => {
    const sim = installSimulator();
    const admin = await registerAdmin();
    const owner = await registerUser("tv");
    const account = await userWithAccount(sim, owner.token, [videoCourse(600)]);
    const id = await startTask(owner.token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time > 60);

    const mine = await api("GET", `/api/tasks/${id}`, { token: owner.token });
    const r = await api("GET", `/api/admin/tasks/${id}`, { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, user_id: owner.user.id, username: owner.user.username, status: "running", name: mine.body.name });
    // The same detail shape: live fields and the newest log lines.
    for (const k of Object.keys(mine.body)) expect(r.body, k).toHaveProperty(k);
    expect(r.body.item_total_time).toBe(600);
    expect(r.body.logs.length).toBeGreaterThan(0);
    expect(r.body.logs.map((l: { id: number }) => l.id)).toEqual(mine.body.logs.map((l: { id: number }) => l.id));
  });

  it("serves a pending task (no object yet) with idle live fields", async () => {
    const admin = await registerAdmin();
    const u = await registerUser("tvp");
    const id = await insertTask(u.user.id);
    const r = await api("GET", `/api/admin/tasks/${id}`, { token: admin.token });
    expect(r).toMatchObject({ status: 200, body: { id, status: "pending", username: u.user.username, current_item: null, queue_position: null, logs: [] } });
  });

  it("404 for a missing task, 400 for a bad id", async () => {
    const { token } = await registerAdmin();
    expect(await api("GET", "/api/admin/tasks/999999", { token })).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect((await api("GET", "/api/admin/tasks/abc", { token })).status).toBe(400);
  });

  it("is audited as a read (once per admin and task in 5 minutes)", async () => {
    const admin = await registerAdmin();
    const u = await registerUser("tva");
    const id = await insertTask(u.user.id);
    const other = await insertTask(u.user.id);
    await api("GET", `/api/admin/tasks/${id}`, { token: admin.token });
    await api("GET", `/api/admin/tasks/${id}`, { token: admin.token });
    await api("GET", `/api/admin/tasks/${other}`, { token: admin.token });
    const rows = await auditRows("admin_id = ?", admin.user.id);
    expect(rows.map((r) => [r.action, r.target_type, r.target_id])).toEqual([
      ["task.view", "task", String(id)],
      ["task.view", "task", String(other)],
    ]);
    expect(JSON.parse(rows[0]!.details)).toEqual({ task_name: "直接插入", user_id: u.user.id });
  });
});

describe("GET /api/admin/tasks/{id}/logs", () => {
  it("pages through the whole log like the owner's route: after_id, limit, level", async () => {
    const admin = await registerAdmin();
    const u = await registerUser("tvl");
    const id = await insertTask(u.user.id, { status: "completed" });
    await insertLogs(id, 260);
    const own = await api("GET", `/api/tasks/${id}/logs?limit=500`, { token: u.token });
    expect(own.body).toHaveLength(260);

    // Default: the newest 200, newest last.
    const newest = await api("GET", `/api/admin/tasks/${id}/logs`, { token: admin.token });
    expect(newest.status).toBe(200);
    expect(newest.body).toHaveLength(200);
    expect(newest.body.at(-1)).toEqual(own.body.at(-1));

    // after_id pages forward from the start: every line once, in order.
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await api("GET", `/api/admin/tasks/${id}/logs?after_id=${after}&limit=100`, { token: admin.token });
      expect(page.status).toBe(200);
      seen.push(...page.body.map((l: { id: number }) => l.id));
      if (page.body.length < 100) break;
      after = page.body.at(-1).id;
    }
    expect(seen).toEqual(own.body.map((l: { id: number }) => l.id));

    const debug = await api("GET", `/api/admin/tasks/${id}/logs?level=DEBUG&limit=500`, { token: admin.token });
    expect(debug.body).toHaveLength(65);
    expect(new Set(debug.body.map((l: { level: string }) => l.level))).toEqual(new Set(["DEBUG"]));
    expect(debug.body[0]).toEqual({ id: expect.any(Number), task_id: id, level: "DEBUG", message: "第 2 行", code: null, params: null, created_at: expect.stringMatching(/Z$/) });

    for (const q of ["limit=501", "limit=0", "after_id=-1", "level=TRACE"]) {
      expect((await api("GET", `/api/admin/tasks/${id}/logs?${q}`, { token: admin.token })).status, q).toBe(400);
    }
    expect((await api("GET", "/api/admin/tasks/999999/logs", { token: admin.token })).status).toBe(404);
  });

  it("is audited once per admin and task in 5 minutes, not per page", async () => {
    const admin = await registerAdmin();
    const u = await registerUser("tvla");
    const id = await insertTask(u.user.id);
    await insertLogs(id, 3);
    for (const q of ["", "?after_id=0&limit=1", "?after_id=1&limit=1"]) await api("GET", `/api/admin/tasks/${id}/logs${q}`, { token: admin.token });
    const rows = await auditRows("admin_id = ?", admin.user.id);
    expect(rows.map((r) => [r.action, r.target_id])).toEqual([["task.logs", String(id)]]);
  });

  it("never changes the task: the owner's view is the same after an admin read", async () => {
    const admin = await registerAdmin();
    const u = await registerUser("tvr");
    const id = await insertTask(u.user.id, { status: "paused", reason: "user" });
    const before = await api("GET", `/api/tasks/${id}`, { token: u.token });
    await api("GET", `/api/admin/tasks/${id}`, { token: admin.token });
    await api("GET", `/api/admin/tasks/${id}/logs`, { token: admin.token });
    expect(await api("GET", `/api/tasks/${id}`, { token: u.token })).toMatchObject({ status: 200, body: before.body });
  });
});
