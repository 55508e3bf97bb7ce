import { describe, expect, it } from "vitest";
import { ChaoxingClient } from "../../src/chaoxing/client";
import { CookieJar } from "../../src/chaoxing/cookies";
import { ChaoxingError } from "../../src/chaoxing/errors";
import { rtCandidates } from "../../src/chaoxing/marg";
import { courseProgress } from "../../src/chaoxing/progress";
import type { CourseRef, MediaJob } from "../../src/chaoxing/types";
import { clock } from "../../src/lib/clock";
import type { SimAccountInfo } from "../../src/simulator/control";
import type { SimCourseSpec } from "../../src/simulator/model";
import { upstreamUrlsAt } from "../../src/chaoxing/urls";
import { installSimulator, SIM_ORIGIN, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

/** The client against the platform as it is in 2026 (the simulator's strict and lenient points). */

const ref = (a: SimAccountInfo, i = 0): CourseRef => {
  const c = a.courses[i]!;
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

async function firstMedia(client: ChaoxingClient, a: SimAccountInfo, i = 0): Promise<MediaJob> {
  return (await client.getCardsTab(ref(a, i), a.courses[i]!.chapters[0]!.id, 0)).jobs[0] as MediaJob;
}

/** Plays a media job at `speed` (one report per 60 s of media), repeating the end report each interval until it passes. */
async function play(client: ChaoxingClient, course: CourseRef, job: MediaJob, speed: number, maxEnd = 20) {
  const status = await client.getMediaStatus(job.objectId, client.fid, job.type);
  const [begins, ends] = job.clip ?? [0, status.duration];
  let rt = rtCandidates(job);
  const report = async (playingTime: number, isdrag: 0 | 3 | 4) => {
    const r = await client.reportProgress({ course, job, dtoken: status.dtoken, duration: status.duration, playingTime, isdrag, rt });
    rt = [r.rt];
    return r;
  };
  let passed = (await report(begins, 3)).isPassed;
  let pos = begins;
  for (let ends4 = 0; !passed && ends4 < maxEnd; ) {
    const step = Math.min(60, ends - pos);
    clock.advance(((step || 60) / speed) * 1000);
    pos += step;
    if (pos >= ends) ends4++;
    passed = (await report(pos, pos >= ends ? 4 : 0)).isPassed;
  }
  return passed;
}

describe("cookies: a jar per domain and path", () => {
  it("keeps each host's JSESSIONID to that host: no request carries another host's session", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    await client.listCourses();
    await client.getChapters(ref(account));
    await client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 0);
    await client.listCourses();
    await client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 0);
    const log = sim.control.requests(account.phone);
    expect(log.filter((r) => r.jsession === "foreign")).toEqual([]);
    expect(log.filter((r) => r.jsession === "own").map((r) => r.host)).toEqual(expect.arrayContaining(["mooc2-ans", "mooc1"]));
  });
});

describe("reports", () => {
  it("carry every field in the player's order, the three fields copied from the attachment", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    const job = await firstMedia(client, account);
    expect(await play(client, ref(account), job, 1)).toBe(true);
    const report = sim.control.requests(account.phone).find((r) => r.path.includes("/multimedia/log/"))!;
    expect(report.query.split("&").map((p) => p.split("=")[0])).toEqual([
      "clazzId", "playingTime", "duration", "clipTime", "objectId", "otherInfo", "courseId", "jobid", "userid", "isdrag", "view", "enc", "rt",
      "videoFaceCaptureEnc", "dtype", "_t", "attDuration", "attDurationEnc", "courseEngineInfo",
    ]);
  });

  it("sign clipTime from the clip and pass a clipped video", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ name: "片段", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 100, clip: [20, 80] }]] }] }]);
    const job = await firstMedia(client, account);
    expect(job.clip).toEqual([20, 80]);
    expect(await play(client, ref(account), job, 1)).toBe(true);
  });

  it("go to the base the page names in defaults.reportUrl", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ ...videoCourse(60), reportHost: "mooc1-1" }]);
    const job = await firstMedia(client, account);
    expect(await play(client, ref(account), job, 1)).toBe(true);
    expect(sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/")).every((r) => r.host === "mooc1-1")).toBe(true);
  });

  it("read rt from -rt_x in otherInfo, where 2026 pages put it", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60, { chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 60, rt: "1" }]] }] })]);
    const job = await firstMedia(client, account);
    expect(job.rt).toBeNull();
    expect(await play(client, ref(account), job, 1)).toBe(true);
    expect(sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/")).every((r) => r.status === 200)).toBe(true);
  });
});

describe("speed", () => {
  it("marks media where the course forbids fast playback (doublespeed 0 or schooldoublespeed 0)", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([
      videoCourse(60),
      { ...videoCourse(60), schooldoublespeed: 0 },
      videoCourse(60, { chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 60, doublespeed: 0 }]] }] }),
    ]);
    const flags = [];
    for (let i = 0; i < 3; i++) flags.push((await firstMedia(client, account, i)).fastPlayback);
    expect(flags).toEqual([true, false, false]);
  });
});

describe("face capture", () => {
  const courses: SimCourseSpec[] = [
    { ...videoCourse(60), faceCheck: "flag" },
    { ...videoCourse(60), faceCheck: "page" },
    { ...videoCourse(60), faceCheck: "chapterOnly" },
  ];

  it("is the gate chapterCapture && playingCapture, the 200 page that goes to startface, and (2026-12) chapterCapture alone too", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn(courses);
    const chapter = (i: number) => account.courses[i]!.chapters[0]!.id;
    expect((await caught(client.getCardsTab(ref(account, 0), chapter(0), 0))).kind).toBe("face_check");
    expect((await caught(client.getCardsTab(ref(account, 1), chapter(1), 0))).kind).toBe("face_check");
    expect((await caught(client.getCardsTab(ref(account, 2), chapter(2), 0))).kind).toBe("face_check");
  });
});

describe("content that is not ready", () => {
  it("a video still transcoding is not_ready, and plays once it is ready", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ name: "转码", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 30, transcoding: true }]] }] }]);
    const job = await firstMedia(client, account);
    expect((await caught(client.getMediaStatus(job.objectId))).kind).toBe("not_ready");
    sim.control.finishTranscoding(account.phone, job.jobid);
    expect(await play(client, ref(account), job, 1)).toBe(true);
  });

  it("a document reply that is not JSON is not_ready (not a transient failure)", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ name: "文档", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "document", name: "d", notJson: true }]] }] }]);
    const job = (await client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 0)).jobs[0] as { jobid: string; jtoken: string };
    expect((await caught(client.completeDocument(ref(account), account.courses[0]!.chapters[0]!.id, job))).kind).toBe("not_ready");
  });
});

describe("read cards", () => {
  it("are task points with no job key and with job: false", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ name: "阅读", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "read", name: "a" }, { type: "read", name: "b", jobKey: "false" }]] }] }]);
    const { jobs } = await client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 0);
    expect(jobs.map((j) => j.required)).toEqual([true, true]);
  });
});

describe("job counts refused", () => {
  it("all-zero counts are unknown progress, never 100 %", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    sim.control.setFaults({ jobCountsRefused: true });
    const { chapters } = await client.getChapters(ref(account));
    expect(courseProgress(Object.values(await client.getJobCounts(ref(account), chapters.map((c) => c.id))))).toBeNull();
  });
});

describe("sessions and risk", () => {
  it("a 200 login page is session_expired, like the 302", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    sim.control.setFaults({ loginPage200: true });
    sim.control.expireSessions(account.phone);
    expect((await caught(client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 0))).kind).toBe("session_expired");
    expect((await caught(client.getChapters(ref(account)))).kind).toBe("session_expired");
    expect(await client.checkSession()).toBe(false);
  });

  it("a 202 is risk_control, not an expired session", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    sim.control.riskControl(account.phone, true);
    expect((await caught(client.listCourses())).kind).toBe("risk_control");
  });
});

describe("captcha", () => {
  it("is fetched and answered on the host that raised it, with that host's session", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(60)]);
    const answer = sim.control.requireCaptcha(account.phone, "mooc2-ans");
    const err = await caught(client.listCourses());
    expect(err.kind).toBe("captcha");
    expect(err.origin).toBe("https://mooc2-ans.sim.test");
    await client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 0); // mooc1 is not blocked
    expect((await client.getCaptchaImage(err.origin)).contentType).toBe("image/png");
    expect(await client.submitCaptcha(answer, err.origin)).toBe(true);
    expect(await client.listCourses()).toHaveLength(1);
  });

  it("works the same behind one local origin (npm run dev): a fresh login, then the captcha on that origin", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse(60)]);
    const client = new ChaoxingClient({ urls: upstreamUrlsAt(SIM_ORIGIN) });
    await client.login(account.phone, account.password);
    sim.control.expireSessions(account.phone);
    const answer = sim.control.requireCaptcha(account.phone);
    expect((await caught(client.listCourses())).kind).toBe("session_expired");
    await client.login(account.phone, account.password);
    const err = await caught(client.listCourses());
    expect(err).toMatchObject({ kind: "captcha", origin: SIM_ORIGIN });
    expect((await client.getCaptchaImage(err.origin)).contentType).toBe("image/png");
    expect(await client.submitCaptcha(answer, err.origin)).toBe(true);
    expect(await client.listCourses()).toHaveLength(1);
  });

  it("refuses to send the captcha to a host that is not Chaoxing's", async () => {
    const sim = installSimulator();
    const { client } = await sim.loggedIn([videoCourse(60)]);
    expect((await caught(client.getCaptchaImage("https://evil.example"))).kind).toBe("bad_response");
  });
});

describe("headers", () => {
  it("XHR calls send Accept */*; cards carry the studentstudy Referer, documents the pdf player's; status sends ro=0", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ name: "头", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 30 }, { type: "document", name: "d" }]] }] }]);
    const course = ref(account);
    const chapterId = account.courses[0]!.chapters[0]!.id;
    await client.listCourses();
    const { jobs } = await client.getCardsTab(course, chapterId, 0);
    await client.getMediaStatus((jobs[0] as MediaJob).objectId);
    await client.completeDocument(course, chapterId, jobs[1] as { jobid: string; jtoken: string });
    const log = sim.control.requests(account.phone);
    const by = (p: string) => log.find((r) => r.path.includes(p))!;
    expect(by("courselistdata").accept).toBe("*/*");
    expect(by("/ananas/status/").accept).toBe("*/*");
    expect(by("/ananas/status/").query).toMatch(/(^|&)ro=0(&|$)/);
    expect(by("/ananas/status/").query).not.toMatch(/_dc=/);
    expect(by("/knowledge/cards").referer).toMatch(/\/mooc-ans\/mycourse\/studentstudy\?chapterId=/);
    expect(by("/knowledge/cards").query).toMatch(/v=[\d-]+-4(&|$)/);
    expect(by("/ananas/job/document").referer).toMatch(/\/ananas\/modules\/pdf\/index\.html\?v=/);
  });

  it("one stable, current desktop UA per Chaoxing account, kept with its jar", async () => {
    const sim = installSimulator();
    const a = sim.newAccount([videoCourse(60)]);
    const uaA = new ChaoxingClient({ urls: sim.urls, userAgent: ChaoxingClient.userAgentFor(a.phone) }).userAgent;
    const uas = new Set(["13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006"].map((p) => ChaoxingClient.userAgentFor(p)));
    expect(uas.size).toBeGreaterThan(1);
    expect(ChaoxingClient.userAgentFor(a.phone)).toBe(uaA);
    const client = new ChaoxingClient({ urls: sim.urls, userAgent: uaA });
    await client.login(a.phone, a.password);
    await client.listCourses();
    const restored = new ChaoxingClient({ urls: sim.urls, jar: CookieJar.fromJSON(JSON.parse(JSON.stringify(client.jar))) });
    expect(restored.userAgent).toBe(uaA);
    await restored.listCourses();
    expect(new Set(sim.control.requests(a.phone).map((r) => r.ua))).toEqual(new Set([uaA]));
    expect(uaA).toMatch(/^Mozilla\/5\.0 \(.+\) AppleWebKit\/537\.36 \(KHTML, like Gecko\) Chrome\/1[4-9]\d\.0\.0\.0 Safari\/537\.36$/);
  });
});
