import { env } from "cloudflare:workers";
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

// The task object is the single authority for a task's state. Every transition goes through it;
// races between transitions (and with deletes and deactivations) resolve in the object, never by a D1 row
// that the object does not know about, and never as a 500.

useFutureClock();

const long: SimCourseSpec = { name: "长课程", teacher: "吴老师", chapters: [{ title: "1", tabs: [[{ type: "video", name: "long.mp4", duration: 3600 }]] }] };
const longs = (n: number): SimCourseSpec[] => Array.from({ length: n }, (_, i) => ({ ...long, name: `长课程${i}` }));

async function owner(courses: SimCourseSpec[] = [long]) {
  const sim = installSimulator();
  const u = await registerUser("auth");
  const account = await userWithAccount(sim, u.token, courses);
  return { sim, ...u, account, courseIds: account.courses.map((c) => c.courseId) };
}

const create = async (token: string, courseIds: string[]) => (await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: courseIds } })).body.id as number;
const row = (id: number) => env.DB.prepare("SELECT status, reason FROM tasks WHERE id = ?").bind(id).first<{ status: string; reason: string | null }>();
/** Lets the other side of a race get `n` steps ahead: each D1 round trip is one await. */
const yieldFor = async (n: number) => {
  for (let i = 0; i < n; i++) await env.DB.prepare("SELECT 1").first();
};

describe("a task whose user is deactivated stops in its object", () => {
  it("start racing a deactivation: the object and the row agree, nothing keeps studying, and the task can still be handled", async () => {
    const admin = await registerAdmin();
    for (let lag = 0; lag < 8; lag++) {
      const { token, user, courseIds, sim, account } = await owner();
      const id = await create(token, courseIds);
      const start = api("POST", `/api/tasks/${id}/start`, { token });
      await yieldFor(lag);
      const deactivate = api("PUT", `/api/admin/users/${user.id}`, { token: admin.token, body: { is_active: false } });
      const [s, d] = await Promise.all([start, deactivate]);
      expect([200, 401, 409], `start lag ${lag}`).toContain(s.status);
      expect(d.status).toBe(200);
      for (let i = 0; i < 5; i++) await tick();
      const live = await taskLive(id);
      // Whatever won the race, the user is deactivated: the task is cancelled in its object and in D1.
      expect(live?.status, `lag ${lag}`).toBe("cancelled");
      expect(await row(id), `lag ${lag}`).toEqual({ status: "cancelled", reason: "account_disabled" });
      const before = sim.control.requestCount(account.phone);
      for (let i = 0; i < 5; i++) await tick();
      expect(sim.control.requestCount(account.phone)).toBe(before);
      // An admin can still delete it (it is not stuck in a state every action refuses).
      expect((await api("DELETE", `/api/admin/users/${user.id}`, { token: admin.token })).status).toBe(200);
    }
  });

  it("cancelling a pending task goes through its object: a start that passed the route's checks cannot revive it", async () => {
    const { token, courseIds } = await owner();
    const id = await create(token, courseIds);
    expect((await api("POST", `/api/tasks/${id}/cancel`, { token })).status).toBe(200);
    expect((await taskLive(id))?.status).toBe("cancelled");
    expect((await api("POST", `/api/tasks/${id}/start`, { token })).status).toBe(409);
  });
});

describe("the running-task cap is enforced atomically", () => {
  it("6 parallel starts with a cap of 3 leave exactly 3 running", async () => {
    const { token, courseIds } = await owner(longs(6));
    const ids: number[] = [];
    for (const c of courseIds) ids.push(await create(token, [c]));
    const results = await Promise.all(ids.map((id) => api("POST", `/api/tasks/${id}/start`, { token })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409)).toHaveLength(3);
    const lives = await Promise.all(ids.map((id) => taskLive(id)));
    expect(lives.filter((l) => l?.status === "running")).toHaveLength(3);
    // Resume and retry race the same way: free one slot, then race two others for it.
    const running = ids.filter((_, i) => lives[i]?.status === "running");
    const waiting = ids.filter((_, i) => lives[i]?.status !== "running");
    await api("POST", `/api/tasks/${running[0]}/pause`, { token });
    const again = await Promise.all(waiting.slice(0, 2).map((id) => api("POST", `/api/tasks/${id}/start`, { token })));
    expect(again.filter((r) => r.status === 200)).toHaveLength(1);
    for (const id of ids) await api("POST", `/api/tasks/${id}/cancel`, { token });
  });
});

describe("transitions racing a delete answer 404/409, never 500", () => {
  it("start, pause, cancel and retry raced with a delete", async () => {
    const { token, courseIds } = await owner();
    const seen: number[] = [];
    for (const action of ["start", "pause", "cancel", "retry"] as const) {
      for (let lag = 0; lag < 6; lag++) {
        const id = await create(token, courseIds);
        // Bring the task into a state where the action applies and delete is allowed or about to be.
        if (action === "pause") await api("POST", `/api/tasks/${id}/start`, { token });
        if (action === "retry") await api("POST", `/api/tasks/${id}/cancel`, { token });
        const act = api("POST", `/api/tasks/${id}/${action}`, { token });
        await yieldFor(lag);
        const del = api("DELETE", `/api/tasks/${id}`, { token });
        const [a, d] = await Promise.all([act, del]);
        seen.push(a.status, d.status);
        expect([200, 404, 409], `${action} lag ${lag}: ${JSON.stringify(a.body)}`).toContain(a.status);
        expect([200, 404, 409], `delete lag ${lag}: ${JSON.stringify(d.body)}`).toContain(d.status);
        // Whoever won, the task is either gone or in a state the API can still act on.
        if (d.status === 200) expect(await taskLive(id)).toBeNull();
        else await api("POST", `/api/tasks/${id}/cancel`, { token });
      }
    }
    expect(seen).not.toContain(500);
  });
});

describe("cancel racing a start", () => {
  it("a 200 to cancel means the task is cancelled, in the object and in D1", async () => {
    const { token, courseIds } = await owner();
    for (let lag = 0; lag < 10; lag++) {
      const id = await create(token, courseIds);
      const start = api("POST", `/api/tasks/${id}/start`, { token });
      await yieldFor(lag % 5);
      const [s, c] = await Promise.all([start, api("POST", `/api/tasks/${id}/cancel`, { token })]);
      expect([200, 409]).toContain(s.status);
      if (c.status === 200) {
        expect((await taskLive(id))?.status, `lag ${lag}`).toBe("cancelled");
        expect((await row(id))?.status, `lag ${lag}`).toBe("cancelled");
      } else {
        expect(c.status).toBe(409);
        await api("POST", `/api/tasks/${id}/cancel`, { token });
      }
    }
  });
});

describe("a failed D1 mirror never leaves the object and the row disagreeing", () => {
  /** Makes every UPDATE of one task row fail, as a D1 outage would. */
  const breakMirror = (id: number) =>
    env.DB.prepare(`CREATE TRIGGER fail_mirror_${id} BEFORE UPDATE ON tasks WHEN NEW.id = ${id} BEGIN SELECT RAISE(ABORT, 'injected outage'); END`).run();
  const mendMirror = (id: number) => env.DB.prepare(`DROP TRIGGER fail_mirror_${id}`).run();

  it("a pause whose mirror fails is still a pause (stored, surviving an eviction), and the row catches up", async () => {
    const { token, courseIds } = await owner();
    const id = await create(token, courseIds);
    await api("POST", `/api/tasks/${id}/start`, { token });
    await tick();
    await breakMirror(id);
    const r = await api("POST", `/api/tasks/${id}/pause`, { token });
    expect(r.status).toBe(200);
    expect(r.body.task.status).toBe("paused");
    await abortAllDurableObjects();
    expect((await taskLive(id))?.status).toBe("paused");
    await mendMirror(id);
    for (let i = 0; i < 3 && (await row(id))?.status !== "paused"; i++) await tick();
    expect(await row(id)).toEqual({ status: "paused", reason: "user" });
    // And the task is still usable: resume and cancel work.
    expect((await api("POST", `/api/tasks/${id}/resume`, { token })).status).toBe(200);
    expect((await api("POST", `/api/tasks/${id}/cancel`, { token })).status).toBe(200);
  });

  it("a start whose mirror fails runs, and the row is brought up to date by the object", async () => {
    const { token, courseIds } = await owner();
    const id = await create(token, courseIds);
    await breakMirror(id);
    const r = await api("POST", `/api/tasks/${id}/start`, { token });
    expect(r.status).toBe(200);
    expect((await taskLive(id))?.status).toBe("running");
    await mendMirror(id);
    for (let i = 0; i < 3 && (await row(id))?.status !== "running"; i++) await tick();
    expect((await row(id))?.status).toBe("running");
    // The list (from D1) and the object agree, so every action works from here.
    expect((await api("POST", `/api/tasks/${id}/pause`, { token })).status).toBe(200);
    expect((await api("POST", `/api/tasks/${id}/cancel`, { token })).status).toBe(200);
  });
});
