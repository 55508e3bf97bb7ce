// Pacing efficiency and write costs on simulated time (bench/run.mjs collects the BENCH lines).
// The engine, its Durable Objects and the simulator share one isolate and the injected clock: the
// course's alarms are driven exactly like the engine tests do (test/helpers/drive.ts), never slept.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { config } from "../../src/config";
import { accountName } from "../../src/durable/account";
import { phoneName } from "../../src/durable/phone";
import { defaultLimits } from "../../src/limits/account-limits";
import { minuteOf } from "../../src/limits/study-limits";
import { clock, SHANGHAI_OFFSET_MS, shanghaiDay } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { DEMO_COURSES } from "../../src/simulator/seed";
import { api, registerUser } from "../../test/helpers/api";
import { driveUntil, finished, startTask, userWithAccount } from "../../test/helpers/drive";
import { installSimulator, useFutureClock } from "../../test/helpers/sim";

useFutureClock();

const emit = (name: string, value: number, extra: Record<string, number | string> = {}) =>
  console.log(`BENCH ${JSON.stringify({ name, value, ...extra })}`);

/** The realistic demo course: 32 chapters, ≈20 h of lectures, a handout per unit. */
const COURSE = DEMO_COURSES.find((c) => c.name === "高等数学（上）")!;
const COURSE_FAST = COURSE.schooldoublespeed !== 0;

/** Counts storage writes of a live object: every setAlarm and every put is one row (the billed unit); alarms apart. */
async function countWrites(stub: DurableObjectStub): Promise<{ n: number; alarms: number }> {
  const counter = { n: 0, alarms: 0 };
  await runInDurableObject(stub, (_o, state) => {
    const storage = state.storage;
    const setAlarm = storage.setAlarm.bind(storage);
    storage.setAlarm = (...a: Parameters<typeof setAlarm>) => (counter.n++, counter.alarms++, setAlarm(...a));
    const kv = storage.kv;
    const put = kv.put.bind(kv);
    kv.put = (...a: Parameters<typeof put>) => (counter.n++, put(...a));
  });
  return counter;
}

/** The user's binding of the phone (session, usage) and the phone object (pacing, the video lock): "account" rows. */
async function accountAndPhoneWrites(userId: number, phone: string): Promise<{ n: number }> {
  const binding = await countWrites(env.ACCOUNTS.getByName(accountName(userId, phone)));
  const shared = await countWrites(env.PHONES.getByName(phoneName(phone)));
  return { get n() { return binding.n + shared.n; } };
}

/** D1 rows written, counted by triggers (the bench's database is its own: storage is per file). */
async function installWriteCounter(): Promise<() => Promise<number>> {
  const ddl = [
    "CREATE TABLE IF NOT EXISTS bench_writes (tbl TEXT NOT NULL)",
    ...["tasks:UPDATE", "task_logs:INSERT", "study_days:INSERT", "study_days:UPDATE", "upstream_events:INSERT"].map((s) => {
      const [tbl, op] = s.split(":");
      return `CREATE TRIGGER IF NOT EXISTS bench_${tbl}_${op} AFTER ${op} ON ${tbl} BEGIN INSERT INTO bench_writes VALUES ('${tbl}'); END`;
    }),
  ];
  for (const q of ddl) await env.DB.prepare(q).run();
  await env.DB.prepare("DELETE FROM bench_writes").run();
  return async () => (await env.DB.prepare("SELECT count(*) AS n FROM bench_writes").first<{ n: number }>())!.n;
}

// At 2x and at 1x: the 2026 platform credits real time, so 2x sends about twice the reports per hour.
for (const SPEED of [2, 1]) it(`drives ${COURSE.name} at ${SPEED}x to completion`, async () => {
  const sim = installSimulator();
  const { token, user } = await registerUser("bench");
  const account = await userWithAccount(sim, token, [COURSE]);
  const course = account.courses[0]!;
  const media = course.chapters.flatMap((c) => c.jobs).filter((j) => j.type === "video" || j.type === "audio");
  const played = (j: (typeof media)[number]) => (j.clip ? j.clip[1] - j.clip[0] : j.duration);
  const mediaSeconds = media.reduce((s, j) => s + played(j), 0);
  // The real-time floor of each video: its length where fast playback is forbidden or not credited (2026:
  // completion needs the real time), else its length at the task's speed.
  const realTime = sim.control.snapshot().platform.realTimeCompletion;
  const floorS = media.reduce((s, j) => s + (realTime || !COURSE_FAST || j.doublespeed === 0 ? played(j) : played(j) / SPEED), 0);
  const d1Writes = await installWriteCounter();

  const startedAt = clock.now();
  const id = await startTask(token, [course.courseId], { speed: SPEED });
  // Counted from the first step on (the start's own checkpoint and alarm happened before the wrap).
  const taskWrites = await countWrites(env.TASKS.getByName(`task:${id}`));
  const accountWrites = await accountAndPhoneWrites(user.id, account.phone);
  const requestsBefore = sim.control.requestCount(account.phone);
  const wall = performance.now();
  const live = await driveUntil(id, finished, 20_000);
  expect(live.status).toBe("completed");

  const elapsedS = (clock.now() - startedAt) / 1000;
  const requests = sim.control.requestCount(account.phone) - requestsBefore;
  const reportLog = sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/"));
  const reports = reportLog.length;
  const studyHours = elapsedS / 3600;
  // Where the time beyond the floor goes: each video's span (first report to last) beyond its length,
  // apart for videos watched again from the start (a second isdrag 3), and what lies between videos.
  const over = { rewatched: 0, rewatchS: 0, otherS: 0 };
  for (const j of media) {
    const own = reportLog.filter((r) => new URLSearchParams(r.query).get("jobid") === j.jobid);
    const extraS = (own.at(-1)!.at - own[0]!.at) / 1000 - played(j);
    if (own.filter((r) => new URLSearchParams(r.query).get("isdrag") === "3").length > 1) (over.rewatched++, over.rewatchS += extraS);
    else over.otherS += extraS;
  }
  emit(`pacing.scheduled_s.${SPEED}x`, elapsedS, {
    baseline: floorS, media_s: mediaSeconds, speed: SPEED, real_time: realTime ? 1 : 0, drive_ms: Math.round(performance.now() - wall),
    videos: media.length, rewatched: over.rewatched, rewatch_extra_s: over.rewatchS, other_extra_s: over.otherS,
  });
  emit(`pacing.requests_per_media_min.${SPEED}x`, requests / (mediaSeconds / 60), { requests, reports });
  emit(`do.rows_per_report.${SPEED}x`, (taskWrites.n + accountWrites.n) / reports, { task: taskWrites.n, task_alarms: taskWrites.alarms, account: accountWrites.n, reports, study_hours: studyHours, per_study_hour: (taskWrites.n + accountWrites.n) / studyHours, media_hours: mediaSeconds / 3600 });
  emit(`d1.rows_per_report.${SPEED}x`, (await d1Writes()) / reports, { rows: await d1Writes(), reports });
});

/** Media seconds of a course spec (clips as played). */
const mediaOf = (c: SimCourseSpec): number =>
  c.chapters.flatMap((ch) => (ch.tabs ?? []).flat()).reduce((n, j) => n + (j.type === "video" || j.type === "audio" ? (j.clip ? j.clip[1] - j.clip[0] : j.duration) : 0), 0);

/**
 * The figure a student lives with: the demo's largest course (by media time) driven by the real engine
 * under the deployment's default limits (src/config.ts defaults = wrangler.toml [vars]: the study window,
 * the daily cap, breaks, the gap between videos) at the default speed, 1.0, from the window's opening.
 * The suite's bindings are neutral, so the user sets the defaults as their own limits; the break's
 * length is not overridden there, so it is the default's.
 */
it("drives the demo's largest course under the default limits", async () => {
  const largest = [...DEMO_COURSES].sort((a, b) => mediaOf(b) - mediaOf(a))[0]!;
  const defaults = defaultLimits(config(Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("LIMIT_"))) as unknown as Env));
  const sim = installSimulator();
  const { token, user } = await registerUser("days");
  const account = await userWithAccount(sim, token, [largest]);
  const set = await api("PUT", "/api/user/limits", { token, body: {
    window_start: defaults.windowStart, window_end: defaults.windowEnd, daily_cap_minutes: defaults.dailyCapMinutes,
    video_gap_seconds: defaults.videoGapSeconds, video_gap_jitter_seconds: defaults.videoGapJitterSeconds, break_after_minutes: defaults.breakAfterMinutes,
  } });
  expect(set.status).toBe(200);
  // Start as the window opens (Shanghai time).
  const day = 24 * 3600_000;
  const sinceMidnight = (((clock.now() + SHANGHAI_OFFSET_MS) % day) + day) % day;
  clock.advance((minuteOf(defaults.windowStart) * 60_000 - sinceMidnight + day) % day);
  const startedAt = clock.now();
  const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });
  const taskWrites = await countWrites(env.TASKS.getByName(`task:${id}`));
  const accountWrites = await accountAndPhoneWrites(user.id, account.phone);
  const live = await driveUntil(id, finished, 50_000);
  expect(live.status).toBe("completed");
  const reports = sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/"));
  const days = new Set(reports.map((r) => shanghaiDay(r.at))).size;
  const count = async (code: string) =>
    (await env.DB.prepare("SELECT count(*) AS n FROM task_logs WHERE task_id = ? AND code = ?").bind(id, code).first<{ n: number }>())!.n;
  emit("limits.days_to_finish", days, {
    baseline: mediaOf(largest) / 60 / defaults.dailyCapMinutes,
    course: largest.name,
    media_h: mediaOf(largest) / 3600,
    elapsed_days: (clock.now() - startedAt) / day,
    breaks: await count("wait.break"),
    cap_waits: await count("wait.daily_cap"),
    window: `${defaults.windowStart}-${defaults.windowEnd}`,
    cap_min: defaults.dailyCapMinutes,
    break_after_min: defaults.breakAfterMinutes,
    rows_per_report: (taskWrites.n + accountWrites.n) / reports.length,
  });
});
