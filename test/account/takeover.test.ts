import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { createSimulator } from "../../src/simulator/app";
import { api, registerUser } from "../helpers/api";
import { driveUntil, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { pairRelay, simPerform, TestAgent, useRelay } from "../helpers/relay";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

const HOUR = 3600_000;
const testLogin = (token: string, ip: string) => api("POST", "/api/user/config/test-login", { token, headers: { "CF-Connecting-IP": ip } });
const isReport = (path: string) => path.includes("/multimedia/log/");

/**
 * A victim who studies on the real platform (the simulator, direct), and an attacker who saved the
 * victim's phone with a password of their own and paired an agent that answers from a platform of the
 * attacker's making: every login there succeeds and sets a `_uid` cookie, and its only course is a
 * ten-hour video that never has to end.
 */
async function victimAndAttacker() {
  const sim = installSimulator();
  const victim = await registerUser("victim");
  const account = await userWithAccount(sim, victim.token, [videoCourse(300)]);
  const fake = createSimulator({ seedDemo: false });
  const forged = fake.control.createAccount({ phone: account.phone, password: "attacker-guess", courses: [videoCourse(10 * 3600, { name: "假课程" })] });
  const attacker = await registerUser("attacker");
  await useRelay(attacker.token);
  const relay = await pairRelay(attacker.token);
  const agent = await TestAgent.online(relay.credential, simPerform(fake));
  const saved = await api("PUT", "/api/user/config", { token: attacker.token, body: { cx_username: account.phone, cx_password: "attacker-guess" } });
  expect(saved.status).toBe(200);
  const victimLogins = () => sim.control.requests(account.phone).filter((e) => e.path.endsWith("/fanyalogin")).length;
  return { sim, fake, forged, victim, attacker, account, agent, victimLogins };
}

describe("a second user who saved the victim's phone, with a relay that fakes Chaoxing", () => {
  it("changes nothing the victim sees or can do: limits, test login, course list", async () => {
    const { victim, attacker, account, agent, fake, victimLogins } = await victimAndAttacker();
    const set = await api("PUT", "/api/user/limits", { token: victim.token, body: { daily_cap_minutes: 300 } });
    expect(set.status).toBe(200);
    expect((await testLogin(victim.token, "198.51.100.1")).body).toEqual({ ok: true, message: "登录成功", code: null, params: {} });
    const courses = await api("GET", "/api/courses/list", { token: victim.token });
    expect(courses.status).toBe(200);
    const limitsBefore = (await api("GET", "/api/user/limits", { token: victim.token })).body;
    const loginsBefore = victimLogins();

    // The attacker's logins all "succeed", through their own agent only (four: with the victim's, five in a day).
    for (let i = 0; i < 4; i++) expect((await testLogin(attacker.token, `198.51.100.${10 + i}`)).body).toEqual({ ok: true, message: "登录成功", code: null, params: {} });
    expect(agent.seen.filter((r) => r.url.pathname.endsWith("/fanyalogin")).length).toBe(4);
    expect(fake.control.requests(account.phone).length).toBeGreaterThan(0);
    // They see and edit limits: their own.
    const theirs = await api("PUT", "/api/user/limits", { token: attacker.token, body: { daily_cap_minutes: 1, window_start: "03:00", window_end: "04:00" } });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toMatchObject({ daily_cap_minutes: 1, window_start: "03:00" });

    // The victim: the same limits (still theirs to change), logins that work, the same courses.
    const mine = await api("GET", "/api/user/limits", { token: victim.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual(limitsBefore);
    expect(mine.body).toMatchObject({ daily_cap_minutes: 300, customized: true });
    expect((await api("PUT", "/api/user/limits", { token: victim.token, body: { video_gap_seconds: 5 } })).body).toMatchObject({ daily_cap_minutes: 300, video_gap_seconds: 5 });
    expect((await testLogin(victim.token, "198.51.100.30")).body).toEqual({ ok: true, message: "登录成功", code: null, params: {} });
    const again = await api("GET", "/api/courses/list?refresh=true", { token: victim.token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(courses.body);
    // Only the victim's own test login reached the real platform after the attack.
    expect(victimLogins()).toBe(loginsBefore + 1);
    // The attacker's own account shows what their platform said, nothing of the victim's.
    const theirCourses = await api("GET", "/api/courses/list", { token: attacker.token });
    expect(theirCourses.body.map((c: { courseName: string }) => c.courseName)).toEqual(["假课程"]);
  });

  it("shares only the one-video lock, in turns: the attacker's endless video cannot keep the victim's task waiting", async () => {
    const { sim, fake, victim, attacker, account } = await victimAndAttacker();
    const theirCourse = (await api("GET", "/api/courses/list", { token: attacker.token })).body[0].courseId as string;
    const attackerTask = await startTask(attacker.token, [theirCourse]);
    await driveUntil(attackerTask, (l) => l.item_current_time > 0);
    const since = clock.now();

    const victimTask = await startTask(victim.token, [account.courses[0]!.courseId]);
    const waiting = await driveUntil(victimTask, (l) => l.reason === "waiting_for_account");
    expect(waiting.queue_position).toBe(1);
    const done = await driveUntil(victimTask, (l) => l.status !== "running");
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100 });
    // At most one turn (two hours while someone waits) plus the victim's own five-minute video.
    expect(clock.now() - since).toBeLessThan(2 * HOUR + 15 * 60_000);
    expect(sim.control.jobProgress(account.phone, account.courses[0]!.chapters[0]!.jobs[0]!.jobid)?.passed).toBe(true);

    // Never two videos of the phone at once: no report of the attacker's between the victim's first and last.
    const victimReports = sim.control.requests(account.phone).filter((e) => isReport(e.path)).map((e) => e.at);
    const first = Math.min(...victimReports);
    const last = Math.max(...victimReports);
    const overlapping = fake.control.requests(account.phone).filter((e) => isReport(e.path) && e.at > first && e.at < last);
    expect(overlapping).toEqual([]);
    // The attacker's task got its place back in line and plays again after the victim's video.
    const theirs = await driveUntil(attackerTask, (l) => l.reason === null && l.item_current_time > 0);
    expect(theirs.status).toBe("running");
    await api("POST", `/api/tasks/${attackerTask}/cancel`, { token: attacker.token });
    while (await tick()) { /* nothing left running */ }
    expect((await taskLive(victimTask))?.status).toBe("completed");
  });
});

describe("refused passwords", () => {
  it("from anyone, cannot lock the owner's correct password out, even before any session exists", async () => {
    const sim = installSimulator();
    const owner = await registerUser("owner");
    const account = await userWithAccount(sim, owner.token, [videoCourse(60)]);
    const strangers = await Promise.all([registerUser("guess"), registerUser("guess")]);
    let guess = 0;
    for (const s of strangers) {
      await api("PUT", "/api/user/config", { token: s.token, body: { cx_username: account.phone, cx_password: `guess-${guess}` } });
      for (let i = 0; i < 3 && guess < 5; i++, guess++) {
        const r = await api("POST", "/api/user/config/test-login", { token: s.token, body: { cx_password: `guess-${guess}` }, headers: { "CF-Connecting-IP": `198.51.100.${40 + guess}` } });
        expect(r.body).toMatchObject({ ok: false });
      }
    }
    // Five refusals for the phone, and the owner has never logged in here: their password still goes through.
    expect((await testLogin(owner.token, "198.51.100.60")).body).toEqual({ ok: true, message: "登录成功", code: null, params: {} });
    expect((await api("GET", "/api/courses/list", { token: owner.token })).status).toBe(200);
  });

  it("still bound each user's guesses: five refused in 30 minutes, then their new guesses never reach Chaoxing", async () => {
    const sim = installSimulator();
    const owner = await registerUser("owner");
    const account = await userWithAccount(sim, owner.token, [videoCourse(60)]);
    const s = await registerUser("guess");
    const tryGuess = (n: number) =>
      api("POST", "/api/user/config/test-login", { token: s.token, body: { cx_username: account.phone, cx_password: `guess-${n}` }, headers: { "CF-Connecting-IP": `198.51.100.${80 + n}` } });
    for (let n = 0; n < 5; n++) expect((await tryGuess(n)).body).toMatchObject({ ok: false });
    clock.advance(11 * 60_000); // past the route's own 5-per-10-minutes
    const sent = sim.control.requests().filter((e) => e.path.endsWith("/fanyalogin")).length;
    const locked = await tryGuess(5);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(15 * 60);
    expect(sim.control.requests().filter((e) => e.path.endsWith("/fanyalogin")).length).toBe(sent);
    expect((await testLogin(owner.token, "198.51.100.99")).body).toEqual({ ok: true, message: "登录成功", code: null, params: {} });
  });
});
