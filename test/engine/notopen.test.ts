import { describe, expect, it } from "vitest";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, tick, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

/** Chapter 2 is closed (章节未开放) until the teacher opens it; chapter 3 is open. */
const closedCourse: SimCourseSpec = {
  name: "未开放课程",
  teacher: "周老师",
  chapters: [
    { title: "1 第一章", tabs: [[{ type: "document", name: "one.pdf" }, { type: "quiz", name: "第一章测验" }]] },
    { title: "2 第二章", notOpen: true, tabs: [[{ type: "document", name: "two.pdf" }]] },
    { title: "3 第三章", tabs: [[{ type: "document", name: "three.pdf" }]] },
  ],
};

async function setup(prefix: string, notopen_action: "retry" | "ask" | "continue") {
  const sim = installSimulator();
  const { token } = await registerUser(prefix);
  const account = await userWithAccount(sim, token, [closedCourse]);
  const id = await startTask(token, [account.courses[0]!.courseId], { notopen_action });
  const chapterId = (title: string) => account.courses[0]!.chapters.find((c) => c.title === title)!.id;
  return { sim, token, account, id, chapterId };
}

const messages = async (token: string, id: number) =>
  ((await api("GET", `/api/tasks/${id}/logs?limit=500`, { token })).body as { message: string }[]).map((l) => l.message);

describe("notopen_action", () => {
  it("retry: goes back one chapter and checks again, at most 3 times, then stops that course with a clear message", async () => {
    const { token, id } = await setup("retry", "retry");
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    const log = await messages(token, id);
    expect(log.filter((m) => m.includes("回到上一章补完任务点后重试"))).toHaveLength(3);
    expect(log.filter((m) => m.includes("已访问章节「1 第一章」"))).toHaveLength(3);
    expect(done.left_for_user.find((l) => l.kind === "course")!.reason).toMatch(/重试 3 次仍未开放.*手动完成/);
    // The course stopped there: chapter 3 was not studied.
    expect(log.some((m) => m.includes("three.pdf"))).toBe(false);
  });

  it("retry: goes on as soon as the chapter opens", async () => {
    const { sim, token, id, chapterId } = await setup("retry-ok", "retry");
    for (let i = 0; i < 50 && !(await messages(token, id)).some((m) => m.includes("回到上一章")); i++) await tick();
    sim.control.openChapter(chapterId("2 第二章"));
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(done.left_for_user.map((l) => l.kind)).toEqual(["quiz"]);
    const log = await messages(token, id);
    expect(log.some((m) => m.includes("two.pdf 已完成"))).toBe(true);
    expect(log.some((m) => m.includes("three.pdf 已完成"))).toBe(true);
  });

  it("continue: skips closed chapters and lists them", async () => {
    const { token, id } = await setup("continue", "continue");
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(done.left_for_user).toContainEqual(expect.objectContaining({ chapter: "2 第二章", kind: "chapter" }));
    expect((await messages(token, id)).some((m) => m.includes("three.pdf 已完成"))).toBe(true);
  });

  it("ask: pauses naming the chapter; resume needs a choice; skip goes on", async () => {
    const { token, id } = await setup("ask", "ask");
    const paused = await driveUntil(id, finished);
    expect(paused).toMatchObject({ status: "paused", reason: "notopen_ask", notopen_chapter: "2 第二章" });
    const detail = await api("GET", `/api/tasks/${id}`, { token });
    expect(detail.body).toMatchObject({ reason: "notopen_ask", notopen_chapter: "2 第二章" });

    const noChoice = await api("POST", `/api/tasks/${id}/resume`, { token });
    expect(noChoice.status).toBe(400);
    expect(noChoice.body.detail).toContain("notopen");
    expect((await api("POST", `/api/tasks/${id}/resume`, { token, body: { notopen: "later" } })).status).toBe(400);
    const resumed = await api("POST", `/api/tasks/${id}/resume`, { token, body: { notopen: "skip" } });
    expect(resumed.body.task).toMatchObject({ status: "running", reason: null, notopen_chapter: null });
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(done.left_for_user).toContainEqual(expect.objectContaining({ chapter: "2 第二章", kind: "chapter" }));
    expect((await messages(token, id)).some((m) => m.includes("three.pdf 已完成"))).toBe(true);
  });

  it("ask: stop ends that course", async () => {
    const { token, id } = await setup("ask-stop", "ask");
    await driveUntil(id, finished);
    await api("POST", `/api/tasks/${id}/resume`, { token, body: { notopen: "stop" } });
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    expect(done.left_for_user).toContainEqual(expect.objectContaining({ kind: "course", reason: expect.stringContaining("停止该课程") }));
    expect((await messages(token, id)).some((m) => m.includes("three.pdf"))).toBe(false);
  });
});
