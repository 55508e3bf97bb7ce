import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountName } from "../../src/durable/account";
import { phoneName } from "../../src/durable/phone";
import type { TaskRecord } from "../../src/tasks/record";
import { registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

// A progress report costs its alarm and little else in Durable Object rows (rows written a day bound how
// many students a free-plan deployment hosts: docs/benchmarks.md); the checkpoint is written at job
// boundaries and every few minutes, and after an eviction a video goes on from where the platform has it
// (the card's playTime), never counting a second twice.

useFutureClock();

async function setup(prefix: string, duration: number, speed: number) {
  const sim = installSimulator();
  const { token, user } = await registerUser(prefix);
  const account = await userWithAccount(sim, token, [videoCourse(duration)]);
  const id = await startTask(token, account.courses.map((c) => c.courseId), { speed });
  const jobid = account.courses[0]!.chapters[0]!.jobs[0]!.jobid;
  return { sim, account, id, jobid, userId: user.id };
}

type Sim = ReturnType<typeof installSimulator>;
const reports = (sim: Sim, phone: string) => sim.control.requests(phone).filter((r) => r.path.includes("/multimedia/log/"));
const param = (query: string, name: string) => new URLSearchParams(query).get(name);
const task = (id: number) => env.TASKS.getByName(`task:${id}`);
const stored = (id: number) => runInDurableObject(task(id), (_o, state) => state.storage.kv.get<TaskRecord>("t")!);

/** Counts rows written by a live object from now on: every kv put and every alarm set (the billed unit). */
async function countRows(stub: DurableObjectStub): Promise<{ n: number }> {
  const counter = { n: 0 };
  await runInDurableObject(stub, (_o, state) => {
    const storage = state.storage;
    const setAlarm = storage.setAlarm.bind(storage);
    storage.setAlarm = (...a: Parameters<typeof setAlarm>) => (counter.n++, setAlarm(...a));
    const kv = storage.kv;
    const put = kv.put.bind(kv);
    kv.put = (...a: Parameters<typeof put>) => (counter.n++, put(...a));
  });
  return counter;
}

describe("DO rows per progress report", () => {
  for (const speed of [1, 2]) {
    it(`at ${speed}×, reports in the middle of a video write at most 1.2 rows each (task, account and phone, alarms included)`, async () => {
      const { sim, account, id, userId } = await setup(`rows${speed}x`, 3600, speed);
      await driveUntil(id, (l) => l.item_current_time >= 120);
      const before = reports(sim, account.phone).length;
      const taskRows = await countRows(task(id));
      const accountRows = await countRows(env.ACCOUNTS.getByName(accountName(userId, account.phone)));
      const phoneRows = await countRows(env.PHONES.getByName(phoneName(account.phone)));
      await driveUntil(id, (l) => l.item_current_time >= 120 + 40 * 60 * speed || l.status !== "running");
      const sent = reports(sim, account.phone).length - before;
      expect(sent).toBeGreaterThanOrEqual(35);
      expect((taskRows.n + accountRows.n + phoneRows.n) / sent).toBeLessThanOrEqual(1.2);
    });
  }
});

describe("an eviction between reports", () => {
  it("goes on from the platform's position (not the older checkpoint's) with a normal report, passes it, and counts no second twice", async () => {
    const { sim, account, id, jobid } = await setup("evict", 1800, 1);
    const startedAt = (await taskLive(id))!.start_time!;
    await driveUntil(id, (l) => l.item_current_time >= 600);
    const position = sim.control.jobProgress(account.phone, jobid)!.playTimeS;
    // The checkpoint is older than the last accepted report: reports are not written one by one.
    const checkpoint = await stored(id);
    expect(checkpoint.engine!.media!.playingTime).toBeLessThan(position);
    const studiedBefore = (await taskLive(id))!.study_seconds;

    await abortAllDurableObjects();
    const sentBefore = reports(sim, account.phone).length;
    for (let i = 0; i < 5 && reports(sim, account.phone).length === sentBefore; i++) await tick();
    const first = reports(sim, account.phone)[sentBefore]!;
    // The player goes on from the card's playTime: a normal report one interval on (test/engine/restart.test.ts).
    expect(param(first.query, "isdrag")).toBe("0");
    expect(Number(param(first.query, "playingTime"))).toBeGreaterThan(position);
    // The playing the checkpoint missed is credited once: the count is where it was before the eviction,
    // and the report after it adds its own gap (its advance at 1×), no more.
    const after = (await taskLive(id))!.study_seconds;
    const gap = Number(param(first.query, "playingTime")) - position;
    expect(Math.abs(after - studiedBefore - gap)).toBeLessThanOrEqual(2);

    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100, left_for_user: [] });
    expect(sim.control.jobProgress(account.phone, jobid)!.passed).toBe(true);
    // Never double: no more study time than the real time the task ran, and D1's daily lines agree with the row.
    const ranS = (Date.parse(done.end_time!) - Date.parse(startedAt)) / 1000;
    expect(done.study_seconds).toBeLessThanOrEqual(ranS);
    expect(done.study_seconds).toBeGreaterThanOrEqual(1800 - 120);
    const row = await env.DB.prepare("SELECT study_seconds FROM tasks WHERE id = ?").bind(id).first<{ study_seconds: number }>();
    const days = await env.DB.prepare("SELECT sum(seconds) AS s FROM study_days WHERE task_id = ?").bind(id).first<{ s: number }>();
    expect(row!.study_seconds).toBe(done.study_seconds);
    expect(days!.s).toBe(done.study_seconds);
  });
});

describe("evicted between every two alarms (local workerd evicts an idle object within seconds)", () => {
  it("the video still goes on at real time and completes: a cold load does not throw away the playing since the last report", async () => {
    const { sim, account, id, jobid } = await setup("evictall", 300, 1);
    const startedAt = Date.parse((await taskLive(id))!.start_time!);
    let live = (await taskLive(id))!;
    for (let i = 0; i < 80 && live.status === "running"; i++) {
      await abortAllDurableObjects();
      if (!(await tick())) break;
      live = (await taskLive(id))!;
    }
    expect(live).toMatchObject({ status: "completed", progress: 100 });
    expect(sim.control.jobProgress(account.phone, jobid)!.passed).toBe(true);
    // At real time: a 300 s video at 1× takes its 300 s and the pacing around it, not a restart per report.
    expect((Date.parse(live.end_time!) - startedAt) / 1000).toBeLessThan(300 * 1.3);
  });
});
