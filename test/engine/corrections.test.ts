import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

/** The task engine against the corrections of 2026-12 (chaoxing-protocol.md, last section). */

async function setup(prefix: string, courses: SimCourseSpec[], extra: Record<string, unknown> = {}) {
  const sim = installSimulator();
  const { token } = await registerUser(prefix);
  const account = await userWithAccount(sim, token, courses);
  const id = await startTask(token, [...new Set(account.courses.map((c) => c.courseId))], extra);
  return { sim, token, account, id };
}

type Sim = ReturnType<typeof installSimulator>;
const requestsTo = (sim: Sim, phone: string, path: string) => sim.control.requests(phone).filter((r) => r.path.includes(path));
const reportsOf = (sim: Sim, phone: string) => requestsTo(sim, phone, "/multimedia/log/");
const jobsOf = (c: { chapters: { jobs: { jobid: string; objectId: string; name: string }[] }[] }) => c.chapters.flatMap((ch) => ch.jobs);
const mentions = (r: { query: string; path: string }, job: { jobid: string; objectId: string }) => r.query.includes(job.jobid) || r.path.includes(job.objectId);

/** A paused task stays paused and sends nothing, however many alarms (of any task) fall due. */
async function staysPaused(sim: Sim, phone: string, id: number): Promise<void> {
  const before = sim.control.requests(phone).length;
  for (let i = 0; i < 3; i++) await tick();
  expect((await taskLive(id))!.status).toBe("paused");
  expect(sim.control.requests(phone).length).toBe(before);
}

describe("capture courses (item 2)", () => {
  it.each(["capture", "mask", "chapterOnly"] as const)("%s: left for the user with its reason before a single report (nor a media status); the other course completes", async (faceCheck) => {
    const { sim, account, id } = await setup(`cap${faceCheck}`, [{ ...videoCourse(725), name: "抓拍课程", faceCheck }, { ...videoCourse(60), name: "普通课程" }]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you", completed_courses: 1, total_courses: 2 });
    expect(done.left_for_user).toEqual([expect.objectContaining({ course: "抓拍课程", kind: "course", reason_code: "left.face_capture" })]);
    const job = jobsOf(account.courses[0]!)[0]!;
    expect(sim.control.requests(account.phone).filter((r) => mentions(r, job))).toEqual([]);
  });

  it("capture switched on while a video plays: its first report 403 stops the course — no rt switch, no new dtoken, no more reports there", async () => {
    const { sim, account, id } = await setup("capmid", [
      { ...videoCourse(300), name: "中途抓拍", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v.mp4", duration: 300, randomCaptureTime: 90 }]] }, { title: "2", tabs: [[{ type: "video", name: "w.mp4", duration: 60 }]] }] },
      { ...videoCourse(60), name: "普通课程" },
    ], { speed: 1 });
    const course = account.courses[0]!;
    const [v, w] = jobsOf(course);
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.setFaceCheck(account.phone, course.courseId, "capture");
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you", completed_courses: 1 });
    expect(done.left_for_user).toEqual([expect.objectContaining({ course: "中途抓拍", kind: "course", reason_code: "left.face_capture" })]);
    const reports = reportsOf(sim, account.phone).filter((r) => mentions(r, v!));
    const refused = reports.filter((r) => r.status === 403);
    expect(refused).toHaveLength(1);
    expect(reports.at(-1)!.status).toBe(403);
    expect(requestsTo(sim, account.phone, "/ananas/status/").filter((r) => r.path.includes(v!.objectId))).toHaveLength(1);
    expect(sim.control.requests(account.phone).filter((r) => mentions(r, w!))).toEqual([]);
  });

  it("an ordinary 403 (a stale dtoken) in a course that does not capture still gets its recovery", async () => {
    const { sim, account, id } = await setup("stale", [videoCourse(240)], { speed: 1 });
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.rotateDtokens(account.phone);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: null, progress: 100 });
    expect(requestsTo(sim, account.phone, "/ananas/status/").length).toBeGreaterThanOrEqual(2);
  });
});

describe("captchas in a body (item 14)", () => {
  it.each(["body200", "body403"] as const)("%s on a report pauses the task (no more reports), and the answer resumes it to the end", async (captchaForm) => {
    const { sim, account, id, token } = await setup(`capbody${captchaForm}`, [videoCourse(300), { ...videoCourse(60), name: "第二门" }], { speed: 1 });
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.setPlatform({ captchaForm });
    const answer = sim.control.requireCaptcha(account.phone, "mooc1");
    const before = reportsOf(sim, account.phone).length;
    const paused = await driveUntil(id, finished);
    expect(paused).toMatchObject({ status: "paused", reason: "captcha" });
    // the one report that was shown the captcha, and none after it
    expect(reportsOf(sim, account.phone).length - before).toBe(1);
    await staysPaused(sim, account.phone, id);
    expect((await api("GET", `/api/tasks/${id}/captcha`, { token })).status).toBe(200);
    expect((await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: answer } })).status).toBe(200);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: null, progress: 100 });
  });

  it("on the cards pauses the task too", async () => {
    const { sim, account, id, token } = await setup("capcards", [{ name: "两章", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "document", name: "a.pdf" }]] }, { title: "2", tabs: [[{ type: "document", name: "b.pdf" }]] }] }]);
    sim.control.setPlatform({ captchaForm: "body200" });
    const answer = sim.control.requireCaptcha(account.phone, "mooc1");
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "captcha" });
    expect(requestsTo(sim, account.phone, "/ananas/job/document")).toEqual([]);
    expect((await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: answer } })).status).toBe(200);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", progress: 100 });
  });
});

describe("tabs from the tab list (item 10)", () => {
  it("a chapter of eight tabs: every listed card is read (the last one's task point done), with the real v", async () => {
    const eight: SimCourseSpec = { name: "八个标签", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v.mp4", duration: 30 }], [], [], [], [], [], [], [{ type: "document", name: "第八个.pdf" }]] }] };
    const { sim, account, id } = await setup("tabs8", [eight]);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", reason: null, progress: 100 });
    const cards = requestsTo(sim, account.phone, "/knowledge/cards");
    const nums = cards.map((r) => new URLSearchParams(r.query).get("num"));
    for (const n of ["0", "1", "2", "3", "4", "5", "6", "7"]) expect(nums).toContain(n);
    expect(nums).not.toContain("8");
    expect(cards.every((r) => new URLSearchParams(r.query).get("v") === "2025-0424-1038-4")).toBe(true);
    expect(requestsTo(sim, account.phone, "/studentstudyAjax").length).toBeGreaterThanOrEqual(1);
  });
});

describe("speed by the player's rule (item 1)", () => {
  it("schooldoublespeed 1 over a video's doublespeed 0: plays at the user's 2×", async () => {
    const { sim, account, id } = await setup("sds1", [{ ...videoCourse(300, { chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 300, doublespeed: 0 }]] }] }), schooldoublespeed: 1 }], { speed: 2 });
    await driveUntil(id, finished);
    const reports = reportsOf(sim, account.phone).filter((r) => /isdrag=0/.test(r.query));
    const gaps = reports.slice(1).map((r, i) => r.at - reports[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(45_000);
  });
});

describe("live replays (item 12)", () => {
  const lives: SimCourseSpec = { name: "直播课", teacher: "甲", chapters: [
    { title: "回看", tabs: [[{ type: "live", name: "回看直播", duration: 180 }]] },
    { title: "预告", tabs: [[{ type: "live", name: "未开始直播", duration: 3600, notStarted: true }]] },
  ] };

  it("a replay is watched at real pace (one saveTimePc a minute, whatever the speed) and passes; one not started is left for the user", async () => {
    const { sim, account, id } = await setup("live", [lives], { speed: 2 });
    const start = clock.now();
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you" });
    expect(done.left_for_user).toEqual([expect.objectContaining({ item: "未开始直播", kind: "live", reason_code: "left.live_not_started" })]);
    const [replay, later] = jobsOf(account.courses[0]!);
    expect(sim.control.liveProgress(account.phone, replay!.jobid)).toMatchObject({ minutes: 3 });
    const saves = requestsTo(sim, account.phone, "/saveTimePc");
    expect(saves.every((r) => r.status === 200)).toBe(true);
    const gaps = saves.slice(1).map((r, i) => r.at - saves[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(59_000);
    expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
    expect(sim.control.liveProgress(account.phone, later!.jobid)?.calls ?? 0).toBe(0);
    expect(done.study_seconds).toBeGreaterThanOrEqual(180);
  });

  it("counts in the account's daily media cap like a video", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("livecap");
    const account = await userWithAccount(sim, token, [{ name: "长直播", teacher: "甲", chapters: [{ title: "回看", tabs: [[{ type: "live", name: "长回看", duration: 1800 }]] }] }]);
    expect((await api("PUT", "/api/user/limits", { token, body: { daily_cap_minutes: 5 } })).status).toBe(200);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    const capped = await driveUntil(id, (l) => l.reason === "daily_cap" || l.status !== "running");
    expect(capped).toMatchObject({ status: "running", reason: "daily_cap" });
    expect((await api("GET", "/api/user/limits", { token })).body.today.media_minutes).toBeGreaterThanOrEqual(5);
    const minutes = sim.control.liveProgress(account.phone, jobsOf(account.courses[0]!)[0]!.jobid)!.minutes;
    expect(minutes).toBeGreaterThanOrEqual(5);
    expect(minutes).toBeLessThanOrEqual(7);
  });

  it("holds the account's one-video lock: a second task's video waits while the replay plays", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("livelock");
    const account = await userWithAccount(sim, token, [{ name: "直播", teacher: "甲", chapters: [{ title: "回看", tabs: [[{ type: "live", name: "回看", duration: 300 }]] }] }, videoCourse(60)]);
    const first = await startTask(token, [account.courses[0]!.courseId]);
    await driveUntil(first, () => requestsTo(sim, account.phone, "/saveTimePc").length > 0);
    const second = await startTask(token, [account.courses[1]!.courseId]);
    const waiting = await driveUntil(second, (l) => l.reason === "waiting_for_account" || l.status !== "running");
    expect(waiting).toMatchObject({ status: "running", reason: "waiting_for_account" });
    expect(reportsOf(sim, account.phone)).toEqual([]);
    expect(await driveUntil(second, finished)).toMatchObject({ status: "completed" });
    const lastSave = requestsTo(sim, account.phone, "/saveTimePc").at(-1)!.at;
    expect(reportsOf(sim, account.phone)[0]!.at).toBeGreaterThan(lastSave);
    expect(await driveUntil(first, finished)).toMatchObject({ status: "completed", progress: 100 });
  });
});

describe("classes (reference CLI #604)", () => {
  const twoClasses: SimCourseSpec = { ...videoCourse(60), name: "两个班", classes: [{ name: "2025秋", state: 1 }, { name: "2026春" }] };

  it("the course list answers each class (clazzId, name, state)", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("classlist");
    const account = await userWithAccount(sim, token, [twoClasses]);
    const r = await api("GET", "/api/courses/list", { token });
    expect(r.status).toBe(200);
    expect(r.body.map((c: { clazzId: string; clazzName: string; state: number }) => [c.clazzId, c.clazzName, c.state])).toEqual(
      account.courses.map((c) => [c.clazzId, c.clazzName, c.state]),
    );
  });

  it("course_ids: the ended class is not studied (listed nowhere as work), the ongoing one is", async () => {
    const { sim, account, id } = await setup("classes", [twoClasses]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100, total_courses: 1 });
    const [ended, open] = account.courses;
    expect(sim.control.requests(account.phone).filter((r) => r.query.includes(`clazzid=${ended!.clazzId}`) || r.query.includes(`clazzId=${ended!.clazzId}`))).toEqual([]);
    expect(sim.control.jobProgress(account.phone, jobsOf(open!)[0]!.jobid)?.passed).toBe(true);
  });

  it("a task naming the ended class studies it (and only it); an unknown class is a 400 that creates nothing", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("named");
    const account = await userWithAccount(sim, token, [twoClasses]);
    const [ended, open] = account.courses;
    const bad = await api("POST", "/api/tasks", { token, body: { name: "x", classes: [{ course_id: ended!.courseId, clazz_id: "1" }] } });
    expect(bad.status).toBe(400);
    expect((await api("GET", "/api/tasks", { token })).body.total).toBe(0);
    const created = await api("POST", "/api/tasks", { token, body: { name: "结束的班", classes: [{ course_id: ended!.courseId, clazz_id: ended!.clazzId }] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ course_ids: [ended!.courseId], classes: [{ course_id: ended!.courseId, clazz_id: ended!.clazzId }] });
    await api("POST", `/api/tasks/${created.body.id}/start`, { token });
    expect(await driveUntil(created.body.id, finished)).toMatchObject({ status: "completed", progress: 100 });
    expect(sim.control.jobProgress(account.phone, jobsOf(ended!)[0]!.jobid)?.passed).toBe(true);
    expect(sim.control.jobProgress(account.phone, jobsOf(open!)[0]!.jobid)?.passed ?? false).toBe(false);
  });

  it("a course whose only class ended, named by course id, is left for the user with that reason", async () => {
    const { sim, account, id } = await setup("allended", [{ ...videoCourse(60), name: "已结课", state: 1 }]);
    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you" });
    expect(done.left_for_user).toEqual([expect.objectContaining({ course: "已结课", kind: "course", reason_code: "left.class_ended" })]);
    expect(reportsOf(sim, account.phone)).toEqual([]);
  });
});

describe("the demo account, run to the end", () => {
  it("leaves the capture course with zero reports, passes the live replay at real time, does not study the ended class, and a captcha in a body pauses it until answered", async () => {
    const sim = installSimulator();
    const phone = "13800138000";
    const { token } = await registerUser("demo24");
    await api("PUT", "/api/user/config", { token, body: { cx_username: phone, cx_password: "your_password" } });
    const courses = (await api("GET", "/api/courses/list", { token })).body as { courseId: string; courseName: string; clazzName: string; state: number }[];
    expect(courses.filter((c) => c.courseName === "中国近现代史纲要").map((c) => [c.clazzName, c.state])).toEqual([["2025秋季学期", 1], ["2026春季学期", 0]]);
    const ids = [...new Set(courses.filter((c) => c.courseName !== "高等数学（上）").map((c) => c.courseId))];
    const started = clock.now();
    const id = await startTask(token, ids, { speed: 2 });
    // Some way in, the platform shows a captcha as the body of a 200.
    await driveUntil(id, (l) => l.jobs_completed >= 3, 8000);
    sim.control.setPlatform({ captchaForm: "body200" });
    const answer = sim.control.requireCaptcha(phone);
    expect(await driveUntil(id, finished, 8000)).toMatchObject({ status: "paused", reason: "captcha" });
    await staysPaused(sim, phone, id);
    expect((await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: answer } })).status).toBe(200);
    const done = await driveUntil(id, finished, 20000);
    expect(done).toMatchObject({ status: "completed", reason: "needs_you" });

    const demo = sim.control.account(phone);
    const byName = (n: string) => demo.courses.filter((c) => c.name === n);
    const left = done.left_for_user;
    // the course that captures: left with its reason, and not one request about its video
    expect(left).toContainEqual(expect.objectContaining({ course: "形势与政策", kind: "course", reason_code: "left.face_capture" }));
    const captureJob = jobsOf(byName("形势与政策")[0]!)[0]!;
    expect(sim.control.requests(phone).filter((r) => mentions(r, captureJob))).toEqual([]);
    expect(left).toContainEqual(expect.objectContaining({ course: "创新创业基础", kind: "course", reason_code: "left.face_capture" }));
    // the live replay passed, one saveTimePc a minute; the live not started is left
    const [replay, later] = jobsOf(byName("中华优秀传统文化")[0]!);
    expect(sim.control.liveProgress(phone, replay!.jobid)!.minutes).toBeGreaterThanOrEqual(3);
    const saves = requestsTo(sim, phone, "/saveTimePc");
    expect(saves.slice(1).every((r, i) => r.at - saves[i]!.at >= 59_000)).toBe(true);
    expect(left).toContainEqual(expect.objectContaining({ item: later!.name, kind: "live", reason_code: "left.live_not_started" }));
    // the ended class was not studied; the ongoing one passed
    const [ended, open] = byName("中国近现代史纲要");
    // (the course list above read each class's progress: the task itself sent nothing about the ended one)
    expect(sim.control.requests(phone).filter((r) => r.at >= started && r.query.includes(ended!.clazzId))).toEqual([]);
    expect(sim.control.jobProgress(phone, jobsOf(open!)[0]!.jobid)!.passed).toBe(true);
    // the eighth tab's document was done
    const computer = byName("大学计算机基础")[0]!;
    const eighth = computer.chapters.find((c) => c.tabs.length > 7)!.tabs[7]![0]!;
    expect(requestsTo(sim, phone, "/ananas/job/document").some((r) => r.query.includes(eighth.jobid))).toBe(true);
    // the one report refused is the rt probe of the video whose page names no rt (tried 0.9, then 1)
    const noRt = jobsOf(computer)[0]!;
    expect(reportsOf(sim, phone).filter((r) => r.status !== 200).map((r) => [r.status, r.query.includes(noRt.jobid)])).toEqual([[403, true]]);
  });
});
