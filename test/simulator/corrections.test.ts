import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { DEMO_PHONE } from "../../src/simulator/seed";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { CHROME, loginCookies, passedOf, rawCards, reportRig, send } from "./raw";

useFutureClock();

/**
 * The corrections of 2026-12 (chaoxing-protocol.md, last section), each spoken by hand against the
 * simulator, each switchable through the control API, and each present in the demo account.
 */

const one = (spec: SimCourseSpec) => {
  const sim = installSimulator();
  return { sim, account: sim.newAccount([spec]) };
};

const form = { "Content-Type": "application/x-www-form-urlencoded" };

/** `studentstudyAjax` of a chapter, with the parameters ocsjs request mode sends (item 10). */
const studyAjax = (sim: ReturnType<typeof installSimulator>, cookie: string, course: { courseId: string; clazzId: string; cpi: string }, chapterId: string) =>
  send(sim, "mooc1", `/mooc-ans/mycourse/studentstudyAjax?courseId=${course.courseId}&clazzid=${course.clazzId}&chapterId=${chapterId}&cpi=${course.cpi}` +
    "&verificationcode=&mooc2=1&toComputer=false&microTopicId=0&editorPreview=0&isPreviewVideo=false&videoWidth=0&videoHeight=0&targetVideoJobId=&cardIndex=0", { cookie });

/** The indexes of the tab bar's `li` that carry a `cardid`, read as ocsjs does (`#prev_tab .prev_ul li`). */
const cardIndexes = (html: string): number[] => {
  const bar = /<div[^>]*id="prev_tab"[\s\S]*?<ul class="prev_ul[^"]*">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
  return [...bar.matchAll(/<li\b([^>]*)>/g)].flatMap((m, i) => (/\bcardid="\d+"/.test(m[1]!) ? [i] : []));
};

describe("capture courses (item 2)", () => {
  it("carry the captured mArg's fields: playingCapture, startCapture, playingLoopCapture at 1, chapterCapture 0, no isSupportFace, randomCaptureTime 658", async () => {
    const { sim, account } = one({ ...videoCourse(725), faceCheck: "capture" });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const { marg } = await rawCards(sim, cookie, course, course.chapters[0]!.id);
    expect(marg!.defaults).toMatchObject({ playingCapture: 1, startCapture: 1, playingLoopCapture: 1, chapterCapture: 0, endCapture: 0 });
    expect(marg!.defaults).not.toHaveProperty("isSupportFace");
    expect(marg!.defaults).not.toHaveProperty("isShowFaceCollection");
    expect(marg!.attachments[0]).toMatchObject({ randomCaptureTime: 658, attDuration: 725, begins: 0, ends: 0 });
  });

  it("refuse (403) every report whose position is past the capture point; before it they are taken", async () => {
    const { sim, account } = one({ ...videoCourse(725), faceCheck: "capture" });
    const { report } = await reportRig(sim, account);
    expect(await passedOf(await report(0, {}, 3))).toBe(false);
    for (let t = 60; t <= 600; t += 60) {
      clock.advance(60_000);
      expect((await report(t)).status).toBe(200);
    }
    clock.advance(60_000);
    expect((await report(657)).status).toBe(200);
    clock.advance(5_000);
    expect((await report(660)).status).toBe(403);
    // a course without capture has no capture point
    const plain = one(videoCourse(725));
    const rig = await reportRig(plain.sim, plain.account);
    expect(rig.marg.attachments[0]).toMatchObject({ randomCaptureTime: 0 });
  });

  it("mask courses: no flag in mArg, but the chapter page carries #chapterFaceState and .maskDiv1; reports refused from about 30 s", async () => {
    const { sim, account } = one({ ...videoCourse(120), faceCheck: "mask" });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const { marg } = await rawCards(sim, cookie, course, course.chapters[0]!.id);
    expect(marg!.defaults).toMatchObject({ chapterCapture: 0, playingCapture: 0, startCapture: 0, playingLoopCapture: 0, endCapture: 0 });
    const tree = await (await send(sim, "mooc2-ans", `/mooc2-ans/mycourse/studentcourse?courseid=${course.courseId}&clazzid=${course.clazzId}&cpi=${course.cpi}&ut=s`, { cookie })).text();
    const enc = /id="enc" value="([0-9a-f]+)"/.exec(tree)![1];
    const page = await (await send(sim, "mooc1", `/mooc-ans/mycourse/studentstudy?chapterId=${course.chapters[0]!.id}&courseId=${course.courseId}&clazzid=${course.clazzId}&cpi=${course.cpi}&enc=${enc}&mooc2=1`, { cookie })).text();
    expect(page).toContain('id="chapterFaceState"');
    expect(page).toContain('class="maskDiv1"');
    const { report } = await reportRig(sim, account);
    expect((await report(0, {}, 3)).status).toBe(200);
    clock.advance(40_000);
    expect((await report(40)).status).toBe(403);
  });

  it("switch on mid-course through the control API (and over HTTP)", async () => {
    const { sim, account } = one({ ...videoCourse(120), chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 120, randomCaptureTime: 30 }]] }] });
    const { report, cookie, course, chapter } = await reportRig(sim, account);
    expect((await report(0, {}, 3)).status).toBe(200);
    expect((await rawCards(sim, cookie, course, chapter.id)).marg!.attachments[0]).toMatchObject({ randomCaptureTime: 0 });
    const r = await sim.app.fetch(new Request("https://sim.test/__sim/actions", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ action: "setFaceCheck", phone: account.phone, courseId: course.courseId, faceCheck: "capture" }),
    }));
    expect(r.status).toBe(200);
    expect((await rawCards(sim, cookie, course, chapter.id)).marg!.attachments[0]).toMatchObject({ randomCaptureTime: 30 });
    clock.advance(60_000);
    expect((await report(60)).status).toBe(403);
    sim.control.setFaceCheck(account.phone, course.courseId, null);
    expect((await report(60)).status).toBe(200);
  });
});

describe("captchas in a body (item 14)", () => {
  it.each([["body200", 200], ["body403", 403]] as const)("%s: the captcha page comes as the body on reports and cards; answered on its host, calls go on", async (captchaForm, status) => {
    const { sim, account } = one(videoCourse(600));
    sim.control.setPlatform({ captchaForm });
    const { report, cookie, course, chapter } = await reportRig(sim, account);
    expect((await report(0, {}, 3)).status).toBe(200);
    const answer = sim.control.requireCaptcha(account.phone, "mooc1");
    const refused = await report(0, {}, 3);
    expect(refused.status).toBe(status);
    const body = await refused.text();
    expect(body).toContain("验证码");
    expect(body).toContain("【9010】");
    const cards = await rawCards(sim, cookie, course, chapter.id);
    expect(cards.res.status).toBe(status);
    expect(cards.marg).toBeNull();
    expect(cards.text).toContain("请输入验证码");
    // The answer belongs to the session that was shown the captcha: its JSESSIONID came with the body.
    const jsession = refused.headers.getSetCookie().find((l) => l.startsWith("JSESSIONID="))!.split(";")[0];
    expect((await send(sim, "mooc1", `/html/processVerify.ac?app=0&ucode=${answer}`, { cookie: `${cookie}; ${jsession}` })).status).toBe(302);
    expect((await report(0, {}, 3)).status).toBe(200);
  });

  it("stays a 302 to antispiderShowVerify by default", async () => {
    const { sim, account } = one(videoCourse(600));
    const { report } = await reportRig(sim, account);
    sim.control.requireCaptcha(account.phone, "mooc1");
    const r = await report(0, {}, 3);
    expect(r.status).toBe(302);
    expect(r.headers.get("Location")).toMatch(/\/antispiderShowVerify\.ac\?/);
  });
});

describe("the tab list (item 10)", () => {
  it("studentstudyAjax returns the tab bar: one li[cardid] per card, more than seven where the chapter has them; only the listed cards have task points", async () => {
    const tabs = [[{ type: "video" as const, name: "v", duration: 30 }], [], [], [], [], [], [], [{ type: "document" as const, name: "第八个.pdf" }]];
    const { sim, account } = one({ name: "八个标签", teacher: "甲", chapters: [{ title: "1", tabs }] });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const chapter = course.chapters[0]!;
    const html = await (await studyAjax(sim, cookie, course, chapter.id)).text();
    expect(cardIndexes(html)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const q = (num: number) => new URLSearchParams({
      clazzid: course.clazzId, courseid: course.courseId, knowledgeid: chapter.id, num: String(num), ut: "s", cpi: course.cpi,
      v: "2025-0424-1038-4", mooc2: "1", isMicroCourse: "false", editorPreview: "0", crossId: "",
    });
    const tab7 = await send(sim, "mooc1", `/mooc-ans/knowledge/cards?${q(7)}`, { cookie });
    expect(await tab7.text()).toContain("第八个.pdf");
    const card = /cardid="(\d+)"/g;
    const ids = [...html.matchAll(card)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(8);
    // an empty chapter has a tab bar without cards
    const empty = one({ name: "空", teacher: "甲", chapters: [{ title: "空章节" }] });
    const c2 = empty.account.courses[0]!;
    expect(cardIndexes(await (await studyAjax(empty.sim, await loginCookies(empty.sim, empty.account), c2, c2.chapters[0]!.id)).text())).toEqual([]);
  });
});

describe("schooldoublespeed as the player judges it (item 1)", () => {
  /** Whether a report at 2× (60 s of video after 30 s of real time) is credited. */
  const credits2x = async (schooldoublespeed: 0 | 1 | 2 | undefined, doublespeed: 0 | 1) => {
    const { sim, account } = one({ ...videoCourse(120, { chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 120, doublespeed }]] }] }), ...(schooldoublespeed === undefined ? {} : { schooldoublespeed }) });
    const { report, marg, spec } = await reportRig(sim, account);
    if (schooldoublespeed === undefined) expect(marg.defaults).not.toHaveProperty("schooldoublespeed");
    else expect(marg.defaults.schooldoublespeed).toBe(schooldoublespeed);
    await report(0, {}, 3);
    clock.advance(30_000);
    await report(60);
    return sim.control.jobProgress(account.phone, spec.jobid)!.playTimeS === 60;
  };

  it("absent or 2: the video's doublespeed decides; 0: never; 1: always, over a video's doublespeed 0", async () => {
    expect(await credits2x(undefined, 1)).toBe(true);
    expect(await credits2x(undefined, 0)).toBe(false);
    expect(await credits2x(2, 1)).toBe(true);
    expect(await credits2x(2, 0)).toBe(false);
    expect(await credits2x(0, 1)).toBe(false);
    expect(await credits2x(1, 0)).toBe(true);
  });
});

describe("live cards (items 3 and 12)", () => {
  const liveCourse: SimCourseSpec = { name: "直播课", teacher: "甲", chapters: [
    { title: "回看", tabs: [[{ type: "live", name: "回看直播", duration: 150 }]] },
    { title: "预告", tabs: [[{ type: "live", name: "未开始直播", duration: 3600, notStarted: true }]] },
  ] };

  const rig = async () => {
    const { sim, account } = one(liveCourse);
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const card = async (i: number) => (await rawCards(sim, cookie, course, course.chapters[i]!.id)).marg!.attachments[0]!;
    const info = (att: Awaited<ReturnType<typeof card>>, i: number) => send(sim, "mooc1",
      `/ananas/live/liveinfo?liveid=${att.property.liveId}&userid=${account.uid}&clazzid=${course.clazzId}&knowledgeid=${course.chapters[i]!.id}&courseid=${course.courseId}&jobid=${att.property._jobid}&ut=s`, { cookie });
    const save = (att: Awaited<ReturnType<typeof card>>, headers: Record<string, string> = { Referer: "https://mooc1.chaoxing.com/ananas/modules/live/index.html?v=2022-1214-1139" }) => send(sim, "zhibo",
      `/saveTimePc?streamName=${att.property.streamName}&vdoid=${att.property.vdoid}&userId=${account.uid}&isStart=0&t=${clock.now()}&courseId=${course.courseId}`, { cookie, headers });
    return { sim, account, cookie, course, card, info, save };
  };

  it("have the captured shape: type live, jobid live-<id>, job true, isNotDrag 1, no objectId, the property fields and the encs", async () => {
    const { card } = await rig();
    const replay = await card(0);
    expect(replay).toMatchObject({ type: "live", job: true, isNotDrag: 1, isPassed: false, jobid: expect.stringMatching(/^live-\d+$/) });
    expect(replay).not.toHaveProperty("objectId");
    expect(replay.property).toMatchObject({ liveStatus: "直播回看", module: "insertlive", live: true, liveId: expect.any(String), streamName: expect.any(String), vdoid: expect.any(String) });
    for (const k of ["authEnc", "liveDragEnc", "liveSetEnc", "liveSwDsEnc"]) expect(replay).toHaveProperty(k);
    expect((await card(1)).property.liveStatus).toBe("未开始");
  });

  it("a replay passes once saveTimePc has been called once a minute for its length; faster calls count once a minute", async () => {
    const { sim, account, card, info, save } = await rig();
    const replay = await card(0);
    expect(await (await info(replay, 0)).json()).toMatchObject({ temp: { data: { duration: 150 } } });
    expect(await (await save(replay)).text()).toBe("@success");
    clock.advance(20_000);
    await save(replay); // too soon: not a minute more
    expect(sim.control.liveProgress(account.phone, replay.jobid)).toMatchObject({ minutes: 1, calls: 2 });
    clock.advance(40_000);
    await save(replay);
    expect((await card(0)).isPassed).toBe(false);
    clock.advance(60_000);
    await save(replay);
    expect((await card(0)).isPassed).toBe(true);
    expect(sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!.courses[0]).toMatchObject({ finished: 1, total: 2 });
  });

  it("saveTimePc needs the live player's Referer; a live not started has nothing to replay (duration 0, nothing credited)", async () => {
    const { sim, account, card, info, save } = await rig();
    expect((await save(await card(0), {})).status).toBe(403);
    const later = await card(1);
    expect(await (await info(later, 1)).json()).toMatchObject({ temp: { data: { duration: 0 } } });
    for (let i = 0; i < 3; i++) {
      expect(await (await save(later)).text()).toBe("@success");
      clock.advance(60_000);
    }
    expect(sim.control.liveProgress(account.phone, later.jobid)!.minutes).toBe(0);
    expect((await card(1)).isPassed).toBe(false);
  });
});

describe("one course in two classes (reference CLI #604)", () => {
  it("lists the courseId once per class, with each class's name; the ended one says 已结束; progress counts per class", async () => {
    const { sim, account } = one({ ...videoCourse(30), classes: [{ name: "2025秋", state: 1 }, { name: "2026春" }] });
    expect(account.courses).toHaveLength(2);
    const [ended, open] = account.courses;
    expect(ended!.courseId).toBe(open!.courseId);
    expect(ended!.clazzId).not.toBe(open!.clazzId);
    const cookie = await loginCookies(sim, account);
    const html = await (await send(sim, "mooc2-ans", "/mooc2-ans/visit/courselistdata", {
      method: "POST", cookie, body: "courseType=1&courseFolderId=0&query=&superstarClass=0",
      headers: { ...form, ...CHROME, Referer: "https://mooc2-ans.sim.test/mooc2-ans/visit/interaction", "X-Requested-With": "XMLHttpRequest" },
    })).text();
    const blocks = html.split('<div class="course ').slice(1);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain(`value="${ended!.clazzId}"`);
    expect(blocks[0]).toContain("班级：2025秋");
    expect(blocks[0]).toContain("已结束");
    expect(blocks[1]).toContain("班级：2026春");
    expect(blocks[1]).not.toContain("已结束");
    sim.control.completeByHand(account.phone, open!.chapters[0]!.jobs[0]!.jobid);
    const snap = sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!;
    expect(snap.courses.map((c) => [c.clazzName, c.state, c.finished])).toEqual([["2025秋", 1, 0], ["2026春", 0, 1]]);
  });
});

describe("the demo account shows each of them", () => {
  it("a capture course, a mask course, a course in two classes one ended, school 1 over a video's 0, a live replay and one not started, eight tabs, a read card without job", async () => {
    const sim = installSimulator();
    const demo = sim.control.account(DEMO_PHONE);
    const byName = (n: string) => demo.courses.filter((c) => c.name === n);
    expect(byName("形势与政策")[0]).toMatchObject({ faceCheck: "capture" });
    expect(byName("形势与政策")[0]!.chapters[0]!.jobs[0]).toMatchObject({ duration: 725, randomCaptureTime: 658 });
    expect(byName("创新创业基础")[0]).toMatchObject({ faceCheck: "mask" });
    const history = byName("中国近现代史纲要");
    expect(history.map((c) => c.state)).toEqual([1, 0]);
    expect(history[1]).toMatchObject({ schooldoublespeed: 1 });
    expect(history[1]!.chapters[0]!.jobs[0]).toMatchObject({ doublespeed: 0 });
    const lives = byName("中华优秀传统文化")[0]!.chapters.flatMap((c) => c.jobs);
    expect(lives.map((j) => [j.type, j.notStarted])).toEqual([["live", false], ["live", true]]);
    expect(byName("大学计算机基础")[0]!.chapters.some((c) => c.tabs.length > 7)).toBe(true);
    const psych = byName("大学生心理健康教育")[0]!;
    const cookie = await loginCookies(sim, { phone: DEMO_PHONE, password: demo.password });
    const read = (await rawCards(sim, cookie, psych, psych.chapters[2]!.id)).marg!.attachments.find((a) => a.type === "read")!;
    expect("job" in read).toBe(false);
  });
});
