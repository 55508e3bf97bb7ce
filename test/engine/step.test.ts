import { describe, expect, it } from "vitest";
import { initialState } from "../../src/engine/state";
import { CALL_GAP_MS } from "../../src/shared/pacing";
import { step } from "../../src/engine/step";
import type { EngineIO } from "../../src/engine/types";
import type { SimCourseSpec } from "../../simulator/src/model";
import { drive, ioFor, type Lock } from "../helpers/engine";
import { installSimulator, useFutureClock } from "../helpers/sim";

// The step engine is plain functions over EngineIO, so it is driven here directly, without a
// task object: the IO runs each op with a client logged in to the simulator (as the account object
// would) and a video lock the test controls. Each outcome of a step is reached at least once.

useFutureClock();

const course = (name: string, tabs: SimCourseSpec["chapters"][number]["tabs"], extra: Partial<SimCourseSpec> = {}): SimCourseSpec => ({
  name, teacher: "t", chapters: [{ title: "1.1", tabs }], ...extra,
});

async function setup(courses: SimCourseSpec[], notopen: "retry" | "ask" | "continue" = "retry", lock?: Lock) {
  const sim = installSimulator();
  const { account, client } = await sim.loggedIn(courses);
  const s = initialState(account.courses.map((c) => c.courseId), 1, notopen);
  return { sim, account, s, io: ioFor(sim, client, lock) };
}

describe("step() driven directly", () => {
  it("next: one call per step, paced, the phase moving on", async () => {
    const { s, io } = await setup([course("文档", [[{ type: "document", name: "d.pdf" }]])]);
    const first = await step(s, io);
    expect(first.outcome).toEqual({ kind: "next", delayMs: CALL_GAP_MS, reason: null });
    expect(s.phase).toBe("chapters");
    expect(first.logs.map((l) => l.level)).toEqual(["INFO"]);
  });

  it("complete: every task point done, nothing left, the lock given back", async () => {
    const { s, io } = await setup([course("媒体", [[{ type: "video", name: "v.mp4", duration: 90 }, { type: "document", name: "d.pdf" }]])]);
    const run = await drive(s, io, (r) => r.outcome.kind === "complete");
    expect(run.at(-1)!.outcome).toEqual({ kind: "complete" });
    expect(s.left).toEqual([]);
    expect(s.stats.jobsDone).toBe(2);
    expect(s.holdsVideo).toBe(false);
    expect(io.released).toBeGreaterThan(0);
  });

  it("next with waiting_for_account: the lock is someone else's, so the video waits with its queue position", async () => {
    const { s, io } = await setup([course("媒体", [[{ type: "video", name: "v.mp4", duration: 90 }]])], "retry", { granted: false, position: 2 });
    const run = await drive(s, io, (r) => r.outcome.kind === "next" && r.outcome.reason === "waiting_for_account");
    expect(run.at(-1)!.outcome).toMatchObject({ kind: "next", reason: "waiting_for_account", queuePosition: 2 });
    expect(s.holdsVideo).toBe(false);
  });

  it("next with study_cap: the platform's rest time is waited out", async () => {
    const { s, io, sim } = await setup([course("媒体", [[{ type: "video", name: "v.mp4", duration: 600 }]])]);
    await drive(s, io, () => s.media?.stage === "play");
    sim.control.setFaults({ studyCap: { restTimeS: 1200 } });
    const run = await drive(s, io, (r) => r.outcome.kind === "next" && r.outcome.reason === "study_cap");
    const o = run.at(-1)!.outcome as { delayMs: number };
    expect(o.delayMs).toBeGreaterThanOrEqual(1200_000);
    expect(run.at(-1)!.signal).toBe("study_cap");
  });

  it("next with upstream: 5xx backs off exponentially, then fail after eight in a row", async () => {
    const { s, io, sim } = await setup([course("文档", [[{ type: "document", name: "d.pdf" }]])]);
    sim.control.setFaults({ serverError: { status: 503 } });
    const run = await drive(s, io, (r) => r.outcome.kind === "fail");
    const waits = run.filter((r) => r.outcome.kind === "next").map((r) => (r.outcome as { delayMs: number }).delayMs);
    expect(run.filter((r) => r.outcome.kind === "next").every((r) => (r.outcome as { reason: string }).reason === "upstream")).toBe(true);
    expect(waits).toHaveLength(8);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(run.at(-1)!.outcome).toMatchObject({ kind: "fail", message: expect.stringContaining("8") });
  });

  it("pause with captcha, and with notopen_ask naming the chapter", async () => {
    const a = await setup([course("文档", [[{ type: "document", name: "d.pdf" }]])]);
    a.sim.control.requireCaptcha(a.account.phone);
    const captcha = await drive(a.s, a.io, (r) => r.outcome.kind === "pause");
    expect(captcha.at(-1)!.outcome).toEqual({ kind: "pause", reason: "captcha" });

    const b = await setup(
      [{ name: "未开放", teacher: "t", chapters: [{ title: "1.1 开放", tabs: [[{ type: "document", name: "d.pdf" }]] }, { title: "1.2 未开放", notOpen: true, tabs: [[{ type: "document", name: "e.pdf" }]] }] }],
      "ask",
    );
    const ask = await drive(b.s, b.io, (r) => r.outcome.kind === "pause");
    expect(ask.at(-1)!.outcome).toEqual({ kind: "pause", reason: "notopen_ask", chapter: "1.2 未开放" });
  });

  it("pause with risk_control: a 202 to the session pauses rather than retrying", async () => {
    const { s, io, sim, account } = await setup([course("文档", [[{ type: "document", name: "d.pdf" }]])]);
    sim.control.riskControl(account.phone, true);
    const run = await drive(s, io, (r) => r.outcome.kind === "pause");
    expect(run.at(-1)!.outcome).toEqual({ kind: "pause", reason: "risk_control" });
    expect(run.at(-1)!.signal).toBe("risk_control");
  });

  it("fail: a refused login ends the task with Chaoxing's reason", async () => {
    const { s, io } = await setup([course("文档", [[{ type: "document", name: "d.pdf" }]])]);
    const refused: EngineIO = { ...io, call: async () => ({ ok: false, error: { kind: "login_failed", message: "登录超星失败: 用户名或密码错误", reason: "用户名或密码错误" } }) as never };
    const r = await step(s, refused);
    expect(r.outcome).toEqual({ kind: "fail", message: "登录超星失败: 用户名或密码错误", code: "fail.login", params: { error: "用户名或密码错误" } });
  });

  it("complete with items left: a face-check course is skipped at once and listed with a link", async () => {
    const { s, io, sim } = await setup([course("人脸", [[{ type: "video", name: "v.mp4", duration: 60 }]], { faceCheck: "page" })]);
    const run = await drive(s, io, (r) => r.outcome.kind === "complete");
    expect(run.at(-1)!.outcome).toEqual({ kind: "complete" });
    expect(s.left).toHaveLength(1);
    expect(s.left[0]).toMatchObject({ kind: "course", url: expect.stringContaining(sim.urls.mooc2) });
    expect(sim.control.requests().filter((q) => q.path.includes("/multimedia/log/"))).toHaveLength(0);
  });
});
