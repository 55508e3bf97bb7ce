import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

const video = (name: string, duration: number): SimCourseSpec => ({ name, teacher: "冯老师", chapters: [{ title: "1", tabs: [[{ type: "video", name: `${name}.mp4`, duration }]] }] });

describe("one account shared by users", () => {
  it("another user's wrong password never costs the owner's session, and reaches Chaoxing once", async () => {
    const sim = installSimulator();
    const owner = await registerUser("owner");
    const intruder = await registerUser("intruder");
    const account = await userWithAccount(sim, owner.token, [video("甲", 300)]);
    const id = await startTask(owner.token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time >= 60);
    // Failed logins carry no session, so count them over the whole simulator.
    const loginCount = () => sim.control.requests().filter((r) => r.path.includes("fanyalogin")).length;
    const loginsBefore = loginCount();

    await api("PUT", "/api/user/config", { token: intruder.token, body: { cx_username: account.phone, cx_password: "guess-guess" } });
    // Five rounds: a sixth test-login would meet the per-user test-login throttle.
    for (let i = 0; i < 5; i++) {
      expect((await api("GET", "/api/courses/list", { token: intruder.token })).status).toBe(400);
      expect((await api("POST", "/api/user/config/test-login", { token: intruder.token })).body.ok).toBe(false);
    }
    const logins = loginCount();
    expect(logins - loginsBefore).toBe(1);
    expect((await driveUntil(id, finished)).status).toBe("completed");
    // The owner's task never had to log in again.
    expect(loginCount()).toBe(logins);
  });

  it("calls of two tasks on one account stay 0.5 s apart, and a holder that waited too long gives up the lock", async () => {
    const sim = installSimulator();
    const a = await registerUser("pa");
    const account = await userWithAccount(sim, a.token, [video("甲", 240), video("乙", 900)]);
    const t1 = await startTask(a.token, [account.courses[0]!.courseId]);
    await driveUntil(t1, (l) => l.item_current_time >= 60);
    const t2 = await startTask(a.token, [account.courses[1]!.courseId]);
    await driveUntil(t2, (l) => l.reason === "waiting_for_account");
    // Task 1 hits the study-time cap for 15 minutes: longer than a holder may sit on the lock.
    sim.control.setFaults({ studyCap: { restTimeS: 900 } });
    await driveUntil(t1, (l) => l.reason === "study_cap");
    // Task 2 takes over the stale lock and plays; task 1, back from its wait, queues instead of playing.
    await driveUntil(t2, (l) => l.item_current_time > 0 && l.reason === null);
    sim.control.clearFaults();
    expect(await driveUntil(t1, (l) => l.reason === "waiting_for_account")).toMatchObject({ queue_position: 1 });
    expect((await taskLive(t2))!.item_current_time).toBeLessThan(900);
    await driveUntil(t1, finished);
    await driveUntil(t2, finished);
    expect((await taskLive(t1))!.status).toBe("completed");
    expect((await taskLive(t2))!.status).toBe("completed");

    const reports = sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/"));
    const [j1, j2] = account.courses.map((c) => c.chapters[0]!.jobs[0]!.jobid);
    // Never two videos at once: between two reports of one job, no report of the other may come unless
    // that job's run was interrupted (a fresh isdrag 3 restarts it), which the simulator's progress shows.
    const p1 = sim.control.jobProgress(account.phone, j1!)!;
    const p2 = sim.control.jobProgress(account.phone, j2!)!;
    expect(p1.passed && p2.passed).toBe(true);
    const stepPaths = /\/(knowledge\/cards|ananas\/status|multimedia\/log|ananas\/job|studentstudyAjax|studentcourse)/;
    const calls = sim.control.requests(account.phone).filter((r) => stepPaths.test(r.path));
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(500);
    expect(reports.length).toBeGreaterThan(8);
  });
});

describe("contract corners", () => {
  it("cancelling a task that was cancelled before it started is a 409 naming its status", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("cc");
    const account = await userWithAccount(sim, token, [video("丙", 60)]);
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: [account.courses[0]!.courseId] } });
    await api("POST", `/api/tasks/${created.body.id}/cancel`, { token });
    const again = await api("POST", `/api/tasks/${created.body.id}/cancel`, { token });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("cancelled");
    expect((await api("POST", `/api/tasks/${created.body.id}/pause`, { token })).body.detail).toContain("cancelled");
  });

  it("a captcha answer Chaoxing cannot check (5xx) is a 502, and the task keeps waiting", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("c502");
    const account = await userWithAccount(sim, token, [video("丁", 120)]);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    await tick();
    sim.control.requireCaptcha(account.phone);
    await driveUntil(id, finished);
    sim.control.setFaults({ serverError: {} });
    const r = await api("POST", `/api/tasks/${id}/captcha`, { token, body: { code: "abcd" } });
    expect(r.status).toBe(502);
    expect((await taskLive(id))).toMatchObject({ status: "paused", reason: "captcha" });
  });

  // The login attempt bucket is per account and client (a guesser elsewhere cannot
  // lock the owner out), so the parallel guesses come from one client.
  it("parallel wrong logins for one account from one client cannot all pass the throttle", async () => {
    const { user } = await registerUser("par");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api("POST", "/api/auth/login", { body: { username: i % 2 ? user.username : user.email, password: "wrong-password" }, headers: { "CF-Connecting-IP": "203.0.113.77" } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    const n = await env.DB.prepare("SELECT count FROM rate_limits WHERE key = ?").bind(`login:acct:user:${user.id}:ip:203.0.113.77`).first<{ count: number }>();
    expect(n!.count).toBe(10);
  });
});
