import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { initialState } from "../../src/engine/state";
import { clock, SHANGHAI_OFFSET_MS } from "../../shared/clock";
import type { NotifyMessage } from "../../src/notify/produce";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { drive, ioFor } from "../helpers/engine";
import { installCapture, messageId, NOTIFY_QUEUE, raised, runQueue, setNotifications } from "../helpers/notify";
import { atShanghai, installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

/**
 * Verified credit (chaoxing-protocol.md "Corrections of 2026-12", item 6, and "Consequences for a client"):
 * the platform rolls back passed videos overnight; the engine re-reads, the next morning, the cards of the
 * videos it passed the day before, studies a rolled-back one again, tells the user, and counts it once.
 */

const capture = installCapture();
const BARK = { bark: { enabled: true, device_url: "https://api.day.app/k1234567" } };

const videos = (n: number, seconds = 120): SimCourseSpec => ({
  name: "回溯课程",
  teacher: "甲",
  chapters: Array.from({ length: n }, (_, i) => ({ title: `第${i + 1}节`, tabs: [[{ type: "video" as const, name: `v${i + 1}.mp4`, duration: seconds }]] })),
});

const DAY = 24 * 3600_000;
/** 06:00 Asia/Shanghai of the day after the instant `at`. */
const nextMorning = (at: number) => Math.floor((at + SHANGHAI_OFFSET_MS) / DAY) * DAY + DAY - SHANGHAI_OFFSET_MS + 6 * 3600_000;
const alarmOf = (id: number) => runInDurableObject(env.TASKS.getByName(`task:${id}`), (_o, state) => state.storage.getAlarm());
/** The task's log lines, read by its owner signing in again (tokens last a day; these tests span days). */
const messages = async (user: { username: string; password: string }, id: number) => {
  const login = await api("POST", "/api/auth/login", { body: user, headers: { "CF-Connecting-IP": "10.9.9.9" } });
  const token = login.body.access_token as string;
  return ((await api("GET", `/api/tasks/${id}/logs?limit=500`, { token })).body as { message: string }[]).map((l) => l.message);
};
/**
 * The engine driven alone over one course, its account's video lock in the test's hands; `logs` gathers
 * every line, `run` drives until `until` holds, `finish` until the walk completes.
 */
function walker(sim: ReturnType<typeof installSimulator>, client: Parameters<typeof ioFor>[1], courseId: string) {
  const lock = { granted: true, position: 0 };
  const io = ioFor(sim, client, lock);
  const s = initialState([courseId], 1, "continue");
  const logs: string[] = [];
  const run = async (until: () => boolean, max = 2000) =>
    logs.push(...(await drive(s, io, () => until(), max)).flatMap((r) => r.logs.map((l) => l.message)));
  const finish = () => drive(s, io, (r) => (logs.push(...r.logs.map((l) => l.message)), r.outcome.kind === "complete"), 2000);
  return { s, lock, logs, run, finish };
}

const starts = (sim: ReturnType<typeof installSimulator>, phone: string) =>
  sim.control.requests(phone).filter((r) => r.path.includes("/multimedia/log/") && new URLSearchParams(r.query).get("isdrag") === "3");

describe("verified credit, the next morning", () => {
  it("a completed task: the videos rolled back overnight are found the next morning, studied again, notified, and counted once", async () => {
    atShanghai(9, 0);
    const sim = installSimulator();
    const { token, user, password } = await registerUser("rollback");
    await setNotifications(token, { channels: BARK });
    const account = await userWithAccount(sim, token, [videos(3)]);
    // 3 × 120 s of video today is over this account's (test) threshold: rolled back tonight.
    sim.control.rollback(account.phone, { dailyMediaS: 300 });
    const from = raised.length;
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });
    const events = () => raised.slice(from).filter((m) => m.task_id === id);

    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100, jobs_completed: 3 });
    expect(done.courses[0]).toMatchObject({ jobs_done: 3, media_check: { verified: 0, awaiting: 3, rolled_back: 0 } });
    // The next morning's check is the completed task's one alarm (a random moment of the half hour from 06:00).
    const due = nextMorning(clock.now());
    const alarm = (await alarmOf(id))!;
    expect(alarm).toBeGreaterThanOrEqual(due);
    expect(alarm).toBeLessThanOrEqual(due + 30 * 60_000);

    // The morning: the task reopens, reads the cards, finds all three rolled back.
    const found = await driveUntil(id, (l) => l.courses[0]!.media_check.rolled_back === 3);
    expect(clock.now()).toBeGreaterThanOrEqual(due);
    expect(found).toMatchObject({ status: "running", jobs_completed: 0 });
    expect(found.progress).toBeLessThan(100);
    expect(events().map((e) => e.kind)).toEqual(["completed", "rolled_back"]);
    expect(events()[1]!.detail).toEqual({ videos: 3 });
    // Studied today, within a human day, they stay.
    sim.control.rollback(account.phone, { dailyMediaS: 10_000 });

    const again = await driveUntil(id, finished);
    expect(again).toMatchObject({ status: "completed", reason: null, progress: 100, jobs_completed: 3 });
    expect(again.courses[0]).toMatchObject({ jobs_done: 3, jobs_left: 0, media_check: { verified: 0, awaiting: 3, rolled_back: 0 } });
    expect(sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!.courses[0]).toMatchObject({ finished: 3, total: 3 });
    // Each video played twice: once, and once more after its rollback.
    expect(starts(sim, account.phone)).toHaveLength(6);
    const log = await messages({ username: user.username, password }, id);
    expect(log).toContain("3 个视频被回溯，正在重新学习");
    expect(log.filter((m) => m.includes("已被超星回溯"))).toHaveLength(3);
    expect(events().map((e) => e.kind)).toEqual(["completed", "rolled_back", "completed"]);
    await runQueue(NOTIFY_QUEUE, [{ id: messageId(), body: events()[1]! as NotifyMessage }]);
    expect(JSON.parse(capture.requests[0]!.body).title).toBe("任务「测试任务」: 3 个视频被回溯，正在重新学习");

    // The morning after: still passed, verified; the task completes again without news, and needs no more checks.
    const verified = await driveUntil(id, (l) => l.status === "completed" && l.courses[0]!.media_check.verified === 3);
    expect(verified).toMatchObject({ progress: 100, jobs_completed: 3, courses: [expect.objectContaining({ jobs_done: 3, media_check: { verified: 3, awaiting: 0, rolled_back: 0 } })] });
    expect(events()).toHaveLength(3);
    expect(await messages({ username: user.username, password }, id)).toContain("3 个视频核验通过，没有被回溯");
    expect(await alarmOf(id)).toBeNull();
  });

  it("a completed task checks inside the account's study window: before it opens, the task stays completed", async () => {
    atShanghai(9, 0);
    const sim = installSimulator();
    const { token } = await registerUser("window");
    const account = await userWithAccount(sim, token, [videos(1)]);
    expect((await api("PUT", "/api/user/limits", { token, body: { window_start: "08:00", window_end: "23:00" } })).status).toBe(200);
    const from = raised.length;
    const id = await startTask(token, [account.courses[0]!.courseId]);
    const done = await driveUntil(id, finished);
    const completedAt = clock.now();
    const seen: string[] = [];
    const verified = await driveUntil(id, (l) => (seen.push(`${l.status}:${l.reason}`), l.status === "completed" && l.courses[0]!.media_check.verified === 1));
    expect(verified).toMatchObject({ progress: 100, jobs_completed: 1 });
    // The card was read again only once the window was open, and the task never waited in it as running.
    const cards = sim.control.requests(account.phone).filter((r) => r.at > completedAt && r.path.includes("/knowledge/cards"));
    expect(cards.length).toBeGreaterThan(0);
    const hour = (ms: number) => new Date(ms + SHANGHAI_OFFSET_MS).getUTCHours();
    expect(cards.every((r) => hour(r.at) >= 8)).toBe(true);
    expect(seen).not.toContain("running:outside_window");
    expect(raised.slice(from).filter((m) => m.task_id === id).map((m) => m.kind)).toEqual(["completed"]);
    expect(done.status).toBe("completed");
  });

  it("a completed task's check takes a run slot like a start: with the user's slots taken it stays completed and asks again later", async () => {
    atShanghai(9, 0);
    const sim = installSimulator();
    const { token } = await registerUser("slots");
    const account = await userWithAccount(sim, token, [videos(1), { ...videos(1, 7200), name: "长课程" }]);
    const [short, long] = account.courses;
    const id = await startTask(token, [short!.courseId]);
    await driveUntil(id, finished);
    // Three tasks over the long course hold the user's three slots, waiting outside a short window until tomorrow.
    expect((await api("PUT", "/api/user/limits", { token, body: { window_start: "09:00", window_end: "09:20" } })).status).toBe(200);
    const others = [await startTask(token, [long!.courseId]), await startTask(token, [long!.courseId]), await startTask(token, [long!.courseId])];
    await driveUntil(others[0]!, (l) => l.reason === "outside_window");
    const morning = nextMorning(clock.now());
    while (clock.now() < morning + 45 * 60_000) await tick();
    expect(await taskLive(id)).toMatchObject({ status: "completed", courses: [expect.objectContaining({ media_check: { verified: 0, awaiting: 1, rolled_back: 0 } })] });
    const retry = (await alarmOf(id))!;
    expect(retry).toBeGreaterThan(clock.now());
    expect(retry).toBeLessThanOrEqual(clock.now() + 30 * 60_000);
    // A slot frees: the check runs (inside the window) and the task completes again.
    expect((await api("POST", `/api/tasks/${others[2]}/cancel`, { token })).status).toBe(200);
    const verified = await driveUntil(id, (l) => l.status === "completed" && l.courses[0]!.media_check.verified === 1);
    expect(verified).toMatchObject({ progress: 100, jobs_completed: 1 });
  });

  it("a video rolled back again after it was studied again is left for the user", async () => {
    atShanghai(9, 0);
    const sim = installSimulator();
    const { token } = await registerUser("rollback2");
    const account = await userWithAccount(sim, token, [videos(1)]);
    sim.control.rollback(account.phone, { dailyMediaS: 60 });
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });
    await driveUntil(id, finished);
    await driveUntil(id, (l) => l.status === "completed" && l.courses[0]!.media_check.awaiting === 1 && starts(sim, account.phone).length === 2);
    const left = await driveUntil(id, (l) => l.status === "completed" && l.left_for_user.length === 1);
    expect(left).toMatchObject({ reason: "needs_you", jobs_completed: 0, courses: [expect.objectContaining({ jobs_done: 0, media_check: { verified: 0, awaiting: 0, rolled_back: 1 } })] });
    expect(left.left_for_user[0]).toMatchObject({ item: "v1.mp4", kind: "video", reason_code: "left.rolled_back_again" });
    expect(left.progress).toBeLessThan(100);
    expect(starts(sim, account.phone)).toHaveLength(2);
    expect(await alarmOf(id)).toBeNull();
  });

  it("a running task checks at a job boundary of the next morning, studies the rolled-back video again, then goes on", async () => {
    atShanghai(23, 50);
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videos(2)]);
    sim.control.rollback(account.phone, { dailyMediaS: 60 });
    const { s, lock, logs, run, finish } = walker(sim, client, account.courses[0]!.courseId);
    await run(() => s.stats.jobsDone === 1);
    // The second video waits for the account (another task's turn) until past the next 06:00.
    lock.granted = false;
    const morning = nextMorning(clock.now());
    await run(() => clock.now() > morning + 10 * 60_000);
    expect(s.phase).toBe("verify");
    expect(s.stats.jobsDone).toBe(0);
    lock.granted = true;
    sim.control.rollback(account.phone, null);
    await finish();
    const v1 = logs.findIndex((m) => m.includes("v1.mp4 已被超星回溯"));
    expect(v1).toBeGreaterThan(-1);
    expect(logs.slice(v1)).toContain("1 个视频被回溯，正在重新学习");
    // v1 again, then v2: each passed, counted once.
    const done = logs.filter((m) => /v\d\.mp4 已完成/.test(m));
    expect(done.map((m) => m.slice(3, 9))).toEqual(["v1.mp4", "v1.mp4", "v2.mp4"]);
    expect(s.stats.jobsDone).toBe(2);
    expect(s.courses[0]!.jobsDone).toBe(2);
    expect(s.checks!.map((e) => [e.name, e.state, e.redone ?? false])).toEqual([["v1.mp4", "awaiting", true], ["v2.mp4", "awaiting", false]]);
    for (const j of account.courses[0]!.chapters.flatMap((c) => c.jobs)) expect(sim.control.jobProgress(account.phone, j.jobid)!.passed).toBe(true);
  });

  it("a running task never checks in the middle of a live replay: the replay is finished first", async () => {
    atShanghai(23, 50);
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ ...videos(1), chapters: [
      ...videos(1).chapters,
      { title: "第2节", tabs: [[{ type: "live", name: "回看直播", duration: 600 }]] },
    ] }]);
    const { s, lock, logs, run, finish } = walker(sim, client, account.courses[0]!.courseId);
    await run(() => s.stats.jobsDone === 1);
    await run(() => (s.live?.watched ?? 0) >= 120);
    // The replay, two minutes in, waits for the account (another task's turn) until past the next 06:00.
    lock.granted = false;
    const morning = nextMorning(clock.now());
    await run(() => clock.now() > morning + 10 * 60_000);
    lock.granted = true;
    await finish();
    const replayDone = logs.findIndex((m) => m.includes("直播回看已完成"));
    const checked = logs.findIndex((m) => m.includes("是否被超星回溯"));
    expect(replayDone).toBeGreaterThan(-1);
    expect(checked).toBeGreaterThan(replayDone);
    expect(s.courses[0]!.verified).toBe(1);
  });
});
