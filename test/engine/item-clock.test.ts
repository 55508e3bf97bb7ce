import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import type { TaskLive } from "../../src/shared/live";
import { api, registerUser } from "../helpers/api";
import { driveUntil, runDue, startTask, taskLive, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

const VIDEO_S = 5 * 60;

async function playing(courseExtra: Parameters<typeof videoCourse>[1], speed: number) {
  const sim = installSimulator();
  const { token } = await registerUser("clock");
  const account = await userWithAccount(sim, token, [videoCourse(VIDEO_S, courseExtra)]);
  const id = await startTask(token, [account.courses[0]!.courseId], { speed });
  return { sim, token, account, id };
}

/** The clock read both ways a client reads it: the task's detail and its live view. */
async function read(token: string, id: number): Promise<{ detail: TaskLive; live: TaskLive }> {
  return { detail: (await api("GET", `/api/tasks/${id}`, { token })).body as TaskLive, live: (await taskLive(id))! };
}

describe("the item clock tells the truth", () => {
  it("in a course that forbids fast playback it runs at 1× under a 2× task, and never goes back over a whole video, sampled each second", async () => {
    const { token, id } = await playing({ schooldoublespeed: 0 }, 2);
    await driveUntil(id, (l) => l.item_speed > 0);
    const seen: number[] = [];
    const at: number[] = [];
    let last: TaskLive | null = null;
    for (let s = 0; s < VIDEO_S + 120; s++) {
      clock.advance(1000);
      await runDue();
      const { detail, live } = await read(token, id);
      last = live;
      if (!live.current_item) break;
      // The same clock both ways (the shared clock also moves with the wall clock between two reads).
      expect(Math.abs(detail.item_current_time - live.item_current_time)).toBeLessThanOrEqual(1);
      expect([0, 1]).toContain(live.item_speed);
      expect(live.item_current_time).toBeLessThanOrEqual(live.item_time_limit);
      seen.push(live.item_current_time);
      at.push(clock.now());
    }
    expect(last!.status).toBe("completed");
    expect(seen.length).toBeGreaterThan(VIDEO_S - 10);
    for (let i = 1; i < seen.length; i++) {
      // Never back; at most one second per second (1×), whatever the reports do. (A step's pacing waits
      // move the shared clock too, so a sample can come more than a second after the one before.)
      const step = `at ${i}: ${seen[i - 1]} → ${seen[i]} in ${at[i]! - at[i - 1]!} ms`;
      expect(seen[i]! - seen[i - 1]!, step).toBeGreaterThanOrEqual(0);
      expect(seen[i]! - seen[i - 1]!, step).toBeLessThanOrEqual(Math.ceil((at[i]! - at[i - 1]!) / 1000) + 1);
    }
    // Over the video it kept pace with real time: a 5-minute video takes about 5 minutes on the clock.
    const moving = seen.findIndex((t) => t >= VIDEO_S - 1);
    expect(moving).toBeGreaterThan(VIDEO_S - 20);
  });

  it("runs at 1× from the start under a 2× task when the video would end too far ahead of real time (src/shared/pacing.ts `playSpeed`)", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("clock");
    // 20 minutes at 2× end 10 minutes ahead of real time: more than three end reports cover.
    const account = await userWithAccount(sim, token, [videoCourse(20 * 60)]);
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 2 });
    const first = await driveUntil(id, (l) => l.item_speed > 0);
    expect(first.item_speed).toBe(1);
    clock.advance(30_000);
    await runDue();
    const later = (await taskLive(id))!;
    expect(later.item_speed).toBe(1);
    expect(later.item_current_time - first.item_current_time).toBeLessThanOrEqual(31);
  });

  it("starts again, once and at 1×, when a video is watched again from the start (an end the platform did not credit)", async () => {
    const { token, id } = await playing({ strictRealTime: true }, 2);
    const atEnd = await driveUntil(id, (l) => l.item_speed === 2 && l.item_current_time >= VIDEO_S - 60);
    expect(atEnd.item_time_limit).toBeGreaterThan(VIDEO_S - 60);
    // The re-watch: the platform credits real time only; the clock is this playthrough's, from the start.
    expect(atEnd.item_rewatch).toBe(false);
    const again = await driveUntil(id, (l) => l.item_speed === 1 && l.item_current_time < 60);
    expect(again.item_time_limit).toBeLessThanOrEqual(60 + 60);
    expect(again.item_rewatch).toBe(true);
    const { detail } = await read(token, id);
    expect(detail.item_current_time).toBeLessThan(120);
    expect(detail.item_speed).toBe(1);
  });

  it("stands still while the platform's study-time cap holds reports back, and does not jump back after it", async () => {
    const { sim, token, id } = await playing({}, 1);
    await driveUntil(id, (l) => l.item_current_time >= 70 && l.item_speed > 0);
    // 403 code=20 restTime: the reports wait ten minutes (the video's position stays where it was).
    sim.control.setFaults({ studyCap: { restTimeS: 600 } });
    let shown = 0;
    const held = await driveUntil(id, (l) => {
      shown = Math.max(shown, l.item_current_time);
      return l.reason === "study_cap";
    });
    const first = (await read(token, id)).detail;
    expect(first.item_speed).toBe(0);
    expect(first.item_current_time).toBeGreaterThanOrEqual(shown);
    clock.advance(5 * 60_000);
    const second = (await read(token, id)).detail;
    expect(second.item_current_time).toBe(first.item_current_time);
    expect(held.current_item).toBe(second.current_item);
    // After the wait the reports go on from where the platform has the video: the clock waits for them.
    sim.control.setFaults({ studyCap: null });
    const after = await driveUntil(id, (l) => l.reason === null && l.item_speed > 0);
    expect(after.item_current_time).toBeGreaterThanOrEqual(second.item_current_time);
  });

  it("stands still during a wait: GET moves nothing, and the position is never below what was shown", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("clock");
    const account = await userWithAccount(sim, token, [videoCourse(10 * 60)]);
    expect((await api("PUT", "/api/user/limits", { token, body: { daily_cap_minutes: 1 } })).status).toBe(200);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    let shown = 0;
    const waiting = await driveUntil(id, (l) => {
      shown = Math.max(shown, l.item_current_time);
      return l.reason === "daily_cap";
    });
    expect(waiting.item_speed).toBe(0);
    expect(waiting.item_current_time).toBeGreaterThanOrEqual(shown);
    const first = (await read(token, id)).detail;
    clock.advance(10 * 60_000);
    const second = (await read(token, id)).detail;
    expect(second.item_current_time).toBe(first.item_current_time);
    expect(second.item_time_limit).toBe(first.item_current_time);
    expect(second.current_item).toBe(first.current_item);
  });

  it("a paused task shows where it paused", async () => {
    const { token, id } = await playing({}, 1);
    const before = await driveUntil(id, (l) => l.item_current_time >= 90);
    expect((await api("POST", `/api/tasks/${id}/pause`, { token })).status).toBe(200);
    const paused = (await read(token, id)).detail;
    expect(paused.status).toBe("paused");
    expect(paused.current_item).toBe(before.current_item);
    expect(paused.item_total_time).toBe(VIDEO_S);
    expect(paused.item_current_time).toBeGreaterThanOrEqual(before.item_current_time);
    expect(paused.item_speed).toBe(0);
    clock.advance(5 * 60_000);
    expect((await read(token, id)).detail.item_current_time).toBe(paused.item_current_time);
  });
});
