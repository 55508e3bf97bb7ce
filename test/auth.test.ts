import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { setMailSenderOverride, type Mail } from "../src/lib/mail";
import { clock } from "../shared/clock";
import { api, registerUser } from "./helpers/api";
import { authMatrix } from "./helpers/auth-matrix";

const ip = (n: number) => ({ "CF-Connecting-IP": `192.0.2.${n}` });

describe("POST /api/auth/register", () => {
  it("creates the user and answers 201 with a working bearer token", async () => {
    const r = await api("POST", "/api/auth/register", { body: { username: "Alice_1", email: "Alice1@Example.com", password: "password123" }, headers: ip(1) });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ token_type: "bearer", user: { username: "Alice_1", email: "Alice1@Example.com", role: "user", is_active: true, email_verified: false } });
    expect(r.body.user.created_at).toMatch(/Z$/);
    const me = await api("GET", "/api/auth/me", { token: r.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe("Alice_1");
    expect(me.body).not.toHaveProperty("password_hash");
  });

  it("rejects a duplicate username or email case-insensitively, writing nothing", async () => {
    await api("POST", "/api/auth/register", { body: { username: "Bob", email: "bob@example.com", password: "password123" }, headers: ip(2) });
    const dupName = await api("POST", "/api/auth/register", { body: { username: "bob", email: "other@example.com", password: "password123" }, headers: ip(2) });
    expect(dupName).toMatchObject({ status: 400, body: { detail: "用户名已存在", code: "duplicate", errors: [{ field: "username", code: "duplicate" }] } });
    const dupMail = await api("POST", "/api/auth/register", { body: { username: "bobby", email: "BOB@example.com", password: "password123" }, headers: ip(2) });
    expect(dupMail).toMatchObject({ status: 400, body: { detail: "邮箱已被注册", code: "duplicate", errors: [{ field: "email", code: "duplicate" }] } });
    const n = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE lower(username) IN ('bob','bobby')").first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it("validates every field with a 400 naming it, never 422", async () => {
    const cases: [unknown, string][] = [
      [{ username: "ab", email: "a@b.co", password: "password123" }, "username"],
      [{ username: "abc", email: "not-mail", password: "password123" }, "email"],
      [{ username: "abc", email: "a@b.co", password: "short" }, "password"],
      [{ username: "x".repeat(33), email: "a@b.co", password: "password123" }, "username"],
      [{ username: "abc", email: "a@b.co", password: "p".repeat(129) }, "password"],
      // Unknown fields are ignored, not errors: the field at fault is still the one named.
      [{ username: "ab", email: "a@b.co", password: "password123", role: "admin" }, "username"],
    ];
    for (const [body, field] of cases) {
      const r = await api("POST", "/api/auth/register", { body, headers: ip(3) });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe("validation_error");
      expect(r.body.errors.map((e: { field: string }) => e.field), JSON.stringify(body)).toEqual([field]);
    }
    expect((await api("POST", "/api/auth/register", { body: "{not json", headers: ip(3) })).status).toBe(400);
    expect((await api("POST", "/api/auth/register", { body: "x", headers: { ...ip(3), "Content-Type": "text/plain" } })).status).toBe(415);
  });

  it("past 10 an hour from one address asks for a proof of work (428 pow_required) instead of refusing a class behind one NAT", async () => {
    let last;
    for (let i = 0; i < 11; i++) {
      last = await api("POST", "/api/auth/register", { body: { username: `flood${i}`, email: `flood${i}@example.com`, password: "password123" }, headers: ip(4) });
    }
    expect(last).toMatchObject({ status: 428, body: { code: "pow_required" } });
  });
});

describe("POST /api/auth/login", () => {
  it("accepts JSON and the OAuth2 password form, by username or email", async () => {
    const { user, password } = await registerUser("login");
    const byJson = await api("POST", "/api/auth/login", { body: { username: user.username, password }, headers: ip(10) });
    expect(byJson.status).toBe(200);
    expect(byJson.body).toMatchObject({ token_type: "bearer", user: { id: user.id } });
    expect(byJson.body.user.last_login).toBeTruthy();
    const byForm = await api("POST", "/api/auth/login", { form: { grant_type: "password", username: user.email.toUpperCase(), password, scope: "" }, headers: ip(10) });
    expect(byForm.status).toBe(200);
    expect((await api("GET", "/api/auth/me", { token: byForm.body.access_token })).body.id).toBe(user.id);
  });

  it("answers one generic 401 for a wrong password or an unknown user", async () => {
    const { user } = await registerUser("login");
    const wrong = await api("POST", "/api/auth/login", { body: { username: user.username, password: "wrong-password" }, headers: ip(11) });
    const unknown = await api("POST", "/api/auth/login", { body: { username: "nobody-here", password: "wrong-password" }, headers: ip(11) });
    expect(wrong).toMatchObject({ status: 401, body: { detail: "用户名/邮箱或密码错误" } });
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect((await api("POST", "/api/auth/login", { body: {}, headers: ip(11) })).status).toBe(400);
  });

  it("refuses a deactivated account with 403", async () => {
    const { user, password } = await registerUser("login");
    await env.DB.prepare("UPDATE users SET is_active = 0 WHERE id = ?").bind(user.id).run();
    const r = await api("POST", "/api/auth/login", { body: { username: user.username, password }, headers: ip(12) });
    expect(r).toMatchObject({ status: 403, body: { detail: "账号已被禁用" } });
  });

  // Login throttles count per account and client, so the name and the e-mail are one bucket and a guesser
  // elsewhere cannot lock the owner out; and per account from every client, against guessing spread over
  // many addresses.
  it("throttles attempts per account and client: the name and the e-mail share one bucket, another client still logs in", async () => {
    const { user, password } = await registerUser("login");
    const login = (username: string, pw: string, n: number) => api("POST", "/api/auth/login", { body: { username, password: pw }, headers: ip(n) });
    for (let i = 0; i < 3; i++) expect((await login(user.username, "bad-password", 20)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await login(user.email.toUpperCase(), "bad-password", 20)).status).toBe(401);
    for (const name of [user.username, user.email]) {
      const blocked = await login(name, password, 20);
      expect(blocked.status, name).toBe(429);
      expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    }
    // Nobody can lock the owner out from another address.
    expect((await login(user.email, password, 21)).status).toBe(200);
    clock.advance(16 * 60 * 1000);
    expect((await login(user.username, password, 20)).status).toBe(200);
  });

  it("a success clears the client's count for the account; an unknown name is throttled like a known one", async () => {
    const { user, password } = await registerUser("login");
    const login = (username: string, pw: string) => api("POST", "/api/auth/login", { body: { username, password: pw }, headers: ip(22) });
    for (let i = 0; i < 4; i++) expect((await login(user.username, "bad-password")).status).toBe(401);
    expect((await login(user.username, password)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(user.email, "bad-password")).status).toBe(401);
    expect((await login(user.email, password)).status).toBe(429);
    // Same answers for a name nobody has, so the throttle does not tell who exists.
    const ghost = (n: number) => api("POST", "/api/auth/login", { body: { username: `ghost-${user.username}`, password: "bad-password" }, headers: ip(n) });
    for (let i = 0; i < 5; i++) expect((await ghost(23)).status).toBe(401);
    expect((await ghost(23)).status).toBe(429);
    expect((await ghost(24)).status).toBe(401);
  });

  it("caps failures per account from every client together (distributed guessing), 429 even for the right password", async () => {
    const { user, password } = await registerUser("login");
    // 200 failures an hour per account: 40 clients × 5 guesses (each client stays under its own limits).
    for (let c = 0; c < 40; c++) {
      const round = await Promise.all(
        Array.from({ length: 5 }, () => api("POST", "/api/auth/login", { body: { username: user.username, password: "bad-password" }, headers: { "CF-Connecting-IP": `203.0.113.${c}` } })),
      );
      expect(round.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    }
    const fresh = await api("POST", "/api/auth/login", { body: { username: user.email, password }, headers: ip(25) });
    expect(fresh.status).toBe(429);
    expect(Number(fresh.headers.get("Retry-After"))).toBeGreaterThan(15 * 60);
    clock.advance(61 * 60 * 1000);
    expect((await api("POST", "/api/auth/login", { body: { username: user.email, password }, headers: ip(25) })).status).toBe(200);
  });

  it("throttles failed logins per client across accounts", async () => {
    for (let i = 0; i < 20; i++) {
      await api("POST", "/api/auth/login", { body: { username: `ghost${i}`, password: "bad-password" }, headers: ip(99) });
    }
    const r = await api("POST", "/api/auth/login", { body: { username: "ghost-x", password: "bad-password" }, headers: ip(99) });
    expect(r.status).toBe(429);
  });
});

describe("token lifecycle", () => {
  it("refresh swaps a valid token for a fresh one and the old one stops working", async () => {
    const { token, user } = await registerUser("tok");
    const r = await api("POST", "/api/auth/refresh", { token });
    expect(r.status).toBe(200);
    expect(r.body.access_token).not.toBe(token);
    expect((await api("GET", "/api/auth/me", { token: r.body.access_token })).body.id).toBe(user.id);
    expect(await api("GET", "/api/auth/me", { token })).toMatchObject({ status: 401, body: { code: "token_revoked" } });
  });

  it("logout revokes that token at once and leaves the user's other sessions alive", async () => {
    const { token, user, password } = await registerUser("tok");
    const other = (await api("POST", "/api/auth/login", { body: { username: user.username, password }, headers: ip(40) })).body.access_token;
    expect(await api("POST", "/api/auth/logout", { token })).toMatchObject({ status: 200, body: { message: "已退出登录" } });
    expect((await api("GET", "/api/auth/me", { token })).status).toBe(401);
    expect((await api("GET", "/api/auth/me", { token: other })).status).toBe(200);
  });

  it("tokens expire after TOKEN_TTL_SECONDS", async () => {
    const { token } = await registerUser("tok");
    clock.advance((Number(env.TOKEN_TTL_SECONDS) + 1) * 1000);
    expect(await api("GET", "/api/auth/me", { token })).toMatchObject({ status: 401, body: { code: "token_expired", detail: "登录已过期，请重新登录" } });
  });
});

describe("password reset", () => {
  // The api helper waits for the worker's waitUntil work, so mail sent after the response is here.
  const sent: Mail[] = [];
  // Reset mails only: registering also mails a verification link (test/notify/verification.test.ts).
  setMailSenderOverride({ send: async (m) => void (m.text.includes("/reset-password?token=") && sent.push(m)) });
  afterEach(() => {
    sent.length = 0;
  });
  const tokenOf = (m: Mail) => m.text.match(/token=([\w-]+)/)![1]!;

  it("answers the same for known and unknown emails, mails a single-use link to the known one", async () => {
    const { user, token: oldToken } = await registerUser("reset");
    const known = await api("POST", "/api/auth/forgot-password", { body: { email: user.email }, headers: ip(50) });
    const unknown = await api("POST", "/api/auth/forgot-password", { body: { email: "nobody@example.com" }, headers: ip(50) });
    expect(known).toMatchObject({ status: 200, body: { message: "如果该邮箱已注册，将收到密码重置邮件" } });
    expect(unknown.body).toEqual(known.body);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe(user.email);
    const resetToken = tokenOf(sent[0]!);
    expect(resetToken.length).toBeGreaterThanOrEqual(22); // ≥128 bits in base64url
    const stored = await env.DB.prepare("SELECT token_hash FROM password_resets WHERE user_id = ?").bind(user.id).first<{ token_hash: string }>();
    expect(stored!.token_hash).not.toContain(resetToken);

    const ok = await api("POST", "/api/auth/reset-password", { body: { token: resetToken, new_password: "brand-new-pass" } });
    expect(ok.status).toBe(200);
    // The session that ended says why.
    expect(await api("GET", "/api/auth/me", { token: oldToken })).toMatchObject({ status: 401, body: { code: "password_changed" } });
    expect((await api("POST", "/api/auth/login", { body: { username: user.username, password: "brand-new-pass" }, headers: ip(51) })).status).toBe(200);
    const again = await api("POST", "/api/auth/reset-password", { body: { token: resetToken, new_password: "another-pass-1" } });
    expect(again).toMatchObject({ status: 400, body: { detail: "重置令牌无效或已过期", code: "invalid_reset_token" } });
  });

  it("refuses a reset token older than 30 minutes", async () => {
    const { user } = await registerUser("reset");
    const f = await api("POST", "/api/auth/forgot-password", { body: { email: user.email }, headers: ip(52) });
    expect(f.status).toBe(200);
    clock.advance(31 * 60 * 1000);
    const r = await api("POST", "/api/auth/reset-password", { body: { token: tokenOf(sent[0]!), new_password: "brand-new-pass" } });
    expect(r.status).toBe(400);
  });

  // A reset link is a credential: once the password is reset or changed, no older link may set it again.
  it("a successful reset and a password change void every other outstanding reset token of the user", async () => {
    const { user } = await registerUser("reset");
    for (const n of [53, 54]) expect((await api("POST", "/api/auth/forgot-password", { body: { email: user.email }, headers: ip(n) })).status).toBe(200);
    const [first, second] = sent.map(tokenOf);
    expect((await api("POST", "/api/auth/reset-password", { body: { token: second, new_password: "brand-new-pass" } })).status).toBe(200);
    expect(await api("POST", "/api/auth/reset-password", { body: { token: first, new_password: "attacker-pass-1" } })).toMatchObject({ status: 400, body: { code: "invalid_reset_token" } });

    const other = await registerUser("reset");
    expect((await api("POST", "/api/auth/forgot-password", { body: { email: other.user.email }, headers: ip(55) })).status).toBe(200);
    const pending = tokenOf(sent.at(-1)!);
    expect((await api("PUT", "/api/user/password", { token: other.token, body: { old_password: other.password, new_password: "changed-pass-1" } })).status).toBe(200);
    expect((await api("POST", "/api/auth/reset-password", { body: { token: pending, new_password: "attacker-pass-1" } })).status).toBe(400);
    expect((await api("POST", "/api/auth/login", { body: { username: other.user.username, password: "changed-pass-1" }, headers: ip(56) })).status).toBe(200);
  });

  // Mails in the user's language (the dashboard stores it in the config when it switches).
  it("writes the reset mail in the user's language", async () => {
    const zhUser = await registerUser("mailzh");
    const enUser = await registerUser("mailen");
    expect((await api("PUT", "/api/user/config", { token: enUser.token, body: { language: "en" } })).status).toBe(200);
    expect((await api("POST", "/api/auth/forgot-password", { body: { email: zhUser.user.email }, headers: ip(57) })).status).toBe(200);
    expect((await api("POST", "/api/auth/forgot-password", { body: { email: enUser.user.email }, headers: ip(58) })).status).toBe(200);
    const [zh, en] = sent;
    expect(zh!.subject).toContain("密码重置");
    expect(en!.subject).toBe("chaoxing-edge password reset");
    expect(en!.text).toContain(enUser.user.username);
    expect(en!.text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(tokenOf(en!)).toMatch(/^[\w-]{20,}$/);
  });

  it("throttles reset mails per address", async () => {
    const { user } = await registerUser("reset");
    let last;
    for (let i = 0; i < 4; i++) last = await api("POST", "/api/auth/forgot-password", { body: { email: user.email }, headers: ip(60 + i) });
    expect(last!.status).toBe(429);
  });
});

authMatrix([
  { method: "GET", path: "/api/auth/me" },
  { method: "POST", path: "/api/auth/logout" },
  { method: "POST", path: "/api/auth/refresh" },
]);
