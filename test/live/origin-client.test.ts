import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../src/shared/live";
import { registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { direct, hub } from "./client";

useFutureClock();

/**
 * The origin's own frontend subscribes with `{"type":"subscribe_task","data":{"task_id":N}}` and reads
 * `data.task_id` from updates; the seed document puts `task_id` at the top level. Both work.
 */
async function runningTask() {
  const sim = installSimulator();
  const u = await registerUser("origin");
  const account = await userWithAccount(sim, u.token, [videoCourse(120)]);
  const id = await startTask(u.token, [account.courses[0]!.courseId]);
  return { ...u, id };
}

const updates = (ms: ServerMessage[]) => ms.flatMap((m) => (m.type === "task_update" ? [m] : []));

describe("the origin frontend's live messages", () => {
  it("subscribe and unsubscribe with task_id inside data, on /ws/connect", async () => {
    const { token, id } = await runningTask();
    const c = await hub(token);
    c.send(JSON.stringify({ type: "subscribe_task", data: { task_id: id } }));
    expect(await c.next()).toEqual({ type: "subscribed", task_id: id });
    const current = await c.next();
    expect(current).toEqual({ type: "task_update", task_id: id, data: { ...(await taskLive(id)), task_id: id } });

    c.send(JSON.stringify({ type: "unsubscribe_task", data: { task_id: id } }));
    expect(await c.until((m) => m.type === "unsubscribed")).toContainEqual({ type: "unsubscribed", task_id: id });
    // The top-level form as the seed document shows it still works, and wins nothing over data: both name one task.
    c.send(JSON.stringify({ type: "subscribe_task", task_id: id, data: { task_id: id } }));
    expect(await c.next()).toEqual({ type: "subscribed", task_id: id });
  });

  it("every task_update carries task_id both at the top level and inside data, to the end", async () => {
    const { token, id } = await runningTask();
    const c = await hub(token);
    c.send({ type: "subscribe_task", task_id: id });
    await c.next();
    const final = await driveUntil(id, finished);
    const seen = updates(await c.until((m) => m.type === "task_update" && m.data.status !== "running"));
    expect(seen.length).toBeGreaterThan(2);
    for (const u of seen) expect([u.task_id, u.data.task_id]).toEqual([id, id]);
    expect(seen.at(-1)!.data).toEqual({ ...final, task_id: id });
  });

  it("the direct task socket takes the data form too", async () => {
    const { token, id } = await runningTask();
    const d = await direct(token, id);
    expect(await d.next()).toMatchObject({ type: "task_update", task_id: id, data: { task_id: id } });
    d.send(JSON.stringify({ type: "subscribe_task", data: { task_id: id } }));
    expect(await d.next()).toEqual({ type: "subscribed", task_id: id });
    expect(await d.next()).toMatchObject({ type: "task_update", task_id: id, data: { task_id: id } });
  });

  it("a task_id that is missing, not a positive integer, or named twice differently is an error frame; the connection stays", async () => {
    const { token, id } = await runningTask();
    const c = await hub(token);
    for (const bad of [
      { type: "subscribe_task" },
      { type: "subscribe_task", data: {} },
      { type: "subscribe_task", data: { task_id: "1" } },
      { type: "subscribe_task", data: { task_id: -3 } },
      { type: "subscribe_task", data: "x" },
      { type: "subscribe_task", task_id: id, data: { task_id: id + 1 } },
    ]) {
      c.send(JSON.stringify(bad));
      expect(await c.next(), JSON.stringify(bad)).toMatchObject({ type: "error", message: expect.any(String), detail: expect.any(String) });
    }
    c.send({ type: "ping" });
    expect(await c.next()).toEqual({ type: "pong" });
  });
});
