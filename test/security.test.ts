import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import headersFile from "../web/public/_headers?raw";
import { hashIterations } from "../src/lib/password";
import { sha256Hex } from "../shared/encoding";
import { accountName } from "../src/durable/account";
import { api, registerAdmin, registerUser } from "./helpers/api";
import { userWithAccount } from "./helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "./helpers/sim";

useFutureClock();

describe("password hashing", () => {
  it("uses the configured PBKDF2 iterations, within the production Workers cap of 100,000", async () => {
    const configured = Number(env.PBKDF2_ITERATIONS);
    expect(configured).toBe(100_000);
    const { user } = await registerUser("kdf");
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?").bind(user.id).first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$v1\$100000\$/);
    expect(hashIterations(row!.password_hash)).toBeLessThanOrEqual(100_000);
  });
});

// A client-chosen id goes into our headers and error records only when it is short and cannot inject anything.
describe("X-Request-Id", () => {
  it("echoes a short client id of a safe charset and replaces anything else with our own", async () => {
    const echoed = (id: string) => api("GET", "/api/health", { headers: { "X-Request-Id": id } }).then((r) => r.headers.get("X-Request-Id"));
    expect(await echoed("trace-0123_abcDEF")).toBe("trace-0123_abcDEF");
    for (const bad of ["a".repeat(65), "x".repeat(255), "<script>", "a b", "id%0d%0aSet-Cookie"]) {
      const got = await echoed(bad);
      expect(got, bad).not.toBe(bad);
      expect(got).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

// A body limit, and errors bounded in size: a large body must not cost the worker its memory or answer
// with an error larger still.
describe("request size and validation error size", () => {
  it("refuses a JSON body over 256 KB with 413 and our error body, declared length or streamed", async () => {
    const big = JSON.stringify({ username: "x".repeat(300 * 1024) });
    const r = await api("POST", "/api/auth/register", { body: big });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ detail: expect.any(String), code: "payload_too_large" });
    // No Content-Length: the limit counts what arrives.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (sent++ < 8) ctl.enqueue(chunk);
        else ctl.close();
      },
    });
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request("http://localhost:8000/api/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: stream, duplex: "half" } as RequestInit), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "payload_too_large" });
  });

  it("keeps a 400 small however many invalid fields a body holds: 20 field errors at most", async () => {
    // Every field of every channel and every event of the wrong type: 25 invalid fields.
    const fields: Record<string, string[]> = {
      email: ["enabled"], serverchan: ["enabled", "sendkey"], pushplus: ["enabled", "token"], bark: ["enabled", "device_url"],
      wecom: ["enabled", "webhook_url"], dingtalk: ["enabled", "webhook_url", "secret"], feishu: ["enabled", "webhook_url", "secret"],
      webhook: ["enabled", "url", "secret"],
    };
    const channels = Object.fromEntries(Object.entries(fields).map(([ch, fs]) => [ch, Object.fromEntries(fs.map((f) => [f, ["x".repeat(5000)]]))]));
    const events = Object.fromEntries(["captcha", "notopen_ask", "risk_control", "relay_offline", "completed", "failed", "daily_cap"].map((e) => [e, "y".repeat(5000)]));
    const body: Record<string, unknown> = { channels, events };
    for (let i = 0; i < 5000; i++) body[`unknown_key_${i}`] = i;
    const { token } = await registerUser("bounded400");
    const r = await api("PUT", "/api/user/notifications", { token, body });
    expect(r.status).toBe(400);
    expect(r.body.errors).toHaveLength(20);
    expect(JSON.stringify(r.body).length).toBeLessThan(5_000);
    expect(r.body.detail.length).toBeLessThanOrEqual(300);
  });

  it("gives each field error zod's issue code and its useful params", async () => {
    const reg = (body: object) => api("POST", "/api/auth/register", { body, headers: { "CF-Connecting-IP": "192.0.2.201" } });
    const short = await reg({ username: "ab", email: "a@b.co", password: "password123" });
    expect(short.body.errors).toEqual([{ field: "username", message: "用户名 3–32 位", code: "too_small", params: { minimum: 3, origin: "string" } }]);
    const mail = await reg({ username: "abc", email: "nope", password: "password123" });
    expect(mail.body.errors).toEqual([{ field: "email", message: "邮箱格式不正确", code: "invalid_format", params: { format: "email" } }]);
    const long = await reg({ username: "abc", email: "a@b.co", password: "p".repeat(129) });
    expect(long.body.errors[0]).toMatchObject({ field: "password", code: "too_big", params: { maximum: 128, origin: "string" } });
    const typed = await reg({ username: 5, email: "a@b.co", password: "password123" });
    expect(typed.body.errors[0]).toMatchObject({ field: "username", code: "invalid_type", params: { expected: "string" } });
  });
});

// The verifier sits beside the encrypted session: a bare hash of phone and password would let a
// dictionary recover the Chaoxing password offline from a stolen copy.
describe("a Chaoxing session's verifier", () => {
  it("is a keyed HMAC, not sha256(phone \\0 password); another user who saved the same phone and password logs in for themselves", async () => {
    const sim = installSimulator();
    const { token, user } = await registerUser("verifier");
    const account = await userWithAccount(sim, token, [videoCourse(60)]);
    expect((await api("GET", "/api/courses/list", { token })).status).toBe(200);
    const stored = await runInDurableObject(env.ACCOUNTS.getByName(accountName(user.id, account.phone)), (_o, state) => state.storage.kv.get<{ verifier: string }>("session"));
    expect(stored!.verifier).toMatch(/^[0-9a-f]{64}$/);
    expect(stored!.verifier).not.toBe(await sha256Hex(`${account.phone}\u0000${account.password}`));
    expect(stored!.verifier).not.toContain(account.password);

    // Sessions are each user's own (src/durable/account.ts): what one user's relay answered can never be
    // another user's session, so the second user's first call is a login of their own.
    const other = await registerUser("verifier");
    await api("PUT", "/api/user/config", { token: other.token, body: { cx_username: account.phone, cx_password: account.password } });
    const logins = () => sim.control.requests(account.phone).filter((e) => e.path.endsWith("/fanyalogin")).length;
    expect(logins()).toBe(1);
    expect((await api("GET", "/api/courses/list?refresh=true", { token: other.token })).status).toBe(200);
    expect(logins()).toBe(2);
    expect((await api("GET", "/api/courses/list?refresh=true", { token })).status).toBe(200);
    expect(logins()).toBe(2);
  });
});

// The session token sits in localStorage, so no script but our own may run, and no other site may frame us.
describe("security headers", () => {
  const SECURITY = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy", "strict-transport-security"];

  it("every /api response carries a strict CSP, nosniff, frame protection, a referrer policy and HSTS", async () => {
    const { token } = await registerUser("hdr");
    for (const [path, status, t] of [["/api/health", 200, undefined], ["/api/auth/me", 200, token], ["/api/auth/me", 401, undefined], ["/api/nope", 404, undefined], ["/api/docs", 200, undefined]] as const) {
      const r = await api("GET", path, { token: t });
      expect(r.status, path).toBe(status);
      for (const h of SECURITY) expect(r.headers.get(h), `${path} ${h}`).toBeTruthy();
      const csp = r.headers.get("content-security-policy")!;
      expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
      expect(csp).toMatch(/(^|; )default-src 'self'(;|$)/);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
      expect(r.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}/);
    }
  });

  it("Swagger UI needs no inline script: every script of /api/docs is a file of ours", async () => {
    const r = await api("GET", "/api/docs");
    const scripts = [...(r.body as string).matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(1);
    for (const [, attrs, inline] of scripts) {
      expect(attrs).toMatch(/src="\/swagger-ui-dist\//);
      expect(inline!.trim()).toBe("");
    }
  });

  it("web/public/_headers gives the static assets (/*) the same headers as the worker's responses", async () => {
    const rules = headersFile.split("\n");
    const start = rules.findIndex((l) => l.trim() === "/*");
    expect(start).toBeGreaterThanOrEqual(0);
    const block = new Map<string, string>();
    for (const line of rules.slice(start + 1)) {
      if (!/^\s+\S/.test(line)) break;
      const i = line.indexOf(":");
      block.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const served = (await api("GET", "/api/health")).headers;
    const fromWorker = new Map<string, string>();
    served.forEach((v, k) => {
      // Per-response headers, not policy: the body's type and size, the request id, the D1 session's, and
      // the API's Vary on Origin (its CORS answer depends on it).
      if (!["content-type", "content-length", "x-request-id", "x-d1-round-trips", "x-d1-bookmark", "vary"].includes(k)) fromWorker.set(k, v);
    });
    for (const h of SECURITY) expect(block.has(h), h).toBe(true);
    expect(Object.fromEntries(block)).toEqual(Object.fromEntries(fromWorker));
  });
});

describe("ids in paths and queries", () => {
  it("are plain decimals: 0x10, 1e3, 16.0, +16, 016 or ' 16' name nothing, on every operation with an id", async () => {
    const admin = await registerAdmin();
    const doc = (await api("GET", "/api/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).filter(() => p.includes("{id}")).map((m) => ({ method: m.toUpperCase(), path: p })));
    expect(ops.length).toBeGreaterThan(15);
    const id = admin.user.id;
    const spellings = [`0x${id.toString(16)}`, `${id}e0`, `${id}.0`, `+${id}`, `0${id}`, `%20${id}`, "1e3", `${id}n`];
    const wrong: string[] = [];
    for (const op of ops) {
      for (const sp of spellings) {
        const r = await api(op.method, op.path.replace("{id}", sp), { token: admin.token });
        const namesId = r.status === 400 && (r.body.errors ?? []).some((e: { field: string }) => e.field === "id");
        if (!namesId) wrong.push(`${op.method} ${op.path.replace("{id}", sp)} → ${r.status}`);
      }
    }
    expect(wrong).toEqual([]);
    // The task socket's route pattern too (not in the document).
    expect((await api("GET", `/api/tasks/0${id}/ws?token=${admin.token}`, { headers: { Upgrade: "websocket" } })).status).toBe(404);
    // Ids in queries.
    for (const q of [`/api/admin/tasks?user_id=0x${id}`, `/api/admin/audit?admin_id=${id}e0`, `/api/tasks/1/logs?after_id=0x0`, `/api/tasks/1/logs?before_id=1e3`, `/api/admin/export?after_user=0x0`, `/api/admin/export?limit=2e1`]) {
      const r = await api("GET", q, { token: admin.token });
      expect(r.status, q).toBe(400);
    }
  });
});

describe("an empty body", () => {
  it("is no body: Content-Type application/json with nothing after it is answered as if no body came, on every operation whose body is optional", async () => {
    const { token } = await registerUser("empty");
    const doc = (await api("GET", "/api/openapi.json")).body as { paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>> };
    const optional = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.entries(methods).filter(([, op]) => op.requestBody && !op.requestBody.required).map(([m]) => ({ method: m.toUpperCase(), path: p.replace("{id}", "999999") })),
    );
    expect(optional.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(["POST /api/user/config/test-login", "POST /api/tasks/999999/resume"]));
    const answers = [];
    for (const op of optional) {
      const none = await api(op.method, op.path, { token });
      const empty = await api(op.method, op.path, { token, body: "", headers: { "Content-Type": "application/json" } });
      answers.push({ op: `${op.method} ${op.path}`, none: [none.status, none.body.code, none.body.detail], empty: [empty.status, empty.body.code, empty.body.detail] });
    }
    for (const a of answers) expect(a.empty, a.op).toEqual(a.none);
  });
});
