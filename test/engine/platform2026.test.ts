import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { initialState, publicLeft, upgradeState, type LeftEntry, type MediaRun, type StoredJob } from "../../src/engine/state";
import { clock } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { DEFAULT_PLATFORM } from "../../src/simulator/state";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { CHROME, loginCookies, reportRig } from "../simulator/raw";

useFutureClock();

/** The task engine against the platform as it is in 2026. */

async function setup(prefix: string, courses: SimCourseSpec[], extra: Record<string, unknown> = {}) {
  const sim = installSimulator();
  const { token } = await registerUser(prefix);
  const account = await userWithAccount(sim, token, courses);
  const id = await startTask(token, account.courses.map((c) => c.courseId), extra);
  return { sim, token, account, id };
}

const reportsOf = (sim: ReturnType<typeof installSimulator>, phone: string) =>
  sim.control.requests(phone).filter((r) => r.path.includes("/multimedia/log/"));
const isdragOf = (r: { query: string }) => new URLSearchParams(r.query).get("isdrag");
const playingOf = (r: { query: string }) => Number(new URLSearchParams(r.query).get("playingTime"));
/** The longest run of end reports (isdrag 4) with no other report between them. */
const longestEndRun = (reports: { query: string }[]) => {
  let run = 0;
  let longest = 0;
  for (const r of reports) {
    run = isdragOf(r) === "4" ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
};
const logins = (sim: ReturnType<typeof installSimulator>) => sim.control.requests().filter((r) => r.path === "/fanyalogin").length;
const messages = async (token: string, id: number) =>
  ((await api("GET", `/api/tasks/${id}/logs?limit=500`, { token })).body as { message: string }[]).map((l) => l.message);

describe("speed and real time", () => {
  it("plays at 1× where the course forbids fast playback, whatever the user's speed", async () => {
    const { sim, account, id } = await setup("onex", [{ ...videoCourse(240), schooldoublespeed: 0 }], { speed: 2 });
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100 });
    const reports = reportsOf(sim, account.phone);
    const gaps = reports.slice(1).map((r, i) => r.at - reports[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(55_000);
    expect(reports.every((r) => r.status === 200)).toBe(true);
    expect(sim.control.jobProgress(account.phone, account.courses[0]!.chapters[0]!.jobs[0]!.jobid)!.passed).toBe(true);
  });

  it("at 2× where allowed, repeats the end report until the real time has passed, then completes: at most three end reports in a row", async () => {
    const { sim, account, id } = await setup("twox", [videoCourse(100)], { speed: 2 });
    const start = clock.now();
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", progress: 100 });
    expect(sim.control.jobProgress(account.phone, account.courses[0]!.chapters[0]!.jobs[0]!.jobid)!.passed).toBe(true);
    const reports = reportsOf(sim, account.phone);
    const ends = reports.filter((r) => isdragOf(r) === "4");
    expect(ends.length).toBeGreaterThan(1);
    expect(longestEndRun(reports)).toBeLessThanOrEqual(3);
    // No restart was needed: this course credits the real time, which the last end report covered.
    expect(reports.filter((r) => isdragOf(r) === "3")).toHaveLength(1);
    expect(clock.now() - start).toBeLessThan(100_000 + 60_000);
  });

  it("in a strict course at 2×, a video not passed at its end restarts from 0 at 1× and passes: never more than three end reports in a row", async () => {
    const { sim, account, id, token } = await setup("strict2x", [videoCourse(300, { strictRealTime: true })], { speed: 2 });
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100, left_for_user: [] });
    const jobid = account.courses[0]!.chapters[0]!.jobs[0]!.jobid;
    expect(sim.control.jobProgress(account.phone, jobid)!.passed).toBe(true);
    const reports = reportsOf(sim, account.phone);
    expect(longestEndRun(reports)).toBeLessThanOrEqual(3);
    // One restart: a fresh isdrag 3 at 0 after the first end, then reports a minute of media apart (1×).
    const starts = reports.map((r, i) => [r, i] as const).filter(([r]) => isdragOf(r) === "3");
    expect(starts).toHaveLength(2);
    const [restart, at] = starts[1]!;
    expect(playingOf(restart)).toBe(0);
    expect(reports.slice(0, at).some((r) => isdragOf(r) === "4")).toBe(true);
    const again = reports.slice(at);
    const gaps = again.slice(1).map((r, i) => r.at - again[i]!.at);
    expect(Math.min(...gaps.slice(0, -1))).toBeGreaterThanOrEqual(55_000);
    expect(playingOf(again[1]!)).toBeLessThanOrEqual(62);
    expect((await messages(token, id)).some((m) => m.includes("从头") && m.includes("1×"))).toBe(true);
  });

  it("at 2×, a video whose lead over real time at its end is more than three end reports could cover plays at 1× from the start: no half-run thrown away", async () => {
    const { sim, account, id, token } = await setup("farend", [videoCourse(1200)], { speed: 2 });
    const start = clock.now();
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: null, progress: 100 });
    const reports = reportsOf(sim, account.phone);
    // At 2× it would reach its end 600 s ahead of real time, and three end reports cover at most 270 s: a
    // re-watch for sure. So one start, a minute of media per report, and done within its length.
    expect(reports.filter((r) => isdragOf(r) === "3")).toHaveLength(1);
    expect(playingOf(reports[0]!)).toBe(0);
    const gaps = reports.slice(1).map((r, i) => r.at - reports[i]!.at);
    expect(Math.min(...gaps.slice(0, -1))).toBeGreaterThanOrEqual(55_000);
    expect(clock.now() - start).toBeLessThan((1200 + 120) * 1000);
    expect((await messages(token, id)).some((m) => m.includes("v.mp4") && m.includes("结尾"))).toBe(true);
  });

  it("a course whose video needed a re-watch plays its other videos at 1× from the start: 2× gains nothing there", async () => {
    const course: SimCourseSpec = { name: "实时课程", teacher: "甲", chapters: [1, 2].map((i) => ({ title: `${i}`, tabs: [[{ type: "video", name: `v${i}.mp4`, duration: 480 }]] })) };
    const { sim, account, id, token } = await setup("learn1x", [{ ...course, strictRealTime: true }], { speed: 2 });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: null, progress: 100 });
    const second = account.courses[0]!.chapters[1]!.jobs[0]!.jobid;
    const reports = reportsOf(sim, account.phone).filter((r) => new URLSearchParams(r.query).get("jobid") === second);
    // One start, a minute of media per report, one end report that passes.
    expect(reports.filter((r) => isdragOf(r) === "3")).toHaveLength(1);
    const gaps = reports.slice(1).map((r, i) => r.at - reports[i]!.at);
    expect(Math.min(...gaps.slice(0, -1))).toBeGreaterThanOrEqual(55_000);
    expect(reports.filter((r) => isdragOf(r) === "4")).toHaveLength(1);
    expect((await messages(token, id)).some((m) => m.includes("v2.mp4") && m.includes("只按实际观看时长"))).toBe(true);
  });

  it("after one re-watch that still does not pass, leaves the video for the user with its reason", async () => {
    const { sim, account, id } = await setup("rewatchfail", [videoCourse(120, { strictRealTime: true })], { speed: 2 });
    const jobid = account.courses[0]!.chapters[0]!.jobs[0]!.jobid;
    // The platform credits nothing from the first report on (as if every report ran ahead): nothing can pass.
    await driveUntil(id, () => sim.control.jobProgress(account.phone, jobid) !== undefined);
    sim.control.jobProgress(account.phone, jobid)!.watchedS = -1e9;
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you" });
    expect(done.left_for_user).toEqual([expect.objectContaining({ kind: "video", item: "v.mp4", reason_code: "left.rewatch_not_passed" })]);
    const reports = reportsOf(sim, account.phone);
    expect(reports.filter((r) => isdragOf(r) === "3")).toHaveLength(2);
    expect(longestEndRun(reports)).toBeLessThanOrEqual(3);
  });

  it("a card showing the end with isPassed false is unpassed: the video is watched from 0 at 1×, not reported at its end", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("atend");
    const account = await userWithAccount(sim, token, [videoCourse(120, { strictRealTime: true })]);
    // Someone reached the end at 4× in the app: the platform recorded the position, and did not pass it.
    const rig = await reportRig(sim, account);
    await rig.report(0, {}, 3);
    clock.advance(30_000);
    await rig.report(120, {}, 4);
    expect(sim.control.jobProgress(account.phone, rig.spec.jobid)).toMatchObject({ playTimeS: 120, passed: false });
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 2 });
    const before = reportsOf(sim, account.phone).length;
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: null, progress: 100 });
    const ours = reportsOf(sim, account.phone).slice(before);
    expect([isdragOf(ours[0]!), playingOf(ours[0]!)]).toEqual(["3", 0]);
    expect(Math.min(...ours.slice(1, -1).map((r, i) => r.at - ours[i]!.at))).toBeGreaterThanOrEqual(55_000);
    expect(sim.control.jobProgress(account.phone, rig.spec.jobid)!.passed).toBe(true);
  });
});

describe("reports as the 2025-10 player sends them", () => {
  it("a clipped video, reports on the host reportUrl names, rt from otherInfo: all pass", async () => {
    const { sim, account, id } = await setup("clip", [
      { name: "片段", teacher: "甲", reportHost: "mooc1-2", chapters: [{ title: "1", tabs: [[{ type: "video", name: "c.mp4", duration: 300, clip: [60, 180], rt: "1" }]] }] },
    ]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", progress: 100, reason: null });
    const reports = reportsOf(sim, account.phone);
    expect(reports.every((r) => r.status === 200 && r.host === "mooc1-2")).toBe(true);
    expect(reports[0]!.query).toMatch(/clipTime=60_180/);
  });
});

describe("face capture", () => {
  it.each(["flag", "page", "redirect"] as const)("%s: the course is skipped at once with its reason; no report is sent; the task ends needs_you", async (faceCheck) => {
    const { sim, account, id } = await setup(`face${faceCheck}`, [{ ...videoCourse(120), name: "人脸课程", faceCheck }, { ...videoCourse(60), name: "普通课程" }]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you", completed_courses: 1, total_courses: 2 });
    expect(done.progress).toBeLessThan(100);
    expect(done.left_for_user).toEqual([expect.objectContaining({ course: "人脸课程", kind: "course", reason: expect.stringContaining("人脸识别") })]);
    const faceJob = account.courses[0]!.chapters[0]!.jobs[0]!.jobid;
    expect(reportsOf(sim, account.phone).filter((r) => r.query.includes(faceJob))).toEqual([]);
    // Its chapter was opened as a browser opens it (the tab bar, 2026-12 item 10), never visited as an empty one.
    expect(sim.control.requests(account.phone).filter((r) => r.path.includes("studentstudyAjax") && !r.query.includes("toComputer=false"))).toEqual([]);
  });
});

describe("content that is not ready is a per-job outcome", () => {
  it("a video still transcoding and a document reply that is not JSON are left for the user; the task goes on", async () => {
    const { sim, account, id } = await setup("notready", [{ name: "未就绪", teacher: "甲", chapters: [
      { title: "1", tabs: [[{ type: "video", name: "t.mp4", duration: 30, transcoding: true }, { type: "document", name: "bad.pdf", notJson: true }]] },
      { title: "2", tabs: [[{ type: "video", name: "ok.mp4", duration: 30 }]] },
    ] }]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you" });
    expect(done.left_for_user.map((l) => [l.item, l.kind])).toEqual([["t.mp4", "video"], ["bad.pdf", "document"]]);
    expect(sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!.courses[0]).toMatchObject({ finished: 1, total: 3 });
    expect(done.progress).toBeLessThan(100);
    expect(done.progress).toBeGreaterThan(0);
  });
});

describe("task points that unlock inside a chapter", () => {
  it("re-reads the chapter after its jobs and does the points that appeared", async () => {
    const { sim, account, id } = await setup("unlock", [{ name: "解锁", teacher: "甲", chapters: [{ title: "1", tabs: [[
      { type: "video", name: "v.mp4", duration: 60 },
      { type: "document", name: "after.pdf", afterPrevious: true },
      { type: "read", name: "later", afterPrevious: true },
    ]] }] }]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100 });
    expect(sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!.courses[0]).toMatchObject({ finished: 3, total: 3 });
  });
});

describe("sessions, risk control and logins", () => {
  it("a 200 login page is an expired session: logs in again and goes on", async () => {
    const { sim, account, id } = await setup("page200", [videoCourse(180)]);
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.setFaults({ loginPage200: true });
    sim.control.expireSessions(account.phone);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null });
    expect(sim.control.requests(account.phone).filter((r) => r.path === "/fanyalogin").length).toBe(2);
  });

  it("on a 202: one fresh login as a probe, then pauses with reason risk_control; resume probes without logging in", async () => {
    const { sim, account, id, token } = await setup("risk", [videoCourse(300)]);
    await driveUntil(id, (l) => l.item_current_time >= 60);
    const before = logins(sim);
    sim.control.riskControl(account.phone, true);
    const paused = await driveUntil(id, finished);
    expect(paused).toMatchObject({ status: "paused", reason: "risk_control" });
    expect(logins(sim) - before).toBe(1);
    expect(await tick()).toBe(false);
    // Still under risk control: resume pauses again, without another login. Until Chaoxing answered, the
    // task says it is checking (risk_check), not that it studies.
    const resumed = await api("POST", `/api/tasks/${id}/resume`, { token });
    expect(resumed).toMatchObject({ status: 200, body: { task: { status: "running", reason: "risk_check" } } });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "risk_control" });
    expect(logins(sim) - before).toBe(1);
    sim.control.riskControl(account.phone, false);
    expect((await api("POST", `/api/tasks/${id}/resume`, { token })).body.task).toMatchObject({ reason: "risk_check" });
    // The first answered call ends the check: studying again, reason cleared.
    expect(await driveUntil(id, (l) => l.status !== "running" || l.reason !== "risk_check")).toMatchObject({ status: "running", reason: null });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed" });
  });

  it("logs in at most a few times a day per Chaoxing account, then pauses with risk_control", async () => {
    const { sim, account, id } = await setup("budget", [videoCourse(3000)]);
    for (let i = 0; i < 12; i++) {
      const live = await driveUntil(id, (l) => l.status !== "running" || l.item_current_time > 0);
      if (live.status !== "running") break;
      sim.control.expireSessions(account.phone);
      clock.advance(60_000);
      await tick();
    }
    const live = await driveUntil(id, finished);
    expect(live).toMatchObject({ status: "paused", reason: "risk_control" });
    expect(sim.control.requests(account.phone).filter((r) => r.path === "/fanyalogin").length).toBeLessThanOrEqual(5);
  });
});

describe("captcha", () => {
  it("is fetched and answered on the host that raised it", async () => {
    const { sim, account, id, token } = await setup("cap2026", [videoCourse(300)]);
    await driveUntil(id, (l) => l.item_current_time >= 60);
    const answer = sim.control.requireCaptcha(account.phone, "mooc1");
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "captcha" });
    const img = await api("GET", `/api/tasks/${id}/captcha`, { token });
    expect(img.status).toBe(200);
    expect((await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: answer } })).status).toBe(200);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed" });
    const captchaCalls = sim.control.requests(account.phone).filter((r) => /processVerify/.test(r.path));
    expect(captchaCalls.every((r) => r.host === "mooc1" && r.jsession === "own")).toBe(true);
  });

  it("raised by report frequency on another mooc1 host is answered there", async () => {
    const { sim, account, id, token } = await setup("capfreq", [{ ...videoCourse(600), reportHost: "mooc1-1" }], { speed: 2 });
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.setPlatform({ captchaReportsPerMinute: 1 });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "captcha" });
    sim.control.setPlatform({ captchaReportsPerMinute: DEFAULT_PLATFORM.captchaReportsPerMinute });
    const answer = sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!.captchaAnswer!;
    expect((await api("GET", `/api/tasks/${id}/captcha`, { token })).status).toBe(200);
    expect((await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: answer } })).status).toBe(200);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed" });
    expect(sim.control.requests(account.phone).filter((r) => /processVerify/.test(r.path)).every((r) => r.host === "mooc1-1")).toBe(true);
  });
});

describe("job counts refused", () => {
  it("show as unknown progress (null) in the course list, never 100", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("refused");
    await userWithAccount(sim, token, [videoCourse(60)]);
    sim.control.setFaults({ jobCountsRefused: true });
    const r = await api("GET", "/api/courses/list?refresh=true", { token });
    expect(r.status).toBe(200);
    expect(r.body[0].progress).toBeNull();
  });
});

describe("honest completion", () => {
  const course: SimCourseSpec = { name: "测验课程", teacher: "甲", chapters: [
    { title: "1 视频", tabs: [[{ type: "video", name: "v.mp4", duration: 60 }]] },
    { title: "2 测验", tabs: [[{ type: "quiz", name: "第一章测验" }]] },
  ] };

  it("ends completed with reason needs_you, progress below 100, each item linking to its chapter; recheck clears what the user finished", async () => {
    const { sim, account, id, token } = await setup("honest", [course]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you", completed_courses: 0, total_courses: 1 });
    expect(done.progress).toBeLessThan(100);
    expect(done.progress).toBeGreaterThan(50);
    const item = done.left_for_user[0]!;
    expect(item).toMatchObject({ kind: "quiz", item: "第一章测验", chapter: "2 测验" });
    const url = new URL(item.url!);
    expect(`${url.origin}${url.pathname}`).toBe("https://mooc1.chaoxing.com/mooc-ans/mycourse/studentstudy");
    const c = account.courses[0]!;
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ chapterId: c.chapters[1]!.id, courseId: c.courseId, clazzid: c.clazzId, cpi: c.cpi, mooc2: "1" });
    // the link opens that chapter in the platform
    const page = await sim.app.fetch(new Request(item.url!, { headers: { Cookie: await loginCookies(sim, account), ...CHROME } }));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("2 测验");
    const row = await env.DB.prepare("SELECT status, reason, progress FROM tasks WHERE id = ?").bind(id).first<{ status: string; reason: string; progress: number }>();
    expect(row).toMatchObject({ status: "completed", reason: "needs_you" });
    expect(row!.progress).toBe(done.progress);

    // Nothing to clear yet: a recheck finds the quiz still open.
    expect((await api("POST", `/api/tasks/${id}/recheck`, { token })).body.task).toMatchObject({ status: "running" });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: "needs_you", left_for_user: [expect.objectContaining({ kind: "quiz" })] });
    // The user does the quiz in 学习通; recheck clears it and the task is complete.
    sim.control.completeByHand(account.phone, c.chapters[1]!.jobs[0]!.jobid);
    const r = await api("POST", `/api/tasks/${id}/recheck`, { token });
    expect(r).toMatchObject({ status: 200, body: { message: expect.any(String), task: { status: "running" } } });
    const after = await driveUntil(id, finished);
    expect(after).toMatchObject({ status: "completed", reason: null, progress: 100, left_for_user: [], completed_courses: 1 });
    // Nothing left: recheck is a conflict.
    expect((await api("POST", `/api/tasks/${id}/recheck`, { token })).status).toBe(409);
  });

  it("recheck keeps the finish time, says what it found, and each course's figures agree with the items left", async () => {
    const { sim, account, id, token } = await setup("recheckSays", [course]);
    const done = await driveUntil(id, finished);
    const endedAt = done.end_time;
    expect(endedAt).toEqual(expect.any(String));
    // The course has a quiz left: its figures say so, never "done" beside an item left (no course completed).
    expect(done).toMatchObject({ completed_courses: 0, courses: [expect.objectContaining({ status: "needs_you", jobs_left: 1 })] });
    clock.advance(3600_000);
    await api("POST", `/api/tasks/${id}/recheck`, { token });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", end_time: endedAt });
    expect(await messages(token, id)).toContain("重新检查完成：已完成 0 项，还剩 1 项");
    sim.control.completeByHand(account.phone, account.courses[0]!.chapters[1]!.jobs[0]!.jobid);
    clock.advance(3600_000);
    await api("POST", `/api/tasks/${id}/recheck`, { token });
    const after = await driveUntil(id, finished);
    expect(after).toMatchObject({ status: "completed", reason: null, end_time: endedAt, courses: [expect.objectContaining({ status: "done" })] });
    expect(await messages(token, id)).toContain("重新检查完成：已完成 1 项，还剩 0 项");
  });

  it("recheck is a 409 unless the task is completed with items left", async () => {
    const { id, token } = await setup("recheck409", [videoCourse(600)]);
    const r = await api("POST", `/api/tasks/${id}/recheck`, { token });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain("running");
  });

  it("recheck clears a skipped face course once the user has done it in 学习通, and the task is complete", async () => {
    const { sim, account, id, token } = await setup("faceRecheck", [{ ...videoCourse(60), name: "人脸课程", faceCheck: "page" }, { ...videoCourse(60), name: "普通课程" }]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you", completed_courses: 1 });
    expect(done.left_for_user[0]!.url).toMatch(/^https:\/\/mooc2-ans\.chaoxing\.com\/mooc2-ans\/mycourse\/studentcourse\?/);
    sim.control.completeByHand(account.phone, account.courses[0]!.chapters[0]!.jobs[0]!.jobid);
    await api("POST", `/api/tasks/${id}/recheck`, { token });
    const after = await driveUntil(id, finished);
    expect(after).toMatchObject({ status: "completed", reason: null, progress: 100, completed_courses: 2, left_for_user: [] });
    const reports = sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/"));
    expect(reports.every((r) => !r.query.includes(account.courses[0]!.chapters[0]!.jobs[0]!.jobid))).toBe(true);
  });

  it("a face course skipped is not progress: with no other course the task ends at 0", async () => {
    const { id } = await setup("face0", [{ ...videoCourse(60), faceCheck: "flag" }]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you", progress: 0, completed_courses: 0 });
    expect(done.left_for_user[0]!.url).toMatch(/^https:\/\/(mooc2-ans|mooc1)\.chaoxing\.com\//);
  });
});

describe("notopen ask: I finished it myself, check again", () => {
  it("retry re-reads the chapter: pauses again while closed, goes on once open", async () => {
    const { sim, id, token, account } = await setup("nretry", [{ name: "未开放", teacher: "甲", chapters: [
      { title: "1", tabs: [[{ type: "document", name: "one.pdf" }]] },
      { title: "2", notOpen: true, tabs: [[{ type: "document", name: "two.pdf" }]] },
    ] }], { notopen_action: "ask" });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "notopen_ask", notopen_chapter: "2" });
    expect((await api("POST", `/api/tasks/${id}/resume`, { token, body: { notopen: "retry" } })).status).toBe(200);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "notopen_ask", notopen_chapter: "2" });
    sim.control.openChapter(account.courses[0]!.chapters[1]!.id);
    await api("POST", `/api/tasks/${id}/resume`, { token, body: { notopen: "retry" } });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: null, progress: 100 });
  });
});

describe("the demo account", () => {
  it("completes every demo course that can be completed, at 1× where the course forbids more; lists the face course, the transcoding video and the quiz", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("demo");
    await api("PUT", "/api/user/config", { token, body: { cx_username: "13800138000", cx_password: "your_password" } });
    const courses = (await api("GET", "/api/courses/list", { token })).body as { courseId: string; courseName: string }[];
    const ids = courses.filter((c) => c.courseName !== "高等数学（上）").map((c) => c.courseId);
    const id = await startTask(token, ids, { speed: 2 });
    const done = await driveUntil(id, finished, 8000);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you" });
    expect(done.progress).toBeLessThan(100);
    const left = done.left_for_user;
    expect(left).toContainEqual(expect.objectContaining({ course: "军事理论", kind: "course" }));
    expect(left).toContainEqual(expect.objectContaining({ course: "大学计算机基础", item: "1.1 补充：ENIAC.mp4", kind: "video" }));
    expect(left).toContainEqual(expect.objectContaining({ course: "马克思主义基本原理", item: "第一章 章节测验", kind: "quiz" }));
    expect(left.every((l) => typeof l.url === "string" && l.url.startsWith("https://"))).toBe(true);
    const snap = sim.control.snapshot().accounts.find((a) => a.phone === "13800138000")!;
    const byName = Object.fromEntries(snap.courses.map((c) => [c.name, c]));
    expect(byName["大学生心理健康教育"]).toMatchObject({ finished: 5, total: 5 });
    expect(byName["中国近现代史纲要"]).toMatchObject({ finished: 1, total: 1 });
    // The strict course: its video, reached at 2× too fast, was watched again from the start at 1×.
    expect(byName["思想道德与法治"]).toMatchObject({ finished: 1, total: 1 });
    expect(byName["大学计算机基础"]!.total - byName["大学计算机基础"]!.finished).toBe(1);
    expect(byName["军事理论"]!.finished).toBe(0);
    // The psychology course forbids fast playback: its reports came at 1× although the task runs at 2×.
    const psych = sim.control.account("13800138000").courses.find((c) => c.name === "大学生心理健康教育")!;
    const psychJobs = new Set(psych.chapters.flatMap((c) => c.jobs).map((j) => j.jobid));
    const psychReports = sim.control.requests("13800138000").filter((r) => r.path.includes("/multimedia/log/") && psychJobs.has(/jobid=(\d+)/.exec(r.query)![1]!));
    expect(psychReports.every((r) => r.status === 200)).toBe(true);
    for (const jobid of psychJobs) expect(sim.control.jobProgress("13800138000", jobid)?.passed ?? true).toBe(true);
  });
});

describe("checkpoints written before the 2026 protocol", () => {
  it("read the chapter again (its media jobs lack the report fields) and restart a video in progress", () => {
    const s = initialState(["1"], 2, "retry");
    s.phase = "job";
    s.tab = 2;
    s.ji = 1;
    s.jobs = [{ type: "video", jobid: "j", name: "v", isPassed: false, required: true, otherInfo: "", objectId: "o", mid: "m", playTimeMs: 0, rt: null, tab: 0 } as unknown as StoredJob];
    s.media = { jobid: "j", dtoken: "d", duration: 60, playingTime: 30, rt: ["0.9"], dtype: "Video", stage: "play", lastReportAt: 1, recoveries: 0 } as unknown as MediaRun;
    s.left = [{ course: "c", chapter: "", item: "", kind: "course", reason: "r" } as LeftEntry];
    upgradeState(s);
    expect(s).toMatchObject({ phase: "cards", tab: 0, ji: 0, jobs: [], media: null });
    expect(publicLeft(s)).toEqual([{ course: "c", chapter: "", item: "", kind: "course", reason: "r", reason_code: null, reason_params: null, url: null }]);
  });
});
