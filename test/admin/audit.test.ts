import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { auditRows, insertTask, soleAdmin } from "./fixtures";

const details = (r: { details: string }) => JSON.parse(r.details);

describe("the admin audit log", () => {
  it("records every admin action: who, what, on whom, when, details", async () => {
    const admin = await registerAdmin();
    const { token } = admin;
    const u = await registerUser("aud");
    const victim = await registerUser("aud");
    const t = await insertTask(u.user.id);

    await api("GET", "/api/admin/users?search=aud&role=user", { token });
    await api("GET", `/api/admin/users/${u.user.id}`, { token });
    await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: { role: "admin", is_active: true } });
    await api("GET", `/api/admin/tasks?user_id=${u.user.id}`, { token });
    await api("POST", `/api/admin/tasks/${t}/force-stop`, { token });
    await api("GET", "/api/admin/statistics", { token });
    await api("DELETE", `/api/admin/users/${victim.user.id}`, { token });

    const rows = await auditRows("admin_id = ?", admin.user.id);
    expect(rows.map((r) => [r.action, r.target_type, r.target_id])).toEqual([
      ["user.list", "user", null],
      ["user.view", "user", String(u.user.id)],
      ["user.update", "user", String(u.user.id)],
      ["task.list", "task", null],
      ["task.force_stop", "task", String(t)],
      ["statistics.view", "system", null],
      ["user.delete", "user", String(victim.user.id)],
    ]);
    for (const r of rows) {
      expect(r.admin_username).toBe(admin.user.username);
      expect(r.created_at).toBe(new Date(Date.parse(r.created_at)).toISOString());
    }
    expect(details(rows[0]!)).toEqual({ search: "aud", role: "user", is_active: null });
    // Only what changed is recorded: is_active was already true.
    expect(details(rows[2]!)).toEqual({ username: u.user.username, changes: { role: { from: "user", to: "admin" } } });
    expect(details(rows[4]!)).toEqual({ task_name: "直接插入", user_id: u.user.id, from_status: "pending", reason: null });
    // The deleted user's name stays in the log after the user is gone.
    expect(details(rows[6]!)).toMatchObject({ username: victim.user.username, email: victim.user.email, role: "user", tasks_deleted: 0 });
  });

  it("records nothing for a refused action (last admin, validation, missing target)", async () => {
    const me = await registerAdmin();
    await soleAdmin(me.user.id);
    expect((await api("PUT", `/api/admin/users/${me.user.id}`, { token: me.token, body: { is_active: false } })).status).toBe(409);
    expect((await api("PUT", `/api/admin/users/${me.user.id}`, { token: me.token, body: { role: "x" } })).status).toBe(400);
    expect((await api("DELETE", `/api/admin/users/${me.user.id}`, { token: me.token })).status).toBe(409);
    expect((await api("POST", "/api/admin/tasks/999999/force-stop", { token: me.token })).status).toBe(404);
    expect(await auditRows("admin_id = ?", me.user.id)).toEqual([]);
  });

  it("records a read once per admin and target in 5 minutes, so a polling dashboard does not flood it", async () => {
    const { token, user } = await registerAdmin();
    const u = await registerUser("poll");
    for (let i = 0; i < 3; i++) await api("GET", "/api/admin/statistics", { token });
    await api("GET", `/api/admin/users/${u.user.id}`, { token });
    await api("GET", `/api/admin/users/${user.id}`, { token }); // another target: its own row
    clock.advance(5 * 60_000 + 1);
    await api("GET", "/api/admin/statistics", { token });
    const rows = await auditRows("admin_id = ?", user.id);
    expect(rows.map((r) => r.action)).toEqual(["statistics.view", "user.view", "user.view", "statistics.view"]);
  });

  it("GET /api/admin/audit pages newest first and filters by action, admin and target", async () => {
    const a = await registerAdmin();
    const b = await registerAdmin();
    const u = await registerUser("filt");
    await api("PUT", `/api/admin/users/${u.user.id}`, { token: a.token, body: { email: `n${u.user.email}` } });
    await api("PUT", `/api/admin/users/${u.user.id}`, { token: b.token, body: { email: `m${u.user.email}` } });
    await api("GET", "/api/admin/statistics", { token: b.token });

    const byB = await api("GET", `/api/admin/audit?admin_id=${b.user.id}`, { token: a.token });
    expect(byB.status).toBe(200);
    expect(byB.body).toMatchObject({ total: 2, page: 1, page_size: 20, total_pages: 1 });
    expect(byB.body.items.map((r: { action: string }) => r.action)).toEqual(["statistics.view", "user.update"]);
    expect(byB.body.items[1]).toEqual({
      id: expect.any(Number),
      admin_id: b.user.id,
      admin_username: b.user.username,
      action: "user.update",
      target_type: "user",
      target_id: String(u.user.id),
      details: { username: u.user.username, changes: { email: { from: `n${u.user.email}`, to: `m${u.user.email}` } } },
      created_at: expect.stringMatching(/Z$/),
    });

    const onU = await api("GET", `/api/admin/audit?target_type=user&target_id=${u.user.id}&action=user.update&page_size=1&page=2`, { token: a.token });
    expect(onU.body).toMatchObject({ total: 2, page: 2, total_pages: 2 });
    expect(onU.body.items[0].admin_id).toBe(a.user.id);

    // Reading the log is not itself logged (paging through it would shift it).
    const before = (await api("GET", "/api/admin/audit", { token: a.token })).body.total;
    expect((await api("GET", "/api/admin/audit", { token: a.token })).body.total).toBe(before);

    for (const q of ["action=nope", "admin_id=x", "target_type=planet", `target_id=${"9".repeat(21)}`, "page_size=101"]) {
      expect((await api("GET", `/api/admin/audit?${q}`, { token: a.token })).status, q).toBe(400);
    }
  });

  it("GET /api/admin/audit filters by Asia/Shanghai days: from and to are inclusive dates", async () => {
    const a = await registerAdmin();
    // Written straight in, at the edges of Shanghai days (UTC+8): 16:00Z is midnight in Shanghai.
    const at = ["2026-03-01T15:59:59.999Z", "2026-03-01T16:00:00.000Z", "2026-03-02T15:59:59.999Z", "2026-03-02T16:00:00.000Z"];
    const stmt = env.DB.prepare("INSERT INTO admin_audit (admin_id, admin_username, action, target_type, target_id, details, created_at) VALUES (?, ?, 'statistics.view', 'system', NULL, '{}', ?)");
    await env.DB.batch(at.map((t) => stmt.bind(a.user.id, a.user.username, t)));
    const times = async (q: string) => {
      const r = await api("GET", `/api/admin/audit?admin_id=${a.user.id}&${q}`, { token: a.token });
      expect(r.status, q).toBe(200);
      return r.body.items.map((e: { created_at: string }) => e.created_at);
    };
    expect(await times("from=2026-03-02&to=2026-03-02")).toEqual([at[2], at[1]]);
    expect(await times("from=2026-03-02")).toEqual([at[3], at[2], at[1]]);
    expect(await times("to=2026-03-01")).toEqual([at[0]]);
    expect(await times("from=2026-03-03&to=2026-03-03")).toEqual([at[3]]);
    expect(await times("from=2026-03-04")).toEqual([]);
    const total = await api("GET", `/api/admin/audit?admin_id=${a.user.id}&from=2026-03-02&to=2026-03-03&page_size=1`, { token: a.token });
    expect(total.body).toMatchObject({ total: 3, total_pages: 3 });
    for (const q of ["from=2026-3-1", "from=yesterday", "to=2026-02-30", "from=2026-03-02T00:00:00Z", "from=2026-03-03&to=2026-03-02"]) {
      expect((await api("GET", `/api/admin/audit?${q}`, { token: a.token })).status, q).toBe(400);
    }
  });

  it("is append-only through the API: no route changes or deletes audit rows", async () => {
    const { token } = await registerAdmin();
    for (const method of ["PUT", "DELETE", "POST", "PATCH"]) {
      expect((await api(method, "/api/admin/audit", { token, body: {} })).status, method).toBe(404);
    }
  });
});
