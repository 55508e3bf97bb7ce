import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { insertTask, soleAdmin } from "./fixtures";

describe("GET /api/admin/users", () => {
  it("lists users newest first with their task counts by status", async () => {
    const { token } = await registerAdmin();
    const { user } = await registerUser("counted");
    await insertTask(user.id, { status: "completed" });
    await insertTask(user.id, { status: "completed" });
    await insertTask(user.id, { status: "failed" });
    await insertTask(user.id);
    const r = await api("GET", `/api/admin/users?search=${user.username}`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: 1, page: 1, page_size: 20, total_pages: 1 });
    expect(r.body.items[0]).toEqual({
      id: user.id,
      username: user.username,
      email: user.email,
      email_verified: false,
      role: "user",
      is_active: true,
      created_at: expect.stringMatching(/Z$/),
      last_login: expect.stringMatching(/Z$/),
      task_counts: { total: 4, pending: 1, running: 0, paused: 0, completed: 2, failed: 1, cancelled: 0 },
    });
    const all = await api("GET", "/api/admin/users?page_size=100", { token });
    const ids = all.body.items.map((u: { id: number }) => u.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.body.items.find((u: { id: number }) => u.id !== user.id)?.task_counts).toMatchObject({ total: expect.any(Number) });
  });

  it("searches username or email case-insensitively and filters by role and active flag", async () => {
    const { token } = await registerAdmin();
    const tag = `Zq${Date.now().toString(36)}`;
    const a = await registerUser(`${tag}a`);
    const b = await registerUser("other");
    await env.DB.prepare("UPDATE users SET email = ? WHERE id = ?").bind(`${tag.toUpperCase()}.mail@example.com`, b.user.id).run();
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(a.user.id).run();
    const ids = async (q: string) => ((await api("GET", `/api/admin/users?${q}`, { token })).body.items as { id: number }[]).map((u) => u.id).sort();

    expect(await ids(`search=${tag.toLowerCase()}`)).toEqual([a.user.id, b.user.id].sort());
    expect(await ids(`search=${tag.toUpperCase()}&is_active=false`)).toEqual([a.user.id]);
    expect(await ids(`search=${tag}&is_active=true`)).toEqual([b.user.id]);
    expect(await ids(`search=${tag}&role=admin`)).toEqual([]);
    // A LIKE wildcard in the search is a literal character, not "match anything".
    expect(await ids("search=%25")).toEqual([]);
    const admins = (await api("GET", "/api/admin/users?role=admin&page_size=100", { token })).body.items as { role: string }[];
    expect(admins.length).toBeGreaterThan(0);
    expect(admins.every((u) => u.role === "admin")).toBe(true);
  });

  it("paginates", async () => {
    const { token } = await registerAdmin();
    const tag = `pg${Date.now().toString(36)}`;
    for (let i = 0; i < 3; i++) await registerUser(tag);
    const p2 = await api("GET", `/api/admin/users?search=${tag}&page=2&page_size=2`, { token });
    expect(p2.body).toMatchObject({ total: 3, page: 2, page_size: 2, total_pages: 2 });
    expect(p2.body.items).toHaveLength(1);
  });

  it("rejects bad query parameters with a 400", async () => {
    const { token } = await registerAdmin();
    for (const q of ["page=0", "page_size=101", "role=root", "is_active=yes", `search=${"x".repeat(65)}`]) {
      expect((await api("GET", `/api/admin/users?${q}`, { token })).status, q).toBe(400);
    }
  });
});

describe("GET /api/admin/users/{id}", () => {
  // The origin's shape (seed-api.md): a client of the seed reads `username` at the top level.
  it("answers the user object (the origin's shape) with config without the Chaoxing password, statistics and the 10 most recent tasks beside its fields", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("detail");
    await api("PUT", "/api/user/config", { token: u.token, body: { cx_username: "13800138000", cx_password: "secret-cx-pass", speed: 1.5 } });
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(await insertTask(u.user.id, { status: i % 2 ? "completed" : "failed", study_seconds: 100, jobs_completed: 2 }));
    const r = await api("GET", `/api/admin/users/${u.user.id}`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: u.user.id, username: u.user.username, email: u.user.email, email_verified: false, role: "user", is_active: true, created_at: expect.stringMatching(/Z$/) });
    expect(Object.keys(r.body).sort()).toEqual(["config", "created_at", "email", "email_verified", "id", "is_active", "last_login", "recent_tasks", "role", "statistics", "username"]);
    // The student's phone number is masked: shown only on request (below), and that request is audited.
    expect(r.body.config).toMatchObject({ user_id: u.user.id, cx_username: "138****8000", cx_password_set: true, speed: 1.5 });
    expect(JSON.stringify(r.body)).not.toContain("13800138000");
    expect(JSON.stringify(r.body)).not.toContain("secret-cx-pass");
    expect(r.body.config).not.toHaveProperty("cx_password_enc");
    expect(r.body.statistics).toEqual({
      tasks: { total: 12, pending: 0, running: 0, paused: 0, completed: 6, failed: 6, cancelled: 0 },
      study_seconds: 1200,
      jobs_completed: 24,
    });
    expect(r.body.recent_tasks.map((t: { id: number }) => t.id)).toEqual(ids.slice(2).reverse());
    expect(r.body.recent_tasks[0]).toMatchObject({ user_id: u.user.id, status: "completed", course_ids: ["1"] });
  });

  it("shows the full phone number only on request, each time in the audit log; a user without one has none", async () => {
    const admin = await registerAdmin();
    const u = await registerUser("phone");
    await api("PUT", "/api/user/config", { token: u.token, body: { cx_username: "13912345678", cx_password: "pw-1234" } });
    for (let i = 0; i < 2; i++) expect(await api("GET", `/api/admin/users/${u.user.id}/phone`, { token: admin.token })).toMatchObject({ status: 200, body: { cx_username: "13912345678" } });
    const audit = await api("GET", `/api/admin/audit?action=user.reveal_phone&target_id=${u.user.id}`, { token: admin.token });
    expect(audit.body.items).toHaveLength(2);
    expect(audit.body.items[0]).toMatchObject({ admin_id: admin.user.id, target_type: "user", target_id: String(u.user.id) });
    const none = await registerUser("nophone");
    expect(await api("GET", `/api/admin/users/${none.user.id}/phone`, { token: admin.token })).toMatchObject({ status: 200, body: { cx_username: null } });
    expect((await api("GET", `/api/admin/users/${u.user.id}/phone`, { token: u.token })).status).toBe(403);
  });

  it("404 for a missing user, 400 for a bad id", async () => {
    const { token } = await registerAdmin();
    expect(await api("GET", "/api/admin/users/999999", { token })).toMatchObject({ status: 404, body: { detail: "用户不存在" } });
    expect((await api("GET", "/api/admin/users/abc", { token })).status).toBe(400);
  });
});

describe("PUT /api/admin/users/{id}", () => {
  it("changes role, active flag and email", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("edit");
    await env.DB.prepare("UPDATE users SET email_verified = 1 WHERE id = ?").bind(u.user.id).run();
    const email = `New.${u.user.username}@Example.com`;
    const r = await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: { role: "admin", email } });
    expect(r.status).toBe(200);
    // A new address is not the verified one.
    expect(r.body).toMatchObject({ id: u.user.id, role: "admin", email, email_verified: false, is_active: true });
    // The user can log in with the new address (email is a login name).
    expect((await api("POST", "/api/auth/login", { body: { username: email.toLowerCase(), password: u.password } })).status).toBe(200);
    const back = await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: { role: "user" } });
    expect(back.body.role).toBe("user");
  });

  it("rejects an email another user has (case-insensitively) with 400 邮箱已被注册, but not the user's own in another case", async () => {
    const { token } = await registerAdmin();
    const a = await registerUser("dup");
    const b = await registerUser("dup");
    const taken = await api("PUT", `/api/admin/users/${a.user.id}`, { token, body: { email: b.user.email.toUpperCase() } });
    expect(taken).toMatchObject({ status: 400, body: { detail: "邮箱已被注册", code: "duplicate", errors: [{ field: "email", code: "duplicate" }] } });
    const own = await api("PUT", `/api/admin/users/${a.user.id}`, { token, body: { email: a.user.email.toUpperCase() } });
    expect(own.status).toBe(200);
    expect(own.body.email).toBe(a.user.email.toUpperCase());
  });

  it("validates the body: at least one known field, each valid (unknown ones are ignored, so a body of only those is empty)", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("strict");
    for (const body of [{}, { role: "root" }, { is_active: "no" }, { email: "not-an-email" }, { email: `${"x".repeat(250)}@example.com` }, { username: "renamed" }]) {
      const r = await api("PUT", `/api/admin/users/${u.user.id}`, { token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe("validation_error");
    }
    expect((await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: "role=admin", headers: { "Content-Type": "text/plain" } })).status).toBe(415);
    expect((await api("PUT", "/api/admin/users/999999", { token, body: { is_active: false } })).status).toBe(404);
  });

  it("deactivating revokes every token of the user at once and refuses their login", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("off");
    const second = await api("POST", "/api/auth/login", { body: { username: u.user.username, password: u.password } });
    const r = await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: { is_active: false } });
    expect(r).toMatchObject({ status: 200, body: { is_active: false } });
    for (const t of [u.token, second.body.access_token]) expect(await api("GET", "/api/auth/me", { token: t })).toMatchObject({ status: 403, body: { code: "account_disabled" } });
    const live = await env.DB.prepare("SELECT count(*) AS n FROM auth_tokens WHERE user_id = ? AND revoked_at IS NULL").bind(u.user.id).first<{ n: number }>();
    expect(live!.n).toBe(0);
    expect(await api("POST", "/api/auth/login", { body: { username: u.user.username, password: u.password } })).toMatchObject({ status: 403, body: { detail: "账号已被禁用" } });
    // Reactivated, the user can log in again (old tokens stay revoked).
    await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: { is_active: true } });
    expect((await api("POST", "/api/auth/login", { body: { username: u.user.username, password: u.password } })).status).toBe(200);
    expect(await api("GET", "/api/auth/me", { token: u.token })).toMatchObject({ status: 401, body: { code: "token_revoked" } });
  });

  it("deactivating cancels pending tasks with reason account_disabled and leaves finished ones alone", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("offtasks");
    const pending = await insertTask(u.user.id);
    const done = await insertTask(u.user.id, { status: "completed", progress: 100 });
    await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: { is_active: false } });
    const rows = await env.DB.prepare("SELECT id, status, reason FROM tasks WHERE user_id = ? ORDER BY id").bind(u.user.id).all();
    expect(rows.results).toEqual([
      { id: pending, status: "cancelled", reason: "account_disabled" },
      { id: done, status: "completed", reason: null },
    ]);
  });
});

describe("the last active admin", () => {
  it("cannot be demoted or deactivated (409), by itself or anyone", async () => {
    const me = await registerAdmin();
    await soleAdmin(me.user.id);
    for (const body of [{ role: "user" }, { is_active: false }, { role: "user", is_active: false }]) {
      const r = await api("PUT", `/api/admin/users/${me.user.id}`, { token: me.token, body });
      expect(r, JSON.stringify(body)).toMatchObject({ status: 409, body: { code: "last_admin", detail: "不能降级或停用最后一个启用的管理员" } });
    }
    // Other changes to the last admin are fine.
    expect((await api("PUT", `/api/admin/users/${me.user.id}`, { token: me.token, body: { email: `x${me.user.email}` } })).status).toBe(200);
    const row = await env.DB.prepare("SELECT role, is_active FROM users WHERE id = ?").bind(me.user.id).first();
    expect(row).toEqual({ role: "admin", is_active: 1 });
  });

  it("an inactive admin does not count: the only active one is still the last", async () => {
    const me = await registerAdmin();
    await soleAdmin(me.user.id);
    const dormant = await registerAdmin();
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(dormant.user.id).run();
    expect((await api("PUT", `/api/admin/users/${me.user.id}`, { token: me.token, body: { role: "user" } })).status).toBe(409);
    // Demoting the inactive admin is fine: it is not an active admin.
    expect((await api("PUT", `/api/admin/users/${dormant.user.id}`, { token: me.token, body: { role: "user" } })).status).toBe(200);
  });

  it("with two admins, one may demote itself; two demoting each other at once leave exactly one", async () => {
    const a = await registerAdmin();
    await soleAdmin(a.user.id);
    const b = await registerAdmin();
    expect((await api("PUT", `/api/admin/users/${b.user.id}`, { token: b.token, body: { role: "user" } })).status).toBe(200);
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(b.user.id).run();

    const [ab, ba] = await Promise.all([
      api("PUT", `/api/admin/users/${b.user.id}`, { token: a.token, body: { role: "user" } }),
      api("PUT", `/api/admin/users/${a.user.id}`, { token: b.token, body: { role: "user" } }),
    ]);
    expect([ab.status, ba.status].sort()).toEqual([200, 409]);
    const admins = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND is_active = 1").first<{ n: number }>();
    expect(admins!.n).toBe(1);
  });
});

describe("DELETE /api/admin/users/{id}", () => {
  it("deletes the user with their tasks, logs, config and tokens", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("gone");
    await api("PUT", "/api/user/config", { token: u.token, body: { speed: 2 } });
    const t = await insertTask(u.user.id, { status: "failed" });
    await env.DB.prepare("INSERT INTO task_logs (task_id, level, message, created_at) VALUES (?, 'INFO', 'x', '2026-01-01T00:00:00.000Z')").bind(t).run();
    await env.DB.prepare("INSERT INTO study_days (task_id, user_id, day, seconds) VALUES (?, ?, '2026-01-01', 60)").bind(t, u.user.id).run();
    const r = await api("DELETE", `/api/admin/users/${u.user.id}`, { token });
    expect(r).toMatchObject({ status: 200, body: { message: "用户已删除" } });
    for (const [table, col, id] of [
      ["users", "id", u.user.id],
      ["tasks", "user_id", u.user.id],
      ["task_logs", "task_id", t],
      ["study_days", "task_id", t],
      ["user_configs", "user_id", u.user.id],
      ["auth_tokens", "user_id", u.user.id],
    ] as const) {
      const n = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${col} = ?`).bind(id).first<{ n: number }>();
      expect(n!.n, table).toBe(0);
    }
    expect((await api("GET", "/api/auth/me", { token: u.token })).status).toBe(401);
    expect((await api("GET", `/api/admin/users/${u.user.id}`, { token })).status).toBe(404);
    expect((await api("DELETE", `/api/admin/users/${u.user.id}`, { token })).status).toBe(404);
  });

  it("refuses to delete yourself (409); another active admin may go", async () => {
    const me = await registerAdmin();
    await soleAdmin(me.user.id);
    expect(await api("DELETE", `/api/admin/users/${me.user.id}`, { token: me.token })).toMatchObject({ status: 409, body: { code: "self_delete", detail: "不能删除自己的账号" } });
    // Whoever deletes is an active admin who stays, so deleting another active admin is allowed; the
    // last-admin 409 is reachable only by a race (next test).
    const other = await registerAdmin();
    expect((await api("DELETE", `/api/admin/users/${other.user.id}`, { token: me.token })).status).toBe(200);
  });

  it("two admins deleting each other at once leave exactly one", async () => {
    const a = await registerAdmin();
    await soleAdmin(a.user.id);
    const b = await registerAdmin();
    const [ab, ba] = await Promise.all([
      api("DELETE", `/api/admin/users/${b.user.id}`, { token: a.token }),
      api("DELETE", `/api/admin/users/${a.user.id}`, { token: b.token }),
    ]);
    // Either one wins and the other 409s or 401s (its own token vanished with its row).
    expect([ab.status, ba.status].filter((s) => s === 200)).toHaveLength(1);
    const admins = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND is_active = 1").first<{ n: number }>();
    expect(admins!.n).toBe(1);
  });
});
