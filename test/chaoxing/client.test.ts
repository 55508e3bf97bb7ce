import { describe, expect, it } from "vitest";
import { ChaoxingClient } from "../../src/chaoxing/client";
import { CookieJar } from "../../src/chaoxing/cookies";
import { ChaoxingError } from "../../src/chaoxing/errors";
import { rtCandidates } from "../../src/chaoxing/marg";
import { courseProgress } from "../../src/chaoxing/progress";
import type { CourseRef, MediaJob } from "../../src/chaoxing/types";
import { clock } from "../../src/lib/clock";
import type { SimAccountInfo } from "../../src/simulator/control";
import { DEMO_PASSWORD, DEMO_PHONE } from "../../src/simulator/seed";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

const ref = (a: SimAccountInfo, i: number): CourseRef => {
  const c = a.courses[i];
  return { courseId: c.courseId, clazzId: c.clazzId, cpi: c.cpi };
};

async function caught(p: Promise<unknown>): Promise<ChaoxingError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChaoxingError) return e;
    throw e;
  }
  throw new Error("expected a ChaoxingError");
}

describe("login and session", () => {
  it("logs in with the AES-encrypted form and keeps _uid and fid", async () => {
    const sim = installSimulator();
    const client = sim.client();
    await client.login(DEMO_PHONE, DEMO_PASSWORD);
    const demo = sim.control.account(DEMO_PHONE);
    expect(client.userId).toBe(demo.uid);
    expect(client.fid).toBe("1024");
    expect(client.jar.get("vc3")).toBeTruthy();
    expect(await client.checkSession()).toBe(true);
  });

  it("reports a wrong password as login_failed with Chaoxing's reason", async () => {
    const sim = installSimulator();
    const err = await caught(sim.client().login(DEMO_PHONE, "wrong"));
    expect(err.kind).toBe("login_failed");
    expect(err.reason).toBe("用户名或密码错误");
  });

  it("sees an expired session as session_expired and logs in again", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse()]);
    sim.control.expireSessions(account.phone);
    expect(await client.checkSession()).toBe(false);
    expect((await caught(client.listCourses())).kind).toBe("session_expired");
    await client.login(account.phone, account.password);
    expect(await client.listCourses()).toHaveLength(1);
  });

  it("resumes from a serialised jar in a new client", async () => {
    const sim = installSimulator();
    const { client } = await sim.loggedIn([videoCourse()]);
    const restored = new ChaoxingClient({ urls: sim.urls, jar: CookieJar.fromJSON(JSON.parse(JSON.stringify(client.jar))) });
    expect(await restored.checkSession()).toBe(true);
    expect(await new ChaoxingClient({ urls: sim.urls }).checkSession()).toBe(false);
  });
});

describe("courses, chapters, job counts", () => {
  it("lists the demo courses with folders, teachers and ended state, skipping the not-open one", async () => {
    const sim = installSimulator();
    const client = sim.client();
    await client.login(DEMO_PHONE, DEMO_PASSWORD);
    const courses = await client.listCourses();
    const names = courses.map((c) => c.courseName);
    expect(names).toContain("高等数学（上）");
    expect(names).not.toContain("数据结构");
    expect(courses).toHaveLength(11); // 中国近现代史纲要 twice: one course in two classes
    const inFolder = courses.find((c) => c.courseName === "大学计算机基础");
    expect(inFolder).toMatchObject({ teacherName: "陈晓明", folderName: "专业基础课", state: 0 });
    expect(courses.filter((c) => c.courseName === "中国近现代史纲要").map((c) => c.state)).toEqual([1, 0]);
    const demo = sim.control.account(DEMO_PHONE);
    const real = demo.courses.find((c) => c.name === "高等数学（上）");
    expect(courses.find((c) => c.courseName === "高等数学（上）")).toMatchObject({ courseId: real?.courseId, clazzId: real?.clazzId, cpi: real?.cpi });
  });

  it("reads the chapter tree and job counts, and computes progress from them", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([
      { name: "闯关课", teacher: "王老师", sequential: true, chapters: [
        { title: "1 文档", tabs: [[{ type: "document", name: "a.pdf" }, { type: "document", name: "b.pdf" }]] },
        { title: "2 阅读", tabs: [[{ type: "read", name: "r" }]] },
      ] },
    ]);
    const course = ref(account, 0);
    const { chapters } = await client.getChapters(course);
    expect(chapters.map((c) => [c.title, c.jobCount, c.finished, c.locked])).toEqual([
      ["1 文档", 2, false, false],
      ["2 阅读", 0, false, true],
    ]);
    const counts = await client.getJobCounts(course, chapters.map((c) => c.id));
    expect(counts[chapters[0].id]).toMatchObject({ totalcount: 2, finishcount: 0, openlock: 0 });
    expect(counts[chapters[1].id]).toMatchObject({ totalcount: 1, openlock: 1 });
    expect(courseProgress(Object.values(counts))).toBe(0);

    const { jobs } = await client.getCards(course, chapters[0].id);
    expect(await client.completeDocument(course, chapters[0].id, jobs[0] as { jobid: string; jtoken: string })).toBe(true);
    const after = await client.getJobCounts(course, chapters.map((c) => c.id));
    expect(courseProgress(Object.values(after))).toBe(33);
  });
});

describe("job cards", () => {
  it("merges tabs and types every attachment", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([
      { name: "卡片课", teacher: "王老师", chapters: [{ title: "1", tabs: [
        [{ type: "video", name: "v.mp4", duration: 30 }, { type: "video", name: "bad.mp4", duration: 30, transcodeFailed: true }],
        [{ type: "audio", name: "a.mp3", duration: 20 }, { type: "document", name: "d.pdf" }],
        [{ type: "read", name: "r" }, { type: "quiz", name: "测验" }],
      ] }] },
    ]);
    const course = ref(account, 0);
    const chapterId = account.courses[0].chapters[0].id;
    const { defaults, jobs } = await client.getCards(course, chapterId);
    expect(defaults).toMatchObject({ reportTimeInterval: 60, userid: account.uid, cpi: course.cpi, capture: [] });
    expect(jobs.map((j) => j.type)).toEqual(["video", "video", "audio", "document", "read", "quiz"]);
    const [video, broken] = jobs as MediaJob[];
    expect(video.mid).toBeTruthy();
    // 2026 pages carry rt only as -rt_d / -rt_1 inside otherInfo.
    expect(video.rt).toBeNull();
    expect(rtCandidates(video)).toEqual(["0.9"]);
    expect(video.otherInfo).not.toContain("&");
    expect(broken.mid).toBeNull();
    expect(jobs.every((j) => !j.isPassed)).toBe(true);
    // One tab at a time, for a caller that paces each request; past the last tab there are no attachments.
    expect((await client.getCardsTab(course, chapterId, 1)).jobs.map((j) => j.type)).toEqual(["audio", "document"]);
    const past = await client.getCardsTab(course, chapterId, 3);
    expect(past.jobs).toEqual([]);
    expect(past.defaults?.cpi).toBe(course.cpi);
  });

  it("throws not_open for a closed chapter and face_check for either kind of face capture", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([
      { name: "未开放", teacher: "甲", chapters: [{ title: "1", notOpen: true, tabs: [[{ type: "read", name: "r" }]] }] },
      { name: "人脸跳转", teacher: "乙", faceCheck: "redirect", chapters: [{ title: "1", tabs: [[{ type: "read", name: "r" }]] }] },
      { name: "人脸标记", teacher: "丙", faceCheck: "flag", chapters: [{ title: "1", tabs: [[{ type: "read", name: "r" }]] }] },
    ]);
    const chapter = (i: number) => account.courses[i].chapters[0].id;
    expect((await caught(client.getCards(ref(account, 0), chapter(0)))).kind).toBe("not_open");
    expect((await caught(client.getCards(ref(account, 1), chapter(1)))).kind).toBe("face_check");
    expect((await caught(client.getCards(ref(account, 2), chapter(2)))).kind).toBe("face_check");
    sim.control.openChapter(chapter(0));
    expect((await client.getCards(ref(account, 0), chapter(0))).jobs).toHaveLength(1);
  });

  it("completes reads and empty-chapter visits, which unlock the next chapter", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([
      { name: "闯关", teacher: "甲", sequential: true, chapters: [
        { title: "空章节" },
        { title: "阅读", tabs: [[{ type: "read", name: "r" }]] },
        { title: "末章", tabs: [[{ type: "document", name: "d" }]] },
      ] },
    ]);
    const course = ref(account, 0);
    const [empty, read, last] = account.courses[0].chapters.map((c) => c.id);
    expect((await client.getCards(course, empty)).jobs).toEqual([]);
    expect((await caught(client.getCards(course, read))).kind).toBe("not_open");
    await client.visitEmptyChapter(course, empty);
    const { jobs } = await client.getCards(course, read);
    expect(await client.completeRead(course, read, jobs[0] as { jobid: string; jtoken: string })).toBe(true);
    expect((await client.getCards(course, read)).jobs[0].isPassed).toBe(true);
    expect((await client.getCards(course, last)).jobs).toHaveLength(1);
  });
});

/**
 * Plays one media job through at `speed`, one report per 60 s of video, then repeats the end report each
 * interval (at most `endReports` times) until it passes; returns the reply per report.
 */
async function play(client: ChaoxingClient, course: CourseRef, job: MediaJob, speed: number, endReports = 1) {
  const status = await client.getMediaStatus(job.objectId, client.fid, job.type === "audio" ? "audio" : "video");
  let rt = rtCandidates(job);
  const replies: boolean[] = [];
  const report = async (playingTime: number, isdrag: 0 | 3 | 4) => {
    const r = await client.reportProgress({ course, job, dtoken: status.dtoken, duration: status.duration, playingTime, isdrag, rt });
    rt = [r.rt];
    replies.push(r.isPassed);
    return r;
  };
  await report(0, 3);
  let pos = 0;
  while (pos < status.duration) {
    const step = Math.min(60, status.duration - pos);
    clock.advance((step / speed) * 1000);
    pos += step;
    await report(pos, pos >= status.duration ? 4 : 0);
  }
  for (let i = 1; i < endReports && !replies.at(-1); i++) {
    clock.advance((60 / speed) * 1000);
    await report(pos, 4);
  }
  return { replies, rt: rt[0], status };
}

describe("media", () => {
  it("reports a video at 1× until it passes and the card shows it passed with its resume point", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(150)]);
    const course = ref(account, 0);
    const chapterId = account.courses[0].chapters[0].id;
    const job = (await client.getCards(course, chapterId)).jobs[0] as MediaJob;
    const { replies, status } = await play(client, course, job, 1);
    expect(status.duration).toBe(150);
    expect(replies.slice(0, -1).every((p) => !p)).toBe(true);
    expect(replies.at(-1)).toBe(true);
    const card = (await client.getCards(course, chapterId)).jobs[0] as MediaJob;
    expect(card.isPassed).toBe(true);
    expect(card.playTimeMs).toBe(150_000);
  });

  it("finds rt by trying 0.9 then 1 when the page does not give it, and reads -rt_d from otherInfo", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([
      { name: "rt", teacher: "甲", chapters: [{ title: "1", tabs: [[
        { type: "video", name: "none.mp4", duration: 60, rt: "1", rtIn: "none" },
        { type: "video", name: "oi.mp4", duration: 60, rt: "0.9", rtIn: "otherInfo" },
      ]] }] },
    ]);
    const course = ref(account, 0);
    const [none, oi] = (await client.getCards(course, account.courses[0].chapters[0].id)).jobs as MediaJob[];
    expect(rtCandidates(none)).toEqual(["0.9", "1"]);
    expect(rtCandidates(oi)).toEqual(["0.9"]);
    const played = await play(client, course, none, 1);
    expect(played.rt).toBe("1");
    expect(played.replies.at(-1)).toBe(true);
    // At 2× the end comes after half the real time: the end report passes once the real time has passed.
    const fast = await play(client, course, oi, 2, 5);
    expect(fast.replies.at(-2)).toBe(false);
    expect(fast.replies.at(-1)).toBe(true);
  });

  it("reports audio with dtype=Audio and the audio player's Referer; a Video report of it is refused", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([
      { name: "音频", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "audio", name: "a.mp3", duration: 60 }]] }] },
    ]);
    const course = ref(account, 0);
    const job = (await client.getCards(course, account.courses[0].chapters[0].id)).jobs[0] as MediaJob;
    expect(job.type).toBe("audio");
    const status = await client.getMediaStatus(job.objectId, client.fid, "audio");
    const asVideo = client.reportProgress({ course, job, dtoken: status.dtoken, duration: 60, playingTime: 0, isdrag: 3, rt: ["0.9"], dtype: "Video" });
    expect((await caught(asVideo)).kind).toBe("forbidden");
    expect((await play(client, course, job, 1)).replies.at(-1)).toBe(true);
    const log = sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/"));
    expect(log.at(-1)?.status).toBe(200);
  });

  it("does not pass a job reported faster than 2×", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(240)]);
    const course = ref(account, 0);
    const job = (await client.getCards(course, account.courses[0].chapters[0].id)).jobs[0] as MediaJob;
    const { replies } = await play(client, course, job, 3);
    expect(replies.some((p) => p)).toBe(false);
    expect(sim.control.jobProgress(account.phone, job.jobid)?.passed).toBe(false);
  });

  it("parses a JS-literal report reply", async () => {
    const sim = installSimulator();
    sim.control.setFaults({ jsLiteralReports: true });
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    const course = ref(account, 0);
    const job = (await client.getCards(course, account.courses[0].chapters[0].id)).jobs[0] as MediaJob;
    expect((await play(client, course, job, 1)).replies).toEqual([false, true]);
  });

  it("gets a forbidden error for a stale dtoken and recovers with a fresh status", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    const course = ref(account, 0);
    const job = (await client.getCards(course, account.courses[0].chapters[0].id)).jobs[0] as MediaJob;
    const old = await client.getMediaStatus(job.objectId);
    sim.control.rotateDtokens(account.phone);
    const base = { course, job, duration: 60, playingTime: 0, isdrag: 3 as const, rt: ["0.9"] };
    expect((await caught(client.reportProgress({ ...base, dtoken: old.dtoken }))).kind).toBe("forbidden");
    const fresh = await client.getMediaStatus(job.objectId);
    expect((await client.reportProgress({ ...base, dtoken: fresh.dtoken })).isPassed).toBe(false);
  });
});

describe("failure signals", () => {
  async function videoSetup() {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    const course = ref(account, 0);
    const job = (await client.getCards(course, account.courses[0].chapters[0].id)).jobs[0] as MediaJob;
    const status = await client.getMediaStatus(job.objectId);
    const report = (playingTime = 0) =>
      client.reportProgress({ course, job, dtoken: status.dtoken, duration: 60, playingTime, isdrag: 0, rt: ["0.9"] });
    return { sim, account, client, course, report };
  }

  it("turns the study-time cap into study_cap with the rest time, and goes on after it", async () => {
    const { sim, report } = await videoSetup();
    sim.control.setFaults({ studyCap: { restTimeS: 600 } });
    const err = await caught(report());
    expect(err.kind).toBe("study_cap");
    expect(err.retryAfterMs).toBe(600_000);
    clock.advance(601_000);
    // The refused report did not start the job's real-time judgement: this one does.
    expect((await report(0)).isPassed).toBe(false);
    clock.advance(60_000);
    expect((await report(60)).isPassed).toBe(true);
  });

  it("pauses on a captcha, fetches the image, and passes it with the right code only", async () => {
    const { sim, account, client } = await videoSetup();
    const answer = sim.control.requireCaptcha(account.phone);
    const raised = await caught(client.listCourses());
    expect(raised.kind).toBe("captcha");
    // It belongs to the host that redirected (the course list's: mooc2-ans).
    expect(raised.origin).toBe(sim.urls.mooc2);
    const image = await client.getCaptchaImage(raised.origin);
    expect(image.contentType).toBe("image/png");
    expect([...image.bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(await client.submitCaptcha("zzzz", raised.origin)).toBe(false);
    expect(await client.submitCaptcha(answer)).toBe(false); // on mooc1: not where it was raised
    expect(await client.submitCaptcha(answer, raised.origin)).toBe(true);
    expect(await client.listCourses()).toHaveLength(1);
  });

  it("retries a 5xx read once, then gives up as transient", async () => {
    const { sim, account, client } = await videoSetup();
    sim.control.setFaults({ serverError: { status: 502, times: 1 } });
    expect(await client.listCourses()).toHaveLength(1);
    sim.control.setFaults({ serverError: { status: 503 } });
    const before = sim.control.requestCount();
    const err = await caught(client.getChapters(ref(account, 0)));
    expect(err.kind).toBe("transient");
    expect(sim.control.requestCount() - before).toBe(2);
  });

  it("does not resend a failed report", async () => {
    const { sim, report } = await videoSetup();
    sim.control.setFaults({ serverError: { path: "/multimedia/log/" } });
    const before = sim.control.requestCount();
    expect((await caught(report())).kind).toBe("transient");
    expect(sim.control.requestCount() - before).toBe(1);
  });

  it("reports 429 as rate_limited with Retry-After", async () => {
    const { sim, client } = await videoSetup();
    sim.control.setFaults({ rateLimit: { retryAfterS: 30 } });
    const err = await caught(client.listCourses());
    expect(err.kind).toBe("rate_limited");
    expect(err.retryAfterMs).toBe(30_000);
  });

  it("times out a hanging upstream as transient", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()]);
    const client = sim.client({ timeoutMs: 20 });
    sim.control.setFaults({ timeout: { holdMs: 2_000, path: "/fanyalogin" } });
    expect((await caught(client.login(account.phone, account.password))).kind).toBe("transient");
  });

  it("maps a network failure to transient", async () => {
    const sim = installSimulator();
    const client = new ChaoxingClient({ urls: sim.urls, transport: { fetch: () => Promise.reject(new TypeError("connection reset")) } });
    const err = await caught(client.login("1", "2"));
    expect(err.kind).toBe("transient");
    expect(err.message).toContain("connection reset");
  });

  it("attributes upstream requests to the account", async () => {
    const sim = installSimulator();
    const a = await sim.loggedIn([videoCourse()]);
    const b = await sim.loggedIn([videoCourse()]);
    const before = sim.control.requestCount(b.account.phone);
    await a.client.listCourses();
    expect(sim.control.requestCount(b.account.phone)).toBe(before);
    expect(sim.control.requestCount(a.account.phone)).toBeGreaterThanOrEqual(3);
  });
});
