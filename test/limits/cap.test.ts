import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { clock, shanghaiDay } from "../../src/lib/clock";
import { api, registerUser } from "../helpers/api";
import { driveUntil, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, type InstalledSimulator } from "../helpers/sim";

useFutureClock();

/** A short video, then a 29-minute one: the second starts with today's count already above zero. */
const twoVideos = {
  name: "上限课程",
  teacher: "测试教师",
  chapters: [
    { title: "1.1 短视频", tabs: [[{ type: "video" as const, name: "short.mp4", duration: 30 }]] },
    { title: "1.2 长视频", tabs: [[{ type: "video" as const, name: "long.mp4", duration: 29 * 60 }]] },
  ],
};

/** Media the platform accepted today for this account: each video's furthest accepted position. */
function reportedSeconds(sim: InstalledSimulator, phone: string, jobids: string[]): number {
  return jobids.reduce((n, j) => n + (sim.control.jobProgress(phone, j)?.playTimeS ?? 0), 0);
}

const minutes = (s: number) => Math.round((s / 60) * 10) / 10;

async function threePlaces(token: string, id: number) {
  const limits = (await api("GET", "/api/user/limits", { token })).body;
  const detail = (await api("GET", `/api/tasks/${id}`, { token })).body;
  const live = (await taskLive(id))!;
  return { limits, detail, live };
}

describe("the daily cap counts every accepted report and stops", () => {
  it("a 29-minute video within one report interval of a 1-minute cap, with the object evicted before every step; the three places agree", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("cap");
    const account = await userWithAccount(sim, token, [twoVideos]);
    const jobids = account.courses[0]!.chapters.map((c) => c.jobs[0]!.jobid);
    expect((await api("PUT", "/api/user/limits", { token, body: { daily_cap_minutes: 1 } })).status).toBe(200);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    const day = shanghaiDay(clock.now());
    // Local workerd evicts an idle object within seconds: every step here finds cold objects.
    for (let i = 0; i < 300; i++) {
      const live = await taskLive(id);
      if (live?.reason === "daily_cap" || live?.status !== "running") break;
      await abortAllDurableObjects();
      await tick();
    }
    const stopped = await taskLive(id);
    expect(stopped).toMatchObject({ status: "running", reason: "daily_cap" });
    expect(shanghaiDay(clock.now())).toBe(day);
    const reported = reportedSeconds(sim, account.phone, jobids);
    // Past the cap by at most one report's worth (a report carries at most 1.5 intervals of media).
    expect(reported).toBeGreaterThanOrEqual(60);
    expect(reported).toBeLessThanOrEqual(60 + 90);
    expect(sim.control.jobProgress(account.phone, jobids[1]!)!.playTimeS).toBeLessThan(29 * 60);

    // Counted from every accepted report, evictions or not; the same figure in all three places.
    await abortAllDurableObjects();
    const { limits, detail, live } = await threePlaces(token, id);
    expect(limits.today).toEqual({ day, media_minutes: minutes(reported) });
    expect(limits.status).toBe("daily_cap");
    expect(detail.today).toEqual({ day, media_minutes: minutes(reported), daily_cap_minutes: 1 });
    expect(live.today).toEqual(detail.today);
    // The task says why it waits and when it goes on: the next Shanghai day (window all day here), plus jitter.
    expect(detail.reason).toBe("daily_cap");
    const resumes = Date.parse(detail.resumes_at);
    expect(shanghaiDay(resumes)).not.toBe(day);
    expect(resumes - Date.parse(limits.resumes_at)).toBeGreaterThanOrEqual(0);
    expect(resumes - Date.parse(limits.resumes_at)).toBeLessThanOrEqual(5 * 60_000 + 1000);
    // Its ETA counts the wait and the days the rest of the video needs under the cap.
    expect(detail.eta_seconds * 1000).toBeGreaterThan(resumes - clock.now() + 24 * 3600_000);

    // Nothing more is reported today; the next day the video goes on where it stopped, with isdrag 3.
    const reports = () => sim.control.requests(account.phone).filter((r) => r.path.includes("/multimedia/log/"));
    const before = reports().length;
    await driveUntil(id, (l) => l.today !== null && l.today.day !== day && l.item_current_time > 0);
    const next = reports().slice(before);
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((r) => shanghaiDay(r.at) !== day)).toBe(true);
    expect(new URLSearchParams(next[0]!.query).get("isdrag")).toBe("3");
  });

  it("far from the cap a count survives an eviction too: never less than was played, at most the reserve more", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("cap");
    const account = await userWithAccount(sim, token, [twoVideos]);
    const jobids = account.courses[0]!.chapters.map((c) => c.jobs[0]!.jobid);
    expect((await api("PUT", "/api/user/limits", { token, body: { daily_cap_minutes: 600 } })).status).toBe(200);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.current_item?.includes("long.mp4") === true && l.item_current_time >= 10 * 60);
    const played = reportedSeconds(sim, account.phone, jobids);
    await abortAllDurableObjects();
    const counted = (await api("GET", "/api/user/limits", { token })).body.today.media_minutes as number;
    expect(counted).toBeGreaterThanOrEqual(minutes(played));
    expect(counted).toBeLessThanOrEqual(minutes(played) + 20);
    // Studying on, the count keeps up with what is played.
    const done = await driveUntil(id, (l) => l.status !== "running");
    expect(done.status).toBe("completed");
    const total = (await api("GET", "/api/user/limits", { token })).body.today.media_minutes as number;
    expect(total).toBeGreaterThanOrEqual(minutes(30 + 29 * 60));
    expect(total).toBeLessThanOrEqual(minutes(30 + 29 * 60) + 20);
  });
});
