import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerUser } from "../helpers/api";
import { authMatrix } from "../helpers/auth-matrix";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

const long: SimCourseSpec = { name: "长课程", teacher: "吴老师", chapters: [{ title: "1", tabs: [[{ type: "video", name: "long.mp4", duration: 3600 }]] }] };
const docs = (n: number): SimCourseSpec => ({ name: `文档课程${n}`, teacher: "郑老师", chapters: [{ title: "1", tabs: [[{ type: "document", name: `doc${n}.pdf` }]] }] });

async function owner(courses: SimCourseSpec[] = [long]) {
  const sim = installSimulator();
  const u = await registerUser("own");
  const account = await userWithAccount(sim, u.token, courses);
  return { sim, ...u, account, courseIds: account.courses.map((c) => c.courseId) };
}

describe("POST /api/tasks", () => {
  it("creates a pending task with the seed's fields", async () => {
    const { token, user, courseIds } = await owner();
    const r = await api("POST", "/api/tasks", { token, body: { name: "学习任务", course_ids: courseIds } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ user_id: user.id, name: "学习任务", course_ids: courseIds, status: "pending", progress: 0, start_time: null, end_time: null, error_msg: null, completed_courses: 0, total_courses: 1, speed: null, notopen_action: null, left_for_user: [] });
    expect(r.body.created_at).toMatch(/Z$/);
  });

  it("validates name, course ids, speed and notopen_action, and writes nothing on error", async () => {
    const { token, courseIds } = await owner();
    for (const body of [
      { name: "", course_ids: courseIds },
      { name: "x".repeat(101), course_ids: courseIds },
      { name: "t", course_ids: [] },
      { name: "t", course_ids: ["abc"] },
      { name: "t", course_ids: courseIds, speed: 2.5 },
      { name: "t", course_ids: courseIds, speed: 1.05 },
      { name: "t", course_ids: courseIds, notopen_action: "never" },
    ]) {
      const r = await api("POST", "/api/tasks", { token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.errors.length).toBeGreaterThan(0);
    }
    const unknown = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: ["999999999"] } });
    expect(unknown).toMatchObject({ status: 400, body: { errors: [{ field: "course_ids" }] } });
    expect(unknown.body.detail).toContain("999999999");
    expect((await api("GET", "/api/tasks", { token })).body.total).toBe(0);
  });

  it("needs a saved Chaoxing account", async () => {
    installSimulator();
    const { token } = await registerUser("noacct");
    const r = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: ["1"] } });
    expect(r).toMatchObject({ status: 400, body: { detail: "请先配置超星账号" } });
  });

  it("takes per-task speed and notopen_action; without them the config at start applies", async () => {
    const { token, courseIds } = await owner();
    const own = await startTask(token, courseIds, { speed: 1.8, notopen_action: "continue" });
    expect(await taskLive(own)).toMatchObject({ speed: 1.8, notopen_action: "continue" });
    await api("POST", `/api/tasks/${own}/cancel`, { token });
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: courseIds } });
    await api("PUT", "/api/user/config", { token, body: { speed: 1.3, notopen_action: "ask" } });
    const started = await api("POST", `/api/tasks/${created.body.id}/start`, { token });
    expect(started.body.task).toMatchObject({ speed: 1.3, notopen_action: "ask" });
    await api("POST", `/api/tasks/${created.body.id}/cancel`, { token });
  });
});

describe("transitions", () => {
  it("allows exactly the contract's transitions; anything else is 409 naming the status", async () => {
    const { token, courseIds } = await owner();
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: courseIds } });
    const id = created.body.id;
    const post = (action: string, body?: unknown) => api("POST", `/api/tasks/${id}/${action}`, { token, body });
    for (const a of ["pause", "resume", "retry"]) {
      const r = await post(a);
      expect(r.status, a).toBe(409);
      expect(r.body).toMatchObject({ code: "task_state", status: "pending" });
      expect(r.body.detail).toContain("pending");
    }
    expect((await post("start")).status).toBe(200);
    expect((await post("start")).body.detail).toContain("running");
    expect((await post("resume")).status).toBe(409);
    expect((await post("retry")).status).toBe(409);
    const del = await api("DELETE", `/api/tasks/${id}`, { token });
    expect(del).toMatchObject({ status: 409, body: { code: "task_state", status: "running" } });
    expect((await post("pause")).status).toBe(200);
    expect((await post("pause")).body.detail).toContain("paused");
    expect((await post("resume")).status).toBe(200);
    expect((await post("cancel")).body.task).toMatchObject({ status: "cancelled", reason: "user" });
    expect((await post("cancel")).status).toBe(409);
    expect((await post("pause")).status).toBe(409);
    expect((await post("retry")).body.task.status).toBe("running");
    await post("cancel");
  });

  it("cancels a pending task, and retry of a never-started task starts it", async () => {
    const { token, courseIds } = await owner([docs(1)]);
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: courseIds } });
    const id = created.body.id;
    expect((await api("POST", `/api/tasks/${id}/cancel`, { token })).body.task).toMatchObject({ status: "cancelled", reason: "user" });
    expect((await api("POST", `/api/tasks/${id}/retry`, { token })).body.task.status).toBe("running");
    expect((await driveUntil(id, finished)).status).toBe("completed");
    expect((await api("POST", `/api/tasks/${id}/retry`, { token })).status).toBe(409);
  });

  it("caps running tasks per user at MAX_RUNNING_TASKS (3)", async () => {
    const { token, courseIds } = await owner([docs(1), docs(2), docs(3), docs(4)]);
    const ids = [];
    for (const c of courseIds) ids.push((await api("POST", "/api/tasks", { token, body: { name: c, course_ids: [c] } })).body.id);
    for (const id of ids.slice(0, 3)) expect((await api("POST", `/api/tasks/${id}/start`, { token })).status).toBe(200);
    const fourth = await api("POST", `/api/tasks/${ids[3]}/start`, { token });
    expect(fourth.status).toBe(409);
    expect(fourth.body.detail).toContain("3");
    await api("POST", `/api/tasks/${ids[0]}/pause`, { token });
    expect((await api("POST", `/api/tasks/${ids[3]}/start`, { token })).status).toBe(200);
    expect((await api("POST", `/api/tasks/${ids[0]}/resume`, { token })).status).toBe(409);
    for (const id of ids) await api("POST", `/api/tasks/${id}/cancel`, { token });
  });
});

describe("reads, logs and delete", () => {
  it("lists with pagination and a status filter", async () => {
    const { token, courseIds } = await owner([docs(1)]);
    for (let i = 0; i < 5; i++) await api("POST", "/api/tasks", { token, body: { name: `t${i}`, course_ids: courseIds } });
    const page = await api("GET", "/api/tasks?page=2&page_size=2", { token });
    expect(page.body).toMatchObject({ total: 5, page: 2, page_size: 2, total_pages: 3 });
    expect(page.body.items.map((t: { name: string }) => t.name)).toEqual(["t2", "t1"]);
    expect((await api("GET", "/api/tasks?status=running", { token })).body.total).toBe(0);
    expect((await api("GET", "/api/tasks?page_size=101", { token })).status).toBe(400);
    expect((await api("GET", "/api/tasks?status=weird", { token })).status).toBe(400);
  });

  it("serves logs newest last, with after_id, limit and level", async () => {
    const { token, courseIds } = await owner([docs(1), docs(2)]);
    const id = await startTask(token, courseIds);
    await driveUntil(id, finished);
    const all = (await api("GET", `/api/tasks/${id}/logs`, { token })).body as { id: number; task_id: number; level: string; message: string; created_at: string }[];
    expect(all.length).toBeGreaterThan(5);
    expect(all[0]).toMatchObject({ task_id: id, level: "INFO" });
    expect(all.map((l) => l.id)).toEqual([...all.map((l) => l.id)].sort((a, b) => a - b));
    const after = (await api("GET", `/api/tasks/${id}/logs?after_id=${all[1]!.id}&limit=2`, { token })).body;
    expect(after.map((l: { id: number }) => l.id)).toEqual([all[2]!.id, all[3]!.id]);
    const last = (await api("GET", `/api/tasks/${id}/logs?limit=1`, { token })).body;
    expect(last[0].id).toBe(all.at(-1)!.id);
    expect((await api("GET", `/api/tasks/${id}/logs?level=ERROR`, { token })).body).toEqual([]);
    expect((await api("GET", `/api/tasks/${id}/logs?limit=501`, { token })).status).toBe(400);
    const detail = await api("GET", `/api/tasks/${id}`, { token });
    expect(detail.body.logs).toEqual(all);
  });

  it("delete removes the row, its logs and the object's storage", async () => {
    const { token, courseIds } = await owner([docs(1)]);
    const id = await startTask(token, courseIds);
    await driveUntil(id, finished);
    expect((await api("DELETE", `/api/tasks/${id}`, { token })).status).toBe(200);
    expect((await api("GET", `/api/tasks/${id}`, { token })).status).toBe(404);
    expect(await taskLive(id)).toBeNull();
    const logs = await env.DB.prepare("SELECT count(*) AS n FROM task_logs WHERE task_id = ?").bind(id).first<{ n: number }>();
    expect(logs!.n).toBe(0);
  });
});

describe("ownership", () => {
  it("another user's task is a 404 on every route, and nothing changes", async () => {
    const { token, courseIds } = await owner();
    const id = await startTask(token, courseIds);
    await tick();
    const other = await registerUser("other");
    for (const [m, p] of [
      ["GET", ""], ["GET", "/logs"], ["GET", "/captcha"], ["POST", "/start"], ["POST", "/pause"], ["POST", "/resume"],
      ["POST", "/cancel"], ["POST", "/retry"], ["DELETE", ""],
    ] as const) {
      const r = await api(m, `/api/tasks/${id}${p}`, { token: other.token });
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.body.detail).toBe("任务不存在");
    }
    expect((await api("POST", `/api/tasks/${id}/captcha`, { token: other.token, body: { code: "abcd" } })).status).toBe(404);
    expect((await taskLive(id))!.status).toBe("running");
    expect((await api("GET", "/api/tasks", { token: other.token })).body.total).toBe(0);
    await api("POST", `/api/tasks/${id}/cancel`, { token });
  });
});

authMatrix([
  { method: "GET", path: "/api/tasks" },
  { method: "POST", path: "/api/tasks", body: { name: "t", course_ids: ["1"] } },
  { method: "GET", path: "/api/tasks/1" },
  { method: "POST", path: "/api/tasks/1/start" },
  { method: "POST", path: "/api/tasks/1/pause" },
  { method: "POST", path: "/api/tasks/1/resume" },
  { method: "POST", path: "/api/tasks/1/cancel" },
  { method: "POST", path: "/api/tasks/1/retry" },
  { method: "DELETE", path: "/api/tasks/1" },
  { method: "GET", path: "/api/tasks/1/logs" },
  { method: "GET", path: "/api/tasks/1/captcha" },
  { method: "POST", path: "/api/tasks/1/captcha", body: { code: "abcd" } },
]);
