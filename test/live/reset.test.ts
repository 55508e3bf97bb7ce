import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HubObject } from "../../src/durable/hub";
import { SUBSCRIBED_HUBS } from "../../src/durable/stored";
import { getVersioned } from "../../src/lib/versioned";
import type { ServerMessage, TaskMessage } from "../../src/shared/live";
import { registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { hub, subscribe } from "./client";

useFutureClock();

const isFinal = (m: ServerMessage) => m.type === "task_update" && m.data.status !== "running";

describe("restarts", () => {
  it("a fresh hub instance routes pushes from the sockets' attachments alone", async () => {
    const sim = installSimulator();
    const u = await registerUser("wake");
    const account = await userWithAccount(sim, u.token, [videoCourse(120), videoCourse(120, { name: "第二门" })]);
    const [a, b] = [await startTask(u.token, [account.courses[0]!.courseId]), await startTask(u.token, [account.courses[1]!.courseId])];
    const onA = await hub(u.token);
    const onB = await hub(u.token);
    await subscribe(onA, a);
    await subscribe(onB, b);

    // What a woken hub is: a new instance over the same state, its in-memory routing empty. Pushing
    // through it must reach exactly the sockets whose attachments name the task.
    const probe: TaskMessage = { type: "task_log", task_id: a, log: { id: 1, level: "INFO", message: "probe", code: null, params: null, created_at: "2026-01-01T00:00:00.000Z" } };
    const delivered = await runInDurableObject(env.HUBS.getByName(`hub:${u.user.id}`), (_live, state) => new HubObject(state, env).push(a, [probe]));
    expect(delivered).toBe(true);
    expect(await onA.until((m) => m.type === "task_log" && m.log.message === "probe")).toBeTruthy();
    const none = await runInDurableObject(env.HUBS.getByName(`hub:${u.user.id}`), (_live, state) => new HubObject(state, env).push(999, [probe]));
    expect(none).toBe(false);
    onB.send('{ "type": "ping" }');
    const toB = await onB.until((m) => m.type === "pong");
    expect(toB.some((m) => m.type === "task_log" && m.log.message === "probe")).toBe(false);
  });

  it("after every object is reset, a task keeps its hubs and a reconnect + subscribe gets the current state and the updates", async () => {
    const sim = installSimulator();
    const u = await registerUser("reset");
    const account = await userWithAccount(sim, u.token, [videoCourse(240)]);
    const id = await startTask(u.token, [account.courses[0]!.courseId]);
    const before = await hub(u.token);
    await subscribe(before, id);
    await driveUntil(id, (l) => l.item_current_time > 0); // mid-video, so "current" is not the start state

    await abortAllDurableObjects();
    // The task object's hub list is in its storage, so it survives the reset.
    const hubs = await runInDurableObject(env.TASKS.getByName(`task:${id}`), (_o, state) => getVersioned(state.storage.kv, "subscribers", SUBSCRIBED_HUBS)?.hubs);
    expect(hubs).toEqual([`hub:${u.user.id}`]);

    // As the dashboard does after a deploy: reconnect, subscribe again, get the current state.
    const after = await hub(u.token);
    const [subscribed, current] = await subscribe(after, id);
    expect(subscribed).toEqual({ type: "subscribed", task_id: id });
    expect(current).toEqual({ type: "task_update", task_id: id, data: { ...(await taskLive(id)), task_id: id } });
    // The checkpoint may hold an older position than the last report (not rewritten on every report, to
    // save Durable Object rows); the next step reads the platform's position (test/engine/checkpoint.test.ts).

    const final = await driveUntil(id, finished);
    expect((await after.until(isFinal)).at(-1)).toEqual({ type: "task_update", task_id: id, data: { ...final, task_id: id } });
  });
});
