import { describe, expect, it } from "vitest";
import { clock, SHANGHAI_OFFSET_MS, shanghaiDay } from "../../shared/clock";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

const DAY = 24 * 3600_000;
const MIN = 60_000;

/** A course of lectures (minutes each), each chapter with its handout. */
const lectures = (name: string, minutes: number[], extra: Partial<SimCourseSpec> = {}): SimCourseSpec => ({
  name,
  teacher: "测试教师",
  chapters: minutes.map((m, i) => ({ title: `${i + 1} 第${i + 1}讲`, tabs: [[{ type: "video", name: `${name}${i + 1}.mp4`, duration: m * 60 }, { type: "document", name: `${i + 1}.pdf` }]] })),
  ...extra,
});

/** Moves the shared clock to the next `hh:mm` in Asia/Shanghai. */
function toShanghai(hh: number, mm = 0): number {
  const since = (((clock.now() + SHANGHAI_OFFSET_MS) % DAY) + DAY) % DAY;
  clock.advance((((hh * 60 + mm) * MIN - since) % DAY + DAY) % DAY || DAY);
  return clock.now();
}

const limits = (token: string, body: Record<string, unknown>) =>
  api("PUT", "/api/user/limits", { token, body: { window_start: "00:00", window_end: "24:00", video_gap_seconds: 0, video_gap_jitter_seconds: 0, break_after_minutes: 1440, ...body } });

async function setup(courses: SimCourseSpec[], cap: number, window: Record<string, string> = {}) {
  const sim = installSimulator();
  const { token } = await registerUser("fc");
  const account = await userWithAccount(sim, token, courses);
  expect((await limits(token, { daily_cap_minutes: cap, ...window })).status).toBe(200);
  return { sim, token, account };
}

const near = (iso: string | null, expected: number, slack = MIN) => {
  expect(iso).not.toBeNull();
  expect(Math.abs(Date.parse(iso!) - expected), `${iso} vs ${new Date(expected).toISOString()}`).toBeLessThanOrEqual(slack);
};

describe("POST /api/tasks/forecast: before starting, without creating anything", () => {
  it("reads each chapter's remaining time, says when under the user's limits, and moves when chapters are unticked", async () => {
    const { sim, token, account } = await setup([lectures("甲", [20, 30, 40])], 60, { window_start: "08:00", window_end: "23:00" });
    const course = account.courses[0]!;
    const at9 = toShanghai(9);
    const all = await api("POST", "/api/tasks/forecast", { token, body: { course_ids: [course.courseId] } });
    expect(all.status).toBe(200);
    expect(all.body.basis).toMatchObject({ window_start: "08:00", window_end: "23:00", daily_cap_minutes: 60, other_tasks: 0 });
    const chapters = all.body.courses[0].chapters;
    expect(chapters.map((c: { id: string; jobs_left: number; estimated: boolean }) => [c.id, c.jobs_left, c.estimated])).toEqual(
      course.chapters.map((c) => [c.id, 2, false]),
    );
    expect(chapters.map((c: { remaining_seconds: number }) => Math.round(c.remaining_seconds / 60))).toEqual([20, 30, 40]);
    // 60 minutes today from 09:00, then 30 tomorrow from 08:00 (and the resume jitter's mean).
    near(all.body.finish_at, at9 + DAY - MIN * 60 + 32.5 * MIN, 2 * MIN);
    expect(all.body.study_days).toBe(2);
    expect(all.body.estimated).toBe(false);

    // Unticked: only 60 minutes, done today. The survey is not read again.
    const requests = sim.control.requestCount(account.phone);
    const some = await api("POST", "/api/tasks/forecast", { token, body: { classes: [{ course_id: course.courseId, clazz_id: course.clazzId, chapters: [course.chapters[0]!.id, course.chapters[2]!.id] }] } });
    expect(some.status).toBe(200);
    expect(sim.control.requestCount(account.phone)).toBe(requests);
    near(some.body.finish_at, at9 + 60 * MIN, 2 * MIN);
    expect(some.body.study_days).toBe(1);
    expect(some.body.courses[0].chapters.map((c: { chosen: boolean }) => c.chosen)).toEqual([true, false, true]);
    expect((await api("GET", "/api/tasks", { token })).body.total).toBe(0);
  });

  it("counts what the engine will study: the cards the tab bar lists (an eighth too), a live replay at real pace, the ongoing class only", async () => {
    const eight = Array.from({ length: 8 }, (_, k) => (k === 7 ? [{ type: "video" as const, name: "第八页.mp4", duration: 10 * 60 }] : [{ type: "document" as const, name: `${k}.pdf` }]));
    const course: SimCourseSpec = {
      name: "多页",
      teacher: "测试教师",
      classes: [{ name: "旧班", state: 1 }, { name: "新班" }],
      chapters: [
        { title: "1 八页", tabs: eight },
        { title: "2 直播", tabs: [[{ type: "video", name: "开场.mp4", duration: 5 * 60 }, { type: "live", name: "回放", duration: 30 * 60 }]] },
      ],
    };
    const { token, account } = await setup([course], 600);
    const f = await api("POST", "/api/tasks/forecast", { token, body: { course_ids: [account.courses[0]!.courseId] } });
    expect(f.status).toBe(200);
    // One class studied: the one not ended (the ended one only if named).
    expect(f.body.courses.map((c: { clazz_id: string }) => c.clazz_id)).toEqual([account.courses.find((c) => c.clazzName === "新班")!.clazzId]);
    expect(f.body.courses[0].chapters.map((c: { remaining_seconds: number }) => Math.round(c.remaining_seconds / 60))).toEqual([10, 35]);
    expect(f.body.estimated).toBe(false);
  });

  it("refuses chapters and classes the course does not have, naming the field", async () => {
    const { token, account } = await setup([lectures("甲", [1])], 60);
    const course = account.courses[0]!;
    const bad = await api("POST", "/api/tasks/forecast", { token, body: { classes: [{ course_id: course.courseId, clazz_id: course.clazzId, chapters: ["12345"] }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("classes.0.chapters");
    const clazz = await api("POST", "/api/tasks", { token, body: { name: "x", classes: [{ course_id: course.courseId, clazz_id: "1" }] } });
    expect(clazz.status).toBe(400);
    expect(clazz.body.errors[0].field).toBe("classes");
    expect((await api("POST", "/api/tasks/forecast", { token, body: {} })).status).toBe(400);
  });
});

describe("deadlines", () => {
  it("the class's end date is the default deadline; a forecast that misses it says so at creation and on the task page; the nearest is studied first", async () => {
    const far = lectures("远", [30], { period: { from: -10, to: 30 } });
    const near5 = lectures("近", [30, 30, 30, 30, 30], { period: { from: -10, to: 1 } });
    // The class periods count from the day the account is made: today.
    toShanghai(9);
    const { token, account } = await setup([far, near5], 60);
    const [farC, nearC] = account.courses;
    const f = await api("POST", "/api/tasks/forecast", { token, body: { course_ids: [farC!.courseId, nearC!.courseId] } });
    expect(f.status).toBe(200);
    // 150 minutes at an hour a day: three days, one more than its class has.
    expect(f.body.courses.map((c: { name: string }) => c.name)).toEqual(["近", "远"]);
    expect(f.body.courses[0].end_date).toBe(shanghaiDay(clock.now() + DAY));
    expect(f.body.courses[0].deadline).toBe(new Date(Date.parse(`${shanghaiDay(clock.now() + DAY)}T23:59:59+08:00`)).toISOString());
    expect(f.body.courses[0].forecast.misses_deadline).toBe(true);
    expect(f.body.courses[1].forecast.misses_deadline).toBe(false);
    expect(f.body.misses_deadline).toBe(true);
    // Without a deadline for it, nothing is missed, and the course with one comes first.
    const none = await api("POST", "/api/tasks/forecast", { token, body: { course_ids: [farC!.courseId], classes: [{ course_id: nearC!.courseId, clazz_id: nearC!.clazzId, deadline: null }] } });
    expect(none.body.courses.map((c: { name: string }) => c.name)).toEqual(["远", "近"]);
    expect(none.body.misses_deadline).toBe(false);

    const created = await api("POST", "/api/tasks", { token, body: { name: "期限", course_ids: [farC!.courseId, nearC!.courseId] } });
    expect(created.status).toBe(201);
    expect(created.body.selection.map((s: { course_id: string; deadline: string | null }) => [s.course_id, s.deadline !== null])).toEqual([
      [farC!.courseId, true], [nearC!.courseId, true],
    ]);
    expect((await api("POST", `/api/tasks/${created.body.id}/start`, { token })).status).toBe(200);
    const detail = (await api("GET", `/api/tasks/${created.body.id}`, { token })).body;
    expect(detail.forecast.misses_deadline).toBe(true);
    const live = await driveUntil(created.body.id, (l) => l.courses.length > 0 && l.courses[0]!.jobs_left !== null);
    // Studied in deadline order, each course with its deadline and its own forecast.
    expect(live.courses.map((c) => [c.name, c.forecast?.misses_deadline])).toEqual([["近", true], ["远", false]]);
    const logs = (await api("GET", `/api/tasks/${created.body.id}/logs`, { token })).body as { code: string; params: { course?: string } }[];
    expect(logs.find((l) => l.code === "course.start")?.params.course).toBe("近");
  });
});

describe("chapters chosen", () => {
  it("the engine studies only the chapters the task names", async () => {
    const spec: SimCourseSpec = {
      name: "选章", teacher: "甲",
      chapters: [1, 2, 3].map((i) => ({ title: `第${i}章`, tabs: [[{ type: "video", name: `v${i}.mp4`, duration: 40 }]] })),
    };
    const { sim, token, account } = await setup([spec], 1440);
    const course = account.courses[0]!;
    const chosen = [course.chapters[0]!.id, course.chapters[2]!.id];
    const created = await api("POST", "/api/tasks", { token, body: { name: "选章", classes: [{ course_id: course.courseId, clazz_id: course.clazzId, chapters: chosen }] } });
    expect(created.status).toBe(201);
    expect(created.body.selection).toEqual([{ course_id: course.courseId, clazz_id: course.clazzId, chapters: chosen, deadline: null }]);
    expect((await api("POST", `/api/tasks/${created.body.id}/start`, { token })).status).toBe(200);
    const done = await driveUntil(created.body.id, finished);
    expect(done.status).toBe("completed");
    expect(done.courses[0]!.chapters).toEqual(chosen);
    const played = (i: number) => sim.control.jobProgress(account.phone, course.chapters[i]!.jobs[0]!.jobid)?.passed ?? false;
    expect([played(0), played(1), played(2)]).toEqual([true, false, true]);
  });
});

describe("the task's forecast while it runs", () => {
  it("made at start as the preview said; eta from it; made again when a limit is edited and when a wait begins", async () => {
    const { token, account } = await setup([lectures("甲", [30, 30, 30])], 60);
    toShanghai(10);
    const course = account.courses[0]!;
    const preview = (await api("POST", "/api/tasks/forecast", { token, body: { course_ids: [course.courseId] } })).body;
    const created = await api("POST", "/api/tasks", { token, body: { name: "甲", course_ids: [course.courseId] } });
    expect((await api("POST", `/api/tasks/${created.body.id}/start`, { token })).status).toBe(200);
    const id = created.body.id as number;
    const detail = (await api("GET", `/api/tasks/${id}`, { token })).body;
    near(detail.forecast.finish_at, Date.parse(preview.finish_at), 2 * MIN);
    expect(detail.forecast.estimated).toBe(false);
    expect(Math.abs(detail.eta_seconds * 1000 - (Date.parse(detail.forecast.finish_at) - clock.now()))).toBeLessThanOrEqual(2000);
    expect(detail.courses[0].forecast.finish_at).toBe(detail.forecast.finish_at);

    // Half the cap: a day more.
    expect((await limits(token, { daily_cap_minutes: 30 })).status).toBe(200);
    const halved = (await api("GET", `/api/tasks/${id}`, { token })).body;
    expect(halved.forecast.basis.daily_cap_minutes).toBe(30);
    expect(Date.parse(halved.forecast.finish_at) - Date.parse(detail.forecast.finish_at)).toBeGreaterThan(DAY / 2);

    // The cap reached: the wait is in the forecast, which still says the same day.
    const waiting = await driveUntil(id, (l) => l.reason === "daily_cap");
    expect(Date.parse(waiting.forecast!.computed_at)).toBeGreaterThanOrEqual(clock.now() - 5 * MIN);
    expect(Date.parse(waiting.forecast!.finish_at!)).toBeGreaterThan(Date.parse(waiting.resumes_at!));
    near(waiting.forecast!.finish_at, Date.parse(halved.forecast.finish_at), 15 * MIN);
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(done.forecast).toBeNull();
    expect(done.eta_seconds).toBeNull();
  });

  it("two tasks on one account share its cap: each forecast counts the other's work", async () => {
    const { token, account } = await setup([lectures("甲", [30, 30]), lectures("乙", [30, 30])], 60);
    toShanghai(10);
    const [a, b] = account.courses;
    const aloneB = (await api("POST", "/api/tasks/forecast", { token, body: { course_ids: [b!.courseId] } })).body;
    const start = async (courseId: string) => {
      const created = await api("POST", "/api/tasks", { token, body: { name: courseId, course_ids: [courseId] } });
      expect((await api("POST", `/api/tasks/${created.body.id}/start`, { token })).status).toBe(200);
      return created.body.id as number;
    };
    const idA = await start(a!.courseId);
    const beforeB = (await taskLive(idA))!.forecast!;
    expect(beforeB.basis.other_tasks).toBe(0);
    const idB = await start(b!.courseId);
    const fB = (await taskLive(idB))!.forecast!;
    expect(fB.basis.other_tasks).toBe(1);
    // Alone, B is done within the hour; beside A, the hour is shared and B ends tomorrow.
    expect(shanghaiDay(Date.parse(aloneB.finish_at))).toBe(shanghaiDay(clock.now()));
    expect(shanghaiDay(Date.parse(fB.finish_at!))).toBe(shanghaiDay(clock.now() + DAY));
    // A hears of B at its next forecast (here: the limits saved again).
    expect((await limits(token, { daily_cap_minutes: 60 })).status).toBe(200);
    const fA = (await taskLive(idA))!.forecast!;
    expect(fA.basis.other_tasks).toBe(1);
    expect(Date.parse(fA.finish_at!)).toBeGreaterThan(Date.parse(beforeB.finish_at!));
    // Once B stops, A's next forecast is alone again.
    expect((await api("POST", `/api/tasks/${idB}/pause`, { token })).status).toBe(200);
    expect((await limits(token, { daily_cap_minutes: 60 })).status).toBe(200);
    expect((await taskLive(idA))!.forecast!.basis.other_tasks).toBe(0);
  });
});
