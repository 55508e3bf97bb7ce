import { describe, expect, it } from "vitest";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock } from "../helpers/sim";

useFutureClock();

describe("a task over the demo courses", () => {
  it("completes two demo courses end to end, leaving what we cannot do", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("run");
    const account = await userWithAccount(sim, token);
    const [psych, marx] = account.courses;
    const id = await startTask(token, [psych!.courseId, marx!.courseId], { speed: 2 });
    const live = await driveUntil(id, finished);
    const detail = await api("GET", `/api/tasks/${id}`, { token });
    console.log(JSON.stringify(detail.body.logs.map((l: { message: string }) => l.message), null, 1));
    expect(live.status).toBe("completed");
    expect(detail.body).toMatchObject({ status: "completed", progress: 100, completed_courses: 2, total_courses: 2, speed: 2 });
  });
});
