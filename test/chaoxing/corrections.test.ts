import { describe, expect, it } from "vitest";
import type { ChaoxingClient } from "../../src/chaoxing/client";
import { ChaoxingError } from "../../src/chaoxing/errors";
import { parseAttachments, parseDefaults, rtCandidates } from "../../src/chaoxing/marg";
import type { CourseRef, LiveJob, MediaJob } from "../../src/chaoxing/types";
import { clock } from "../../src/lib/clock";
import type { SimAccountInfo } from "../../src/simulator/control";
import type { SimCourseSpec } from "../../src/simulator/model";
import { DEMO_PASSWORD, DEMO_PHONE } from "../../src/simulator/seed";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

/** Our client against the corrections of 2026-12 (chaoxing-protocol.md, last section) as the simulator has them. */

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

const firstMedia = async (client: ChaoxingClient, a: SimAccountInfo, i = 0): Promise<MediaJob> =>
  (await client.getCardsTab(ref(a, i), a.courses[i]!.chapters[0]!.id, 0)).jobs[0] as MediaJob;

describe("capture courses are face courses (item 2)", () => {
  it("any capture flag at 1, or a video's randomCaptureTime > 0, refuses the cards with face_check, naming what was seen", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ ...videoCourse(725), faceCheck: "capture" }, { ...videoCourse(60), faceCheck: "chapterOnly" }, videoCourse(60)]);
    const capture = await caught(client.getCardsTab(ref(account, 0), account.courses[0]!.chapters[0]!.id, 0));
    expect(capture.kind).toBe("face_check");
    expect(capture.reason).toMatch(/playingCapture/);
    expect(capture.reason).toMatch(/randomCaptureTime=658/);
    expect((await caught(client.getCardsTab(ref(account, 1), account.courses[1]!.chapters[0]!.id, 0))).kind).toBe("face_check");
    expect((await client.getCardsTab(ref(account, 2), account.courses[2]!.chapters[0]!.id, 0)).jobs).toHaveLength(1);
  });

  it("reads the flags of the captured mArg as a face course, and a page without them as none", () => {
    const real = { playingCapture: 1, startCapture: 1, playingLoopCapture: 1, chapterCapture: 0, endCapture: 0, captureInterval: 300, reportTimeInterval: 60 };
    expect(parseDefaults({ defaults: real })?.capture).toEqual(["playingCapture", "startCapture", "playingLoopCapture"]);
    expect(parseDefaults({ defaults: { ...real, playingCapture: 0, startCapture: 0, playingLoopCapture: 0 } })?.capture).toEqual([]);
    const video = { type: "video", jobid: "1", objectId: "o", mid: "m", otherInfo: "x", job: true, randomCaptureTime: 658, attDuration: 725, begins: 0, ends: 0, property: { module: "insertvideo" } };
    expect(parseAttachments({ attachments: [video] })[0]).toMatchObject({ randomCaptureTime: 658, attDuration: "725", clip: null });
  });

  it("the chapter page's face masks (#chapterFaceState, .maskDiv1) make a face course; a plain page does not", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([{ ...videoCourse(60), faceCheck: "mask" }, videoCourse(60)]);
    for (const [i, masked] of [[0, true], [1, false]] as const) {
      const { enc } = await client.getChapters(ref(account, i));
      const check = client.checkStudyPage(ref(account, i), account.courses[i]!.chapters[0]!.id, enc!);
      if (masked) expect((await caught(check)).kind).toBe("face_check");
      else await expect(check).resolves.toBeUndefined();
    }
  });
});

describe("captchas in a body (item 14)", () => {
  it.each(["body200", "body403"] as const)("%s on a report, on the cards and on the media status is a captcha on the host that answered", async (captchaForm) => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse(300)]);
    const job = await firstMedia(client, account);
    const status = await client.getMediaStatus(job.objectId, client.fid, "video");
    sim.control.setPlatform({ captchaForm });
    sim.control.requireCaptcha(account.phone, "mooc1");
    const report = await caught(client.reportProgress({ course: ref(account), job, dtoken: status.dtoken, duration: status.duration, playingTime: 0, isdrag: 3, rt: rtCandidates(job) }));
    expect(report).toMatchObject({ kind: "captcha", origin: sim.urls.mooc1 });
    expect((await caught(client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 0))).kind).toBe("captcha");
    expect((await caught(client.getMediaStatus(job.objectId, client.fid, "video"))).kind).toBe("captcha");
    // one report only: a captcha is not a reason to try the next rt
    expect(sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/"))).toHaveLength(1);
  });

  it("a report reply that says validate is a captcha too; an ordinary 403 is not", async () => {
    const { classifyForbidden } = await import("../../src/chaoxing/signals");
    expect(classifyForbidden('{"status":false,"msg":"validate"}').kind).toBe("captcha");
    expect(classifyForbidden("403 Forbidden").kind).toBe("forbidden");
  });
});

describe("the tab list (item 10)", () => {
  const eight: SimCourseSpec = { name: "八个标签", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 30 }], [], [], [], [], [], [], [{ type: "document", name: "第八个.pdf" }]] }] };

  it("reads the chapter's tab bar from studentstudyAjax: the indexes of li[cardid], more than seven", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([eight, { name: "空", teacher: "甲", chapters: [{ title: "空" }] }]);
    expect(await client.getTabs(ref(account), account.courses[0]!.chapters[0]!.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await client.getTabs(ref(account, 1), account.courses[1]!.chapters[0]!.id)).toEqual([]);
    const ajax = sim.control.requests(account.phone).filter((r) => r.path.endsWith("/studentstudyAjax"));
    expect(Object.fromEntries(new URLSearchParams(ajax[0]!.query))).toMatchObject({
      mooc2: "1", toComputer: "false", microTopicId: "0", editorPreview: "0", isPreviewVideo: "false", videoWidth: "0", videoHeight: "0", targetVideoJobId: "", cardIndex: "0",
    });
  });

  it("fetches cards with the v and parameters of the 2025-0424 player", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([eight]);
    const tab = await client.getCardsTab(ref(account), account.courses[0]!.chapters[0]!.id, 7);
    expect(tab.jobs.map((j) => j.name)).toEqual(["第八个.pdf"]);
    const cards = sim.control.requests(account.phone).find((r) => r.path.endsWith("/knowledge/cards"))!;
    expect(Object.fromEntries(new URLSearchParams(cards.query))).toMatchObject({ v: "2025-0424-1038-4", num: "7", mooc2: "1", isMicroCourse: "false", editorPreview: "0", crossId: "" });
  });
});

describe("speed as the player decides (item 1)", () => {
  it("schooldoublespeed absent or 2: the video decides; 0: never; 1: always, even over doublespeed 0", async () => {
    const sim = installSimulator();
    const v = (doublespeed: 0 | 1, extra: Partial<SimCourseSpec> = {}): SimCourseSpec => ({ ...videoCourse(60, { chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 60, doublespeed }]] }] }), ...extra });
    const { account, client } = await sim.loggedIn([v(1), v(0), v(1, { schooldoublespeed: 2 }), v(0, { schooldoublespeed: 2 }), v(1, { schooldoublespeed: 0 }), v(0, { schooldoublespeed: 1 })]);
    const flags = [];
    for (let i = 0; i < 6; i++) flags.push((await firstMedia(client, account, i)).fastPlayback);
    expect(flags).toEqual([true, false, true, false, false, true]);
  });
});

describe("live cards (items 3 and 12)", () => {
  const course: SimCourseSpec = { name: "直播", teacher: "甲", chapters: [
    { title: "回看", tabs: [[{ type: "live", name: "回看", duration: 120 }]] },
    { title: "预告", tabs: [[{ type: "live", name: "预告", duration: 600, notStarted: true }]] },
  ] };

  it("are typed live with their ids; a replay is watched with liveinfo and saveTimePc (answered @success), once a minute", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([course]);
    const chapter = account.courses[0]!.chapters[0]!.id;
    const live = (await client.getCardsTab(ref(account), chapter, 0)).jobs[0] as LiveJob;
    expect(live).toMatchObject({ type: "live", required: true, notStarted: false, liveId: expect.any(String), streamName: expect.any(String), vdoid: expect.any(String) });
    expect(await client.getLiveInfo(ref(account), chapter, live)).toEqual({ duration: 120 });
    expect(await client.saveLiveTime(ref(account), live)).toBe(true);
    clock.advance(60_000);
    expect(await client.saveLiveTime(ref(account), live)).toBe(true);
    expect(((await client.getCardsTab(ref(account), chapter, 0)).jobs[0] as LiveJob).isPassed).toBe(true);
    const save = sim.control.requests(account.phone).find((r) => r.path === "/saveTimePc")!;
    expect(save.referer).toMatch(/\/ananas\/modules\/live\/index\.html\?v=/);
    const later = (await client.getCardsTab(ref(account), account.courses[0]!.chapters[1]!.id, 0)).jobs[0] as LiveJob;
    expect(later).toMatchObject({ type: "live", notStarted: true });
  });
});

describe("classes", () => {
  it("the course list answers each class of a course: its clazzId, its name, whether it ended", async () => {
    const sim = installSimulator();
    const client = sim.client();
    await client.login(DEMO_PHONE, DEMO_PASSWORD);
    const history = (await client.listCourses()).filter((c) => c.courseName === "中国近现代史纲要");
    expect(history.map((c) => [c.clazzName, c.state])).toEqual([["2025秋季学期", 1], ["2026春季学期", 0]]);
    expect(new Set(history.map((c) => c.courseId)).size).toBe(1);
  });
});

describe("folder lists (item 7)", () => {
  it("are posted with the root list's Referer and headers: the folder's courses are listed where the platform is strict", async () => {
    const sim = installSimulator();
    const { client } = await sim.loggedIn([{ ...videoCourse(), folder: "专业课", name: "文件夹里的课" }, videoCourse()]);
    expect(sim.control.snapshot().platform.folderListNeedsReferer).toBe(true);
    expect((await client.listCourses()).map((c) => c.courseName).sort()).toEqual(["文件夹里的课", "测试课程"]);
  });
});
