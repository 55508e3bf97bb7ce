import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import type { ServerMessage, TaskUpdateData } from "../../src/shared/live";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { hub, subscribe, type LiveClient } from "./client";
import { SUBSCRIBED_HUBS } from "../../src/durable/stored";
import { getVersioned } from "../../src/lib/versioned";

useFutureClock();

const updates = (ms: ServerMessage[]) => ms.flatMap((m) => (m.type === "task_update" ? [m] : []));
const logs = (ms: ServerMessage[]) => ms.flatMap((m) => (m.type === "task_log" ? [m.log] : []));
const isFinal = (id: number) => (m: ServerMessage) => m.type === "task_update" && m.task_id === id && m.data.status !== "running";

/** A user with a simulated account and a started one-video task. */
async function runningTask(duration = 240) {
  const sim = installSimulator();
  const u = await registerUser("live");
  const account = await userWithAccount(sim, u.token, [videoCourse(duration)]);
  const id = await startTask(u.token, [account.courses[0]!.courseId]);
  return { ...u, id };
}

const hubTasks = (taskId: number) =>
  runInDurableObject(env.TASKS.getByName(`task:${taskId}`), (_o, state) => getVersioned(state.storage.kv, "subscribers", SUBSCRIBED_HUBS)?.hubs ?? []);

// The fan-out tests open up to 100 sockets and drive a task to the end: more than vitest's default 5 s
// when the whole suite shares the machine.
describe("WS /ws/connect", () => {
  it("greets with the user, subscribes, sends the current state at once, then every update and log in order", async () => {
    const { token, user, id } = await runningTask();
    const c = await hub(token);
    expect(c.received[0]).toEqual({ type: "connected", user_id: user.id, username: user.username });

    const [subscribed, current] = await subscribe(c, id);
    expect(subscribed).toEqual({ type: "subscribed", task_id: id });
    expect(current).toEqual({ type: "task_update", task_id: id, data: { ...(await taskLive(id)), task_id: id } });
    const { body: before } = await api("GET", `/api/tasks/${id}/logs`, { token });
    const lastLogBefore = before.at(-1)?.id ?? 0;

    const final = await driveUntil(id, finished);
    const seen = await c.until(isFinal(id));

    // Updates: every step's state, progress never going back, ending on the final state.
    const ups = updates(seen);
    expect(ups.length).toBeGreaterThan(2);
    for (const u of ups) expect(u.task_id).toBe(id);
    const progress = ups.map((u) => u.data.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(ups.some((u) => u.data.current_item?.startsWith("🎬") && u.data.item_total_time === 240)).toBe(true);
    expect(ups.at(-1)!.data).toEqual({ ...final, task_id: id });
    expect(final).toMatchObject({ status: "completed", progress: 100 });

    // Logs: exactly the lines written after we subscribed, in id order, as the REST API lists them.
    const { body: after } = await api("GET", `/api/tasks/${id}/logs?after_id=${lastLogBefore}&limit=500`, { token });
    expect(logs(seen)).toEqual(after.map(({ task_id: _t, ...l }: { task_id: number }) => l));
    expect(logs(seen).length).toBeGreaterThan(0);
  });

  it("matches GET /api/tasks/{id} field for field after every step", async () => {
    const { token, id } = await runningTask();
    const c = await hub(token);
    await subscribe(c, id);
    for (let i = 0; i < 4; i++) {
      await tick();
      const latest = updates(await c.until((m) => m.type === "task_update")).at(-1)!;
      const { body } = await api("GET", `/api/tasks/${id}`, { token });
      // The push of this step may be followed by the next; compare with the newest one read.
      const last = updates(c.drain()).at(-1) ?? latest;
      for (const k of ["status", "progress", "current_item", "item_progress", "item_current_time", "item_total_time", "item_speed", "item_time_limit", "item_rewatch", "completed_courses", "total_courses", "eta_seconds", "forecast", "reason"] as const) {
        expect(last.data[k], k).toEqual(body[k]);
      }
    }
  });

  it("refuses another user's task with an error and stays up; an admin may subscribe to it", async () => {
    const { id } = await runningTask();
    const other = await registerUser("other");
    const c = await hub(other.token);
    c.send({ type: "subscribe_task", task_id: id });
    const err = await c.next();
    expect(err).toMatchObject({ type: "error" });
    if (err.type !== "error") throw new Error("unreachable");
    expect(err.message).toBe(err.detail);
    expect(err.message).toContain("任务不存在");
    c.send({ type: "subscribe_task", task_id: 999_999 });
    expect(await c.next()).toMatchObject({ type: "error" });
    c.send({ type: "ping" });
    expect(await c.next()).toEqual({ type: "pong" });

    const admin = await registerAdmin();
    const a = await hub(admin.token);
    const [subscribed, current] = await subscribe(a, id);
    expect(subscribed).toEqual({ type: "subscribed", task_id: id });
    expect(current).toMatchObject({ type: "task_update", task_id: id, data: { status: "running" } });
    await tick();
    expect(await a.until((m) => m.type === "task_update")).toBeTruthy();
  });

  it("sends a pending task's state from its row, and the updates once it starts", async () => {
    const sim = installSimulator();
    const u = await registerUser("pend");
    const account = await userWithAccount(sim, u.token, [videoCourse(60)]);
    const created = await api("POST", "/api/tasks", { token: u.token, body: { name: "p", course_ids: [account.courses[0]!.courseId] } });
    const id = created.body.id as number;
    const c = await hub(u.token);
    const [, current] = await subscribe(c, id);
    expect(current).toMatchObject({ type: "task_update", task_id: id, data: { status: "pending", progress: 0, total_courses: 1 } });
    expect((await api("POST", `/api/tasks/${id}/start`, { token: u.token })).status).toBe(200);
    expect(await c.until((m) => m.type === "task_update" && m.data.status === "running")).toBeTruthy();
  });

  it("unsubscribes: no more updates for that socket, and the task stops pushing to a hub nobody listens on", async () => {
    const { token, id } = await runningTask();
    const c = await hub(token);
    await subscribe(c, id);
    expect(await hubTasks(id)).toEqual([`hub:${(await api("GET", "/api/auth/me", { token })).body.id}`]);
    c.send({ type: "unsubscribe_task", task_id: id });
    expect(await c.until((m) => m.type === "unsubscribed")).toContainEqual({ type: "unsubscribed", task_id: id });
    await tick();
    await tick();
    // The next push after the last subscriber left answers "not interested": the task drops the hub.
    await expect.poll(() => hubTasks(id)).toEqual([]);
    c.send({ type: "ping" });
    const rest = await c.until((m) => m.type === "pong");
    expect(updates(rest)).toEqual([]);
  });

  it("fans out to many tabs of one user, each with its own subscriptions", async () => {
    const { token, id } = await runningTask();
    const second = await runningTask();
    const tabs: LiveClient[] = [];
    for (let i = 0; i < 5; i++) tabs.push(await hub(token));
    const snapshots = [];
    for (const t of tabs.slice(0, 4)) snapshots.push((await subscribe(t, id))[1]!);
    // The fifth tab watches a task of another user: refused, and it gets nothing of ours.
    tabs[4]!.send({ type: "subscribe_task", task_id: second.id });
    expect(await tabs[4]!.next()).toMatchObject({ type: "error" });

    await driveUntil(id, finished);
    const streams = await Promise.all(tabs.slice(0, 4).map((t) => t.until(isFinal(id))));
    // Each subscribe re-sends the (unchanged) current state to the hub, so earlier tabs may see it again;
    // past that, every tab sees the same messages in the same order.
    const start = JSON.stringify(snapshots[0]);
    for (const s of snapshots) expect(JSON.stringify(s)).toBe(start);
    const shape = (ms: ServerMessage[]) => ms.map((m) => JSON.stringify(m)).filter((m) => m !== start);
    for (const s of streams) expect(shape(s)).toEqual(shape(streams[3]!));
    expect(shape(streams[0]!).length).toBeGreaterThan(3);
    tabs[4]!.send({ type: "ping" });
    expect(updates(await tabs[4]!.until((m) => m.type === "pong"))).toEqual([]);
  }, 30_000);

  it("100 subscribers all receive every update", async () => {
    const { token, id } = await runningTask(60);
    const clients: LiveClient[] = [];
    for (let i = 0; i < 100; i++) {
      const c = await hub(token);
      await subscribe(c, id);
      clients.push(c);
    }
    const final = await driveUntil(id, finished);
    const lasts = await Promise.all(clients.map(async (c) => updates(await c.until(isFinal(id))).at(-1)!.data));
    for (const l of lasts) expect(l).toEqual<TaskUpdateData>({ ...final, task_id: id });
  }, 30_000);

  it("a step's log lines and its update reach a hub in one push (one RPC per hub per step)", async () => {
    const { token, user, id } = await runningTask(120);
    const c = await hub(token);
    await subscribe(c, id);
    // RPC calls the class's method: counted there (this task's pushes only), and put back afterwards.
    type Push = (this: unknown, taskId: number, m: ServerMessage[]) => Promise<boolean>;
    const proto = await runInDurableObject(env.HUBS.getByName(`hub:${user.id}`), (instance: object) => Object.getPrototypeOf(instance) as { push: Push });
    const push = proto.push;
    const pushes: string[][] = [];
    proto.push = function (taskId, messages) {
      if (taskId === id) pushes.push(messages.map((m) => m.type));
      return push.call(this, taskId, messages);
    };
    try {
      await driveUntil(id, finished);
      await c.until(isFinal(id));
    } finally {
      proto.push = push;
    }
    const withLines = pushes.filter((p) => p.includes("task_log"));
    expect(withLines.length).toBeGreaterThan(2);
    // Every push that carries a step's lines carries that step's update too, after them.
    for (const p of withLines) expect(p.at(-1) === "task_update" || p.at(-1) === "notification").toBe(true);
    expect(pushes.filter((p) => p.length === 1 && p[0] === "task_log")).toEqual([]);
  });

  it("rejects malformed messages with an error and stays up; answers ping in either spelling", async () => {
    const { token } = await registerUser("mal");
    const c = await hub(token);
    for (const bad of ["not json", "[]", "42", '{"type":"nope"}', '{"type":"subscribe_task","task_id":"1"}', '{"type":"subscribe_task","task_id":-3}', '{"type":"unsubscribe_task"}']) {
      c.send(bad);
      const m = await c.next();
      expect(m, bad).toMatchObject({ type: "error" });
      if (m.type === "error") expect(m.detail).toBe(m.message);
    }
    c.send(new TextEncoder().encode('{"type":"ping"}').buffer as ArrayBuffer);
    expect(await c.next()).toMatchObject({ type: "error", detail: "只接受 JSON 文本消息" });
    c.send('{"type":"ping"}'); // answered by the runtime's auto-response
    expect(await c.next()).toEqual({ type: "pong" });
    c.send('{ "type": "ping" }'); // answered by the handler
    expect(await c.next()).toEqual({ type: "pong" });
    expect(c.closeEvent).toBeNull();
  });

  it("closes a connection that sends more than 4 KB in one message (1009)", async () => {
    const { token } = await registerUser("big");
    const c = await hub(token);
    c.send(JSON.stringify({ type: "ping", pad: "x".repeat(5000) }));
    expect((await c.closed).code).toBe(1009);
  });

  // The cap is on what the socket carries: a Chinese character is three UTF-8 bytes, so a cap on string
  // length would let three times as much through (src/durable/sockets.ts).
  it("counts the cap in UTF-8 bytes, not characters: 2,000 Chinese characters (6,000 bytes) close it; 4,000 ASCII bytes do not", async () => {
    const { token } = await registerUser("bytes");
    const ok = await hub(token);
    const fits = JSON.stringify({ type: "ping", pad: "x".repeat(4096 - 30) });
    expect(new TextEncoder().encode(fits).byteLength).toBeLessThanOrEqual(4096);
    ok.send(fits);
    expect(await ok.next()).toEqual({ type: "pong" });
    const c = await hub(token);
    const wide = JSON.stringify({ type: "ping", pad: "汉".repeat(2000) });
    expect(wide.length).toBeLessThan(4096);
    c.send(wide);
    // A pong would mean it was let through; the close ends the wait at once.
    expect(await c.next().catch(() => "closed")).toBe("closed");
    expect(c.closeEvent?.code).toBe(1009);
  });

  it("caps the rate per connection: 20 messages per 10 s, one error, then silence until the window passes", async () => {
    const { token } = await registerUser("fast");
    const c = await hub(token);
    const other = await hub(token);
    for (let i = 0; i < 30; i++) c.send('{ "type": "ping" }');
    const seen = await c.until((m) => m.type === "error");
    expect(seen.filter((m) => m.type === "pong")).toHaveLength(20);
    expect(seen.at(-1)).toMatchObject({ type: "error", detail: "消息过于频繁，请稍后再发" });
    // Another connection of the same user has its own budget.
    other.send('{ "type": "ping" }');
    expect(await other.next()).toEqual({ type: "pong" });
    clock.advance(10_000);
    c.send('{ "type": "ping" }');
    expect(await c.next()).toEqual({ type: "pong" });
    expect(c.drain()).toEqual([]);
    expect(c.closeEvent).toBeNull();
  });

  it("answers the client's close frame", async () => {
    const { token } = await registerUser("bye");
    const c = await hub(token);
    c.ws.close(1000, "bye");
    expect(await c.closed).toMatchObject({ code: 1000 });
  });
});

describe("notifications", () => {
  it("tells subscribers when a task completes or needs the user (seed: notification)", async () => {
    const { token, id } = await runningTask(60);
    const c = await hub(token);
    await subscribe(c, id);
    await driveUntil(id, finished);
    const seen = await c.until((m) => m.type === "notification");
    const note = seen.at(-1)!;
    // `event` lets the dashboard word the toast in the user's language and link the task.
    expect(note).toMatchObject({ type: "notification", level: "success", task_id: id, event: "completed" });
    if (note.type === "notification") expect(note.message).toContain("已完成");
  });
});
