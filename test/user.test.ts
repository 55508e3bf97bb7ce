import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../shared/clock";
import { api, registerUser } from "./helpers/api";
import { authMatrix } from "./helpers/auth-matrix";

describe("GET/PUT /api/user/config", () => {
  it("starts with the defaults", async () => {
    const { token, user } = await registerUser("cfg");
    const r = await api("GET", "/api/user/config", { token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user_id: user.id, cx_username: null, cx_password_set: false, speed: 1, notopen_action: "retry", use_cookies: false });
    expect(r.body.updated_at).toMatch(/Z$/);
  });

  it("keeps the origin's use_cookies field: always false, false accepted, cookie login refused with a reason", async () => {
    const { token } = await registerUser("cfg");
    expect(await api("PUT", "/api/user/config", { token, body: { use_cookies: false, speed: 1.2 } })).toMatchObject({ status: 200, body: { use_cookies: false, speed: 1.2 } });
    const refusedCookies = await api("PUT", "/api/user/config", { token, body: { use_cookies: true } });
    expect(refusedCookies).toMatchObject({ status: 400, body: { code: "validation_error", errors: [{ field: "use_cookies" }] } });
    expect(refusedCookies.body.detail).toContain("cookie");
  });

  it("updates partially, encrypts the Chaoxing password and never returns it", async () => {
    const { token, user } = await registerUser("cfg");
    const put = await api("PUT", "/api/user/config", { token, body: { cx_username: "13800138000", cx_password: "your_password", speed: 1.5, notopen_action: "ask" } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ cx_username: "13800138000", cx_password_set: true, speed: 1.5, notopen_action: "ask" });
    expect(JSON.stringify(put.body)).not.toContain("your_password");
    const row = await env.DB.prepare("SELECT cx_password_enc FROM user_configs WHERE user_id = ?").bind(user.id).first<{ cx_password_enc: string }>();
    expect(row!.cx_password_enc).toMatch(/^v1\./);
    expect(row!.cx_password_enc).not.toContain("your_password");

    // Omitted fields keep their value, the password included.
    const speedOnly = await api("PUT", "/api/user/config", { token, body: { speed: 2 } });
    expect(speedOnly.body).toMatchObject({ cx_username: "13800138000", cx_password_set: true, speed: 2, notopen_action: "ask" });
    const get = await api("GET", "/api/user/config", { token });
    expect(JSON.stringify(get.body)).not.toContain("your_password");
    expect(get.body.speed).toBe(2);
    // null clears the password.
    expect((await api("PUT", "/api/user/config", { token, body: { cx_password: null } })).body.cx_password_set).toBe(false);
  });

  it("rejects bad input with a 400 naming the field and changes nothing", async () => {
    const { token } = await registerUser("cfg");
    await api("PUT", "/api/user/config", { token, body: { speed: 1.2 } });
    for (const [body, field] of [
      [{ speed: 2.5 }, "speed"],
      [{ speed: 0.9 }, "speed"],
      [{ speed: 1.25 }, "speed"],
      [{ speed: "fast" }, "speed"],
      [{ notopen_action: "skip" }, "notopen_action"],
      [{ cx_username: "x".repeat(65) }, "cx_username"],
      [{ cx_password: "p".repeat(129) }, "cx_password"],
    ] as const) {
      const r = await api("PUT", "/api/user/config", { token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.errors[0].field).toBe(field);
    }
    expect((await api("GET", "/api/user/config", { token })).body.speed).toBe(1.2);
    // An unknown field is ignored (as pydantic does) and named, never written: not a way to a role.
    const extra = await api("PUT", "/api/user/config", { token, body: { speed: 1.5, role: "admin" } });
    expect(extra.status).toBe(200);
    expect(extra.headers.get("X-Ignored-Fields")).toBe("role");
    expect((await api("GET", "/api/auth/me", { token })).body.role).toBe("user");
  });

  // A Chaoxing account is a mainland mobile (fanyalogin's uname), stored normalised so one phone is one
  // account object, one pacing and one set of limits however it was typed (src/routes/schemas.ts).
  it("takes cx_username only as a mainland mobile number, normalising spaces, dashes and +86", async () => {
    const { token } = await registerUser("cfg");
    for (const given of ["138 0013 8000", "+86 138-0013-8000", "8613800138000", " 13800138000 "]) {
      const r = await api("PUT", "/api/user/config", { token, body: { cx_username: given } });
      expect(r.status, given).toBe(200);
      expect(r.body.cx_username).toBe("13800138000");
    }
    for (const bad of ["12345", "23800138000", "1380013800a", "138001380001", "alice@example.com", "+1 13800138000"]) {
      const r = await api("PUT", "/api/user/config", { token, body: { cx_username: bad } });
      expect(r.status, bad).toBe(400);
      expect(r.body.errors[0].field).toBe("cx_username");
    }
    expect((await api("PUT", "/api/user/config", { token, body: { cx_username: null } })).body.cx_username).toBeNull();
  });

  it("binds the ciphertext to its user: a copied row does not decrypt as someone else's", async () => {
    const { seal, open } = await import("../src/lib/secretbox");
    const sealed = await seal("secret", env.CX_ENCRYPTION_KEY, "user:1");
    expect(await open(sealed, env.CX_ENCRYPTION_KEY, "user:1")).toBe("secret");
    await expect(open(sealed, env.CX_ENCRYPTION_KEY, "user:2")).rejects.toThrow();
  });
});

describe("PUT /api/user/password", () => {
  it("requires the current password and revokes the user's other tokens", async () => {
    const { token, user, password } = await registerUser("pw");
    const other = (await api("POST", "/api/auth/login", { body: { username: user.username, password }, headers: { "CF-Connecting-IP": "198.51.100.1" } })).body.access_token;
    const wrong = await api("PUT", "/api/user/password", { token, body: { old_password: "nope-nope", new_password: "new-password-1" } });
    expect(wrong).toMatchObject({ status: 400, body: { detail: "旧密码错误" } });
    const ok = await api("PUT", "/api/user/password", { token, body: { old_password: password, new_password: "new-password-1" } });
    expect(ok.status).toBe(200);
    expect((await api("GET", "/api/auth/me", { token })).status).toBe(200);
    expect((await api("GET", "/api/auth/me", { token: other })).status).toBe(401);
    const login = await api("POST", "/api/auth/login", { body: { username: user.username, password: "new-password-1" }, headers: { "CF-Connecting-IP": "198.51.100.2" } });
    expect(login.status).toBe(200);
  });

  // Unthrottled, change-password would let a stolen session guess the account's password.
  it("throttles old-password guesses per user (429 + Retry-After), counting before the check and clearing on success", async () => {
    const { token, password } = await registerUser("pw");
    const change = (old_password: string, new_password = "new-password-1") => api("PUT", "/api/user/password", { token, body: { old_password, new_password } });
    for (let i = 0; i < 4; i++) expect((await change(`guess-${i}-x`)).status).toBe(400);
    // A success clears the count: five more guesses are five more 400s, not a 429 after the first.
    expect((await change(password, "second-password-1")).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await change(`guess-${i}-y`)).status).toBe(400);
    const blocked = await change("guess-6-y");
    expect(blocked).toMatchObject({ status: 429, body: { code: "rate_limited" } });
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Counted before the check: even the right password waits out the window.
    expect((await change("second-password-1")).status).toBe(429);
    clock.advance(16 * 60 * 1000);
    expect((await change("second-password-1")).status).toBe(200);
  });

  it("validates the new password", async () => {
    const { token, password } = await registerUser("pw");
    expect((await api("PUT", "/api/user/password", { token, body: { old_password: password, new_password: "short" } })).status).toBe(400);
  });
});

describe("GET /api/user/profile", () => {
  it("computes statistics from the tasks table", async () => {
    const { token, user } = await registerUser("prof");
    const now = new Date().toISOString();
    const ins = env.DB.prepare(
      "INSERT INTO tasks (user_id, name, course_ids, status, created_at, updated_at, study_seconds, jobs_completed) VALUES (?, 't', '[]', ?, ?, ?, ?, ?)",
    );
    await env.DB.batch([
      ins.bind(user.id, "completed", now, now, 600, 4),
      ins.bind(user.id, "completed", now, now, 300, 2),
      ins.bind(user.id, "failed", now, now, 60, 1),
      ins.bind(user.id, "pending", now, now, 0, 0),
    ]);
    const r = await api("GET", "/api/user/profile", { token });
    expect(r.status).toBe(200);
    expect(r.body.user.id).toBe(user.id);
    expect(r.body.statistics).toEqual({
      tasks: { total: 4, pending: 1, running: 0, paused: 0, completed: 2, failed: 1, cancelled: 0 },
      study_seconds: 960,
      jobs_completed: 7,
    });
  });
});

authMatrix([
  { method: "GET", path: "/api/user/config" },
  { method: "PUT", path: "/api/user/config", body: { speed: 1.5 } },
  { method: "PUT", path: "/api/user/password", body: { old_password: "password123", new_password: "password456" } },
  { method: "GET", path: "/api/user/profile" },
]);
