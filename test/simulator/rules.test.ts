import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { installSimulator, useFutureClock, videoCourse, type InstalledSimulator } from "../helpers/sim";
import { loginCookies, passedOf, rawCards, rawLogin, reportRig, send, setCookieNamed, VIDEO_REFERER } from "./raw";

useFutureClock();

async function rig(spec: SimCourseSpec = videoCourse(120)) {
  const sim = installSimulator();
  const account = sim.newAccount([spec]);
  return { sim, account, ...(await reportRig(sim, account)) };
}

describe("report validation", () => {
  it("accepts a correct report, whatever the Referer's version string", async () => {
    const { report } = await rig();
    expect(await passedOf(await report(0, {}, 3))).toBe(false);
  });

  it.each([
    ["a wrong enc", { enc: "0".repeat(32) }],
    ["a wrong rt", { rt: "1" }],
    ["a stale dtoken", { dtoken: "f".repeat(32) }],
    ["no Referer", { headers: {} }],
    ["the audio player's Referer on a video", { headers: { Referer: "https://mooc1.chaoxing.com/ananas/modules/audio/index_new.html?v=1" } }],
    ["a non-browser User-Agent", { headers: { "User-Agent": "python-requests/2.31", Referer: VIDEO_REFERER } }],
    ["dtype=Audio on a video", { dtype: "Audio", headers: { Referer: "https://x/ananas/modules/audio/index_new.html" } }],
  ])("refuses %s with 403", async (_what, o) => {
    const { report } = await rig();
    expect((await report(0, o)).status).toBe(403);
  });

  it("refuses a percent-encoded otherInfo", async () => {
    const { report, att } = await rig();
    expect((await report(0, { otherInfo: encodeURIComponent(`${att.otherInfo}&courseId=1`) })).status).toBe(403);
  });

  it("refuses a dtoken after the control API rotates them", async () => {
    const { sim, account, report } = await rig();
    sim.control.rotateDtokens(account.phone);
    expect((await report(0)).status).toBe(403);
  });
});

describe("real-time judgement", () => {
  it("answers a report ahead of the clock with 200 and isPassed:false, and does not credit it", async () => {
    const { sim, account, spec, report } = await rig();
    expect(await passedOf(await report(0, {}, 3))).toBe(false);
    clock.advance(10_000);
    expect(await passedOf(await report(120, {}, 4))).toBe(false);
    expect(sim.control.jobProgress(account.phone, spec.jobid)?.playTimeS).toBe(0);
  });

  it("passes at 1× real time", async () => {
    const { report } = await rig();
    await report(0, {}, 3);
    clock.advance(60_000);
    expect(await passedOf(await report(60))).toBe(false);
    clock.advance(60_000);
    expect(await passedOf(await report(120, {}, 4))).toBe(true);
  });

  it("never passes above 2×", async () => {
    const { report } = await rig();
    await report(0, {}, 3);
    for (let t = 0; t < 120; ) {
      clock.advance(20_000); // 3×: 60 s of video per 20 s
      t = Math.min(120, t + 60);
      expect(await passedOf(await report(t))).toBe(false);
    }
  });

  it("credits the time between reports only up to a gap: a long silence is not watching", async () => {
    const { sim, account, spec, report } = await rig(videoCourse(300));
    await report(0, {}, 3);
    clock.advance(60_000);
    expect(await passedOf(await report(60))).toBe(false);
    clock.advance(3600_000); // an hour away: credited as 90 s at most
    expect(await passedOf(await report(180))).toBe(false);
    const p = sim.control.jobProgress(account.phone, spec.jobid)!;
    expect(p.playTimeS).toBe(180);
    expect(Math.round(p.watchedS)).toBe(150);
    clock.advance(60_000);
    expect(await passedOf(await report(240))).toBe(false);
    clock.advance(60_000);
    expect(await passedOf(await report(300, {}, 4))).toBe(false); // 270 s watched of 300
    clock.advance(30_000);
    expect(await passedOf(await report(300, {}, 4))).toBe(true);
  });

  it("measures from the resume point: a second session goes on where the first stopped", async () => {
    const { sim, account, spec, report } = await rig();
    await report(0, {}, 3);
    clock.advance(60_000);
    expect(await passedOf(await report(60))).toBe(false);
    clock.advance(3600_000);
    expect(await passedOf(await report(60, {}, 3))).toBe(false);
    clock.advance(60_000);
    expect(await passedOf(await report(120, {}, 4))).toBe(true);
    expect(sim.control.jobProgress(account.phone, spec.jobid)).toMatchObject({ passed: true, playTimeS: 120 });
  });
});

describe("sessions, study cap, captcha", () => {
  it("sends requests without a session to the passport login page, https behind real host names", async () => {
    const sim = installSimulator();
    const res = await send(sim, undefined, "/mooc2-ans/visit/interaction");
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("Location") ?? "").pathname).toBe("/login");
    const real = await sim.app.fetch(new Request("http://mooc1.chaoxing.com/mooc-ans/knowledge/cards?x=1"));
    expect(real.headers.get("Location")).toMatch(/^https:\/\/passport2\.chaoxing\.com\/login\?/);
  });

  it("answers a wrong password with the real failure reply and sets no login cookies", async () => {
    const sim = installSimulator();
    const res = await rawLogin(sim, { phone: "13800138000", password: "nope" }, { host: "passport2" });
    expect(await res.json()).toMatchObject({ status: false, msg2: "用户名或密码错误" });
    expect(res.headers.getSetCookie().map((l) => l.split("=")[0])).toEqual(["JSESSIONID", "route"]);
  });

  it("returns an empty root course list to clients that do not look like a browser", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()]);
    const cookie = await loginCookies(sim, account);
    const form = "courseType=1&courseFolderId=0&query=&superstarClass=0";
    const post = (headers: Record<string, string>) =>
      send(sim, "mooc2-ans", "/mooc2-ans/visit/courselistdata", {
        method: "POST", body: form, cookie, headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      });
    const referer = "https://mooc2-ans.chaoxing.com/mooc2-ans/visit/interaction?moocDomain=x";
    expect(await (await post({ "User-Agent": "curl/8", Referer: referer })).text()).not.toContain('class="course ');
    expect(await (await post({})).text()).not.toContain('class="course ');
    // A browser's UA and the Referer are what counts: the reference CLI sends those (no X-Requested-With) and is answered.
    expect(await (await post({ Referer: referer })).text()).toContain('class="course ');
    expect(await (await post({ Referer: referer, "X-Requested-With": "XMLHttpRequest" })).text()).toContain('class="course ');
  });

  it("caps study time with 403 code=20 and a restTime that counts down on the clock", async () => {
    const { sim, report } = await rig();
    sim.control.setFaults({ studyCap: { restTimeS: 300 } });
    const first = await report(0, {}, 3);
    expect(first.status).toBe(403);
    expect(await first.text()).toMatch(/code=20.*\[restTime:300\]/);
    clock.advance(120_000);
    expect(await (await report(0, {}, 3)).text()).toContain("[restTime:180]");
    clock.advance(180_000);
    expect((await report(0, {}, 3)).status).toBe(200);
  });

  it("redirects to antispiderShowVerify.ac until the captcha is answered (302 right, 202 wrong)", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([videoCourse()]);
    const login = await loginCookies(sim, account);
    const answer = sim.control.requireCaptcha(account.phone);
    const first = await send(sim, undefined, "/mooc2-ans/visit/interaction", { cookie: login });
    expect(first.status).toBe(302);
    // The captcha belongs to the session that was shown it: its JSESSIONID goes with every later request.
    const cookie = `${login}; ${setCookieNamed(first, "JSESSIONID")!.split(";")[0]}`;
    const blocked = await send(sim, undefined, "/mooc2-ans/visit/interaction", { cookie });
    expect(blocked.status).toBe(302);
    const verifyPage = await send(sim, undefined, new URL(blocked.headers.get("Location") ?? "").pathname, { cookie });
    expect(await verifyPage.text()).toContain("【9010】");
    expect((await send(sim, undefined, "/processVerifyPng.ac", { cookie })).headers.get("Content-Type")).toBe("image/png");
    expect((await sim.app.fetch(new Request("https://sim.test/__sim/state"))).status).toBe(200);
    expect((await send(sim, undefined, "/html/processVerify.ac?ucode=wrong", { cookie })).status).toBe(202);
    expect((await send(sim, undefined, `/html/processVerify.ac?ucode=${answer}`, { cookie: login })).status).toBe(202);
    expect((await send(sim, undefined, `/html/processVerify.ac?ucode=${answer.toUpperCase()}`, { cookie })).status).toBe(302);
    expect((await send(sim, undefined, "/mooc2-ans/visit/interaction", { cookie })).status).toBe(200);
  });
});

describe("chapters", () => {
  it("keeps a chapter locked until the previous one is done; a quiz done by hand unlocks the next", async () => {
    const sim = installSimulator();
    const account = sim.newAccount([
      { name: "闯关", teacher: "甲", sequential: true, chapters: [
        { title: "1", tabs: [[{ type: "document", name: "d1" }]] },
        { title: "2 测验", tabs: [[{ type: "quiz", name: "测验" }]] },
        { title: "3", tabs: [[{ type: "document", name: "d3" }]] },
      ] },
    ]);
    const cookie = await loginCookies(sim, account);
    const course = account.courses[0]!;
    const [c1, c2, c3] = course.chapters;
    const tree = async () => (await (await send(sim, "mooc2-ans", `/mooc2-ans/mycourse/studentcourse?courseid=${course.courseId}&clazzid=${course.clazzId}&cpi=${course.cpi}&ut=s`, { cookie })).text());
    expect((await tree()).match(/解锁/g)).toHaveLength(2);
    const doc = (await rawCards(sim, cookie, course, c1!.id)).marg!.attachments[0]!;
    const done = await send(sim, "mooc1", `/ananas/job/document?jobid=${doc.jobid}&knowledgeid=${c1!.id}&courseid=${course.courseId}&clazzid=${course.clazzId}&jtoken=${doc.jtoken}&_dc=1`, { cookie });
    expect(await done.json()).toMatchObject({ status: true });
    expect((await tree()).match(/解锁/g)).toHaveLength(1);
    expect((await rawCards(sim, cookie, course, c3!.id)).text).toContain("章节未开放");
    sim.control.completeByHand(account.phone, c2!.jobs[0]!.jobid);
    expect((await rawCards(sim, cookie, course, c3!.id)).marg!.attachments).toHaveLength(1);
  });

  it("shows the demo data: short courses and one realistic course of hours of video", async () => {
    const sim = installSimulator();
    const demo = sim.control.account("13800138000");
    const seconds = (name: string) =>
      demo.courses.find((c) => c.name === name)?.chapters.flatMap((ch) => ch.jobs).reduce((s, j) => s + j.duration, 0) ?? 0;
    expect(seconds("高等数学（上）")).toBeGreaterThan(10 * 3600);
    expect(demo.courses.find((c) => c.name === "高等数学（上）")?.chapters.length).toBeGreaterThanOrEqual(30);
    // Short but for what is never played: the course that captures (its video is left for the user) and the live not started.
    const short = demo.courses.filter((c) => c.name !== "高等数学（上）" && c.faceCheck !== "capture");
    expect(short.every((c) => c.chapters.flatMap((ch) => ch.jobs).every((j) => j.duration <= 180 || j.notStarted))).toBe(true);
  });
});

describe("/__sim endpoints", () => {
  const call = (sim: InstalledSimulator, path: string, body?: unknown) =>
    sim.app.fetch(new Request(`https://sim.test/__sim${path}`, body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
    }));

  it("creates accounts, sets faults and platform behaviour, runs actions, reports state and resets", async () => {
    const sim = installSimulator();
    const created = await call(sim, "/accounts", { phone: "15500000001", password: "pw", courses: [videoCourse(30)] });
    expect(created.status).toBe(201);
    await rawLogin(sim, { phone: "15500000001", password: "pw" });
    expect((await call(sim, "/faults", { rateLimit: { retryAfterS: 5, times: 1 }, jobCountsRefused: true })).status).toBe(200);
    expect((await call(sim, "/faults", { nonsense: true })).status).toBe(400);
    expect(await (await call(sim, "/platform", { sessionTtlS: 60, realTimeCompletion: false })).json()).toMatchObject({ sessionTtlS: 60, realTimeCompletion: false });
    expect((await call(sim, "/platform", { sessionTtlS: 0 })).status).toBe(400);
    const action = (await (await call(sim, "/actions", { action: "requireCaptcha", phone: "15500000001", host: "mooc2-ans" })).json()) as { answer: string };
    expect((await call(sim, "/actions", { action: "riskControl", phone: "15500000001", on: true })).status).toBe(200);
    const state = (await (await call(sim, "/state")).json()) as { accounts: Array<{ phone: string; captchaAnswer: string | null; riskControl: boolean; requestCount: number }>; faults: object };
    const acc = state.accounts.find((a) => a.phone === "15500000001");
    expect(acc).toMatchObject({ captchaAnswer: action.answer, riskControl: true, requestCount: 1 });
    expect(state.faults).toMatchObject({ rateLimit: { retryAfterS: 5, times: 1 }, jobCountsRefused: true });
    const log = (await (await call(sim, "/requests?phone=15500000001")).json()) as Array<{ path: string; host: string }>;
    expect(log.map((e) => [e.host, e.path])).toEqual([["local", "/fanyalogin"]]);
    await call(sim, "/reset", {});
    const reset = (await (await call(sim, "/state")).json()) as { accounts: Array<{ phone: string }>; platform: { sessionTtlS: number } };
    expect(reset.accounts.map((a) => a.phone)).toEqual(["13800138000"]);
    expect(reset.platform.sessionTtlS).toBe(7 * 24 * 3600);
  });

});
