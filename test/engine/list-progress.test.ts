import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../src/lib/clock";
import { api, registerUser } from "../helpers/api";
import { startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

/** Moves the shared clock by `ms`, running every task alarm that falls due on the way, in order. */
async function advance(ms: number): Promise<void> {
  const until = clock.now() + ms;
  for (;;) {
    const due: { stub: DurableObjectStub; at: number }[] = [];
    for (const id of await listDurableObjectIds(env.TASKS)) {
      const stub = env.TASKS.get(id);
      const at = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
      if (at !== null && at <= until) due.push({ stub, at });
    }
    if (due.length === 0) break;
    const next = Math.min(...due.map((d) => d.at));
    if (next > clock.now()) clock.advance(next - clock.now());
    for (const d of due) if (d.at <= clock.now()) await runDurableObjectAlarm(d.stub);
  }
  if (until > clock.now()) clock.advance(until - clock.now());
}

/**
 * How far behind the detail the list is at each sample: 0 when the list shows at least what the detail
 * shows now, else the time since the detail last showed no more than the list does (progress only grows
 * while a task runs).
 */
function staleness(history: { at: number; detail: number }[], at: number, list: number): number {
  const now = history.at(-1)!;
  if (list >= now.detail) return 0;
  const seen = history.filter((h) => h.detail <= list).at(-1);
  return seen ? at - seen.at : Infinity;
}

describe("GET /api/tasks while a task runs", () => {
  it("shows its progress at most 10 s behind its detail, over a running video, at one D1 round trip", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("listlive");
    const account = await userWithAccount(sim, token, [videoCourse(1200)]);
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 2 });

    const history: { at: number; detail: number }[] = [];
    let worst = 0;
    // Ten minutes of a 20-minute video at 2x, sampled every 2 s of simulated time.
    for (let i = 0; i < 300; i++) {
      await advance(2_000);
      const detail = await api("GET", `/api/tasks/${id}`, { token });
      const list = await api("GET", "/api/tasks", { token });
      expect(detail.body.status).toBe("running");
      history.push({ at: clock.now(), detail: detail.body.progress });
      const row = list.body.items.find((t: { id: number }) => t.id === id);
      worst = Math.max(worst, staleness(history, clock.now(), row.progress));
      // The list's other running figures come from the same place as the detail's.
      expect(row.study_seconds).toBeLessThanOrEqual(detail.body.study_seconds);
      expect(Number(list.headers.get("X-D1-Round-Trips"))).toBe(1);
    }
    // The video really moved the figure meanwhile (the measurement is not of a standing task).
    expect(history.at(-1)!.detail).toBeGreaterThan(40);
    expect(worst).toBeLessThanOrEqual(10_000);
    expect((await taskLive(id))!.status).toBe("running");
  });

  it("costs the running task's object no storage row (a read, not a write)", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("listrows");
    const account = await userWithAccount(sim, token, [videoCourse(600)]);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    await advance(95_000);
    const rows = { n: 0 };
    await runInDurableObject(env.TASKS.getByName(`task:${id}`), (_o, state) => {
      const { storage } = state;
      const setAlarm = storage.setAlarm.bind(storage);
      storage.setAlarm = (...a: Parameters<typeof setAlarm>) => (rows.n++, setAlarm(...a));
      const put = storage.kv.put.bind(storage.kv);
      storage.kv.put = (...a: Parameters<typeof put>) => (rows.n++, put(...a));
    });
    const before = (await taskLive(id))!.progress;
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) {
      clock.advance(500);
      const row = (await api("GET", "/api/tasks", { token })).body.items[0];
      expect(row.progress).toBeGreaterThanOrEqual(before);
    }
    expect(rows.n).toBe(0);
  });

  it("a task that is not running reads from its row, without asking its object", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("listrow");
    const account = await userWithAccount(sim, token, [videoCourse(60)]);
    const created = await api("POST", "/api/tasks", { token, body: { name: "未开始", course_ids: [account.courses[0]!.courseId] } });
    const list = await api("GET", "/api/tasks", { token });
    expect(list.body.items[0]).toMatchObject({ id: created.body.id, status: "pending", progress: 0 });
    // Never started: no object was made for it by the read.
    const names = (await listDurableObjectIds(env.TASKS)).map((x) => x.toString());
    expect(names).not.toContain(env.TASKS.idFromName(`task:${created.body.id}`).toString());
  });
});
