import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { setTransportOverride } from "../../src/chaoxing/transport";
import { clock, SHANGHAI_OFFSET_MS, shanghaiDay } from "../../shared/clock";
import { api, registerUser } from "../helpers/api";
import { driveUntil, startTask, tick, userWithAccount } from "../helpers/drive";
import { raised } from "../helpers/notify";
import { installSimulator, useFutureClock, videoCourse, type InstalledSimulator } from "../helpers/sim";

useFutureClock();

/** Every Chaoxing request with the shared clock's time, on the way to the simulator. */
function recorded(sim: InstalledSimulator) {
  const log: { url: URL; at: number }[] = [];
  setTransportOverride({
    fetch: async (req) => {
      log.push({ url: new URL(req.url), at: clock.now() });
      return sim.app.fetch(req);
    },
  });
  return log;
}

const reportsOf = (log: { url: URL; at: number }[]) => log.filter((r) => r.url.pathname.includes("/multimedia/log/"));
/** HH:MM in Asia/Shanghai, `minutes` after `base`. */
const shanghaiHHMM = (base: number, minutes: number) => new Date(base + minutes * 60_000 + SHANGHAI_OFFSET_MS).toISOString().slice(11, 16);

async function setup(courses = [videoCourse(120)]) {
  const sim = installSimulator();
  const log = recorded(sim);
  const u = await registerUser("lim");
  const account = await userWithAccount(sim, u.token, courses);
  return { sim, log, ...u, account };
}

const setLimits = async (token: string, body: Record<string, unknown>) => {
  const r = await api("PUT", "/api/user/limits", { token, body });
  expect(r.status).toBe(200);
  return r.body;
};

const taskAlarm = (id: number): Promise<number | null> =>
  runInDurableObject(env.TASKS.getByName(`task:${id}`), (_o, state) => state.storage.getAlarm());

describe("an account's safety limits: the API", () => {
  it("shows the deployment's defaults, takes partial updates, and validates", async () => {
    const { token } = await setup();
    const r = await api("GET", "/api/user/limits", { token });
    expect(r.status).toBe(200);
    // The test bindings' neutral defaults (vitest.config.ts); production's are 08:00-23:00, 360, 30, 30, 90.
    expect(r.body).toMatchObject({
      window_start: "00:00", window_end: "24:00", daily_cap_minutes: 1440, video_gap_seconds: 0, video_gap_jitter_seconds: 0, break_after_minutes: 1440,
      customized: false, timezone: "Asia/Shanghai", status: "open", resumes_at: null, today: { day: shanghaiDay(clock.now()), media_minutes: 0 },
    });
    const updated = await setLimits(token, { window_start: "08:00", window_end: "23:00", daily_cap_minutes: 600 });
    expect(updated).toMatchObject({ window_start: "08:00", window_end: "23:00", daily_cap_minutes: 600, video_gap_seconds: 0, customized: true });
    for (const bad of [{ window_start: "24:00" }, { window_end: "25:00" }, { daily_cap_minutes: 0 }, { video_gap_seconds: -1 }, { window_start: "8:00" }]) {
      expect((await api("PUT", "/api/user/limits", { token, body: bad })).status).toBe(400);
    }
  });

  it("needs a saved account; someone else who saved the phone has limits of their own, never the owner's", async () => {
    const { token } = await registerUser("lim");
    expect((await api("GET", "/api/user/limits", { token })).body.code).toBe("no_chaoxing_account");
    const owner = await setup();
    expect((await api("POST", "/api/user/config/test-login", { token: owner.token })).body.ok).toBe(true);
    await setLimits(owner.token, { daily_cap_minutes: 300 });
    const stranger = await registerUser("lim");
    await api("PUT", "/api/user/config", { token: stranger.token, body: { cx_username: owner.account.phone, cx_password: "wrong-password" } });
    expect(await setLimits(stranger.token, { daily_cap_minutes: 1 })).toMatchObject({ daily_cap_minutes: 1, customized: true });
    expect((await api("GET", "/api/user/limits", { token: owner.token })).body).toMatchObject({ daily_cap_minutes: 300, customized: true });
  });

  it("keeps within the operator's maxima: a cap or a stretch above them is a 400 naming the field, and changes nothing", async () => {
    const { token } = await setup();
    // The test bindings allow up to 1440 (vitest.config.ts); production's maxima are 720 and 90.
    for (const [field, value] of [["daily_cap_minutes", 1441], ["break_after_minutes", 1441], ["break_after_minutes", 9]] as const) {
      const r = await api("PUT", "/api/user/limits", { token, body: { [field]: value } });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe(field);
    }
    expect((await api("GET", "/api/user/limits", { token })).body).toMatchObject({ customized: false, daily_cap_max_minutes: 1440, break_minutes: { min: 10, max: 20 } });
  });
});

describe("an account's safety limits: the waits, on the injected clock", () => {
  it("outside the study window a running task waits (reason outside_window) and goes on at its start", async () => {
    const { log, token, account } = await setup();
    const base = clock.now();
    await setLimits(token, { window_start: shanghaiHHMM(base, 180), window_end: shanghaiHHMM(base, 300) });
    const opens = base + 180 * 60_000 - (base % 60_000);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    // Creating the task listed the courses (a user's click: not held back); the task itself waits.
    const asked = log.length;
    const waiting = await driveUntil(id, (l) => l.reason === "outside_window");
    expect(waiting.status).toBe("running");
    expect(log.length).toBe(asked);
    const at = await taskAlarm(id);
    expect(at).not.toBeNull();
    // At the window's start, plus at most five minutes of jitter: one alarm, no polling.
    expect(at!).toBeGreaterThanOrEqual(opens);
    expect(at!).toBeLessThanOrEqual(opens + 5 * 60_000 + 1000);
    expect((await api("GET", "/api/user/limits", { token })).body).toMatchObject({ status: "outside_window" });
    const logs = await api("GET", `/api/tasks/${id}/logs`, { token });
    expect(logs.body.some((l: { message: string }) => l.message.includes("学习时段"))).toBe(true);

    const done = await driveUntil(id, (l) => l.status !== "running");
    expect(done.status).toBe("completed");
    expect(log[asked]!.at).toBeGreaterThanOrEqual(opens);
  });

  it("started outside the window, the start's own answer says outside_window and when it goes on; its one alarm is then", async () => {
    const { log, token, account } = await setup();
    const base = clock.now();
    await setLimits(token, { window_start: shanghaiHHMM(base, 180), window_end: shanghaiHHMM(base, 300) });
    const opens = base + 180 * 60_000 - (base % 60_000);
    const created = await api("POST", "/api/tasks", { token, body: { name: "夜里", course_ids: [account.courses[0]!.courseId] } });
    const asked = log.length;
    const started = await api("POST", `/api/tasks/${created.body.id}/start`, { token });
    expect(started.status).toBe(200);
    expect(started.body.task).toMatchObject({ status: "running", reason: "outside_window" });
    const resumes = Date.parse(started.body.task.resumes_at);
    expect(resumes).toBeGreaterThanOrEqual(opens);
    expect(resumes).toBeLessThanOrEqual(opens + 5 * 60_000 + 1000);
    // Before any alarm ran: the detail, and the alarm itself, agree with that answer.
    expect((await api("GET", `/api/tasks/${created.body.id}`, { token })).body).toMatchObject({ reason: "outside_window", resumes_at: started.body.task.resumes_at });
    expect(await taskAlarm(created.body.id)).toBe(resumes);
    expect(log.length).toBe(asked);
    // Inside the window a start says nothing of the kind.
    clock.advance(opens - clock.now() + 60_000);
    const other = await api("POST", "/api/tasks", { token, body: { name: "白天", course_ids: [account.courses[0]!.courseId] } });
    expect((await api("POST", `/api/tasks/${other.body.id}/start`, { token })).body.task).toMatchObject({ status: "running", reason: null, resumes_at: null });
  });

  it("at the daily media cap a task waits (reason daily_cap) until the next Shanghai day, then restarts the video where it stopped", async () => {
    const { log, token, account } = await setup([videoCourse(240)]);
    await setLimits(token, { daily_cap_minutes: 1 });
    const id = await startTask(token, [account.courses[0]!.courseId]);
    const capped = await driveUntil(id, (l) => l.reason === "daily_cap");
    expect(capped.status).toBe("running");
    const day = shanghaiDay(clock.now());
    const before = reportsOf(log).length;
    expect((await api("GET", "/api/user/limits", { token })).body).toMatchObject({ status: "daily_cap", today: { day } });
    expect((await api("GET", "/api/user/limits", { token })).body.today.media_minutes).toBeGreaterThanOrEqual(1);
    // The cap is worth telling a user who is not watching (the "daily cap reached" notification): raised once that day.
    const capEvents = () => raised.filter((m) => m.task_id === id && m.kind === "daily_cap");
    expect(capEvents()).toHaveLength(1);
    expect(capEvents()[0]!.key).toContain(day);
    // Still capped, the waits raise nothing more; a cap reached again the next day is that day's event.
    for (let i = 0; i < 5; i++) await tick();
    const days = capEvents().map((m) => m.key.split(":").at(-1));
    expect(days[0]).toBe(day);
    expect(new Set(days).size).toBe(days.length);

    const done = await driveUntil(id, (l) => l.status !== "running");
    expect(done.status).toBe("completed");
    const after = reportsOf(log).slice(before);
    expect(after.length).toBeGreaterThan(0);
    // Nothing was reported until the next day; there the player starts again (isdrag 3).
    expect(after.every((r) => shanghaiDay(r.at) > day)).toBe(true);
    expect(after[0]!.url.searchParams.get("isdrag")).toBe("3");
    expect(Number(after[0]!.url.searchParams.get("playingTime"))).toBeGreaterThan(0);
  });

  it("keeps a minimum gap, with jitter, between one video and the next", async () => {
    const course = { ...videoCourse(30), chapters: [0, 1, 2].map((i) => ({ title: `1.${i + 1} 视频`, tabs: [[{ type: "video" as const, name: `v${i}.mp4`, duration: 30 }]] })) };
    const { log, token, account } = await setup([course]);
    await setLimits(token, { video_gap_seconds: 120, video_gap_jitter_seconds: 60 });
    const id = await startTask(token, [account.courses[0]!.courseId]);
    expect((await driveUntil(id, (l) => l.status !== "running")).status).toBe("completed");
    const statuses = log.filter((r) => r.url.pathname.startsWith("/ananas/status/"));
    expect(statuses.length).toBe(3);
    const reports = reportsOf(log);
    for (const s of statuses.slice(1)) {
      const lastReport = reports.filter((r) => r.at < s.at).at(-1)!;
      const gap = s.at - lastReport.at;
      expect(gap).toBeGreaterThanOrEqual(120_000);
      expect(gap).toBeLessThanOrEqual(180_000 + 1000);
    }
  });
});
