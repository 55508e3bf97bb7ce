import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { describe, expect, it } from "vitest";
import { NOTIFY_MAX_RETRIES } from "../../src/notify/consume";
import { notify } from "../../src/notify/produce";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { installCapture, messageId, NOTIFY_DLQ, NOTIFY_QUEUE, raised, runQueue, setNotifications, taskRow } from "../helpers/notify";
import { useFutureClock } from "../helpers/sim";
import { auditRows } from "./fixtures";

// The admin's diagnostics (docs/operations.md "Watching it"): engine health with tasks by reason, the
// notification dead letters with a retry, the relay fleet with agent versions, the last errors.

useFutureClock();
const capture = installCapture();

/** A notification whose retries ran out: recorded dead, as the dead-letter consumer leaves it. */
async function deadLetter() {
  const { token, user } = await registerUser("dl");
  await setNotifications(token, { channels: { bark: { enabled: true, device_url: "https://api.day.app/k1234567" } } });
  const taskId = await taskRow(user.id);
  await env.DB.prepare("UPDATE tasks SET status = 'failed', error_msg = '超星服务持续异常' WHERE id = ?").bind(taskId).run();
  const from = raised.length;
  await notify(env, { kind: "failed", userId: user.id, taskId, occurrence: "g1" });
  const body = raised[from]!;
  capture.respond(() => new Response("down", { status: 503 }));
  const id = messageId();
  for (let attempts = 1; attempts <= NOTIFY_MAX_RETRIES + 1; attempts++) await runQueue(NOTIFY_QUEUE, [{ id, body, attempts }]);
  await runQueue(NOTIFY_DLQ, [{ id, body }]);
  return { token, user, taskId };
}

describe("GET /api/admin/diagnostics", () => {
  it("is for admins only", async () => {
    const { token } = await registerUser("nodiag");
    expect((await api("GET", "/api/admin/diagnostics", { token })).status).toBe(403);
    expect((await api("GET", "/api/admin/diagnostics")).status).toBe(401);
  });

  it("shows engine health by reason, the dead letters, the relay agents' versions and the last errors; the read is audited", async () => {
    const admin = await registerAdmin();
    const { user, taskId } = await deadLetter();
    const paused = await taskRow(user.id);
    await env.DB.prepare("UPDATE tasks SET status = 'paused', reason = 'relay_offline' WHERE id = ?").bind(paused).run();
    const now = new Date().toISOString();
    await env.DB.prepare("INSERT INTO relays (user_id, name, secret_hash, frame_key_enc, version, created_at, last_seen_at) VALUES (?, 'laptop', 'h', 'k', '0.2.0', ?, ?), (?, 'nas', 'h2', 'k2', '0.1.0', ?, NULL)")
      .bind(user.id, now, now, user.id, now)
      .run();
    await env.DB.prepare("INSERT INTO error_events (source, ref, message, created_at) VALUES ('task', ?, 'step crashed (attempt 1): TypeError: x', ?)").bind(String(taskId), now).run();

    const r = await api("GET", "/api/admin/diagnostics", { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.body.engine.by_reason).toContainEqual({ status: "paused", reason: "relay_offline", count: 1 });
    expect(r.body.dead_letters.total).toBeGreaterThanOrEqual(1);
    expect(r.body.dead_letters.items[0]).toMatchObject({ kind: "failed", channel: "bark", user_id: user.id, task_id: taskId, http_status: 503, excerpt: "down" });
    expect(r.body.relays.items.filter((a: { user_id: number }) => a.user_id === user.id).map((a: { name: string; version: string | null }) => [a.name, a.version])).toEqual([["laptop", "0.2.0"], ["nas", "0.1.0"]]);
    expect(r.body.relays.versions).toEqual(expect.arrayContaining([{ version: "0.2.0", count: expect.any(Number) }]));
    expect(r.body.errors[0]).toMatchObject({ source: "task", ref: String(taskId), message: "step crashed (attempt 1): TypeError: x" });
    expect(await auditRows("admin_id = ? AND action = ?", admin.user.id, "statistics.view")).toHaveLength(1);
  });
});

describe("POST /api/admin/diagnostics/dead-letters/{id}/retry", () => {
  it("puts the delivery back on the queue, and the consumer delivers it (not dropped as a duplicate)", async () => {
    const admin = await registerAdmin();
    const { token, taskId } = await deadLetter();
    const list = await api("GET", "/api/admin/diagnostics", { token: admin.token });
    const dead = list.body.dead_letters.items.find((d: { task_id: number }) => d.task_id === taskId);
    const from = raised.length;
    const r = await api("POST", `/api/admin/diagnostics/dead-letters/${dead.id}/retry`, { token: admin.token });
    expect(r.status).toBe(200);
    const retry = raised[from]!;
    expect(retry).toMatchObject({ kind: "failed", task_id: taskId, detail: { error: "超星服务持续异常" } });
    capture.respond(capture.accepted);
    const sent = capture.requests.length;
    expect((await runQueue(NOTIFY_QUEUE, [{ body: retry }])).explicitAcks).toHaveLength(1);
    expect(capture.requests.length).toBe(sent + 1);
    const mine = await api("GET", `/api/tasks/${taskId}/notifications`, { token });
    expect(mine.body[0].deliveries[0]).toMatchObject({ channel: "bark", status: "sent" });
    // Only a dead letter can be retried; the action is audited.
    expect((await api("POST", `/api/admin/diagnostics/dead-letters/${dead.id}/retry`, { token: admin.token })).status).toBe(409);
    expect((await api("POST", "/api/admin/diagnostics/dead-letters/999999/retry", { token: admin.token })).status).toBe(404);
    expect(await auditRows("admin_id = ? AND action = ?", admin.user.id, "notify.retry")).toHaveLength(1);
  });
});

describe("the last errors", () => {
  it("an unhandled API error is recorded under its request id (the client sees only the id)", async () => {
    const admin = await registerAdmin();
    const app = createApp();
    app.get("/api/test-crash", () => {
      throw new TypeError("something internal broke");
    });
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("http://localhost/api/test-crash", { headers: { "X-Request-Id": "crash-0001" } }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: "服务器内部错误", code: "internal_error", request_id: "crash-0001" });
    const r = await api("GET", "/api/admin/diagnostics", { token: admin.token });
    expect(r.body.errors).toContainEqual(expect.objectContaining({ source: "api", ref: "crash-0001", message: "GET /api/test-crash: TypeError: something internal broke" }));
  });
});
