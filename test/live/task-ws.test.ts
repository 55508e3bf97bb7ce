import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../src/shared/live";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { connect, direct, hub } from "./client";

useFutureClock();

async function runningTask() {
  const sim = installSimulator();
  const u = await registerUser("tws");
  const account = await userWithAccount(sim, u.token, [videoCourse(120)]);
  const id = await startTask(u.token, [account.courses[0]!.courseId]);
  return { ...u, id };
}

const isFinal = (m: ServerMessage) => m.type === "task_update" && m.data.status !== "running";

describe("WS /api/tasks/{id}/ws", () => {
  it("sends the current state at once, then every update and log; both endpoints see the same stream", async () => {
    const { token, id } = await runningTask();
    const d = await direct(token, id);
    expect(await d.next()).toEqual({ type: "task_update", task_id: id, data: { ...(await taskLive(id)), task_id: id } });
    const h = await hub(token);
    h.send({ type: "subscribe_task", task_id: id });
    await h.next();
    await h.next();

    const final = await driveUntil(id, finished);
    const [viaDirect, viaHub] = await Promise.all([d.until(isFinal), h.until(isFinal)]);
    expect(viaDirect.at(-1)).toEqual({ type: "task_update", task_id: id, data: { ...final, task_id: id } });
    expect(viaDirect.filter((m) => m.type === "task_log").length).toBeGreaterThan(0);
    expect(viaHub).toEqual(viaDirect);
  });

  it("speaks the same messages: ping, subscribe to its own task (resync), errors otherwise, and stays up", async () => {
    const { token, id } = await runningTask();
    const d = await direct(token, id);
    await d.next();
    d.send('{ "type": "ping" }');
    expect(await d.next()).toEqual({ type: "pong" });
    d.send({ type: "subscribe_task", task_id: id });
    expect(await d.next()).toEqual({ type: "subscribed", task_id: id });
    expect(await d.next()).toMatchObject({ type: "task_update", task_id: id });
    for (const bad of ['{"type":"subscribe_task","task_id":424242}', "nonsense"]) {
      d.send(bad);
      expect(await d.next()).toMatchObject({ type: "error" });
    }
    d.send(JSON.stringify({ type: "ping", pad: "x".repeat(5000) }));
    expect((await d.closed).code).toBe(1009);
  });

  it("answers the client's close frame", async () => {
    const { token, id } = await runningTask();
    const d = await direct(token, id);
    d.ws.close(4001, "leaving");
    expect(await d.closed).toMatchObject({ code: 4001 });
  });

  it("is the owner's (404 for anyone else), and an admin's", async () => {
    const { token, id } = await runningTask();
    const other = await registerUser("nosy");
    const r = await connect(`/api/tasks/${id}/ws?token=${other.token}`);
    expect(r).toMatchObject({ status: 404, body: { detail: "任务不存在" } });
    expect((await connect(`/api/tasks/987654/ws?token=${token}`)).status).toBe(404);
    const admin = await registerAdmin();
    const a = await direct(admin.token, id);
    expect(await a.next()).toMatchObject({ type: "task_update", task_id: id });
  });
});

describe("the handshake of both endpoints", () => {
  it("refuses without an upgrade (426), without or with a bad token (401), with a revoked one (401)", async () => {
    const { token, id } = await runningTask();
    for (const path of ["/ws/connect", `/api/tasks/${id}/ws`]) {
      expect((await connect(`${path}?token=${token}`, { upgrade: false })).status).toBe(426);
      const none = await connect(path);
      expect(none).toMatchObject({ status: 401, body: { detail: "未认证" } });
      expect((await connect(`${path}?token=not.a.jwt`)).status).toBe(401);
    }
    const { token: gone } = await registerUser("gone");
    expect((await api("POST", "/api/auth/logout", { token: gone })).status).toBe(200);
    expect(await connect(`/ws/connect?token=${gone}`)).toMatchObject({ status: 401, body: { code: "token_revoked" } });
  });

  it("allows a missing Origin (non-browser) and the app's own; refuses any other (403)", async () => {
    const { token, id } = await runningTask();
    for (const path of [`/ws/connect?token=${token}`, `/api/tasks/${id}/ws?token=${token}`]) {
      expect((await connect(path)).status).toBe(101);
      expect((await connect(path, { origin: "http://localhost:8000" })).status).toBe(101);
      const evil = await connect(path, { origin: "https://evil.example" });
      expect(evil).toMatchObject({ status: 403, body: { detail: "不允许的来源（Origin）" } });
      expect((await connect(path, { origin: "null" })).status).toBe(403);
    }
  });
});
