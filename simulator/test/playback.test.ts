import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import { fastAllowed, type SimCourseSpec } from "../src/model";
import { installSimulator, useFutureClock, videoCourse } from "../../test/helpers/sim";
import { loginCookies, one, passedOf, rawCards, reportRig } from "./raw";

useFutureClock();

/**
 * Playback on the platform as it is in 2026 (chaoxing-protocol.md, last section), spoken by hand against
 * the simulator: how reports are signed and sent, what speed and real time earn, strict courses and face
 * capture.
 */

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
