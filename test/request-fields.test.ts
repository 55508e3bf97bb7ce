import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, registerAdmin, registerUser } from "./helpers/api";
import { userWithAccount } from "./helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "./helpers/sim";

useFutureClock();

/**
 * Clients written for the origin (FastAPI + pydantic) send fields we do not know: pydantic ignores them,
 * and so do we, naming them in `X-Ignored-Fields` so an API user still sees a typo.
 */
const ignored = (h: Headers) => h.get("X-Ignored-Fields");
let ipSeq = 0;
const freshIp = () => ({ "CF-Connecting-IP": `198.51.100.${++ipSeq}` });

describe("unknown request-body fields", () => {
  it("are ignored and named, on the origin's admin user edit ({username, email, is_active, role})", async () => {
    const { token } = await registerAdmin();
    const u = await registerUser("edited");
    const email = `new.${u.user.username}@example.com`;
    const r = await api("PUT", `/api/admin/users/${u.user.id}`, { token, body: { username: "renamed", email, is_active: true, role: "user" } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ username: u.user.username, email, is_active: true, role: "user" });
    expect(ignored(r.headers)).toBe("username");
  });

  it("are ignored on the origin's config tabs (tiku_config), and nothing else changes", async () => {
    const { token } = await registerUser("tiku");
    const r = await api("PUT", "/api/user/config", { token, body: { speed: 1.5, tiku_config: { provider: "x", tokens: ["a"] }, role: "admin" } });
    expect(r.status).toBe(200);
    expect(r.body.speed).toBe(1.5);
    expect(ignored(r.headers)).toBe("tiku_config, role");
    expect((await api("GET", "/api/auth/me", { token })).body.role).toBe("user");
  });

  it("are named with their path inside nested objects", async () => {
    const { token } = await registerUser("nested");
    const r = await api("PUT", "/api/user/notifications", { token, body: { channels: { slack: { enabled: true }, bark: { enabled: false, sound: "x" } }, events: { nonsense: true } } });
    expect(r.status).toBe(200);
    expect(ignored(r.headers)).toBe("channels.slack, channels.bark.sound, events.nonsense");
  });

  it("are ignored and named inside the classes a task names, which are kept with the description", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("classfields");
    const account = await userWithAccount(sim, token, [{ ...videoCourse(60), classes: [{ name: "2025秋", state: 1 }, { name: "2026春" }] }]);
    const [ended] = account.courses;
    const clazz = { course_id: ended!.courseId, clazz_id: ended!.clazzId };
    const r = await api("POST", "/api/tasks", { token, body: { name: "结束的班", description: "补完", classes: [{ ...clazz, clazzName: "2025秋" }], color: "red" } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ description: "补完", course_ids: [clazz.course_id], classes: [clazz] });
    expect(ignored(r.headers)).toBe("classes.0.clazzName, color");
  });

  it("give no header when every field is known", async () => {
    const { token } = await registerUser("known");
    const r = await api("PUT", "/api/user/config", { token, body: { speed: 1.2 } });
    expect(r.status).toBe(200);
    expect(ignored(r.headers)).toBeNull();
  });

  it("are named a few at a time, cut short and percent-encoded, with the count of the rest; the response stays small", async () => {
    const body: Record<string, unknown> = { username: `many${Date.now().toString(36)}`, email: `many${Date.now().toString(36)}@b.co`, password: "password123" };
    body["名字"] = 1;
    body["a, b"] = 2;
    body["y".repeat(20_000)] = 3;
    for (let i = 0; i < 5000; i++) body[`unknown_key_${i}_${"k".repeat(20)}`] = i;
    const payload = JSON.stringify(body);
    expect(payload.length).toBeGreaterThan(150_000);
    const r = await api("POST", "/api/auth/register", { body: payload, headers: freshIp() });
    expect(r.status).toBe(201);
    expect(r.body.user.role).toBe("user");
    const header = ignored(r.headers)!;
    expect(header.length).toBeLessThan(300);
    const parts = header.split(", ");
    expect(parts).toHaveLength(4);
    expect(parts.slice(0, 2).map(decodeURIComponent)).toEqual(["名字", "a, b"]);
    expect(decodeURIComponent(parts[2]!)).toBe(`${"y".repeat(31)}…`);
    expect(parts[3]).toBe("+5000");
  });

  it("still leave the body limit (413) and the bounded 400 of invalid fields as they were", async () => {
    const big = JSON.stringify({ username: "x", unknown: "x".repeat(300 * 1024) });
    expect((await api("POST", "/api/auth/register", { body: big, headers: freshIp() })).status).toBe(413);
    const bad: Record<string, unknown> = { channels: {} };
    const channels = bad.channels as Record<string, unknown>;
    for (const ch of ["serverchan", "pushplus"]) channels[ch] = { enabled: "yes", [ch === "serverchan" ? "sendkey" : "token"]: "bad key" };
    const { token } = await registerUser("bounded");
    const r = await api("PUT", "/api/user/notifications", { token, body: { ...bad, extra: 1 } });
    expect(r.status).toBe(400);
    expect(r.body.errors).toHaveLength(4);
    expect(r.body.errors.every((e: { code: string }) => e.code !== "unrecognized_keys")).toBe(true);
    // A refused body changes nothing, and names nothing as ignored (nothing was taken).
    expect(ignored(r.headers)).toBeNull();
  });

  it("are documented: X-Ignored-Fields on every operation that takes a body, and no body schema refuses other properties", async () => {
    const doc = (await api("GET", "/api/openapi.json")).body;
    const ops = Object.values(doc.paths as Record<string, Record<string, { requestBody?: unknown; responses: Record<string, { headers?: Record<string, unknown> }> }>>).flatMap((p) => Object.values(p));
    const withBody = ops.filter((o) => o.requestBody);
    expect(withBody.length).toBeGreaterThan(10);
    for (const o of withBody) {
      const ok = Object.entries(o.responses).filter(([s]) => s.startsWith("2"));
      expect(ok.length).toBeGreaterThan(0);
      for (const [, res] of ok) expect(res.headers?.["X-Ignored-Fields"]).toEqual({ $ref: "#/components/headers/IgnoredFields" });
    }
    expect(doc.components.headers.IgnoredFields.description).toContain("X-Ignored-Fields");
    expect(JSON.stringify(doc.components.schemas)).not.toContain('"additionalProperties":false');
  });
});

describe("a task's description", () => {
  it("is optional, stored in D1, returned by the task routes and the lists", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("desc");
    const account = await userWithAccount(sim, token, [videoCourse(60)]);
    const courseIds = [account.courses[0]!.courseId];
    const created = await api("POST", "/api/tasks", { token, body: { name: "带说明", course_ids: courseIds, description: "  期末前刷完  " } });
    expect(created.status).toBe(201);
    expect(created.body.description).toBe("期末前刷完");
    expect(ignored(created.headers)).toBeNull();
    const id = created.body.id;
    const stored = await env.DB.prepare("SELECT description FROM tasks WHERE id = ?").bind(id).first<{ description: string }>();
    expect(stored!.description).toBe("期末前刷完");
    expect((await api("GET", `/api/tasks/${id}`, { token })).body.description).toBe("期末前刷完");
    expect((await api("GET", "/api/tasks", { token })).body.items[0].description).toBe("期末前刷完");
    const started = await api("POST", `/api/tasks/${id}/start`, { token });
    expect(started.body.task.description).toBe("期末前刷完");

    // Absent, null or blank: none.
    for (const description of [undefined, null, "   "]) {
      const r = await api("POST", "/api/tasks", { token, body: { name: "无说明", course_ids: courseIds, description } });
      expect(r.status, String(description)).toBe(201);
      expect(r.body.description).toBeNull();
    }
    const long = await api("POST", "/api/tasks", { token, body: { name: "太长", course_ids: courseIds, description: "字".repeat(501) } });
    expect(long).toMatchObject({ status: 400, body: { errors: [{ field: "description", code: "too_big" }] } });
  });

  it("is in the OpenAPI document of the task and of its creation", async () => {
    const doc = (await api("GET", "/api/openapi.json")).body;
    expect(doc.components.schemas.TaskCreate.properties.description).toMatchObject({ maxLength: 500 });
    expect(doc.components.schemas.Task.properties.description).toBeDefined();
    expect(doc.components.schemas.Task.required).toContain("description");
  });
});
