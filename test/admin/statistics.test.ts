import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import { renderText, type TextCode, type TextParams } from "../../src/shared/texts";
import { api, registerAdmin } from "../helpers/api";
import { insertTask } from "./fixtures";

/**
 * "Now" is 2030-03-14T20:00Z, which is already 2030-03-15 04:00 in Asia/Shanghai: a figure computed on
 * UTC days would differ from one on Shanghai days, so these exact values pin the time zone.
 */
const NOW = Date.parse("2030-03-14T20:00:00.000Z");

async function insertUser(name: string, createdAt: string, active = true): Promise<number> {
  const r = await env.DB.prepare("INSERT INTO users (username, email, password_hash, is_active, created_at) VALUES (?, ?, 'x', ?, ?) RETURNING id")
    .bind(name, `${name}@example.com`, active ? 1 : 0, createdAt)
    .first<{ id: number }>();
  return r!.id;
}

const insertEvents = (kind: string, at: string, n = 1) =>
  env.DB.batch(Array.from({ length: n }, () => env.DB.prepare("INSERT INTO upstream_events (kind, created_at) VALUES (?, ?)").bind(kind, at)));

const studyDay = (taskId: number, userId: number, day: string, seconds: number) =>
  env.DB.prepare("INSERT INTO study_days (task_id, user_id, day, seconds) VALUES (?, ?, ?, ?)").bind(taskId, userId, day, seconds).run();

beforeEach(async () => {
  // Exact figures need a known database: this file starts each test from empty tables (storage is per file).
  await env.DB.batch(["DELETE FROM users", "DELETE FROM upstream_events", "DELETE FROM admin_audit"].map((q) => env.DB.prepare(q)));
  clock.setNow(NOW);
});

const stats = async (token: string) => {
  const r = await api("GET", "/api/admin/statistics", { token });
  expect(r.status).toBe(200);
  return r.body;
};

describe("GET /api/admin/statistics", () => {
  it("computes every figure exactly from a known set of users, tasks, study days and upstream events", async () => {
    const { token } = await registerAdmin(); // created now: active, new
    const u1 = await insertUser("old", "2030-03-01T00:00:00.000Z");
    await insertUser("recent-off", "2030-03-10T00:00:00.000Z", false);
    await insertUser("fresh", "2030-03-14T10:00:00.000Z");

    const done1 = await insertTask(u1, { status: "completed", end_time: "2030-03-14T16:30:00.000Z", study_seconds: 3600, jobs_completed: 5 }); // 00:30 today (Shanghai)
    const done2 = await insertTask(u1, { status: "completed", end_time: "2030-03-14T15:59:00.000Z", study_seconds: 1800, jobs_completed: 3 }); // 23:59 yesterday
    const fail1 = await insertTask(u1, { status: "failed", end_time: "2030-03-14T19:00:00.000Z", study_seconds: 600, jobs_completed: 1 });
    await insertTask(u1, { status: "failed", end_time: "2030-03-10T00:00:00.000Z" });
    const cancelled = await insertTask(u1, { status: "cancelled", reason: "user", study_seconds: 900, jobs_completed: 2 });
    const running = await insertTask(u1, { status: "running", study_seconds: 300 });
    await insertTask(u1, { status: "paused", reason: "captcha" });
    await insertTask(u1);

    await studyDay(done1, u1, "2030-03-15", 3600);
    await studyDay(running, u1, "2030-03-15", 300);
    await studyDay(done2, u1, "2030-03-14", 1800);
    await studyDay(cancelled, u1, "2030-02-14", 900); // the 30th day back: inside
    await studyDay(fail1, u1, "2030-02-13", 600); // the 31st: outside

    const inside = "2030-03-07T20:05:00.000Z";
    await insertEvents("captcha", inside, 2);
    await insertEvents("study_cap", "2030-03-14T19:00:00.000Z");
    await insertEvents("session_expired", inside, 3);
    await insertEvents("forbidden", inside);
    await insertEvents("transient", inside, 2);
    await insertEvents("rate_limited", inside);
    await insertEvents("bad_response", inside);
    await insertEvents("face_check", inside);
    await insertEvents("risk_control", inside, 2);
    await insertEvents("captcha", "2030-03-07T19:55:00.000Z"); // just over 7 days ago: outside

    const s = await stats(token);
    const { studyHoursByDay, upstreamFailures, ...rest } = s;
    expect(rest).toEqual({
      totalUsers: 4,
      activeUsers: 3,
      totalTasks: 8,
      runningTasks: 1,
      completedTasks: 2,
      failedTasks: 2,
      todayCompleted: 1,
      todayFailed: 1,
      successRate: 50,
      // A count, as the origin sends it (seed-wire-shapes.md); the sentences and codes have fields of their own.
      warnings: 2,
      warning_messages: ["近 7 天超星拒绝访问（403）1 次，账号可能被风控", "1 个任务因验证码暂停，等待用户输入"],
      warning_codes: [{ code: "warn.forbidden_7d", params: { forbidden: 1 } }, { code: "warn.captcha_waiting", params: { n: 1 } }],
      users: { total: 4, active: 3, new7d: 3 },
      tasksByStatus: { pending: 1, running: 1, paused: 1, completed: 2, failed: 2, cancelled: 1 },
      studyHoursTotal: 2,
      jobsCompleted: 11,
      completionRate: 40,
    });
    expect(studyHoursByDay).toHaveLength(30);
    expect(studyHoursByDay[0]).toEqual({ day: "2030-02-14", hours: 0.25 });
    expect(studyHoursByDay.at(-2)).toEqual({ day: "2030-03-14", hours: 0.5 });
    expect(studyHoursByDay.at(-1)).toEqual({ day: "2030-03-15", hours: 1.08 });
    expect(studyHoursByDay.slice(1, 28).every((d: { hours: number }) => d.hours === 0)).toBe(true);
    expect(upstreamFailures).toEqual({
      since: expect.stringMatching(/^2030-03-07T20:00:/),
      captcha: 2,
      studyCap: 1,
      sessionExpired: 3,
      forbidden: 1,
      transient: 4,
      // Risk control is counted on its own, not among "other".
      riskControl: 2,
      other: 1,
      total: 14,
      byKind: { captcha: 2, study_cap: 1, session_expired: 3, forbidden: 1, transient: 2, rate_limited: 1, bad_response: 1, face_check: 1, risk_control: 2 },
    });
  });

  it("is all zeros on an empty system (but the caller), with 30 days ending today in Shanghai", async () => {
    const { token } = await registerAdmin();
    const s = await stats(token);
    expect(s).toMatchObject({
      totalUsers: 1, activeUsers: 1, totalTasks: 0, runningTasks: 0, todayCompleted: 0, todayFailed: 0, successRate: 0, completionRate: 0,
      studyHoursTotal: 0, jobsCompleted: 0, warnings: 0, warning_messages: [], warning_codes: [], users: { total: 1, active: 1, new7d: 1 },
      upstreamFailures: { total: 0, other: 0, byKind: {} },
    });
    expect(s.studyHoursByDay.map((d: { day: string }) => d.day).slice(-2)).toEqual(["2030-03-14", "2030-03-15"]);
  });

  it("'today' follows the shared clock across the Shanghai midnight", async () => {
    const { token } = await registerAdmin();
    const u = await insertUser("mid", "2030-03-01T00:00:00.000Z");
    await insertTask(u, { status: "completed", end_time: "2030-03-14T16:30:00.000Z" });
    expect((await stats(token)).todayCompleted).toBe(1);
    clock.advance(20 * 3600_000); // 2030-03-16 00:00 in Shanghai
    const s = await stats(token);
    expect(s.todayCompleted).toBe(0);
    expect(s.studyHoursByDay.at(-1).day).toBe("2030-03-16");
  });

  it("warns about failing tasks and many upstream failures", async () => {
    const { token } = await registerAdmin();
    const u = await insertUser("bad", "2030-03-01T00:00:00.000Z");
    for (let i = 0; i < 3; i++) await insertTask(u, { status: "failed", end_time: "2030-03-14T17:00:00.000Z" });
    await insertTask(u, { status: "completed", end_time: "2030-03-14T17:00:00.000Z" });
    await insertEvents("transient", "2030-03-14T10:00:00.000Z", 45);
    await insertEvents("captcha", "2030-03-14T10:00:00.000Z", 5);
    const s = await stats(token);
    expect(s.warnings).toBe(2);
    expect(s.warning_messages).toEqual([
      "今日失败任务 3 个，多于完成的 1 个",
      "近 7 天超星异常 50 次（验证码 5，学习时长上限 0，会话过期 0，403 0，临时错误 45）",
    ]);
    // The same warnings as codes with their figures, for the dashboard's own wording in zh-CN and en.
    expect(s.warning_codes).toEqual([
      { code: "warn.failed_today", params: { failed: 3, completed: 1 } },
      { code: "warn.upstream_7d", params: { total: 50, captcha: 5, study_cap: 0, session_expired: 0, forbidden: 0, transient: 45 } },
    ]);
    expect(s.warning_codes.map((w: { code: TextCode; params: TextParams }) => renderText("en", w.code, w.params))).toEqual([
      "3 tasks failed today, more than the 1 completed",
      "50 Chaoxing failures in 7 days (captcha 5, study-time limit 0, session expired 0, 403 0, transient 45)",
    ]);
  });
});

describe("GET /api/admin/statistics in the OpenAPI document", () => {
  it("declares warnings a count and the sentences and codes as fields of their own", async () => {
    const doc = (await api("GET", "/api/openapi.json")).body;
    const props = doc.components.schemas.AdminStatistics.properties;
    expect(props.warnings).toMatchObject({ type: "integer" });
    expect(props.warning_messages).toMatchObject({ type: "array", items: { type: "string" } });
    expect(props.warning_codes).toMatchObject({ type: "array" });
    for (const f of ["warnings", "warning_messages", "warning_codes"]) expect(props[f].description, f).toBeTruthy();
    expect(doc.components.schemas.AdminStatistics.required).toEqual(expect.arrayContaining(["warnings", "warning_messages", "warning_codes"]));
  });
});
