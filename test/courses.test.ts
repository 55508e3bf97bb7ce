import { describe, expect, it } from "vitest";
import { api, registerUser } from "./helpers/api";
import { authMatrix } from "./helpers/auth-matrix";
import { driveUntil, finished, startTask, userWithAccount } from "./helpers/drive";
import { clock, shanghaiDay } from "../shared/clock";
import { installSimulator, useFutureClock, videoCourse } from "./helpers/sim";

useFutureClock();

describe("GET /api/courses/list", () => {
  it("lists the demo account's courses (folders included) with teachers and progress from job counts", async () => {
    installSimulator();
    const { token } = await registerUser("courses");
    await api("PUT", "/api/user/config", { token, body: { cx_username: "13800138000", cx_password: "your_password" } });
    const r = await api("GET", "/api/courses/list", { token });
    expect(r.status).toBe(200);
    const names = r.body.map((c: { courseName: string }) => c.courseName);
    expect(names).toContain("大学生心理健康教育");
    expect(names).toContain("大学计算机基础"); // inside a folder
    for (const c of r.body) {
      expect(c.teacherName.length).toBeGreaterThan(0);
      expect(c).toEqual(expect.objectContaining({ courseId: expect.stringMatching(/^\d+$/), clazzId: expect.stringMatching(/^\d+$/), cpi: expect.any(String), state: expect.any(Number), progress: expect.any(Number) }));
    }
    expect(r.body.find((c: { courseName: string }) => c.courseName === "大学计算机基础").folder).toBe("专业基础课");
    expect(r.body.some((c: { state: number }) => c.state === 1)).toBe(true);
    // The class's period as its card shows it: 高等数学's class ends in two weeks.
    const math = r.body.find((c: { courseName: string }) => c.courseName === "高等数学（上）");
    expect(math.endDate).toBe(shanghaiDay(clock.now() + 14 * 24 * 3600_000));
    expect(math.startDate).toBe(shanghaiDay(clock.now() - 30 * 24 * 3600_000));
  });

  it("computes progress from real job counts: it moves as a task completes work, without refresh=true once the task completes", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("progress");
    const account = await userWithAccount(sim, token, [
      { name: "进度课程", teacher: "钱老师", chapters: [
        { title: "1", tabs: [[{ type: "document", name: "a.pdf" }, { type: "document", name: "b.pdf" }]] },
        { title: "2", tabs: [[{ type: "quiz", name: "测验" }, { type: "read", name: "r" }]] },
      ] },
    ]);
    const before = await api("GET", "/api/courses/list", { token });
    expect(before.body[0]).toMatchObject({ courseName: "进度课程", teacherName: "钱老师", progress: 0 });
    const id = await startTask(token, [account.courses[0]!.courseId]);
    await driveUntil(id, finished);
    // The completed task dropped the account's cached progress of its course, so the list is current at once.
    const after = await api("GET", "/api/courses/list", { token });
    expect(after.body[0].progress).toBe(75); // 3 of 4 task points: the quiz is the user's
  });

  it("400 without a saved account, 400 with Chaoxing's reason for a wrong password, 502 when Chaoxing fails", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("cerr");
    expect(await api("GET", "/api/courses/list", { token })).toMatchObject({ status: 400, body: { detail: "请先配置超星账号" } });
    const account = sim.newAccount(undefined, { phone: `13${String(Date.now()).slice(-9)}` });
    await api("PUT", "/api/user/config", { token, body: { cx_username: account.phone, cx_password: "wrong-password" } });
    expect(await api("GET", "/api/courses/list", { token })).toMatchObject({ status: 400, body: { detail: "登录超星失败: 用户名或密码错误", code: "chaoxing_login_failed" } });
    await api("PUT", "/api/user/config", { token, body: { cx_password: account.password } });
    sim.control.setFaults({ serverError: {} });
    const down = await api("GET", "/api/courses/list", { token });
    expect(down.status).toBe(502);
    expect(down.body.code).toBe("upstream_failed");
  });
});

describe("POST /api/user/config/test-login", () => {
  it("says whether the saved account logs in, and why not", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("tl");
    expect((await api("POST", "/api/user/config/test-login", { token })).status).toBe(400);
    await userWithAccount(sim, token, []);
    expect((await api("POST", "/api/user/config/test-login", { token })).body).toEqual({ ok: true, message: "登录成功", code: null, params: {} });
    await api("PUT", "/api/user/config", { token, body: { cx_password: "nope-nope" } });
    // Why, as a code the dashboard words in the reader's language, with Chaoxing's own words beside it.
    expect((await api("POST", "/api/user/config/test-login", { token })).body).toEqual({
      ok: false, message: "登录超星失败: 用户名或密码错误", code: "login.wrong_password", params: { error: "用户名或密码错误" },
    });
  });
});

// The account's pacing (chaoxing-protocol.md: ≥ 0.5 s between calls) holds whoever sends the call: a
// refresh button must not let anyone burst requests at the platform from a student's account.
describe("user-triggered Chaoxing calls are paced too", () => {
  it("20 parallel refreshes cost at most one load, and the account's upstream requests stay ≥ 500 ms apart", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("paced");
    const account = await userWithAccount(sim, token, [videoCourse(60), videoCourse(60, { name: "第二门" })]);
    const first = await api("GET", "/api/courses/list", { token });
    expect(first.status).toBe(200);
    const oneLoad = sim.control.requests(account.phone).length; // the login and one full load
    expect(oneLoad).toBeGreaterThan(3);

    clock.advance(61_000);
    const before = sim.control.requests(account.phone).length;
    const all = await Promise.all(Array.from({ length: 20 }, () => api("GET", "/api/courses/list?refresh=true", { token })));
    for (const r of all) expect(r).toMatchObject({ status: 200, body: first.body });
    const refreshed = sim.control.requests(account.phone).length - before;
    expect(refreshed).toBeGreaterThan(0);
    expect(refreshed).toBeLessThanOrEqual(oneLoad);
    // A second forced refresh inside the minute is served from the cache.
    const again = sim.control.requests(account.phone).length;
    expect((await api("GET", "/api/courses/list?refresh=true", { token })).status).toBe(200);
    expect(sim.control.requests(account.phone).length).toBe(again);

    const times = sim.control.requests(account.phone).map((e) => e.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `request ${i}`).toBeGreaterThanOrEqual(500);
  });
});

// Each test-login is a real Chaoxing login: unthrottled, saving a guess and testing it is an oracle for
// the Chaoxing password, and a burst of logins looks like a credential-stuffing bot to the platform.
describe("test-login is no password oracle", () => {
  const testLogin = (token: string, body?: object, ip = "198.51.100.60") =>
    api("POST", "/api/user/config/test-login", { token, body, headers: { "CF-Connecting-IP": ip } });

  it("tests unsaved values from the body without writing the config; no body tests the saved account", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("tlbody");
    const account = await userWithAccount(sim, token, []);
    const other = sim.newAccount([], { phone: `13${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}` });
    const before = (await api("GET", "/api/user/config", { token })).body;
    expect((await testLogin(token, { cx_username: `+86 ${other.phone}`, cx_password: other.password })).body).toMatchObject({ ok: true, message: "登录成功" });
    expect((await testLogin(token, { cx_username: other.phone, cx_password: "wrong-one" })).body).toMatchObject({ ok: false, message: "登录超星失败: 用户名或密码错误" });
    // Only the password: the saved phone with it.
    expect((await testLogin(token, { cx_password: account.password })).body.ok).toBe(true);
    expect((await api("GET", "/api/user/config", { token })).body).toEqual(before);
    expect((await testLogin(token)).body.ok).toBe(true);
    expect((await testLogin(token, { cx_username: "not-a-phone", cx_password: "x" })).status).toBe(400);
  });

  it("throttles test-login per user: 5 in 10 minutes, then 429 with Retry-After", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("tlrate");
    await userWithAccount(sim, token, []);
    for (let i = 0; i < 5; i++) expect((await testLogin(token, undefined, `198.51.100.${70 + i}`)).status).toBe(200);
    const blocked = await testLogin(token, undefined, "198.51.100.80");
    expect(blocked).toMatchObject({ status: 429, body: { code: "rate_limited" } });
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    clock.advance(11 * 60_000);
    // The user's window is over. (Another account: the saved one has spent its 5 logins of the day.)
    const other = sim.newAccount([], { phone: `13${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}` });
    expect((await testLogin(token, { cx_username: other.phone, cx_password: other.password })).body).toMatchObject({ ok: true, message: "登录成功" });
  });

  // Refused passwords are counted per user's binding: test/account/takeover.test.ts "refused passwords".
});

authMatrix([
  { method: "GET", path: "/api/courses/list" },
  { method: "POST", path: "/api/user/config/test-login" },
]);
