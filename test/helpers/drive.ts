import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { clock } from "../../shared/clock";
import type { TaskLive } from "../../src/shared/live";
import { api } from "./api";
import type { InstalledSimulator } from "./sim";

/** Alarm times of every task object that has one. */
async function alarms(): Promise<{ stub: DurableObjectStub; at: number }[]> {
  const out: { stub: DurableObjectStub; at: number }[] = [];
  for (const id of await listDurableObjectIds(env.TASKS)) {
    const stub = env.TASKS.get(id);
    const at = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    if (at !== null) out.push({ stub, at });
  }
  return out;
}

/**
 * Runs the alarms that are due on the shared clock; if none is, first moves the clock to the earliest
 * one. Returns false when no alarm is set anywhere (nothing left to drive).
 */
export async function tick(): Promise<boolean> {
  const all = await alarms();
  if (all.length === 0) return false;
  const earliest = Math.min(...all.map((a) => a.at));
  if (earliest > clock.now()) clock.advance(earliest - clock.now());
  for (const a of all) if (a.at <= clock.now()) await runAlarm(a.stub);
  return true;
}

/** Runs the alarms that are due on the shared clock, without moving it. */
export async function runDue(): Promise<void> {
  for (const a of await alarms()) if (a.at <= clock.now()) await runAlarm(a.stub);
}

/**
 * Runs an object's alarm as the runtime does: with when it was due (the pool's runDurableObjectAlarm
 * gives no AlarmInvocationInfo; the task object dates a restart's last report from it).
 */
async function runAlarm(stub: DurableObjectStub): Promise<void> {
  await runInDurableObject(stub, async (instance: { alarm?(info?: AlarmInvocationInfo): void | Promise<void> }, state) => {
    const scheduledTime = await state.storage.getAlarm();
    if (scheduledTime === null) return;
    await state.storage.deleteAlarm();
    await instance.alarm?.({ isRetry: false, retryCount: 0, scheduledTime });
  });
}

export const taskLive = (id: number): Promise<TaskLive | null> => env.TASKS.getByName(`task:${id}`).live();

/** Drives alarms until `done(live)` holds for the task (or nothing is scheduled, or `maxTicks` pass). */
export async function driveUntil(id: number, done: (l: TaskLive) => boolean, maxTicks = 5000): Promise<TaskLive> {
  for (let i = 0; i < maxTicks; i++) {
    const live = await taskLive(id);
    if (live && done(live)) return live;
    if (!(await tick())) break;
  }
  const live = await taskLive(id);
  if (!live || !done(live)) throw new Error(`task ${id} did not reach the expected state: ${JSON.stringify(live)}`);
  return live;
}

export const finished = (l: TaskLive) => l.status !== "running";

/** A user whose saved Chaoxing account is a fresh simulator account with these courses. */
export async function userWithAccount(sim: InstalledSimulator, token: string, courses?: Parameters<InstalledSimulator["newAccount"]>[0]) {
  // A phone no earlier test of this file used: account objects (and their caches) outlive a simulator.
  const phone = `13${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;
  const account = sim.newAccount(courses, { phone });
  const r = await api("PUT", "/api/user/config", { token, body: { cx_username: account.phone, cx_password: account.password } });
  if (r.status !== 200) throw new Error(`config: ${r.status}`);
  return account;
}

/** Creates and starts a task over `courseIds`; returns its id. */
export async function startTask(token: string, courseIds: string[], extra: Record<string, unknown> = {}): Promise<number> {
  const created = await api("POST", "/api/tasks", { token, body: { name: "测试任务", course_ids: courseIds, ...extra } });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const started = await api("POST", `/api/tasks/${created.body.id}/start`, { token });
  if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  return created.body.id as number;
}
