import { describe, expect, it } from "vitest";
import { api, registerUser } from "./helpers/api";
import { authMatrix } from "./helpers/auth-matrix";
import { driveUntil, finished, startTask, userWithAccount } from "./helpers/drive";
import { installSimulator, useFutureClock } from "./helpers/sim";

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
  });

  it("computes progress from real job counts: it moves as a task completes work, with refresh=true", async () => {
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
    const cached = await api("GET", "/api/courses/list", { token });
    expect(cached.body[0].progress).toBe(0); // briefly cached
    const after = await api("GET", "/api/courses/list?refresh=true", { token });
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
    expect((await api("POST", "/api/user/config/test-login", { token })).body).toEqual({ ok: true, message: "登录成功" });
    await api("PUT", "/api/user/config", { token, body: { cx_password: "nope-nope" } });
    expect((await api("POST", "/api/user/config/test-login", { token })).body).toEqual({ ok: false, message: "登录超星失败: 用户名或密码错误" });
  });
});

authMatrix([
  { method: "GET", path: "/api/courses/list" },
  { method: "POST", path: "/api/user/config/test-login" },
]);
