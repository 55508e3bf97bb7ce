import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { setTransportOverride } from "../../src/chaoxing/transport";
import { clock } from "../../shared/clock";
import { api, registerUser } from "../helpers/api";
import { driveUntil, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse, type InstalledSimulator } from "../helpers/sim";

useFutureClock();

const MIN = 60_000;

function recorded(sim: InstalledSimulator) {
  const log: { url: URL; at: number }[] = [];
  setTransportOverride({ fetch: async (req) => (log.push({ url: new URL(req.url), at: clock.now() }), sim.app.fetch(req)) });
  return log;
}
const reportsOf = (log: { url: URL; at: number }[]) => log.filter((r) => r.url.pathname.includes("/multimedia/log/"));

describe("breaks", () => {
  it("after at most 90 minutes of continuous media, a 10–20 minute break that holds across an eviction; then the video goes on with isdrag 3", async () => {
    const sim = installSimulator();
    const log = recorded(sim);
    const { token } = await registerUser("brk");
    const account = await userWithAccount(sim, token, [videoCourse(4 * 3600)]);
    expect((await api("PUT", "/api/user/limits", { token, body: { break_after_minutes: 90 } })).body.break_after_minutes).toBe(90);
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });

    const resting = await driveUntil(id, (l) => l.reason === "break");
    expect(resting.status).toBe("running");
    const until = Date.parse(resting.resumes_at!);
    await abortAllDurableObjects();
    const limits = (await api("GET", "/api/user/limits", { token })).body;
    expect(limits).toMatchObject({ status: "break" });
    expect(Math.abs(Date.parse(limits.resumes_at) - until)).toBeLessThan(1000);
    expect((await api("GET", `/api/tasks/${id}`, { token })).body).toMatchObject({ reason: "break", resumes_at: resting.resumes_at });

    // Two breaks: each stretch at most 90 minutes (plus the report that reached it), each pause 10–20.
    await driveUntil(id, (l) => l.reason === null && l.item_current_time > 95 * 60);
    await driveUntil(id, (l) => l.reason === "break");
    await driveUntil(id, (l) => l.reason === null && l.item_current_time > 185 * 60);
    const times = reportsOf(log).map((r) => r.at);
    const pauses = times.slice(1).map((t, i) => ({ at: i + 1, gap: t - times[i]! })).filter((p) => p.gap > 5 * MIN);
    expect(pauses).toHaveLength(2);
    let start = times[0]!;
    for (const p of pauses) {
      expect(times[p.at - 1]! - start).toBeLessThanOrEqual(90 * MIN + 2 * MIN);
      expect(p.gap).toBeGreaterThanOrEqual(10 * MIN);
      expect(p.gap).toBeLessThanOrEqual(20 * MIN + 2 * MIN);
      expect(reportsOf(log)[p.at]!.url.searchParams.get("isdrag")).toBe("3");
      start = times[p.at]!;
    }
    const logs = (await api("GET", `/api/tasks/${id}/logs`, { token })).body as { code: string }[];
    expect(logs.filter((l) => l.code === "wait.break")).toHaveLength(2);
  });

  it("end when they are over even when they begin at a fraction of a millisecond (an alarm holds whole ms)", async () => {
    const sim = installSimulator();
    // Each report's answer takes half a millisecond of the shared clock, as waits of fractional length
    // (the video gap's jitter, chained in one alarm) leave it in a long run: the break that one of them
    // starts ends at a fraction of a millisecond.
    setTransportOverride({ fetch: async (req) => (new URL(req.url).pathname.includes("/multimedia/log/") && clock.advance(0.5), sim.app.fetch(req)) });
    const { token } = await registerUser("brk");
    const account = await userWithAccount(sim, token, [videoCourse(2 * 3600)]);
    await api("PUT", "/api/user/limits", { token, body: { break_after_minutes: 30 } });
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });
    const resting = await driveUntil(id, (l) => l.reason === "break");
    // The break's own alarm, then the study goes on: not an alarm that comes back at the same millisecond.
    const back = await driveUntil(id, (l) => l.reason !== "break", 3);
    expect(back).toMatchObject({ status: "running", reason: null });
    expect(clock.now()).toBeGreaterThanOrEqual(Date.parse(resting.resumes_at!));
  });

  it("end even if the task's alarm went missing: a read of the task finds none and arms it for the break's end", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("brk");
    const account = await userWithAccount(sim, token, [videoCourse(2 * 3600)]);
    await api("PUT", "/api/user/limits", { token, body: { break_after_minutes: 30 } });
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });
    const resting = await driveUntil(id, (l) => l.reason === "break");
    // The object is taken anew each time: an eviction ends the stubs taken before it.
    const alarm = () => runInDurableObject(env.TASKS.getByName(`task:${id}`), (_o, state) => state.storage.getAlarm());
    await runInDurableObject(env.TASKS.getByName(`task:${id}`), (_o, state) => state.storage.deleteAlarm());
    await abortAllDurableObjects();
    expect((await api("GET", `/api/tasks/${id}`, { token })).body).toMatchObject({ status: "running", reason: "break", resumes_at: resting.resumes_at });
    const armed = await alarm();
    expect(armed, "the task's alarm").not.toBeNull();
    expect(armed).toBeGreaterThanOrEqual(Date.parse(resting.resumes_at!));
    expect(armed).toBeLessThan(Date.parse(resting.resumes_at!) + 1000);
    expect(await driveUntil(id, (l) => l.reason !== "break", 3)).toMatchObject({ status: "running", reason: null });
  });

  it("pass the phone's one-video lock to whoever waits for it", async () => {
    const sim = installSimulator();
    const a = await registerUser("brk");
    const account = await userWithAccount(sim, a.token, [videoCourse(4 * 3600), videoCourse(120, { name: "短课" })]);
    await api("PUT", "/api/user/limits", { token: a.token, body: { break_after_minutes: 30 } });
    const long = await startTask(a.token, [account.courses[0]!.courseId]);
    await driveUntil(long, (l) => l.item_current_time > 0);
    const b = await registerUser("brk");
    await api("PUT", "/api/user/config", { token: b.token, body: { cx_username: account.phone, cx_password: account.password } });
    const short = await startTask(b.token, [account.courses[1]!.courseId]);
    expect((await driveUntil(short, (l) => l.reason === "waiting_for_account")).queue_position).toBe(1);
    await driveUntil(long, (l) => l.reason === "break");
    const breakEnds = Date.parse((await taskLive(long))!.resumes_at!);
    expect((await driveUntil(short, (l) => l.status !== "running")).status).toBe("completed");
    expect(clock.now()).toBeLessThan(breakEnds);
  });
});
