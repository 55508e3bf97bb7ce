import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../src/tasks/record";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

/**
 * Stored records carry a version, and every release loads what earlier releases wrote: task records from
 * before verified credit (no `checks`, `verify`, per-course `verified`, nor the media run's `endReports`
 * and `rewatch`) load with their defaults.
 */

const stub = (id: number) => env.TASKS.getByName(`task:${id}`);
const stored = (id: number) => runInDurableObject(stub(id), (_o, state) => state.storage.kv.get<TaskRecord>("t")!);
const put = (id: number, t: unknown) => runInDurableObject(stub(id), (_o, state) => state.storage.kv.put("t", t));

/** A completed task's record exactly as the release before verified credit wrote it. */
function previousCompleted(id: number, userId: number, courseId: string, clazzId: string, cpi: string, phone: string, sealedPassword: string) {
  return {
    id, userId, name: "旧任务", courseIds: [courseId], status: "completed", reason: null, errorMsg: null, error: null,
    startTime: "2026-11-30T01:00:00.000Z", endTime: "2026-11-30T01:10:00.000Z", queuePosition: null, notopenChapter: null,
    speed: 1, notopenAction: "retry", creds: { phone, sealedPassword },
    engine: {
      v: 1, phase: "done", speed: 1, reportInterval: 60, notopenAction: "retry", courseIds: [courseId],
      courses: [{ courseId, clazzId, cpi, name: "测试课程", status: "done", enc: null, done: 120, total: 120, jobsDone: 1, studySeconds: 120, jobsOpen: 1 }],
      ci: 1, chapters: [], hi: 0, tab: 0, jobs: [], ji: 0, rereads: 0, worked: false, media: null, holdsVideo: false,
      notopen: { attempts: {}, returnTo: null, skipping: false }, failures: 0, captchaOrigin: null, recheck: null,
      stats: { jobsDone: 1, studySeconds: 120, mediaDoneSeconds: 120, mediaSeen: 1, mediaSeenSeconds: 120 },
      left: [], progressFloor: 99,
    },
    gen: 3, crashes: 0, mirror: { pending: "none", at: 0, studySeconds: 120, progress: 100 }, outbox: [], dueAt: null, lateness: [], latest: false,
  };
}

describe("task records written by the previous release", () => {
  it("a completed one shows its figures with nothing awaiting a check, and schedules no check", async () => {
    const sim = installSimulator();
    const { token, user } = await registerUser("oldrec");
    const account = await userWithAccount(sim, token, [videoCourse(120)]);
    const course = account.courses[0]!;
    // A real run gives a sealed password that opens for this user; the record is then the old one.
    const id = await startTask(token, [course.courseId]);
    await driveUntil(id, finished);
    const sealed = (await stored(id)).creds!.sealedPassword;
    await runInDurableObject(stub(id), (_o, state) => state.storage.deleteAlarm());
    await put(id, previousCompleted(id, user.id, course.courseId, course.clazzId, course.cpi, account.phone, sealed!));
    await abortAllDurableObjects();

    const detail = (await api("GET", `/api/tasks/${id}`, { token })).body;
    expect(detail).toMatchObject({ status: "completed", progress: 100, jobs_completed: 1, left_for_user: [] });
    expect(detail.courses).toEqual([
      {
        course_id: course.courseId, clazz_id: course.clazzId, name: "测试课程", status: "done", jobs_done: 1, jobs_left: 0, study_seconds: 120,
        media_check: { verified: 0, awaiting: 0, rolled_back: 0 }, chapters: null, deadline: null, forecast: null,
      },
    ]);
    expect(await runInDurableObject(stub(id), (_o, state) => state.storage.getAlarm())).toBeNull();
    // Its actions answer as before: nothing left, so no recheck.
    expect((await api("POST", `/api/tasks/${id}/recheck`, { token })).status).toBe(409);
  });

  it("a running one, stopped mid-video, goes on and completes; the video it passes then awaits the next morning's check", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("oldrun");
    const account = await userWithAccount(sim, token, [videoCourse(600)]);
    const id = await startTask(token, [account.courses[0]!.courseId]);
    await driveUntil(id, (l) => l.item_current_time >= 120);
    // The same record in the previous release's shape: without the fields verified credit added.
    const t = structuredClone(await stored(id)) as unknown as { engine: Record<string, unknown> & { media: Record<string, unknown>; courses: Record<string, unknown>[] } };
    for (const k of ["checks", "verify"]) delete t.engine[k];
    for (const k of ["endReports", "rewatch"]) delete t.engine.media[k];
    for (const c of t.engine.courses) delete c.verified;
    await put(id, t);
    await abortAllDurableObjects();

    const done = await driveUntil(id, finished);
    expect(done).toMatchObject({ status: "completed", reason: null, progress: 100, jobs_completed: 1 });
    expect(done.courses[0]!.media_check).toEqual({ verified: 0, awaiting: 1, rolled_back: 0 });
    expect(sim.control.jobProgress(account.phone, account.courses[0]!.chapters[0]!.jobs[0]!.jobid)!.passed).toBe(true);
  });
});
