import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clock } from "../../shared/clock";
import type { NotifyMessage } from "../../src/notify/produce";
import type { SimCourseSpec } from "../../simulator/src/model";
import { api, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, taskLive, tick, userWithAccount } from "../helpers/drive";
import { installCapture, messageId, NOTIFY_QUEUE, raised, runQueue, setNotifications } from "../helpers/notify";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";

useFutureClock();

const capture = installCapture();
const BARK = { bark: { enabled: true, device_url: "https://api.day.app/k1234567" } };

async function setup(prefix: string, courses: SimCourseSpec[], extra: Record<string, unknown> = {}) {
  const sim = installSimulator();
  const { token } = await registerUser(prefix);
  await setNotifications(token, { channels: BARK });
  const account = await userWithAccount(sim, token, courses);
  const from = raised.length;
  const id = await startTask(token, [account.courses[0]!.courseId], extra);
  const events = () => raised.slice(from).filter((m) => m.task_id === id);
  return { sim, token, account, id, events };
}

const deliver = (messages: NotifyMessage[]) => runQueue(NOTIFY_QUEUE, messages.map((body) => ({ id: messageId(), body })));
const stub = (id: number) => env.TASKS.getByName(`task:${id}`);
const checkpoint = (id: number) => runInDurableObject(stub(id), (_o, state) => state.storage.kv.get<unknown>("t"));

describe("task events reach the user through the queue", () => {
  it("a captcha pause raises one event; its message names the task and links it; a re-run step does not send it twice", async () => {
    const { sim, token, account, id, events } = await setup("ncap", [videoCourse(180)]);
    await driveUntil(id, (l) => l.item_current_time >= 60);
    sim.control.requireCaptcha(account.phone);
    // Step by step, keeping the checkpoint each step started from.
    let before: unknown;
    for (let i = 0; i < 100; i++) {
      before = await checkpoint(id);
      await tick();
      if ((await taskLive(id))!.status === "paused") break;
    }
    expect(await taskLive(id)).toMatchObject({ status: "paused", reason: "captcha" });
    expect(events().map((e) => e.kind)).toEqual(["captcha"]);

    // The step runs again from the same checkpoint (as after a crash before its write landed), and
    // pauses again: the same event, raised a second time.
    await runInDurableObject(stub(id), async (_o, state) => {
      state.storage.kv.put("t", before);
      await state.storage.setAlarm(clock.now());
    });
    await abortAllDurableObjects();
    await runDurableObjectAlarm(stub(id));
    expect(await taskLive(id)).toMatchObject({ status: "paused", reason: "captcha" });
    const [first, again] = events();
    expect(again!.key).toBe(first!.key);

    await deliver(events());
    expect(capture.requests).toHaveLength(1);
    const body = JSON.parse(capture.requests[0]!.body);
    expect(body).toMatchObject({ title: "任务「测试任务」需要输入验证码", url: `http://localhost:8000/tasks/${id}` });
    const list = (await api("GET", `/api/tasks/${id}/notifications`, { token })).body;
    expect(list).toEqual([expect.objectContaining({ event: "captcha", status: "accepted", deliveries: [expect.objectContaining({ channel: "bark", status: "sent" })] })]);
  });

  it("completion with items left says how many need the user", async () => {
    const course: SimCourseSpec = {
      name: "测验课程",
      teacher: "王老师",
      chapters: [{ title: "1 第一章", tabs: [[{ type: "document", name: "a.pdf" }, { type: "quiz", name: "测验一" }, { type: "quiz", name: "测验二" }]] }],
    };
    const { id, events } = await setup("ndone", [course]);
    expect((await driveUntil(id, finished)).status).toBe("completed");
    expect(events().map((e) => [e.kind, e.detail])).toEqual([["completed", { left: 2 }]]);
    await deliver(events());
    expect(JSON.parse(capture.requests[0]!.body).title).toBe("任务「测试任务」已完成，2 项需要你处理");
  });

  it("a closed chapter with `ask` names the chapter; a failure gives the reason", async () => {
    const closed: SimCourseSpec = {
      name: "未开放课程",
      teacher: "周老师",
      chapters: [
        { title: "1 第一章", tabs: [[{ type: "document", name: "one.pdf" }]] },
        { title: "2 第二章", notOpen: true, tabs: [[{ type: "document", name: "two.pdf" }]] },
      ],
    };
    const { sim, token, id, events } = await setup("nask", [closed], { notopen_action: "ask" });
    expect(await driveUntil(id, finished)).toMatchObject({ status: "paused", reason: "notopen_ask" });
    expect(events().at(-1)).toMatchObject({ kind: "notopen_ask", detail: { chapter: "2 第二章" } });

    sim.control.setFaults({ serverError: {} });
    expect((await api("POST", `/api/tasks/${id}/resume`, { token, body: { notopen: "skip" } })).status).toBe(200);
    const failed = await driveUntil(id, finished);
    expect(failed.status).toBe("failed");
    expect(events().at(-1)).toMatchObject({ kind: "failed", detail: { error: failed.error_msg } });
    await deliver(events());
    const texts = capture.requests.map((r) => JSON.parse(r.body) as { title: string; body: string });
    expect(texts[0]).toMatchObject({ title: "任务「测试任务」等待你的选择", body: expect.stringContaining("章节「2 第二章」未开放") });
    expect(texts[1]).toMatchObject({ title: "任务「测试任务」失败", body: expect.stringContaining(`原因：${failed.error_msg}`) });
  });

  it("pausing, resuming and cancelling raise nothing", async () => {
    const { token, id, events } = await setup("nquiet", [videoCourse(300)]);
    await tick();
    await api("POST", `/api/tasks/${id}/pause`, { token });
    await api("POST", `/api/tasks/${id}/resume`, { token });
    await api("POST", `/api/tasks/${id}/cancel`, { token });
    expect(events()).toEqual([]);
  });
});
