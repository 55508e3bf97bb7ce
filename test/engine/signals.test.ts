import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { clock } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

const course = (duration = 180): SimCourseSpec => ({
  name: "信号课程",
  teacher: "孙老师",
  chapters: [
    { title: "1 视频", tabs: [[{ type: "video", name: "v.mp4", duration }, { type: "document", name: "d.pdf" }]] },
    { title: "2 阅读", tabs: [[{ type: "read", name: "r" }]] },
  ],
});

async function setup(prefix: string, spec: SimCourseSpec = course()) {
  const sim = installSimulator();
  const { token } = await registerUser(prefix);
  const account = await userWithAccount(sim, token, [spec]);
  const id = await startTask(token, [account.courses[0]!.courseId]);
  return { sim, token, account, id };
}

const logsOf = async (token: string, id: number) => ((await api("GET", `/api/tasks/${id}/logs?limit=500`, { token })).body as { level: string; message: string }[]);
const signals = async (id: number) =>
  (await env.DB.prepare("SELECT kind FROM upstream_events WHERE task_id = ?").bind(id).all<{ kind: string }>()).results.map((r) => r.kind);

describe("failure signals", () => {
  it("session expiry: logs in again and goes on", async () => {
    const { sim, account, id } = await setup("expiry");
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.expireSessions(account.phone);
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(await signals(id)).toContain("session_expired");
    expect(sim.control.requests(account.phone).filter((r) => r.path.includes("fanyalogin")).length).toBeGreaterThanOrEqual(2);
    expect(await taskLive(id)).toMatchObject({ status: "completed" });
  });

  it("captcha: pauses the task; the owner gets the image and answers it through the API", async () => {
    const { sim, token, account, id } = await setup("captcha");
    await driveUntil(id, (l) => l.item_current_time >= 60);
    const answer = sim.control.requireCaptcha(account.phone);
    const paused = await driveUntil(id, finished);
    expect(paused).toMatchObject({ status: "paused", reason: "captcha" });
    expect(await tick()).toBe(false);

    const img = await api("GET", `/api/tasks/${id}/captcha`, { token });
    expect(img.status).toBe(200);
    expect(img.headers.get("Content-Type")).toMatch(/^image\//);
    const wrong = await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: "zzzz" } });
    expect(wrong).toMatchObject({ status: 400, body: { detail: "验证码错误，请重新输入" } });
    expect((await taskLive(id))!.status).toBe("paused");
    const right = await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: answer } });
    expect(right).toMatchObject({ status: 200, body: { task: { status: "running" } } });
    expect((await driveUntil(id, finished)).status).toBe("completed");
    expect(await signals(id)).toContain("captcha");
    // Not waiting for a captcha any more: the endpoints say so.
    expect((await api("GET", `/api/tasks/${id}/captcha`, { token })).status).toBe(409);
  });

  it("resume after a captcha retries the step and pauses again if the captcha is still there", async () => {
    const { sim, token, account, id } = await setup("captcha2");
    await tick();
    sim.control.requireCaptcha(account.phone);
    await driveUntil(id, finished);
    expect((await api("POST", `/api/tasks/${id}/resume`, { token })).status).toBe(200);
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "captcha" });
  });

  it("study-time cap: waits out restTime, then goes on", async () => {
    const { sim, token, id } = await setup("cap");
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.setFaults({ studyCap: { restTimeS: 900 } });
    const waiting = await driveUntil(id, (l) => l.reason === "study_cap");
    expect(waiting.status).toBe("running");
    const since = clock.now();
    await driveUntil(id, (l) => l.reason !== "study_cap");
    expect(clock.now() - since).toBeGreaterThanOrEqual(890_000);
    expect((await driveUntil(id, finished)).status).toBe("completed");
    expect((await logsOf(token, id)).some((l) => l.message.includes("学习时长上限"))).toBe(true);
  });

  it("5xx and 429: backs off with growing waits, then goes on", async () => {
    const { sim, token, id } = await setup("transient");
    await tick();
    await tick();
    // Each read is tried twice, so four 503s fail two steps in a row. The first back-off (2.5–5 s, random)
    // may be waited inside the alarm (a gap of at most 3 s is); the second (5–10 s) is an alarm of its own,
    // so the waiting task is seen whatever the random draw.
    sim.control.setFaults({ serverError: { times: 4 } });
    const t0 = clock.now();
    // The shortest jitter (the first wait 2.5 s): one run in five draws a wait that short, and the
    // reason must show however short the wait is.
    const random = vi.spyOn(Math, "random").mockReturnValue(0);
    try {
      await driveUntil(id, (l) => l.reason === "upstream");
    } finally {
      random.mockRestore();
    }
    sim.control.setFaults({ rateLimit: { times: 1 } });
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(clock.now() - t0).toBeGreaterThan(5_000);
    const warnings = (await logsOf(token, id)).filter((l) => l.level === "WARNING" && l.message.includes("秒后重试"));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });

  it("a step that keeps failing ends as a failed task with the reason; retry continues without redoing passed jobs", async () => {
    const { sim, token, account, id } = await setup("fail");
    // The video has passed (alarms chain light steps, so "at the document" may never be seen between them).
    await driveUntil(id, (l) => l.jobs_completed >= 1);
    sim.control.setFaults({ serverError: {} });
    const failed = await driveUntil(id, finished);
    expect(failed).toMatchObject({ status: "failed", reason: "upstream" });
    expect(failed.error_msg).toMatch(/超星服务持续异常/);
    const row = await api("GET", `/api/tasks/${id}`, { token });
    expect(row.body).toMatchObject({ status: "failed", error_msg: failed.error_msg });
    expect(await tick()).toBe(false);

    sim.control.clearFaults();
    const reportsBefore = sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/")).length;
    expect((await api("POST", `/api/tasks/${id}/retry`, { token })).body.task).toMatchObject({ status: "running", error_msg: null });
    expect((await driveUntil(id, finished)).status).toBe("completed");
    // The video had passed before the failure: not one more report for it.
    expect(sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/")).length).toBe(reportsBefore);
    expect((await logsOf(token, id)).filter((l) => l.message.includes("v.mp4 已完成"))).toHaveLength(1);
  });

  it("403 on a report (stale dtoken): fetches a fresh one and goes on", async () => {
    const { sim, account, id } = await setup("forbidden", course(300));
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.rotateDtokens(account.phone);
    expect((await driveUntil(id, finished)).status).toBe("completed");
    expect(await signals(id)).toContain("forbidden");
    const statusCalls = sim.control.requests(account.phone).filter((r) => r.path.includes("/ananas/status/"));
    expect(statusCalls.length).toBe(2);
  });

  it("JS-literal report replies are understood", async () => {
    const { sim, id } = await setup("literal");
    sim.control.setFaults({ jsLiteralReports: true });
    expect((await driveUntil(id, finished)).status).toBe("completed");
  });

  it("a face-check course is skipped with the reason and listed for the user", async () => {
    const { id } = await setup("face", { ...course(), name: "人脸课程", faceCheck: "flag" });
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(done.left_for_user).toEqual([expect.objectContaining({ course: "人脸课程", kind: "course", reason: expect.stringContaining("人脸识别") })]);
  });

  it("a wrong saved password fails the task with Chaoxing's reason", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("badpw");
    const account = await userWithAccount(sim, token, [course()]);
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: [account.courses[0]!.courseId] } });
    await api("PUT", "/api/user/config", { token, body: { cx_password: "not-the-password" } });
    await api("POST", `/api/tasks/${created.body.id}/start`, { token });
    const failed = await driveUntil(created.body.id, finished);
    expect(failed.status).toBe("failed");
    expect(failed.error_msg).toBe("登录超星失败: 用户名或密码错误");
  });
});
