import { describe, expect, it } from "vitest";
import type { TaskLive } from "../../src/shared/live";
import { api, registerUser } from "../helpers/api";
import { finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

type Course = TaskLive["courses"][number];

describe("per-course figures in the task's live view", () => {
  it("counts each course's task points and study time as the task runs, and they add up to the task's", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("figures");
    const account = await userWithAccount(sim, token);
    const [psych, marx] = account.courses;
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: [psych!.courseId, marx!.courseId] } });
    // Never ran: the engine knows nothing yet.
    expect((await api("GET", `/api/tasks/${created.body.id}`, { token })).body.courses).toEqual([]);
    const id = await startTask(token, [psych!.courseId, marx!.courseId]);
    const todo = (course_id: string) =>
      expect.objectContaining({ course_id, name: null, status: "todo", jobs_done: 0, jobs_left: null, study_seconds: 0, media_check: { verified: 0, awaiting: 0, rolled_back: 0 } });
    expect((await taskLive(id))!.courses).toEqual([todo(psych!.courseId), todo(marx!.courseId)]);

    const seen: Course[][] = [];
    let live = (await taskLive(id))!;
    while (!finished(live)) {
      if (!(await tick())) break;
      live = (await taskLive(id))!;
      seen.push(live.courses);
      const sum = (k: "jobs_done" | "study_seconds") => live.courses.reduce((n, c) => n + c[k], 0);
      expect(sum("jobs_done")).toBe(live.jobs_completed);
      expect(sum("study_seconds")).toBe(live.study_seconds);
    }
    expect(live.status).toBe("completed");
    // While the first course ran, the second was still untouched; its figures only went up.
    const during = seen.find((cs) => cs[0]!.jobs_done > 0 && cs[0]!.status === "todo")!;
    expect(during[0]).toMatchObject({ name: psych!.name, jobs_left: expect.any(Number) });
    expect(during[0]!.jobs_left).toBeGreaterThan(0);
    expect(during[1]).toMatchObject({ name: marx!.name, status: "todo", jobs_done: 0, jobs_left: null });
    for (let i = 1; i < seen.length; i++) for (const k of [0, 1]) expect(seen[i]![k]!.jobs_done).toBeGreaterThanOrEqual(seen[i - 1]![k]!.jobs_done);

    // The first course is done with nothing left; the second was skipped (a chapter stayed closed) with its quiz and more open.
    const [a, b] = live.courses;
    expect(a).toMatchObject({ course_id: psych!.courseId, name: psych!.name, status: "done", jobs_left: 0 });
    expect(a!.jobs_done).toBeGreaterThan(0);
    expect(a!.study_seconds).toBeGreaterThan(0);
    // Its videos and audio await the next morning's check (the documents and reads are not rolled back).
    expect(a!.media_check).toEqual({ verified: 0, awaiting: 3, rolled_back: 0 });
    expect(b).toMatchObject({ course_id: marx!.courseId, name: marx!.name, status: "skipped" });
    expect(b!.jobs_left).toBeGreaterThanOrEqual(1);
    // The detail shows the same; the list (D1 rows) does not carry them.
    expect((await api("GET", `/api/tasks/${id}`, { token })).body.courses).toEqual(live.courses);
    expect((await api("GET", "/api/tasks", { token })).body.items[0]).not.toHaveProperty("courses");
  });
});
