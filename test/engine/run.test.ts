import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import type { SimCourseSpec } from "../../src/simulator/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

const reportsOf = (sim: ReturnType<typeof installSimulator>, phone: string) =>
  sim.control.requests(phone).filter((r) => r.path.includes("/multimedia/log/"));

describe("a task over the demo courses", () => {
  it("works two demo courses end to end; every job we can do passes, the rest is left for the user (needs_you)", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("run");
    const account = await userWithAccount(sim, token);
    const [psych, marx] = account.courses;
    const id = await startTask(token, [psych!.courseId, marx!.courseId], { speed: 2 });
    const running = await api("GET", `/api/tasks/${id}`, { token });
    expect(running.body).toMatchObject({ status: "running", speed: 2, notopen_action: "retry", total_courses: 2 });

    const live = await driveUntil(id, finished);
    expect(live.status).toBe("completed");
    const detail = await api("GET", `/api/tasks/${id}`, { token });
    // The quiz and the closed chapter are left: completed, but not 100, and the second course not complete.
    expect(detail.body).toMatchObject({ status: "completed", completed_courses: 1, total_courses: 2, reason: "needs_you", error_msg: null });
    expect(detail.body.progress).toBeLessThan(100);
    expect(detail.body.progress).toBeGreaterThan(50);
    expect(detail.body.end_time).toMatch(/Z$/);
    // In the simulator, every job but the quiz and the closed chapter's video has passed.
    const snap = sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!;
    const byName = Object.fromEntries(snap.courses.map((c) => [c.name, c]));
    expect(byName[psych!.name]).toMatchObject({ finished: 5, total: 5 });
    expect(byName[marx!.name]!.total - byName[marx!.name]!.finished).toBe(2);
    const left = detail.body.left_for_user as { kind: string; item: string; chapter: string; course: string }[];
    expect(left.map((l) => l.kind).sort()).toEqual(["course", "quiz"]);
    expect(left.find((l) => l.kind === "quiz")).toMatchObject({ course: marx!.name, chapter: "1.2 章节测验", item: "第一章 章节测验" });
    // The D1 row mirrors the final state for lists and statistics.
    const list = await api("GET", "/api/tasks", { token });
    expect(list.body.items[0]).toMatchObject({ id, status: "completed", reason: "needs_you", progress: detail.body.progress, jobs_completed: 10 });
    expect(list.body.items[0].study_seconds).toBeGreaterThan(60);
  });

  it("reports on the player's cadence at the user's speed, never ahead of real time, and ends after the real time", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("pace");
    const account = await userWithAccount(sim, token, [videoOnly(300)]);
    const startAt = clock.now();
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1.5 });
    await driveUntil(id, finished);
    expect((await taskLive(id))!.status).toBe("completed");
    const reports = reportsOf(sim, account.phone);
    // 300 s at 1.5x: isdrag 3, one report per 60 s of media (40 s real) to the end at 200 s, then the end
    // report at most twice more, the last once the real 300 s have passed (2026; corrections of 2026-12, item 5).
    expect(reports.length).toBe(8);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.at - reports[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
    const gaps = reports.slice(1, 6).map((r, i) => r.at - reports[i]!.at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(43_000);
    // The positions ran at 1.5x, the end report passed once the video's real length had passed, not much later.
    expect(reports.findIndex((r) => /(^|&)isdrag=4(&|$)/.test(r.query))).toBe(5);
    expect(reports.slice(5).every((r) => /(^|&)isdrag=4(&|$)/.test(r.query))).toBe(true);
    expect(reports.at(-1)!.at - reports[0]!.at).toBeGreaterThanOrEqual(300_000 - 3_000);
    expect(clock.now() - startAt).toBeLessThan(300_000 + 60_000);
    // The engine's calls (one per step) are at least 0.5 s apart; a course-list page is one call of several requests.
    const stepPaths = /\/(fanyalogin|knowledge\/cards|ananas\/status|multimedia\/log|ananas\/job|studentstudyAjax|studentcourse)/;
    const all = sim.control.requests(account.phone).filter((r) => r.at >= startAt && stepPaths.test(r.path));
    expect(all.length).toBeGreaterThan(8);
    for (let i = 1; i < all.length; i++) expect(all[i]!.at - all[i - 1]!.at, `${all[i - 1]!.path} → ${all[i]!.path}`).toBeGreaterThanOrEqual(500);
  });
});

function videoOnly(duration: number, name = "视频课程"): SimCourseSpec {
  return { name, teacher: "王老师", chapters: [{ title: "1.1 视频", tabs: [[{ type: "video", name: `${name}.mp4`, duration }]] }] };
}

describe("restarts, pause and cancel", () => {
  it("survives object resets at many points and finishes with nothing redone or lost", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("reset");
    const account = await userWithAccount(sim, token, [
      { name: "重启课程", teacher: "赵老师", chapters: [
        { title: "1 视频", tabs: [[{ type: "video", name: "a.mp4", duration: 150 }, { type: "document", name: "d.pdf" }]] },
        { title: "2 阅读", tabs: [[{ type: "read", name: "r" }]] },
        { title: "3 空章节" },
        { title: "4 音频", tabs: [[{ type: "audio", name: "b.mp3", duration: 90 }]] },
      ] },
    ]);
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });
    for (let i = 0; i < 400; i++) {
      const live = await taskLive(id);
      if (live && live.status !== "running") break;
      if (i % 3 === 0) await abortAllDurableObjects();
      if (!(await tick())) break;
    }
    const live = await taskLive(id);
    expect(live!.status).toBe("completed");
    const logs = (await api("GET", `/api/tasks/${id}/logs?limit=500`, { token })).body as { message: string }[];
    for (const job of ["a.mp4 已完成", "d.pdf 已完成", "r 已完成", "b.mp3 已完成"]) {
      expect(logs.filter((l) => l.message.includes(job)), job).toHaveLength(1);
    }
    const snap = sim.control.snapshot().accounts.find((a) => a.phone === account.phone)!;
    expect(snap.courses[0]).toMatchObject({ finished: 4, total: 4 });
    // Only as many reports as a run without resets needs (isdrag 3, one a minute, the end).
    expect(reportsOf(sim, account.phone).length).toBeLessThanOrEqual(4 + 3 + 2 + 2);
  });

  it("pauses mid-video at once and resumes from the same playing time", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("pause");
    const account = await userWithAccount(sim, token, [videoOnly(600)]);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time >= 180);
    const paused = await api("POST", `/api/tasks/${id}/pause`, { token });
    expect(paused).toMatchObject({ status: 200, body: { task: { status: "paused", reason: "user" } } });
    const at = paused.body.task.item_current_time as number;
    const before = sim.control.requestCount(account.phone);
    clock.advance(3600_000);
    expect(await tick()).toBe(false); // no alarm left: nothing runs while paused
    expect(sim.control.requestCount(account.phone)).toBe(before);

    expect((await api("POST", `/api/tasks/${id}/resume`, { token })).body.task).toMatchObject({ status: "running", item_current_time: at });
    await tick();
    const jobid = sim.control.account(account.phone).courses[0]!.chapters[0]!.jobs[0]!.jobid;
    expect(sim.control.jobProgress(account.phone, jobid)!.playTimeS).toBe(at);
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    const logs = (await api("GET", `/api/tasks/${id}/logs`, { token })).body as { message: string }[];
    expect(logs.filter((l) => l.message.includes("开始播放"))).toHaveLength(1);
  });

  it("cancel stops at once: no further upstream request, and the video lock is freed", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("cancel");
    const account = await userWithAccount(sim, token, [videoOnly(600)]);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time > 60);
    const r = await api("POST", `/api/tasks/${id}/cancel`, { token });
    expect(r).toMatchObject({ status: 200, body: { task: { status: "cancelled", reason: "user" } } });
    const before = sim.control.requestCount(account.phone);
    for (let i = 0; i < 5; i++) {
      clock.advance(120_000);
      await tick();
    }
    expect(sim.control.requestCount(account.phone)).toBe(before);
    const lock = await env.PHONES.getByName(`phone:${account.phone}`).lockState();
    expect(lock.holder).toBeNull();
    const row = await env.DB.prepare("SELECT status, reason FROM tasks WHERE id = ?").bind(id).first();
    expect(row).toEqual({ status: "cancelled", reason: "user" });
  });
});

describe("one Chaoxing account, one video at a time", () => {
  it("two tasks (two users, one phone) take turns, the second waiting with its queue position", async () => {
    const sim = installSimulator();
    const a = await registerUser("share");
    const b = await registerUser("share");
    const account = await userWithAccount(sim, a.token, [videoOnly(120, "课程甲"), videoOnly(120, "课程乙")]);
    await api("PUT", "/api/user/config", { token: b.token, body: { cx_username: account.phone, cx_password: account.password } });
    const t1 = await startTask(a.token, [account.courses[0]!.courseId]);
    await tick();
    await tick();
    const t2 = await startTask(b.token, [account.courses[1]!.courseId]);
    const waiting = await driveUntil(t2, (l) => l.reason === "waiting_for_account");
    expect(waiting).toMatchObject({ status: "running", queue_position: 1 });
    const seen = await api("GET", `/api/tasks/${t2}`, { token: b.token });
    expect(seen.body).toMatchObject({ reason: "waiting_for_account", queue_position: 1 });
    await driveUntil(t1, finished);
    await driveUntil(t2, finished);
    // Reports of the two videos never interleave.
    const objects = sim.control.account(account.phone).courses.map((c) => c.chapters[0]!.jobs[0]!.jobid);
    const order = reportsOf(sim, account.phone).map((r) => r.path);
    const firstOfSecond = order.findIndex((p) => p.includes(objects[1]!) || false);
    expect(firstOfSecond === -1 || order.slice(firstOfSecond).every((p) => !p.includes(objects[0]!))).toBe(true);
    const t1Done = sim.control.jobProgress(account.phone, objects[0]!)!;
    const t2First = sim.control.jobProgress(account.phone, objects[1]!)!;
    expect(t2First.firstReportAt!).toBeGreaterThan(t1Done.firstReportAt! + 60_000);
    expect((await taskLive(t1))!.status).toBe("completed");
    expect((await taskLive(t2))!.status).toBe("completed");
  });

  it("a user who saved the phone with a wrong password cannot ride on another user's session", async () => {
    const sim = installSimulator();
    const a = await registerUser("owner");
    const b = await registerUser("intruder");
    const account = await userWithAccount(sim, a.token, [videoOnly(60)]);
    const t1 = await startTask(a.token, [account.courses[0]!.courseId]);
    await tick();
    await api("PUT", "/api/user/config", { token: b.token, body: { cx_username: account.phone, cx_password: "guessed-wrong" } });
    const r = await api("GET", "/api/courses/list", { token: b.token });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/^登录超星失败/);
    await driveUntil(t1, finished);
    expect((await taskLive(t1))!.status).toBe("completed");
  });
});

describe("progress", () => {
  it("never goes back while a task runs, and reaches 100 only when completed with nothing left", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("mono");
    const account = await userWithAccount(sim, token);
    const completable = account.courses.filter((c) => c.name === "大学生心理健康教育" || c.name === "中国近现代史纲要");
    const id = await startTask(token, completable.map((c) => c.courseId), { speed: 2 });
    const seen: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const live = (await taskLive(id))!;
      seen.push(live.progress);
      if (live.status !== "running") break;
      expect(live.progress).toBeLessThan(100);
      await tick();
    }
    expect(seen.at(-1)).toBe(100);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!, `step ${i}: ${seen.slice(Math.max(0, i - 3), i + 2)}`).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(new Set(seen).size).toBeGreaterThan(6);
  });
});
