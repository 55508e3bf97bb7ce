import { describe, expect, it } from "vitest";
import { frameKeyOf, parseCredential, PROTOCOL_HEADER, RELAY_PROTOCOL } from "../../src/shared/relay-wire";
import { call, firstMessage, useApp } from "./app";

const app = useApp();

/** The JWT's payload (its `jti` is the session id). */
const claims = (token: string): { jti: string } => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));

// A session id or a relay's frame key must never reach the worker log: the runtime prints the whole value
// of any header with non-ASCII in it (a Chinese username, the relay's default name 宿舍电脑), and a log is
// read by more people than the secrets it would then hold.
describe("the worker log", () => {
  it("shows no session id and no relay key when the user and the relay have Chinese names", async () => {
    const a = app();
    const username = `宿舍用户${Date.now().toString(36)}`;
    const reg = await call(a, "POST", "/api/auth/register", { body: { username, email: `${Date.now()}@example.com`, password: "password123" } });
    expect(reg.status).toBe(201);
    const token: string = reg.body.access_token;
    const ws = a.base.replace(/^http/, "ws");

    const hub = await firstMessage(`${ws}/ws/connect?token=${token}`);
    expect(hub.first).toMatchObject({ type: "connected", username });

    // A task socket too: the demo account's first course.
    expect((await call(a, "PUT", "/api/user/config", { token, body: { cx_username: "13800138000", cx_password: "your_password" } })).status).toBe(200);
    const courses = await call(a, "GET", "/api/courses/list", { token });
    expect(courses.status).toBe(200);
    const task = await call(a, "POST", "/api/tasks", { token, body: { name: "日志", course_ids: [courses.body[0].courseId] } });
    expect(task.status).toBe(201);
    const direct = await firstMessage(`${ws}/api/tasks/${task.body.id}/ws?token=${token}`);
    expect(direct.first).toMatchObject({ type: "task_update", task_id: task.body.id });

    const code = await call(a, "POST", "/api/relays/pairing-code", { token });
    const paired = await call(a, "POST", "/api/relays/pair", { body: { code: code.body.code, name: "宿舍电脑" } });
    expect(paired.status).toBe(201);
    // An agent of this release's protocol (one without the header is of the first release: refused as outdated).
    const agent = await firstMessage(`${ws}/ws/relay`, { Authorization: `Bearer ${paired.body.credential}`, [PROTOCOL_HEADER]: String(RELAY_PROTOCOL) });
    expect(agent.first).toMatchObject({ type: "hello", name: "宿舍电脑" });

    for (const s of [hub.ws, direct.ws, agent.ws]) s.close();
    // The runtime's warnings are written as the request is made; give the pipe a moment to deliver them.
    await new Promise((r) => setTimeout(r, 1000));
    const log = a.log();
    const secret = parseCredential(paired.body.credential)!.secret;
    const held = { "session id": claims(token).jti, "relay frame key": await frameKeyOf(secret), "relay secret": secret };
    const leaked = Object.entries(held).filter(([, v]) => log.includes(v)).map(([what]) => what);
    const warnings = log.split("\n").filter((l) => l.includes("non-ASCII")).map((l) => l.slice(0, 100));
    expect({ leaked, warnings }).toEqual({ leaked: [], warnings: [] });
  });
});
