import { describe, expect, it } from "vitest";
import taskSource from "../../src/durable/task.ts?raw";
import type { ServerMessage } from "../../src/shared/live";
import { isTextCode, renderText, TEXTS, type TextCode, type TextParams } from "../../src/shared/texts";
import { api, registerAdmin, registerUser } from "../helpers/api";
import { driveUntil, finished, startTask, userWithAccount } from "../helpers/drive";
import { installSimulator, useFutureClock, videoCourse } from "../helpers/sim";
import { hub, subscribe } from "../live/client";

useFutureClock();

/** The engine's modules: the step (src/engine/step.ts) and the phases it dispatches to. */
const engineModules = import.meta.glob<string>("../../src/engine/*.ts", { query: "?raw", import: "default", eager: true });
const engineSource = Object.values(engineModules).join("\n");

const CJK = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/;
const paramNames = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** A source file without its comments: what is left is code and string literals. */
const code = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");

interface Line {
  level: string;
  message: string;
  code: string | null;
  params: TextParams | null;
}

/** A stored line is its code rendered: a code the catalogue knows in both languages, and the same zh text. */
function expectCoded(l: Line): void {
  expect(isTextCode(l.code), `${l.code}: ${l.message}`).toBe(true);
  const c = l.code as TextCode;
  expect(l.message).toBe(renderText("zh", c, l.params ?? {}));
  const en = renderText("en", c, l.params ?? {});
  expect(en, `${c} in en`).not.toMatch(/\{\w+\}/);
}

describe("the server-text catalogue (src/shared/texts.ts)", () => {
  it("has every code in zh and en, with the same parameters", () => {
    expect(Object.keys(TEXTS.en).sort()).toEqual(Object.keys(TEXTS.zh).sort());
    for (const c of Object.keys(TEXTS.zh) as TextCode[]) {
      expect(paramNames(TEXTS.en[c]), c).toEqual(paramNames(TEXTS.zh[c]));
      expect(TEXTS.en[c], c).not.toMatch(CJK);
    }
  });

  it("is the only source of the engine's and the task object's log lines", () => {
    expect(Object.keys(engineModules)).toEqual(expect.arrayContaining(["../../src/engine/step.ts", "../../src/engine/media.ts"]));
    // Every sentence of the engine comes from the catalogue: no Chinese is left in its code.
    expect(code(engineSource).split("\n").filter((l) => CJK.test(l))).toEqual([]);
    // The task object writes its log lines by code only (its refusals are API errors, not log lines).
    const task = code(taskSource);
    expect(task).not.toMatch(/\{\s*level:/);
    for (const m of task.matchAll(/logLine\("\w+", "([\w.]+)"/g)) expect(isTextCode(m[1]), m[1]).toBe(true);
    for (const m of code(engineSource).matchAll(/log\(\w+, "\w+", "([\w.]+)"/g)) expect(isTextCode(m[1]), m[1]).toBe(true);
  });

  it("renders names as written and nested reason codes in the reader's language", () => {
    const params = { course: "高等数学", reason: "left.notopen_gave_up", chapter: "第二章", attempts: 3 };
    expect(renderText("zh", "course.skipped", params)).toBe("课程「高等数学」已跳过: 章节「第二章」重试 3 次仍未开放。请手动完成前面章节的测验等任务点后重新检查");
    expect(renderText("en", "course.skipped", params)).toBe("Course “高等数学” skipped: Chapter “第二章” was still closed after 3 tries. Finish the earlier chapters' quizzes by hand, then check again");
    expect(renderText("en", "task.started", { speed: 2, notopen: "ask" })).toBe("Task started (2×, closed chapters: ask me)");
  });
});

describe("server text carries its code and parameters", () => {
  it("log lines through the detail, the logs, the admin's routes and the push; left items and the notification too", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("codes");
    const admin = await registerAdmin();
    const account = await userWithAccount(sim, token);
    const [psych, marx] = account.courses;
    const id = await startTask(token, [psych!.courseId, marx!.courseId]);
    const c = await hub(token);
    await subscribe(c, id);
    const done = await driveUntil(id, finished);
    expect(done.status).toBe("completed");
    const seen = await c.until((m) => m.type === "notification" && m.event === "completed");
    const pushed = seen.flatMap((m: ServerMessage) => (m.type === "task_log" ? [m.log] : []));
    c.ws.close();
    // The notification is coded too, naming the task.
    const note = seen.at(-1)!;
    expect(note).toMatchObject({ type: "notification", code: "note.completed_left", params: { task: "测试任务", left: 2 }, message: "任务「测试任务」已完成，2 项需要你在学习通中处理" });

    const own = (await api("GET", `/api/tasks/${id}/logs?limit=500`, { token })).body as Line[];
    const adminLogs = (await api("GET", `/api/admin/tasks/${id}/logs?limit=500`, { token: admin.token })).body as Line[];
    const detail = (await api("GET", `/api/tasks/${id}?logs_limit=200`, { token })).body;
    const adminDetail = (await api("GET", `/api/admin/tasks/${id}?logs_limit=200`, { token: admin.token })).body;
    expect(own.length).toBeGreaterThan(10);
    expect(adminLogs).toEqual(own);
    expect(detail.logs).toEqual(own.slice(-200));
    expect(adminDetail.logs).toEqual(own.slice(-200));
    expect(pushed.length).toBeGreaterThan(0);
    for (const l of [...own, ...pushed]) expectCoded(l);
    const byCode = (code: string) => own.filter((l) => l.code === code);
    expect(byCode("task.started")[0]!.params).toEqual({ speed: 1, notopen: "retry" });
    expect(byCode("course.start").map((l) => l.params!.course)).toEqual([psych!.name, marx!.name]);
    expect(byCode("job.quiz_left")[0]!.params).toEqual({ item: "第一章 章节测验" });
    expect(byCode("all.done_left")).toHaveLength(1);

    // Every left item: its reason coded, the Chinese text rendered from the same code.
    const left = detail.left_for_user as { reason: string; reason_code: TextCode; reason_params: TextParams; kind: string }[];
    expect(left.map((l) => l.reason_code).sort()).toEqual(["left.notopen_gave_up", "left.quiz"]);
    for (const l of left) expect(l.reason).toBe(renderText("zh", l.reason_code, l.reason_params));
    expect(left.find((l) => l.reason_code === "left.notopen_gave_up")!.reason_params).toMatchObject({ attempts: 3 });
    // The D1 row has them too (the list).
    const row = (await api("GET", "/api/tasks", { token })).body.items.find((t: { id: number }) => t.id === id);
    expect(row.left_for_user).toEqual(left);
  });

  it("a failed task carries its error_code and params, in the live view, the row and its last log line", async () => {
    const sim = installSimulator();
    const { token } = await registerUser("failcode");
    const account = await userWithAccount(sim, token, [videoCourse(60)]);
    const created = await api("POST", "/api/tasks", { token, body: { name: "t", course_ids: [account.courses[0]!.courseId] } });
    await api("PUT", "/api/user/config", { token, body: { cx_password: "not-the-password" } });
    await api("POST", `/api/tasks/${created.body.id}/start`, { token });
    const failed = await driveUntil(created.body.id, finished);
    expect(failed).toMatchObject({ status: "failed", error_code: "fail.login", error_params: { error: "用户名或密码错误" }, error_msg: "登录超星失败: 用户名或密码错误" });
    const listed = (await api("GET", "/api/tasks", { token })).body.items[0];
    expect(listed).toMatchObject({ error_code: "fail.login", error_params: { error: "用户名或密码错误" } });
    const last = ((await api("GET", `/api/tasks/${created.body.id}/logs`, { token })).body as Line[]).at(-1)!;
    expect(last).toMatchObject({ level: "ERROR", code: "task.failed", params: { failure: "fail.login", error: "用户名或密码错误" }, message: "任务失败: 登录超星失败: 用户名或密码错误" });
    expect(renderText("en", "task.failed", last.params!)).toBe("The task failed: Signing in to Chaoxing failed: 用户名或密码错误");
    // Retrying clears it.
    await api("PUT", "/api/user/config", { token, body: { cx_password: account.password } });
    const retried = await api("POST", `/api/tasks/${created.body.id}/retry`, { token });
    expect(retried.body.task).toMatchObject({ status: "running", error_code: null, error_params: null, error_msg: null });
  });
});
