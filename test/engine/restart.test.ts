import { abortAllDurableObjects } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import { registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

// A restart or a deploy between two progress reports (the object loses its memory; its checkpoint is
// older than the last report) must cost no watching: the video goes on with a normal report, the platform
// credits the real time since the last accepted one, and the task counts the same seconds. Before, the
// player restarted (isdrag 3) at the platform's position, and the time since the last report (up to a
// report interval: 30 s at 2×, 60 s at 1×) was credited by the platform but lost to the task, which then
// played that much longer.

useFutureClock();

type Sim = ReturnType<typeof installSimulator>;
const reports = (sim: Sim, phone: string) => sim.control.requests(phone).filter((r) => r.path.includes("/multimedia/log/"));
const isdrag = (query: string) => new URLSearchParams(query).get("isdrag");

const VIDEO_S = 300;

describe("a restart between two reports", () => {
  for (const speed of [1, 2]) {
    it(`at ${speed}×: the next report is a normal one, and the platform's credited time equals the task's watched time`, async () => {
      const sim = installSimulator();
      const { token } = await registerUser(`restart${speed}`);
      // Short enough that at 2× its end reports cover the real time still owed: no re-watch from the start
      // at 1× (src/engine/media.ts), whose first report the platform credits with the pause before it.
      const account = await userWithAccount(sim, token, [videoCourse(VIDEO_S)]);
      const jobid = account.courses[0]!.chapters[0]!.jobs[0]!.jobid;
      const id = await startTask(token, [account.courses[0]!.courseId], { speed });
      await driveUntil(id, (l) => l.item_current_time >= 120);
      const sent = reports(sim, account.phone).length;

      await abortAllDurableObjects();
      for (let i = 0; i < 5 && reports(sim, account.phone).length === sent; i++) await tick();
      expect(isdrag(reports(sim, account.phone)[sent]!.query)).toBe("0");

      const done = await driveUntil(id, finished);
      expect(done).toMatchObject({ status: "completed", progress: 100 });
      const platform = sim.control.jobProgress(account.phone, jobid)!;
      expect(platform.passed).toBe(true);
      expect(Math.abs(platform.watchedS - done.study_seconds)).toBeLessThanOrEqual(2);
      // No longer than the video's real time and the last report's margin.
      expect(platform.watchedS).toBeLessThanOrEqual(VIDEO_S + 35);
    });
  }

  it("after a gap longer than the platform credits (the deploy took minutes), the player starts again where it was", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("longgap");
    const account = await userWithAccount(sim, token, [videoCourse(600)]);
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 1 });
    await driveUntil(id, (l) => l.item_current_time >= 240);
    const sent = reports(sim, account.phone).length;
    await abortAllDurableObjects();
    clock.advance(10 * 60_000);
    for (let i = 0; i < 5 && reports(sim, account.phone).length === sent; i++) await tick();
    expect(isdrag(reports(sim, account.phone)[sent]!.query)).toBe("3");
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", progress: 100 });
  });
});

describe("the back-off count of a failing task", () => {
  it("survives a restart: the attempt after it is the next one, not the first", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("backoff");
    const account = await userWithAccount(sim, token, [videoCourse(600)]);
    const id = await startTask(token, [account.courses[0]!.courseId], { speed: 2 });
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.setFaults({ serverError: { path: "/multimedia/log/" } });
    const attempts = async () =>
      (await env.DB.prepare("SELECT params FROM task_logs WHERE task_id = ? AND code = 'wait.backoff' ORDER BY id").bind(id).all<{ params: string }>()).results.map(
        (r) => (JSON.parse(r.params) as { attempt: number }).attempt,
      );
    for (let i = 0; i < 50 && (await attempts()).length < 4; i++) await tick();
    expect(await attempts()).toEqual([1, 2, 3, 4]);

    await abortAllDurableObjects();
    for (let i = 0; i < 10 && (await attempts()).length < 5; i++) await tick();
    expect(await attempts()).toEqual([1, 2, 3, 4, 5]);
    sim.control.clearFaults();
    expect(await driveUntil(id, finished)).toMatchObject({ status: "completed", progress: 100 });
    expect((await taskLive(id))!.status).toBe("completed");
  });
});
