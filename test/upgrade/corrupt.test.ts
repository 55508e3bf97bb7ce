import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { phoneName } from "../../src/durable/phone";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

// A stored task record this release cannot read (damaged, or from a later release after a rollback) must
// not turn every access into a 500 and leave the task running on its slot: reads answer from the row,
// pause and cancel work, and left alone the task fails with the reason after the usual retries; a retry
// then starts over from what the platform has recorded.

useFutureClock();

const task = (id: number) => env.TASKS.getByName(`task:${id}`);
const storedT = (id: number) => runInDurableObject(task(id), (_o, s) => s.storage.kv.get<Record<string, unknown>>("t"));

async function corrupted(prefix: string, damage: (t: Record<string, unknown>) => unknown) {
  const sim = installSimulator();
  const { token } = await registerUser(prefix);
  const account = await userWithAccount(sim, token, [videoCourse(300)]);
  const id = await startTask(token, account.courses.map((c) => c.courseId), { speed: 2 });
  await driveUntil(id, (l) => l.item_current_time >= 60);
  const original = (await storedT(id))!;
  const damaged = damage(structuredClone(original));
  await runInDurableObject(task(id), (_o, s) => s.storage.kv.put("t", damaged));
  await abortAllDurableObjects();
  return { sim, token, id, account, damaged };
}

const damages: [string, (t: Record<string, unknown>) => unknown][] = [
  ["not an object at all", () => "garbage"],
  ["a field of the wrong type (the outbox)", (t) => ({ ...t, outbox: 5 })],
  ["a damaged engine state", (t) => ({ ...t, engine: { ...(t.engine as object), courses: "x" } })],
  ["an upgrade step that cannot make sense of it", (t) => ({ taskId: t.id, engine: 7 })],
];

describe.each(damages)("a stored record with %s", (label, damage) => {
  it("answers reads, and fails the task with the reason (its video lock given back), after which a retry completes it", async () => {
    const { sim, token, id, account, damaged } = await corrupted(`bad${damages.findIndex(([l]) => l === label)}`, damage);
    const read = await api("GET", `/api/tasks/${id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body.status).toBe("running");

    const failed = await driveUntil(id, finished);
    expect(failed).toMatchObject({ status: "failed", reason: "internal", error_code: "fail.unreadable" });
    // The damaged record is kept as it was, for the operator; the account's one video is free again.
    expect(await runInDurableObject(task(id), (_o, s) => s.storage.kv.get("t.unreadable"))).toEqual(damaged);
    expect((await env.PHONES.getByName(phoneName(account.phone)).lockState()).holder).toBeNull();
    // Still answering: a cancel of a failed task is a 409 with its status, not a 500.
    const cancel = await api("POST", `/api/tasks/${id}/cancel`, { token });
    expect(cancel).toMatchObject({ status: 409, body: { code: "task_state", status: "failed" } });

    expect((await api("POST", `/api/tasks/${id}/retry`, { token })).status).toBe(200);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", progress: 100, left_for_user: [] });
    expect(sim.control.jobProgress(account.phone, account.courses[0]!.chapters[0]!.jobs[0]!.jobid)!.passed).toBe(true);
  });

  it("can be paused and cancelled at once", async () => {
    const { token, id } = await corrupted(`pc${damages.findIndex(([l]) => l === label)}`, damage);
    const paused = await api("POST", `/api/tasks/${id}/pause`, { token });
    expect(paused).toMatchObject({ status: 200, body: { task: { status: "paused" } } });
    const cancelled = await api("POST", `/api/tasks/${id}/cancel`, { token });
    expect(cancelled).toMatchObject({ status: 200, body: { task: { status: "cancelled" } } });
    expect((await taskLive(id))!.status).toBe("cancelled");
  });
});

describe("a stored record written by a later release (this one was rolled back to)", () => {
  it("is left as it is: reads answer from the row, transitions are refused with the reason, nothing is overwritten", async () => {
    const { token, id } = await corrupted("newer", (t) => ({ ...t, v: 99 }));
    const before = await storedT(id);
    const read = await api("GET", `/api/tasks/${id}`, { token });
    expect(read).toMatchObject({ status: 200, body: { status: "running" } });
    const pause = await api("POST", `/api/tasks/${id}/pause`, { token });
    expect(pause).toMatchObject({ status: 409, body: { code: "conflict" } });
    expect(pause.body.detail).toContain("更新的版本");
    await runInDurableObject(task(id), async (o) => o.alarm());
    expect(await storedT(id)).toEqual(before);
    // Its alarm looks again later, for when the later release is back.
    const alarm = await runInDurableObject(task(id), (_o, s) => s.storage.getAlarm());
    expect(alarm).not.toBeNull();
  });
});
