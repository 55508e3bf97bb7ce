import { describe, expect, it } from "vitest";
import { BROWSER_HEADERS } from "../../src/chaoxing/cookies";
import { encryptLoginField, reportEnc } from "../../src/chaoxing/crypto";
import type { MediaJob } from "../../src/chaoxing/types";
import { clock } from "../../src/lib/clock";
import { installSimulator, simFetch, useFutureClock, videoCourse, type InstalledSimulator } from "../helpers/sim";

useFutureClock();

const VIDEO_REFERER = "https://mooc1.chaoxing.com/ananas/modules/video/index.html?v=2024-0101";

/** A logged-in account with one 120 s video, and a raw report sender whose every part can be overridden. */
async function reportRig(duration = 120) {
  const sim = installSimulator();
  const { account, client } = await sim.loggedIn([videoCourse(duration)]);
  const course = account.courses[0];
  const job = (await client.getCards(course, course.chapters[0].id)).jobs[0] as MediaJob;
  const { dtoken } = await client.getMediaStatus(job.objectId);
  const cookie = client.jar.header();
  const send = async (
    playingTime: number,
    o: { enc?: string; rt?: string; dtoken?: string; headers?: Record<string, string>; otherInfo?: string; dtype?: string } = {},
  ) => {
    const enc = o.enc ?? (await reportEnc({ clazzId: course.clazzId, userid: account.uid, jobid: job.jobid, objectId: job.objectId, playingTime, duration }));
    const q =
      `clazzId=${course.clazzId}&playingTime=${playingTime}&duration=${duration}&clipTime=0_${duration}&objectId=${job.objectId}` +
      `&otherInfo=${o.otherInfo ?? job.otherInfo}&courseId=${course.courseId}&jobid=${job.jobid}&userid=${account.uid}` +
      `&isdrag=0&view=pc&enc=${enc}&rt=${o.rt ?? "0.9"}&dtype=${o.dtype ?? "Video"}&_t=${clock.now()}`;
    return simFetch(sim, `/mooc-ans/multimedia/log/a/${course.cpi}/${o.dtoken ?? dtoken}?${q}`, {
      cookie,
      headers: o.headers ?? { ...BROWSER_HEADERS, Referer: VIDEO_REFERER },
    });
  };
  return { sim, account, job, send };
}

const passed = async (res: Response): Promise<boolean> => {
  expect(res.status).toBe(200);
  return ((await res.json()) as { isPassed: boolean }).isPassed;
};

describe("report validation", () => {
  it("accepts a correct report, whatever the Referer's version string", async () => {
    const { send } = await reportRig();
    expect(await passed(await send(0))).toBe(false);
  });

  it.each([
    ["a wrong enc", { enc: "0".repeat(32) }],
    ["a wrong rt", { rt: "1" }],
    ["a stale dtoken", { dtoken: "f".repeat(32) }],
    ["no Referer", { headers: { ...BROWSER_HEADERS } }],
    ["the audio player's Referer on a video", { headers: { ...BROWSER_HEADERS, Referer: "https://mooc1.chaoxing.com/ananas/modules/audio/index_new.html?v=1" } }],
    ["a non-browser User-Agent", { headers: { "User-Agent": "python-requests/2.31", Referer: VIDEO_REFERER } }],
    ["dtype=Audio on a video", { dtype: "Audio", headers: { ...BROWSER_HEADERS, Referer: "https://x/ananas/modules/audio/index_new.html" } }],
  ])("refuses %s with 403", async (_what, o) => {
    const { send } = await reportRig();
    expect((await send(0, o)).status).toBe(403);
  });

  it("refuses a percent-encoded otherInfo", async () => {
    const { send, job } = await reportRig();
    expect((await send(0, { otherInfo: encodeURIComponent(`${job.otherInfo}&courseId=1`) })).status).toBe(403);
  });

  it("refuses a dtoken after the control API rotates them", async () => {
    const { sim, account, send } = await reportRig();
    sim.control.rotateDtokens(account.phone);
    expect((await send(0)).status).toBe(403);
  });
});

describe("real-time judgement", () => {
  it("answers a report ahead of the clock with 200 and isPassed:false, and does not credit it", async () => {
    const { sim, account, job, send } = await reportRig(120);
    expect(await passed(await send(0))).toBe(false);
    clock.advance(10_000);
    expect(await passed(await send(120))).toBe(false);
    expect(sim.control.jobProgress(account.phone, job.jobid)?.playTimeS).toBe(0);
  });

  it("passes at 2× real time", async () => {
    const { send } = await reportRig(120);
    await send(0);
    clock.advance(30_000);
    expect(await passed(await send(60))).toBe(false);
    clock.advance(30_000);
    expect(await passed(await send(120))).toBe(true);
  });

  it("never passes above 2×", async () => {
    const { send } = await reportRig(120);
    await send(0);
    for (let t = 0; t < 120; ) {
      clock.advance(20_000); // 3×: 60 s of video per 20 s
      t = Math.min(120, t + 60);
      expect(await passed(await send(t))).toBe(false);
    }
    clock.advance(10_000); // 50 s after the first report: 120 s of video is still beyond 2×
    expect(await passed(await send(120))).toBe(false);
  });

  it("measures from the resume point: a second session goes on where the first stopped", async () => {
    const { send, sim, account, job } = await reportRig(120);
    await send(0);
    clock.advance(60_000);
    expect(await passed(await send(60))).toBe(false);
    clock.advance(3600_000);
    expect(await passed(await send(120))).toBe(true);
    expect(sim.control.jobProgress(account.phone, job.jobid)).toMatchObject({ passed: true, playTimeS: 120 });
  });
});

describe("sessions, study cap, captcha", () => {
  it("sends requests without a session to the passport login page", async () => {
    const sim = installSimulator();
    const res = await simFetch(sim, "/mooc2-ans/visit/interaction", { headers: BROWSER_HEADERS });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("Location") ?? "").pathname).toBe("/login");
    const real = await sim.app.fetch(new Request("https://mooc1.chaoxing.com/mooc-ans/knowledge/cards?x=1"));
    expect(real.headers.get("Location")).toMatch(/^https:\/\/passport2\.chaoxing\.com\/login\?/);
  });

  it("answers a wrong password with the real failure reply and sets no cookies", async () => {
    const sim = installSimulator();
    const body = new URLSearchParams({ uname: await encryptLoginField("13800138000"), password: await encryptLoginField("nope"), t: "true", fid: "-1" });
    const res = await simFetch(sim, "/fanyalogin", {
      method: "POST", body: body.toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(await res.json()).toMatchObject({ status: false, msg2: "用户名或密码错误" });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("returns an empty course list to clients that do not look like a browser", async () => {
    const sim = installSimulator();
    const { client } = await sim.loggedIn([videoCourse()]);
    const form = "courseType=1&courseFolderId=0&query=&superstarClass=0";
    const post = (headers: Record<string, string>) =>
      simFetch(sim, "/mooc2-ans/visit/courselistdata", {
        method: "POST", body: form, cookie: client.jar.header(),
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      });
    expect(await (await post({})).text()).not.toContain('class="course ');
    const ok = await post({ ...BROWSER_HEADERS, Referer: "https://mooc2-ans.chaoxing.com/mooc2-ans/visit/interaction?moocDomain=x" });
    expect(await ok.text()).toContain('class="course ');
  });

  it("caps study time with 403 code=20 and a restTime that counts down on the clock", async () => {
    const { sim, send } = await reportRig();
    sim.control.setFaults({ studyCap: { restTimeS: 300 } });
    const first = await send(0);
    expect(first.status).toBe(403);
    expect(await first.text()).toMatch(/code=20.*\[restTime:300\]/);
    clock.advance(120_000);
    expect(await (await send(0)).text()).toContain("[restTime:180]");
    clock.advance(180_000);
    expect((await send(0)).status).toBe(200);
  });

  it("redirects to antispiderShowVerify.ac until the captcha is answered (302 right, 202 wrong)", async () => {
    const sim = installSimulator();
    const { account, client } = await sim.loggedIn([videoCourse()]);
    const cookie = client.jar.header();
    const answer = sim.control.requireCaptcha(account.phone);
    const blocked = await simFetch(sim, "/mooc2-ans/visit/interaction", { cookie, headers: BROWSER_HEADERS });
    expect(blocked.status).toBe(302);
    const verifyPage = await simFetch(sim, new URL(blocked.headers.get("Location") ?? "").pathname, { cookie });
    expect(await verifyPage.text()).toContain("【9010】");
    expect((await simFetch(sim, "/processVerifyPng.ac", { cookie })).headers.get("Content-Type")).toBe("image/png");
    expect((await sim.app.fetch(new Request("https://sim.test/__sim/state"))).status).toBe(200);
    expect((await simFetch(sim, "/html/processVerify.ac?ucode=wrong", { cookie })).status).toBe(202);
    expect((await simFetch(sim, `/html/processVerify.ac?ucode=${answer.toUpperCase()}`, { cookie })).status).toBe(302);
    expect((await simFetch(sim, "/mooc2-ans/visit/interaction", { cookie })).status).toBe(200);
  });
});

describe("chapters", () => {
  async function sequential(sim: InstalledSimulator) {
    return sim.loggedIn([
      { name: "闯关", teacher: "甲", sequential: true, chapters: [
        { title: "1", tabs: [[{ type: "video", name: "v", duration: 60 }]] },
        { title: "2 测验", tabs: [[{ type: "quiz", name: "测验" }]] },
        { title: "3", tabs: [[{ type: "document", name: "d" }]] },
      ] },
    ]);
  }

  it("keeps a chapter locked until the previous one is done", async () => {
    const sim = installSimulator();
    const { account, client } = await sequential(sim);
    const course = account.courses[0];
    const [c1, c2, c3] = course.chapters;
    expect((await client.getChapters(course)).map((c) => c.locked)).toEqual([false, true, true]);
    const job = (await client.getCards(course, c1.id)).jobs[0] as MediaJob;
    const status = await client.getMediaStatus(job.objectId);
    const report = (t: number) => client.reportProgress({ course, job, dtoken: status.dtoken, duration: 60, playingTime: t, isdrag: 0, rt: ["0.9"] });
    await report(0);
    clock.advance(60_000);
    expect((await report(60)).isPassed).toBe(true);
    const after = await client.getChapters(course);
    expect(after.map((c) => [c.finished, c.locked])).toEqual([[true, false], [false, false], [false, true]]);
    // The quiz is left for the user: chapter 3 opens only once it is done by hand.
    const quiz = (await client.getCards(course, c2.id)).jobs[0];
    expect(quiz.type).toBe("quiz");
    expect((await client.getJobCounts(course, [c3.id]))[c3.id].openlock).toBe(1);
    sim.control.completeQuiz(account.phone, quiz.jobid);
    expect((await client.getCards(course, c3.id)).jobs).toHaveLength(1);
  });

  it("shows the demo data: short courses and one realistic course of hours of video", async () => {
    const sim = installSimulator();
    const demo = sim.control.account("13800138000");
    const seconds = (name: string) =>
      demo.courses.find((c) => c.name === name)?.chapters.flatMap((ch) => ch.jobs).reduce((s, j) => s + j.duration, 0) ?? 0;
    expect(seconds("高等数学（上）")).toBeGreaterThan(10 * 3600);
    expect(demo.courses.find((c) => c.name === "高等数学（上）")?.chapters.length).toBeGreaterThanOrEqual(30);
    const short = demo.courses.filter((c) => c.name !== "高等数学（上）");
    expect(short.every((c) => c.chapters.flatMap((ch) => ch.jobs).every((j) => j.duration < 60))).toBe(true);
  });
});

describe("/__sim endpoints", () => {
  const call = (sim: InstalledSimulator, path: string, body?: unknown) =>
    sim.app.fetch(new Request(`https://sim.test/__sim${path}`, body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
    }));

  it("creates accounts, sets faults, runs actions, reports state and resets", async () => {
    const sim = installSimulator();
    const created = await call(sim, "/accounts", { phone: "15500000001", password: "pw", courses: [videoCourse(30)] });
    expect(created.status).toBe(201);
    const client = sim.client();
    await client.login("15500000001", "pw");
    expect((await call(sim, "/faults", { rateLimit: { retryAfterS: 5, times: 1 } })).status).toBe(200);
    expect((await call(sim, "/faults", { nonsense: true })).status).toBe(400);
    const action = (await (await call(sim, "/actions", { action: "requireCaptcha", phone: "15500000001" })).json()) as { answer: string };
    const state = (await (await call(sim, "/state")).json()) as { accounts: Array<{ phone: string; captchaAnswer: string | null; requestCount: number }>; faults: object };
    const acc = state.accounts.find((a) => a.phone === "15500000001");
    expect(acc?.captchaAnswer).toBe(action.answer);
    expect(acc?.requestCount).toBe(1);
    expect(state.faults).toMatchObject({ rateLimit: { retryAfterS: 5, times: 1 } });
    const log = (await (await call(sim, "/requests?phone=15500000001")).json()) as Array<{ path: string }>;
    expect(log.map((e) => e.path)).toEqual(["/fanyalogin"]);
    await call(sim, "/reset", {});
    const reset = (await (await call(sim, "/state")).json()) as { accounts: Array<{ phone: string }> };
    expect(reset.accounts.map((a) => a.phone)).toEqual(["13800138000"]);
  });
});
