import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { fastAllowed, type SimCourseSpec } from "../../src/simulator/model";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { loginCookies, passedOf, rawCards, rawLogin, reportRig, send, setCookieNamed } from "./raw";

useFutureClock();

/**
 * The platform as it is in 2026 (chaoxing-protocol.md, last section), each point spoken by hand against
 * the simulator: strict where the platform is strict, lenient where it is lenient.
 */

const one = (spec: SimCourseSpec) => {
  const sim = installSimulator();
  return { sim, account: sim.newAccount([spec]) };
};

describe("hosts and cookies", () => {
  it("tells hosts apart by name: each serves its own paths; one local origin serves them all", async () => {
    const { sim, account } = one(videoCourse());
    const cookie = await loginCookies(sim, account);
    expect((await send(sim, "mooc1", "/mooc2-ans/visit/interaction", { cookie })).status).toBe(404);
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie })).status).toBe(200);
    expect((await send(sim, "passport2", "/mooc-ans/knowledge/cards", { cookie })).status).toBe(404);
    expect((await send(sim, undefined, "/mooc2-ans/visit/interaction", { cookie })).status).toBe(200);
  });

  it("sets the login cookies for the parent domain and a host-only JSESSIONID and route on every host", async () => {
    const { sim, account } = one(videoCourse());
    const login = await rawLogin(sim, account, { host: "passport2" });
    const lines = login.headers.getSetCookie();
    for (const name of ["_uid", "UID", "vc3", "fid", "uf", "_d"]) expect(lines.find((l) => l.startsWith(`${name}=`))).toMatch(/Domain=\.sim\.test/i);
    for (const name of ["JSESSIONID", "route"]) expect(setCookieNamed(login, name)).not.toMatch(/Domain=/i);
    const cookie = await loginCookies(sim, account);
    const mooc2 = await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie });
    const mooc2Session = setCookieNamed(mooc2, "JSESSIONID")!.split(";")[0]!;
    expect(setCookieNamed(mooc2, "JSESSIONID")).not.toMatch(/Domain=/i);
    // mooc2's session sent to mooc1 is not mooc1's: mooc1 issues its own, and the log says it was foreign.
    const mooc1 = await send(sim, "mooc1", `/ananas/status/${account.courses[0]!.chapters[0]!.jobs[0]!.objectId}?k=1024&flag=normal`, { cookie: `${cookie}; ${mooc2Session}` });
    expect(setCookieNamed(mooc1, "JSESSIONID")).toBeDefined();
    expect(sim.control.requests(account.phone).at(-1)).toMatchObject({ host: "mooc1", jsession: "foreign" });
    await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie: `${cookie}; ${mooc2Session}` });
    expect(sim.control.requests(account.phone).at(-1)).toMatchObject({ host: "mooc2-ans", jsession: "own" });
  });

  it("expires a session after about 7 days (switchable), like a logout", async () => {
    const { sim, account } = one(videoCourse());
    const cookie = await loginCookies(sim, account);
    clock.advance(6 * 24 * 3600_000);
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie })).status).toBe(200);
    clock.advance(2 * 24 * 3600_000);
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie })).status).toBe(302);
    sim.control.setPlatform({ sessionTtlS: 60 });
    const fresh = await loginCookies(sim, account);
    clock.advance(61_000);
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie: fresh })).status).toBe(302);
  });

  it("answers an expired session with a 200 login page when switched to (it holds the form and links to passport2)", async () => {
    const { sim } = one(videoCourse());
    sim.control.setFaults({ loginPage200: true });
    const res = await send(sim, "mooc1", "/mooc-ans/knowledge/cards?courseid=1");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('id="loginForm"');
    expect(page).toContain("https://passport2.sim.test/login");
  });
});

describe("what real clients send, and the platform accepts", () => {
  it("logs in with t=True (Python's spelling)", async () => {
    const { sim, account } = one(videoCourse());
    expect(await (await rawLogin(sim, account, { host: "passport2", t: "True" })).json()).toMatchObject({ status: true });
    expect(await (await rawLogin(sim, account, { host: "passport2", t: "no" })).json()).toMatchObject({ status: false });
  });

  it("answers a folder's course list only with the root list's Referer and headers (2026-12 item 7); links are https://", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([{ ...videoCourse(), folder: "专业课" }]);
    const cookie = await loginCookies(sim, account);
    const folder = /fileid="(\d+)"/.exec(await (await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie })).text())![1];
    const list = async (headers: Record<string, string>) => (await send(sim, "mooc2-ans", "/mooc2-ans/visit/courselistdata", {
      method: "POST", cookie, body: `courseType=1&courseFolderId=${folder}&query=&superstarClass=0`, headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    })).text();
    const rootHeaders = { Referer: "https://mooc2-ans.sim.test/mooc2-ans/visit/interaction?moocDomain=https://mooc1-1.chaoxing.com/mooc-ans", "X-Requested-With": "XMLHttpRequest" };
    const html = await list(rootHeaders);
    expect(html).toContain(`value="${account.courses[0]!.courseId}"`);
    expect(html).toContain("https://mooc1.sim.test/visit/stucoursemiddle?");
    // Without them: a page that is not a course list (the folder's courses are silently missed).
    const bare = await list({});
    expect(bare).not.toContain('class="course ');
    expect(bare).toContain("file-list");
    // Switched off, it answers as the reference CLI (which omits them) expects.
    sim.control.setPlatform({ folderListNeedsReferer: false });
    expect(await list({})).toContain(`value="${account.courses[0]!.courseId}"`);
  });

  it("accepts the empty-chapter visit with cpi=0", async () => {
    const { sim, account } = one({ name: "空", teacher: "甲", sequential: true, chapters: [{ title: "空章节" }, { title: "2", tabs: [[{ type: "document", name: "d" }]] }] });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const visit = await send(sim, "mooc1", `/mooc-ans/mycourse/studentstudyAjax?courseId=${course.courseId}&clazzid=${course.clazzId}&chapterId=${course.chapters[0]!.id}&cpi=0&verificationcode=&mooc2=1&microTopicId=0&editorPreview=0`, { cookie });
    expect(visit.status).toBe(200);
    expect((await rawCards(sim, cookie, course, course.chapters[1]!.id)).marg!.attachments).toHaveLength(1);
  });

  it("serves read cards without a `job` key, or with `job: false`, and counts them as task points", async () => {
    const { sim, account } = one({ name: "阅读", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "read", name: "r1" }, { type: "read", name: "r2", jobKey: "false" }]] }] });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const [r1, r2] = (await rawCards(sim, cookie, course, course.chapters[0]!.id)).marg!.attachments;
    expect("job" in r1!).toBe(false);
    expect(r2!.job).toBe(false);
    const counts = await send(sim, "mooc1-api", "/job/myjobsnodesmap", {
      method: "POST", cookie, headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `view=json&nodes=${course.chapters[0]!.id}&clazzid=${course.clazzId}&time=1&userid=${account.uid}&cpi=${course.cpi}&courseid=${course.courseId}`,
    });
    expect((await counts.json()) as object).toMatchObject({ [course.chapters[0]!.id]: { totalcount: 2, finishcount: 0 } });
  });
});

describe("mArg as real pages carry it", () => {
  it("has reportUrl, the capture flags, schooldoublespeed, doublespeed, the three report fields, a clip, and rt only in otherInfo", async () => {
    const { sim, account } = one({
      name: "字段", teacher: "甲", schooldoublespeed: 0, chapters: [{ title: "1", tabs: [[
        { type: "video", name: "v", duration: 60, doublespeed: 0, clip: [10, 50] },
      ]] }],
    });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const { marg } = await rawCards(sim, cookie, course, course.chapters[0]!.id);
    expect(marg!.defaults).toMatchObject({
      reportUrl: `https://mooc1.sim.test/mooc-ans/multimedia/log/a/${course.cpi}`,
      chapterCapture: 0, playingCapture: 0, startCapture: 0, endCapture: 0, schooldoublespeed: 0, isSupportFace: 0, isShowFaceCollection: 0,
    });
    expect(marg!.defaults).not.toHaveProperty("isFaceCheck");
    const att = marg!.attachments[0]!;
    expect(att).toMatchObject({ begins: 10, ends: 50, attDuration: 60, attDurationEnc: expect.stringMatching(/^[0-9a-f]{32}$/), videoFaceCaptureEnc: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(att.property).toMatchObject({ doublespeed: 0 });
    expect(att.property).not.toHaveProperty("rt");
    expect(att.otherInfo).toMatch(/-rt_d-/);
  });
});

describe("reports since 2025-10", () => {
  it.each(["attDuration", "attDurationEnc", "videoFaceCaptureEnc"] as const)("takes a report without %s (2026-12 item 4), and refuses a wrong one", async (field) => {
    const { sim, account } = one(videoCourse(120));
    const { report } = await reportRig(sim, account);
    expect((await report(0, { fields: { [field]: "0".repeat(32) } }, 3)).status).toBe(403);
    expect((await report(0, { fields: { [field]: null } }, 3)).status).toBe(200);
    expect((await report(0, {}, 3)).status).toBe(200);
  });

  it("signs clipTime into enc: a clipped video reported as 0_<duration> is refused, <begins>_<ends> passes", async () => {
    const { sim, account } = one({ name: "片段", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 100, clip: [20, 80] }]] }] });
    const { report } = await reportRig(sim, account);
    expect((await report(20, { clipTime: "0_100" }, 3)).status).toBe(403);
    expect(await passedOf(await report(20, {}, 3))).toBe(false);
    clock.advance(60_000);
    expect(await passedOf(await report(80, {}, 4))).toBe(true); // the clip is 60 s: 60 s of real time
  });

  it("sends reports to the host reportUrl names, when a course names another one", async () => {
    const { sim, account } = one({ ...videoCourse(60), reportHost: "mooc1-1" });
    const { report, marg } = await reportRig(sim, account);
    expect(marg.defaults.reportUrl).toMatch(/^https:\/\/mooc1-1\.sim\.test\/mooc-ans\/multimedia\/log\/a\//);
    expect((await report(0, {}, 3)).status).toBe(403);
    expect((await report(0, { host: "mooc1-1" }, 3)).status).toBe(200);
  });
});

describe("speed and real time (2026)", () => {
  it("a course that allows 2× credits the position but passes only after the real time", async () => {
    const { sim, account } = one(videoCourse(120));
    const { report } = await reportRig(sim, account);
    await report(0, {}, 3);
    clock.advance(30_000);
    expect(await passedOf(await report(60))).toBe(false);
    clock.advance(30_000);
    expect(await passedOf(await report(120, {}, 4))).toBe(false); // at the end after 60 s: not yet
    clock.advance(30_000);
    expect(await passedOf(await report(120, {}, 4))).toBe(false);
    clock.advance(30_000);
    expect(await passedOf(await report(120, {}, 4))).toBe(true);
  });

  it("a course that forbids fast playback does not credit 2× at all", async () => {
    for (const spec of <SimCourseSpec[]>[{ ...videoCourse(120), schooldoublespeed: 0 }, videoCourse(120, { chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 120, doublespeed: 0 }]] }] })]) {
      const { sim, account } = one(spec);
      const { report, spec: job } = await reportRig(sim, account);
      await report(0, {}, 3);
      clock.advance(30_000);
      expect(await passedOf(await report(60))).toBe(false);
      expect(sim.control.jobProgress(account.phone, job.jobid)!.playTimeS).toBe(0);
      clock.advance(30_000);
      expect(await passedOf(await report(60))).toBe(false);
      expect(sim.control.jobProgress(account.phone, job.jobid)!.playTimeS).toBe(60);
    }
  });

  it("switched off, the platform credits up to 2× as before 2026", async () => {
    const { sim, account } = one(videoCourse(120));
    sim.control.setPlatform({ realTimeCompletion: false });
    const { report } = await reportRig(sim, account);
    await report(0, {}, 3);
    clock.advance(30_000);
    await report(60);
    clock.advance(30_000);
    expect(await passedOf(await report(120, {}, 4))).toBe(true);
  });
});

describe("strict real time (corrections of 2026-12, item 5)", () => {
  const strict = (duration = 120) => one(videoCourse(duration, { strictRealTime: true }));
  const cardOf = async (sim: ReturnType<typeof installSimulator>, rig: Awaited<ReturnType<typeof reportRig>>) =>
    (await rawCards(sim, rig.cookie, rig.course, rig.chapter.id)).marg!.attachments.find((a) => a.jobid === rig.spec.jobid)!;

  it("credits no time at the end position: 2× to the end and end reports sitting there never pass; the card shows the end, not passed", async () => {
    const { sim, account } = strict();
    const rig = await reportRig(sim, account);
    await rig.report(0, {}, 3);
    clock.advance(30_000);
    expect(await passedOf(await rig.report(60))).toBe(false);
    clock.advance(30_000);
    expect(await passedOf(await rig.report(120, {}, 4))).toBe(false);
    for (let i = 0; i < 4; i++) {
      clock.advance(30_000);
      expect(await passedOf(await rig.report(120, {}, 4))).toBe(false);
    }
    expect(await cardOf(sim, rig)).toMatchObject({ isPassed: false, playTime: 120_000 });
    // The same reports in a course that is not strict pass once the real time has passed (end-sitting credited).
    const lenient = one(videoCourse(120));
    const l = await reportRig(lenient.sim, lenient.account);
    await l.report(0, {}, 3);
    clock.advance(30_000);
    await l.report(60);
    clock.advance(30_000);
    await l.report(120, {}, 4);
    clock.advance(30_000);
    await l.report(120, {}, 4);
    clock.advance(30_000);
    expect(await passedOf(await l.report(120, {}, 4))).toBe(true);
  });

  it("a re-watch from 0 at 1× after an unpassed end passes at its end, and the recorded position follows it back to 0", async () => {
    const { sim, account } = strict();
    const rig = await reportRig(sim, account);
    await rig.report(0, {}, 3);
    clock.advance(30_000);
    await rig.report(60);
    clock.advance(30_000);
    expect(await passedOf(await rig.report(120, {}, 4))).toBe(false);
    clock.advance(10_000);
    expect(await passedOf(await rig.report(0, {}, 3))).toBe(false);
    expect(sim.control.jobProgress(account.phone, rig.spec.jobid)!.playTimeS).toBe(0);
    clock.advance(60_000);
    expect(await passedOf(await rig.report(60))).toBe(false);
    clock.advance(60_000);
    expect(await passedOf(await rig.report(120, {}, 4))).toBe(true);
    expect(await cardOf(sim, rig)).toMatchObject({ isPassed: true });
  });

  it("records the position of a report ahead of the allowed speed (200, isPassed:false) without crediting it", async () => {
    const { sim, account } = strict();
    const rig = await reportRig(sim, account);
    await rig.report(0, {}, 3);
    clock.advance(4_000);
    expect(await passedOf(await rig.report(120, {}, 4))).toBe(false);
    const p = sim.control.jobProgress(account.phone, rig.spec.jobid)!;
    expect(p).toMatchObject({ playTimeS: 120, watchedS: 0, passed: false });
  });

  it("is switched per course through the control API and /__sim/actions; off by default", async () => {
    const { sim, account } = one(videoCourse(120));
    const course = account.courses[0]!;
    expect(course.strictRealTime).toBe(false);
    sim.control.strictRealTime(account.phone, course.courseId, true);
    expect(sim.control.account(account.phone).courses[0]!.strictRealTime).toBe(true);
    const res = await sim.app.fetch(new Request("https://sim.test/__sim/actions", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action: "strictRealTime", phone: account.phone, courseId: course.courseId, on: false }),
    }));
    expect(res.status).toBe(200);
    expect(sim.control.account(account.phone).courses[0]!.strictRealTime).toBe(false);
  });

  it("the demo keeps one course in strict mode, whose videos allow fast playback (so 2× gains nothing there)", () => {
    const sim = installSimulator();
    const strictCourses = sim.control.account("13800138000").courses.filter((c) => c.strictRealTime);
    expect(strictCourses.map((c) => c.name)).toEqual(["思想道德与法治"]);
    const strict = strictCourses[0]!;
    const media = strict.chapters.flatMap((ch) => ch.jobs).filter((j) => j.type === "video");
    expect(media.length).toBeGreaterThan(0);
    expect(media.every((j) => fastAllowed(strict, j))).toBe(true);
  });
});

describe("face capture", () => {
  const face = (faceCheck: SimCourseSpec["faceCheck"]): SimCourseSpec => ({ ...videoCourse(120), faceCheck });

  it("sets the gate as chapterCapture and playingCapture; chapterCapture alone is not the gate", async () => {
    for (const [kind, playing] of [["flag", 1], ["chapterOnly", 0]] as const) {
      const { sim, account } = one(face(kind));
      const cookie = await loginCookies(sim, account);
      const { marg } = await rawCards(sim, cookie, account.courses[0]!, account.courses[0]!.chapters[0]!.id);
      expect(marg!.defaults).toMatchObject({ chapterCapture: 1, playingCapture: playing, isSupportFace: 1 });
    }
  });

  it("answers the cards of a face course with a 200 page whose script goes to /knowledge/startface", async () => {
    const { sim, account } = one(face("page"));
    const cookie = await loginCookies(sim, account);
    const { res, text, marg } = await rawCards(sim, cookie, account.courses[0]!, account.courses[0]!.chapters[0]!.id);
    expect(res.status).toBe(200);
    expect(marg).toBeNull();
    expect(text).toMatch(/<script[^>]*>\s*window\.location\.href = "https:\/\/mooc1\.sim\.test\/mooc-ans\/knowledge\/startface\?/);
  });

  it("refuses reports of a gated course from about 30 s after the first", async () => {
    const { sim, account } = one(face("flag"));
    const { report } = await reportRig(sim, account);
    expect((await report(0, {}, 3)).status).toBe(200);
    clock.advance(20_000);
    expect((await report(20)).status).toBe(200);
    clock.advance(20_000);
    expect((await report(40)).status).toBe(403);
    // chapterCapture alone is not gated: its reports go on
    const other = one(face("chapterOnly"));
    const r = await reportRig(other.sim, other.account);
    await r.report(0, {}, 3);
    clock.advance(60_000);
    expect((await r.report(60)).status).toBe(200);
  });
});

describe("content that is not ready", () => {
  it("answers the media status of a video still transcoding with something else than success, until it is ready", async () => {
    const { sim, account } = one({ name: "转码", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "video", name: "v", duration: 30, transcoding: true }]] }] });
    const cookie = await loginCookies(sim, account);
    const job = account.courses[0]!.chapters[0]!.jobs[0]!;
    const status = async () => (await (await send(sim, "mooc1", `/ananas/status/${job.objectId}?k=1024&flag=normal&ro=0`, { cookie })).json()) as { status: string };
    expect((await status()).status).toBe("waiting");
    expect((await rawCards(sim, cookie, account.courses[0]!, account.courses[0]!.chapters[0]!.id)).marg!.attachments[0]).toHaveProperty("mid");
    sim.control.finishTranscoding(account.phone, job.jobid);
    expect((await status()).status).toBe("success");
  });

  it("answers a document with an HTML page instead of JSON (the job is not done), per job or as a counted fault", async () => {
    const { sim, account } = one({ name: "文档", teacher: "甲", chapters: [{ title: "1", tabs: [[{ type: "document", name: "bad", notJson: true }, { type: "document", name: "ok" }]] }] });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const chapter = course.chapters[0]!;
    const [bad, ok] = (await rawCards(sim, cookie, course, chapter.id)).marg!.attachments;
    const doc = (a: typeof bad) => send(sim, "mooc1", `/ananas/job/document?jobid=${a!.jobid}&knowledgeid=${chapter.id}&courseid=${course.courseId}&clazzid=${course.clazzId}&jtoken=${a!.jtoken}&_dc=1`, { cookie });
    const badReply = await doc(bad);
    expect(badReply.headers.get("Content-Type")).toMatch(/text\/html/);
    await expect(badReply.clone().json()).rejects.toThrow();
    sim.control.setFaults({ nonJsonJobs: { times: 1 } });
    await expect((await doc(ok)).json()).rejects.toThrow();
    expect(await (await doc(ok)).json()).toMatchObject({ status: true });
    expect(sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!.courses[0]).toMatchObject({ finished: 1, total: 2 });
  });
});

describe("task points that unlock inside a chapter", () => {
  it("shows a card only after the earlier ones passed", async () => {
    const { sim, account } = one({ name: "解锁", teacher: "甲", chapters: [{ title: "1", tabs: [[
      { type: "document", name: "first" },
      { type: "document", name: "second", afterPrevious: true },
    ]] }] });
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const chapter = course.chapters[0]!;
    const cards = async () => (await rawCards(sim, cookie, course, chapter.id)).marg!.attachments;
    const [first] = await cards();
    expect((await cards()).map((a) => a.property.name)).toEqual(["first"]);
    await send(sim, "mooc1", `/ananas/job/document?jobid=${first!.jobid}&knowledgeid=${chapter.id}&courseid=${course.courseId}&clazzid=${course.clazzId}&jtoken=${first!.jtoken}&_dc=1`, { cookie });
    expect((await cards()).map((a) => a.property.name)).toEqual(["first", "second"]);
  });
});

describe("job counts refused", () => {
  it("refuses with 200 and all-zero counts", async () => {
    const { sim, account } = one(videoCourse());
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    sim.control.setFaults({ jobCountsRefused: true });
    const res = await send(sim, "mooc1-api", "/job/myjobsnodesmap", {
      method: "POST", cookie, headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `view=json&nodes=${course.chapters[0]!.id}&clazzid=${course.clazzId}&time=1&userid=${account.uid}&cpi=${course.cpi}&courseid=${course.courseId}`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ [course.chapters[0]!.id]: { totalcount: 0, finishcount: 0, unfinishcount: 0, openlock: 0, clickcount: 0 } });
  });
});

describe("risk control", () => {
  it("answers 202 to the old cookie, and a fresh login does not clear it", async () => {
    const { sim, account } = one(videoCourse());
    const cookie = await loginCookies(sim, account);
    sim.control.riskControl(account.phone, true);
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie })).status).toBe(202);
    const fresh = await loginCookies(sim, account);
    expect(fresh).toContain("vc3=");
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie: fresh })).status).toBe(202);
    sim.control.riskControl(account.phone, false);
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie: fresh })).status).toBe(200);
  });
});

describe("captchas", () => {
  it("are raised by report frequency, on the host that saw the reports, and answered only there with that host's JSESSIONID", async () => {
    const { sim, account } = one(videoCourse(600));
    sim.control.setPlatform({ captchaReportsPerMinute: 3 });
    const { report, cookie } = await reportRig(sim, account);
    for (let i = 0; i < 3; i++) expect((await report(0, {}, 3)).status).toBe(200);
    const raised = await report(0, {}, 3);
    expect(raised.status).toBe(302);
    const location = new URL(raised.headers.get("Location")!);
    expect(location.host).toBe("mooc1.sim.test");
    expect(location.pathname).toBe("/antispiderShowVerify.ac");
    const session = `${cookie}; ${setCookieNamed(raised, "JSESSIONID")!.split(";")[0]}`;
    const answer = sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!.captchaAnswer!;
    // Another host is not blocked, and does not take the answer; nor does mooc1 under another session.
    expect((await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie })).status).toBe(200);
    expect((await send(sim, "mooc2-ans", `/html/processVerify.ac?app=0&ucode=${answer}`, { cookie })).status).toBe(202);
    expect((await send(sim, "mooc1", `/html/processVerify.ac?app=0&ucode=${answer}`, { cookie })).status).toBe(202);
    expect((await send(sim, "mooc1", "/processVerifyPng.ac", { cookie: session })).headers.get("Content-Type")).toBe("image/png");
    expect((await send(sim, "mooc1", `/html/processVerify.ac?app=0&ucode=${answer}`, { cookie: session })).status).toBe(302);
    expect((await report(0, {}, 3)).status).toBe(200);
  });

  it("are not raised by one report every 2 s, the reference CLI's floor against them; a report a second still raises one", async () => {
    // The reference CLI spaces an account's reports at least 2 s apart, "上报进度极其容易卡验证码，限制2s一次"
    // (Samueli924/chaoxing api/base.py), and studies a chapter's videos side by side under that one limit.
    const { sim, account } = one(videoCourse(600));
    const { report } = await reportRig(sim, account);
    for (let i = 0; i < 45; i++) {
      expect((await report(0, {}, 3)).status, `report ${i + 1}, ${2 * i} s in`).toBe(200);
      clock.advance(2_000);
    }
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) {
      status = (await report(0, {}, 3)).status;
      clock.advance(1_000);
    }
    expect(status).toBe(302);
  });

  it("raised through the control API, binds to a named host", async () => {
    const { sim, account } = one(videoCourse());
    const cookie = await loginCookies(sim, account);
    sim.control.requireCaptcha(account.phone, "mooc2-ans");
    expect((await send(sim, "mooc1", `/ananas/status/${account.courses[0]!.chapters[0]!.jobs[0]!.objectId}?k=1024&flag=normal`, { cookie })).status).toBe(200);
    const blocked = await send(sim, "mooc2-ans", "/mooc2-ans/visit/interaction", { cookie });
    expect(new URL(blocked.headers.get("Location")!).host).toBe("mooc2-ans.sim.test");
  });
});

describe("the chapter page", () => {
  it("opens a chapter with the course's enc from the chapter tree, and refuses another enc", async () => {
    const { sim, account } = one(videoCourse());
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const tree = await (await send(sim, "mooc2-ans", `/mooc2-ans/mycourse/studentcourse?courseid=${course.courseId}&clazzid=${course.clazzId}&cpi=${course.cpi}&ut=s`, { cookie })).text();
    const enc = /id="enc" value="([0-9a-f]+)"/.exec(tree)![1];
    const page = (e: string) => send(sim, "mooc1", `/mooc-ans/mycourse/studentstudy?chapterId=${course.chapters[0]!.id}&courseId=${course.courseId}&clazzid=${course.clazzId}&cpi=${course.cpi}&enc=${e}&mooc2=1`, { cookie });
    const ok = await page(enc!);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(course.chapters[0]!.title);
    expect((await page("0".repeat(32))).status).toBe(403);
  });
});
