import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { auditRows } from "./fixtures";

// What only the objects hold (docs/operations.md "Backing up"): exported page by page of users, and a
// task record written back into an object that lost its storage, after which the task goes on.

useFutureClock();

type Export = { users: number[]; tasks: { id: number; user_id: number; record: { v: number; status: string }; unreadable: unknown }[]; accounts: { phone: string; limits: unknown }[]; next_after_user: number | null };

async function exportAll(token: string, limit = 100): Promise<Export[]> {
  const pages: Export[] = [];
  for (let after = 0; ; ) {
    const r = await api("GET", `/api/admin/export?after_user=${after}&limit=${limit}`, { token });
    expect(r.status).toBe(200);
    pages.push(r.body);
    if (r.body.next_after_user === null) return pages;
    after = r.body.next_after_user;
  }
}

describe("the admin export and import", () => {
  it("exports each task's stored record and each account's own limits; a lost object's record written back goes on to the end", async () => {
    const admin = await registerAdmin();
    const sim = installSimulator();
    const { token, user } = await registerUser("bk");
    const account = await userWithAccount(sim, token, [videoCourse(300)]);
    expect((await api("PUT", "/api/user/limits", { token, body: { window_start: "00:00", window_end: "24:00", daily_cap_minutes: 600, video_gap_seconds: 0, video_gap_jitter_seconds: 0 } })).status).toBe(200);
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 2 });
    await driveUntil(id, (l) => l.item_current_time >= 100);
    expect((await api("GET", "/api/admin/export", { token })).status).toBe(403);

    const pages = await exportAll(admin.token, 1);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const all = pages.flatMap((p) => p.tasks);
    const mine = all.find((t) => t.id === id)!;
    expect(mine).toMatchObject({ user_id: user.id, unreadable: null, record: { v: 2, status: "running" } });
    expect(pages.flatMap((p) => p.accounts).find((a) => a.phone === account.phone)).toMatchObject({ limits: { dailyCapMinutes: 600 } });
    expect((await auditRows("admin_id = ? AND action = ?", admin.user.id, "system.export")).length).toBe(pages.length);

    // The object's storage is lost (a restore into a fresh deployment, after D1's).
    await runInDurableObject(env.TASKS.getByName(`task:${id}`), async (_o, s) => {
      await s.storage.deleteAlarm();
      await s.storage.deleteAll();
    });
    await abortAllDurableObjects();
    const imported = await api("POST", "/api/admin/import", { token: admin.token, body: { tasks: [{ id, record: mine.record }, { id: 999999, record: mine.record }] } });
    expect(imported).toMatchObject({ status: 200, body: { restored: [id], skipped: [{ id: 999999 }] } });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", progress: 100, left_for_user: [] });
    expect(sim.control.jobProgress(account.phone, account.courses[0]!.chapters[0]!.jobs[0]!.jobid)!.passed).toBe(true);
    // Never over a record the object has.
    const again = await api("POST", "/api/admin/import", { token: admin.token, body: { tasks: [{ id, record: mine.record }] } });
    expect(again.body).toMatchObject({ restored: [], skipped: [{ id }] });
    expect((await taskLive(id))!.status).toBe("completed");
  });
});
