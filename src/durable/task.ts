import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { config } from "../config";
import { getDb } from "../db/client";
import { tasks } from "../db/schema";
import type { OpName, OpOf, Reply } from "../engine/ops";
import { computeProgress } from "../engine/progress";
import { initialState, type EngineState, type NotopenAction } from "../engine/state";
import { applyNotopenChoice, backoffMs, prepareResume, step, type EngineIO, type LogEvent, type StepResult } from "../engine/step";
import { clock, shanghaiDay } from "../lib/clock";
import { open } from "../lib/secretbox";
import type { TaskLive, TaskLogLine, TaskMessage, TaskStatus } from "../shared/live";
import { accountName, type Credentials } from "./account";
import {
  admit, answerClose, close, CLOSE_POLICY, CLOSE_TOO_BIG, errorFrame, frame, isExpired, liveOfRow, parseClientMessage,
  PING, PONG, selects, send, SESSION_HEADER, TOO_FAST, type LiveSession, type SocketSelector,
} from "./sockets";

/** The account as the route found it in the user's config: the password stays sealed until a step needs it. */
export interface SealedCredentials {
  phone: string;
  sealedPassword: string;
}

export interface StartInput {
  taskId: number;
  userId: number;
  courseIds: string[];
  speed: number;
  notopenAction: NotopenAction;
  creds: SealedCredentials;
}

export type StopReason = "user" | "admin" | "account_disabled";

export type TransitionResult = { ok: true; live: TaskLive } | { ok: false; status: 400 | 404 | 409 | 502; detail: string };

interface TaskRecord {
  taskId: number;
  userId: number;
  creds: SealedCredentials;
  status: TaskStatus;
  reason: string | null;
  errorMsg: string | null;
  startTime: string | null;
  endTime: string | null;
  queuePosition: number | null;
  notopenChapter: string | null;
  engine: EngineState;
  /** Bumped by every transition, so a step that was in flight knows the world moved on. */
  gen: number;
  /** Consecutive unexpected errors in the alarm handler (a poison step), bounded. */
  crashes: number;
  mirror: { at: number; studySeconds: number; progress: number };
  /** When the pending alarm is due, and how late recent ones came (ms): the engine's health figure. */
  dueAt: number | null;
  lateness: number[];
}

/** A direct socket's attachment (`WS /api/tasks/{id}/ws`): the token behind it. */
interface DirectAttachment {
  jti: string;
  exp: number;
  userId: number;
  taskId: number;
}

/** Storage key of the hubs (`hub:<userId>`) that subscribed to this task: pushed to on every update. */
const HUBS_KEY = "hubs";

const MIRROR_EVERY_MS = 5 * 60_000;
const LATENESS_SAMPLES = 20;

/** What a subscriber should be told about, beyond the progress itself (seed: `notification`). */
function notificationOf(t: TaskRecord): TaskMessage | null {
  const note = (level: "success" | "warning" | "error", message: string): TaskMessage => ({ type: "notification", level, message, task_id: t.taskId });
  if (t.status === "completed") {
    const left = t.engine.left.length;
    return note("success", `任务 #${t.taskId} 已完成${left ? `，${left} 项需要你手动完成` : ""}`);
  }
  if (t.status === "failed") return note("error", `任务 #${t.taskId} 失败: ${t.errorMsg ?? "未知原因"}`);
  if (t.status === "paused" && t.reason === "captcha") return note("warning", `任务 #${t.taskId} 需要输入超星验证码才能继续`);
  if (t.status === "paused" && t.reason === "notopen_ask") return note("warning", `任务 #${t.taskId}: 章节「${t.notopenChapter ?? ""}」未开放，请选择跳过或停止该课程`);
  if (t.status === "paused" && t.reason === "relay_offline") return note("warning", `任务 #${t.taskId} 已暂停：没有在线的中继。启动中继后会自动继续`);
  return null;
}

const MAX_CRASHES = 5;
const KEEP_LOGS = 2000;
const STATUS_LABEL: Record<TaskStatus, string> = {
  pending: "等待中", running: "运行中", paused: "已暂停", completed: "已完成", failed: "已失败", cancelled: "已取消",
};

const iso = (ms = clock.now()) => new Date(ms).toISOString();

const conflict = (status: TaskStatus, action: string): TransitionResult => ({
  ok: false,
  status: 409,
  detail: `任务当前状态为 ${status}（${STATUS_LABEL[status]}），不能${action}`,
});

/**
 * One task: owns its state and runs one bounded study step per alarm, checkpointed in one storage row,
 * so an eviction or a redeploy loses nothing. The D1 row mirrors status and progress for lists.
 */
export class TaskObject extends DurableObject<Env> {
  private t: TaskRecord | null | undefined;
  private password: { sealed: string; plain: string } | null = null;
  private logsSinceTrim = 0;
  /** Set by destroy(): nothing may be written back after the storage is gone. */
  private deleted = false;
  /** Pushes to hubs run one after another, so every hub sees this task's messages in order. */
  private pushing: Promise<void> = Promise.resolve();
  /** Counts `addHub` calls, so a "not interested" answer never drops a hub that re-subscribed meanwhile. */
  private registrations = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking a hibernated task.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  private rec(): TaskRecord | null {
    if (this.t === undefined) this.t = this.ctx.storage.kv.get<TaskRecord>("t") ?? null;
    return this.t;
  }

  /** Saves the checkpoint and schedules the next step: with the alarm, two rows. */
  private async arm(t: TaskRecord, at: number): Promise<void> {
    t.dueAt = at;
    this.save(t);
    await this.ctx.storage.setAlarm(at);
  }

  /** Alarm lateness of this object's recent steps (ms), for the admin's engine health and the benchmark. */
  async timing(): Promise<number[]> {
    return this.rec()?.lateness ?? [];
  }

  private save(t: TaskRecord): void {
    if (this.deleted) return;
    this.t = t;
    this.ctx.storage.kv.put("t", t);
  }

  // ---- transitions (api-contract.md "Tasks") -------------------------------------------------------

  async start(input: StartInput): Promise<TransitionResult> {
    const existing = this.rec();
    if (existing) return conflict(existing.status, "启动");
    const t: TaskRecord = {
      taskId: input.taskId,
      userId: input.userId,
      creds: input.creds,
      status: "running",
      reason: null,
      errorMsg: null,
      startTime: iso(),
      endTime: null,
      queuePosition: null,
      notopenChapter: null,
      engine: initialState(input.courseIds, input.speed, input.notopenAction),
      gen: 1,
      crashes: 0,
      mirror: { at: 0, studySeconds: 0, progress: 0 },
      dueAt: null,
      lateness: [],
    };
    await this.arm(t, clock.now());
    await this.afterTransition(t, [{ level: "INFO", message: `任务已启动（${input.speed}x，未开放章节: ${input.notopenAction}）` }]);
    return { ok: true, live: this.liveOf(t) };
  }

  async pause(): Promise<TransitionResult> {
    const t = this.rec();
    if (!t) return conflict("pending", "暂停");
    if (t.status !== "running") return conflict(t.status, "暂停");
    this.stop(t, "paused", "user");
    await this.releaseVideo(t);
    this.save(t);
    await this.afterTransition(t, [{ level: "INFO", message: "任务已暂停" }]);
    return { ok: true, live: this.liveOf(t) };
  }

  async resume(creds: SealedCredentials, choice?: "skip" | "stop"): Promise<TransitionResult> {
    const t = this.rec();
    if (!t || t.status !== "paused") return conflict(t?.status ?? "pending", "恢复");
    const logs: LogEvent[] = [];
    if (t.reason === "notopen_ask") {
      if (!choice) return { ok: false, status: 400, detail: "该任务在等待你对未开放章节的选择: 请在请求体中提供 {\"notopen\": \"skip\" | \"stop\"}" };
      logs.push(...applyNotopenChoice(t.engine, choice));
    }
    logs.push({ level: "INFO", message: "任务已恢复" });
    this.run(t, creds);
    await this.arm(t, clock.now());
    await this.afterTransition(t, logs);
    return { ok: true, live: this.liveOf(t) };
  }

  async retry(creds: SealedCredentials): Promise<TransitionResult> {
    const t = this.rec();
    if (!t || (t.status !== "failed" && t.status !== "cancelled")) return conflict(t?.status ?? "pending", "重试");
    t.errorMsg = null;
    t.endTime = null;
    this.run(t, creds);
    await this.arm(t, clock.now());
    await this.afterTransition(t, [{ level: "INFO", message: "任务重试：从上次的位置继续，已完成的任务点不会重做" }]);
    return { ok: true, live: this.liveOf(t) };
  }

  /** Cancel (user), force-stop (admin) or account deactivation: any live state → cancelled, at once. */
  async cancel(reason: StopReason): Promise<TransitionResult> {
    const t = this.rec();
    if (!t || (t.status !== "running" && t.status !== "paused")) return conflict(t?.status ?? "pending", "取消");
    this.stop(t, "cancelled", reason);
    await this.releaseVideo(t);
    this.save(t);
    const who = reason === "admin" ? "管理员" : reason === "account_disabled" ? "系统（账号已停用）" : "用户";
    await this.afterTransition(t, [{ level: "WARNING", message: `任务已被${who}取消` }]);
    return { ok: true, live: this.liveOf(t) };
  }

  /** Deletes everything this object holds (the route deletes the D1 row and logs). */
  async destroy(): Promise<void> {
    const t = this.rec();
    this.deleted = true;
    this.t = null;
    for (const ws of this.ctx.getWebSockets()) close(ws, 1000, "任务已删除");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    if (t) await this.account(t).releaseVideo(t.taskId);
  }

  /** The account freed its video lock and we are next in line: go now instead of at the next poll. */
  async wake(): Promise<void> {
    const t = this.rec();
    if (t?.status === "running" && t.reason === "waiting_for_account") await this.arm(t, clock.now());
  }

  /** Issue 14: one of the user's relay agents connected; a task paused for want of one goes on by itself. */
  async relayOnline(): Promise<void> {
    const t = this.rec();
    if (t?.status !== "paused" || t.reason !== "relay_offline") return;
    this.run(t, t.creds);
    await this.arm(t, clock.now());
    await this.afterTransition(t, [{ level: "INFO", message: "中继已连接，任务自动继续" }]);
  }

  async live(): Promise<TaskLive | null> {
    const t = this.rec();
    return t ? this.liveOf(t) : null;
  }

  // ---- captcha -----------------------------------------------------------------------------------

  async captchaImage(): Promise<{ ok: true; contentType: string; bytes: Uint8Array } | { ok: false; status: 409 | 502; detail: string }> {
    const t = this.rec();
    if (!t || t.status !== "paused" || t.reason !== "captcha") return { ok: false, status: 409, detail: "该任务没有在等待验证码" };
    const r = await this.call<"captchaImage">(t, { op: "captchaImage" }, true);
    if (!r.ok) return { ok: false, status: 502, detail: "error" in r ? r.error.message : "超星繁忙，请稍后再试" };
    return { ok: true, contentType: r.value.contentType, bytes: r.value.bytes };
  }

  async solveCaptcha(code: string, creds: SealedCredentials): Promise<TransitionResult> {
    const t = this.rec();
    if (!t || t.status !== "paused" || t.reason !== "captcha") return { ok: false, status: 409, detail: "该任务没有在等待验证码" };
    const gen = t.gen;
    const r = await this.call<"captcha">(t, { op: "captcha", code }, true);
    if (!r.ok) return { ok: false, status: 502, detail: "error" in r ? r.error.message : "超星繁忙，请稍后再试" };
    if (!r.value) return { ok: false, status: 400, detail: "验证码错误，请重新输入" };
    // Cancelled or stopped while Chaoxing checked the answer: that decision stands.
    if (this.t !== t || t.gen !== gen) return conflict(this.t?.status ?? "cancelled", "继续");
    this.run(t, creds);
    await this.arm(t, clock.now());
    await this.afterTransition(t, [{ level: "INFO", message: "验证码已通过，任务继续" }]);
    return { ok: true, live: this.liveOf(t) };
  }

  // ---- the study loop ----------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const t = this.rec();
    if (!t || t.status !== "running") return;
    // Kept in the checkpoint, which the step writes anyway. A queued task's lock polls are not sampled:
    // they write no checkpoint, so after an eviction their stored due time would be an older one.
    if (t.dueAt !== null && t.reason !== "waiting_for_account") t.lateness = [...t.lateness, clock.now() - t.dueAt].slice(-LATENESS_SAMPLES);
    t.dueAt = null;
    const gen = t.gen;
    const engine = structuredClone(t.engine);
    let result: StepResult;
    try {
      result = await step(engine, this.io(t));
    } catch (e) {
      // A poison step: back off and retry a bounded number of times, then fail with the reason.
      console.error(`task ${t.taskId} step crashed`, e);
      if (t.gen !== gen) return;
      t.crashes++;
      if (t.crashes > MAX_CRASHES) {
        this.stop(t, "failed", "internal");
        t.errorMsg = "任务内部错误，已停止。请重试任务";
        await this.releaseVideo(t);
        this.save(t);
        await this.afterTransition(t, [{ level: "ERROR", message: t.errorMsg }]);
        return;
      }
      await this.arm(t, clock.now() + backoffMs(t.crashes, Math.random()));
      return;
    }
    if (this.t !== t) {
      // Deleted while the step was in flight: write nothing back, give back the lock.
      if (engine.holdsVideo) await this.account(t).releaseVideo(t.taskId);
      return;
    }
    t.crashes = 0;
    if (t.gen !== gen) {
      // A transition happened while the step was in flight: keep the step's progress, but the lock and
      // the media restart are the transition's (a pause released the lock; a resume restarts at isdrag 3).
      const lockTakenMeanwhile = engine.holdsVideo && !t.engine.holdsVideo;
      engine.holdsVideo = t.engine.holdsVideo;
      if (t.status === "running") prepareResume(engine);
      t.engine = engine;
      if (lockTakenMeanwhile) await this.account(t).releaseVideo(t.taskId);
      this.save(t);
      await this.publishLogs(t, result.logs);
      return;
    }
    const unchanged = result.logs.length === 0 && JSON.stringify(engine) === JSON.stringify(t.engine);
    t.engine = engine;
    const o = result.outcome;
    let transition = false;
    switch (o.kind) {
      case "next":
        break;
      case "pause":
        this.stop(t, "paused", o.reason);
        t.notopenChapter = o.chapter ?? null;
        transition = true;
        break;
      case "complete":
        this.stop(t, "completed", null);
        transition = true;
        break;
      case "fail":
        this.stop(t, "failed", "upstream");
        t.errorMsg = o.message;
        transition = true;
        break;
    }
    if (o.kind === "next") {
      const sameReason = t.reason === (o.reason ?? null) && t.queuePosition === (o.reason === "waiting_for_account" ? (o.queuePosition ?? null) : null);
      t.reason = o.reason ?? null;
      t.queuePosition = o.reason === "waiting_for_account" ? (o.queuePosition ?? null) : null;
      // A pure wait (pacing, the lock queue) changed nothing: just the alarm, no checkpoint row.
      if (unchanged && sameReason) {
        t.dueAt = clock.now() + o.delayMs;
        await this.ctx.storage.setAlarm(t.dueAt);
        await this.publish(t);
        return;
      }
      await this.arm(t, clock.now() + o.delayMs);
    } else {
      await this.releaseVideo(t);
      this.save(t);
    }
    if (result.signal) this.recordSignal(t, result.signal);
    const logs = o.kind === "fail" ? [...result.logs, { level: "ERROR" as const, message: `任务失败: ${o.message}` }] : result.logs;
    if (transition) await this.afterTransition(t, logs);
    else await this.afterStep(t, logs);
  }

  private io(t: TaskRecord): EngineIO {
    const account = this.account(t);
    return {
      call: (op) => this.call(t, op),
      acquireVideo: () => account.acquireVideo(t.taskId),
      releaseVideo: () => account.releaseVideo(t.taskId),
      now: () => clock.now(),
      random: Math.random,
    };
  }

  private account(t: TaskRecord) {
    return this.env.ACCOUNTS.getByName(accountName(t.creds.phone));
  }

  private async credentials(t: TaskRecord): Promise<Credentials> {
    if (this.password?.sealed !== t.creds.sealedPassword) {
      const plain = await open(t.creds.sealedPassword, config(this.env).CX_ENCRYPTION_KEY, `user:${t.userId}`);
      this.password = { sealed: t.creds.sealedPassword, plain };
    }
    return { phone: t.creds.phone, password: this.password.plain, userId: t.userId };
  }

  private async call<K extends OpName>(t: TaskRecord, op: OpOf<K>, interactive = false): Promise<Reply<K>> {
    // RPC erases the generic: the account answers the Reply of the op it was given.
    return (await this.account(t).exec(t.taskId, await this.credentials(t), op, interactive)) as unknown as Reply<K>;
  }

  /** On every exit from running: frees the account's lock, or our place in its queue. */
  private async releaseVideo(t: TaskRecord): Promise<void> {
    t.engine.holdsVideo = false;
    await this.account(t).releaseVideo(t.taskId);
  }

  private run(t: TaskRecord, creds: SealedCredentials): void {
    t.status = "running";
    t.reason = null;
    t.notopenChapter = null;
    t.creds = creds;
    t.gen++;
    prepareResume(t.engine);
  }

  private stop(t: TaskRecord, status: TaskStatus, reason: string | null): void {
    t.status = status;
    t.reason = reason;
    t.queuePosition = null;
    t.gen++;
    if (status !== "paused") t.endTime = iso();
    if (status !== "running") this.ctx.waitUntil(this.ctx.storage.deleteAlarm());
  }

  // ---- what the world sees -------------------------------------------------------------------------

  private liveOf(t: TaskRecord): TaskLive {
    const p = computeProgress(t.engine);
    return {
      ...p,
      progress: t.status === "completed" ? 100 : p.progress,
      eta_seconds: t.status === "running" ? p.eta_seconds : null,
      status: t.status,
      reason: t.reason,
      queue_position: t.queuePosition,
      speed: t.engine.speed,
      notopen_action: t.engine.notopenAction,
      error_msg: t.errorMsg,
      start_time: t.startTime,
      end_time: t.endTime,
      notopen_chapter: t.notopenChapter,
      left_for_user: t.engine.left,
    };
  }

  private async afterTransition(t: TaskRecord, logs: LogEvent[]): Promise<void> {
    await this.mirror(t, true);
    await this.publishLogs(t, logs);
    await this.publish(t);
    const note = notificationOf(t);
    if (note) this.broadcast([note]);
  }

  private async afterStep(t: TaskRecord, logs: LogEvent[]): Promise<void> {
    await this.mirror(t, false);
    await this.publishLogs(t, logs);
    await this.publish(t);
  }

  /**
   * The D1 row mirrors the task for lists and statistics: everything on a transition; while running only
   * the progress columns (none of them indexed, so one row), at most every few minutes and only when
   * something moved. Study time is credited to its Shanghai day at the same time.
   */
  private async mirror(t: TaskRecord, transition: boolean): Promise<void> {
    const now = clock.now();
    const live = this.liveOf(t);
    const delta = t.engine.stats.studySeconds - t.mirror.studySeconds;
    if (!transition && (now - t.mirror.at < MIRROR_EVERY_MS || (live.progress === t.mirror.progress && delta <= 0))) return;
    const progress = [live.progress, live.completed_courses, live.total_courses, JSON.stringify(t.engine.left), t.engine.stats.studySeconds, t.engine.stats.jobsDone];
    const stmts = [
      transition
        ? this.env.DB.prepare(
            `UPDATE tasks SET progress = ?, completed_courses = ?, total_courses = ?, left_for_user = ?, study_seconds = ?, jobs_completed = ?,
             status = ?, reason = ?, error_msg = ?, start_time = ?, end_time = ?, speed = ?, notopen_action = ?, updated_at = ? WHERE id = ?`,
          ).bind(...progress, t.status, t.reason, t.errorMsg, t.startTime, t.endTime, t.engine.speed, t.engine.notopenAction, iso(now), t.taskId)
        : this.env.DB.prepare(
            `UPDATE tasks SET progress = ?, completed_courses = ?, total_courses = ?, left_for_user = ?, study_seconds = ?, jobs_completed = ?,
             updated_at = ? WHERE id = ?`,
          ).bind(...progress, iso(now), t.taskId),
    ];
    if (delta > 0) {
      stmts.push(
        this.env.DB.prepare(
          `INSERT INTO study_days (task_id, user_id, day, seconds) VALUES (?, ?, ?, ?)
           ON CONFLICT (task_id, day) DO UPDATE SET seconds = seconds + excluded.seconds`,
        ).bind(t.taskId, t.userId, shanghaiDay(now), delta),
      );
    }
    // Claimed before the await: a transition mirroring concurrently must not count the same delta twice.
    t.mirror = { at: now, studySeconds: t.engine.stats.studySeconds, progress: live.progress };
    this.save(t);
    await this.env.DB.batch(stmts);
  }

  /** Log lines go to D1 (events, not reports) and to subscribers; an old task keeps its newest 2,000. */
  private async publishLogs(t: TaskRecord, logs: LogEvent[]): Promise<void> {
    if (logs.length === 0) return;
    const at = iso();
    const rows = await this.env.DB.batch<TaskLogLine>(
      logs.map((l) =>
        this.env.DB.prepare("INSERT INTO task_logs (task_id, level, message, created_at) VALUES (?, ?, ?, ?) RETURNING id, level, message, created_at")
          .bind(t.taskId, l.level, l.message.slice(0, 2000), at),
      ),
    );
    // Counted in memory: after an eviction the trim merely comes later, and a counter is not worth a row.
    this.logsSinceTrim += logs.length;
    if (this.logsSinceTrim >= 200) {
      this.logsSinceTrim = 0;
      await this.env.DB.prepare(
        "DELETE FROM task_logs WHERE task_id = ? AND id <= (SELECT id FROM task_logs WHERE task_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
      ).bind(t.taskId, t.taskId, KEEP_LOGS).run();
    }
    this.broadcast(rows.map((r) => ({ type: "task_log", task_id: t.taskId, log: r.results[0]! })));
  }

  private async publish(t: TaskRecord): Promise<void> {
    this.broadcast([{ type: "task_update", task_id: t.taskId, data: this.liveOf(t) }]);
  }

  // ---- live progress (issue 5): direct sockets and hubs --------------------------------------------
  //
  // Direct sockets (`WS /api/tasks/{id}/ws`) are hibernatable and carry their token in the attachment.
  // Revocation reaches them through the user's hub, which the worker route told about each one
  // (`HubObject.noteDirect`); the hub's expiry alarm does the same at token expiry, and a broadcast
  // never sends to an expired token either. So the engine's alarm schedule is left alone.

  /** Sends to direct sockets now and queues the push to subscribed hubs; never throws into a step. */
  private broadcast(messages: TaskMessage[]): void {
    const first = messages[0];
    if (!first) return;
    const frames = messages.map(frame);
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (isExpired((ws.deserializeAttachment() as DirectAttachment).exp)) close(ws, CLOSE_POLICY, "token expired");
      else if (!send(ws, frames)) close(ws, 1011, "send failed");
    }
    const hubs = this.hubs();
    if (hubs.length) this.pushToHubs(hubs, first.task_id, messages);
  }

  private hubs(): string[] {
    return this.ctx.storage.kv.get<string[]>(HUBS_KEY) ?? [];
  }

  private pushToHubs(hubs: string[], taskId: number, messages: TaskMessage[]): void {
    this.pushing = this.pushing.then(async () => {
      const registrations = this.registrations;
      await Promise.all(
        hubs.map(async (name) => {
          try {
            // False: the hub has no subscriber left for this task (they left, or it restarted). This is
            // how hubs unregister: the answer reflects the hub's state at that moment, unlike a separate
            // "remove" call that could overtake a later subscribe.
            const interested = await this.env.HUBS.getByName(name).push(taskId, messages);
            if (!interested && registrations === this.registrations) this.removeHub(name);
          } catch (e) {
            console.warn(`task ${taskId}: push to ${name} failed`, e);
          }
        }),
      );
    });
    this.ctx.waitUntil(this.pushing);
  }

  /** The live state, also for a task that never started (its D1 row); null once it is deleted. */
  private async current(taskId: number): Promise<TaskLive | null> {
    const row = this.rec() ? null : await getDb(this.env).select().from(tasks).where(eq(tasks.id, taskId)).get();
    // Re-read after the await: the task may have started meanwhile, and its own state wins.
    const t = this.rec();
    return t ? this.liveOf(t) : row ? liveOfRow(row) : null;
  }

  /** A hub subscribes: remembered in storage, and sent the current state through the ordered push queue. */
  async addHub(taskId: number, hub: string): Promise<void> {
    const data = await this.current(taskId);
    if (!data) return;
    this.registrations++;
    const hubs = this.hubs();
    if (!hubs.includes(hub)) this.ctx.storage.kv.put(HUBS_KEY, [...hubs, hub]);
    this.pushToHubs([hub], taskId, [{ type: "task_update", task_id: taskId, data }]);
  }

  private removeHub(hub: string): void {
    const hubs = this.hubs();
    if (hubs.includes(hub)) this.ctx.storage.kv.put(HUBS_KEY, hubs.filter((h) => h !== hub));
  }

  /** Token revoked or expired (told by the user's hub): close the matching direct sockets with 1008. */
  async closeSockets(sel: SocketSelector, reason: string): Promise<void> {
    for (const ws of this.ctx.getWebSockets(`u:${sel.userId}`)) {
      const a = ws.deserializeAttachment() as DirectAttachment;
      if (selects(sel, a.userId, a.jti)) close(ws, CLOSE_POLICY, reason);
    }
  }

  /** `WS /api/tasks/{id}/ws`, after the worker route authenticated the token and checked ownership. */
  override async fetch(request: Request): Promise<Response> {
    const raw = request.headers.get(SESSION_HEADER);
    const taskId = Number(new URL(request.url).searchParams.get("task_id"));
    if (!raw || !taskId || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected an upgrade", { status: 400 });
    const data = await this.current(taskId);
    if (!data) return new Response("task not found", { status: 404 });
    const s = JSON.parse(raw) as LiveSession;
    const { 0: client, 1: server } = new WebSocketPair();
    // Tagged by user, so a revocation reads only that user's attachments.
    this.ctx.acceptWebSocket(server, [`u:${s.userId}`]);
    server.serializeAttachment({ jti: s.jti, exp: s.exp, userId: s.userId, taskId } satisfies DirectAttachment);
    send(server, [frame({ type: "task_update", task_id: taskId, data })]);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A direct socket speaks the same messages; it is bound to this task, so subscribing to it just resends the state. */
  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const admission = admit(ws, raw);
    if (admission === "too_big") return close(ws, CLOSE_TOO_BIG, "message too big");
    if (admission === "rate_limited") return void send(ws, [errorFrame(TOO_FAST)]);
    if (admission === "drop") return;
    const a = ws.deserializeAttachment() as DirectAttachment;
    if (isExpired(a.exp)) return close(ws, CLOSE_POLICY, "token expired");
    const m = parseClientMessage(raw);
    if ("invalid" in m) return void send(ws, [errorFrame(m.invalid)]);
    if (m.type === "ping") return void send(ws, [PONG]);
    if (m.type === "subscribe_task" && m.task_id === a.taskId) {
      const data = await this.current(a.taskId);
      if (data) send(ws, [frame({ type: "subscribed", task_id: a.taskId }), frame({ type: "task_update", task_id: a.taskId, data })]);
      return;
    }
    send(ws, [errorFrame(`此连接只推送任务 ${a.taskId}；订阅其他任务请用 /ws/connect，退订请关闭连接`)]);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    answerClose(ws, code, reason);
  }

  private recordSignal(t: TaskRecord, kind: string): void {
    this.ctx.waitUntil(
      this.env.DB.prepare("INSERT INTO upstream_events (task_id, user_id, kind, created_at) VALUES (?, ?, ?, ?)")
        .bind(t.taskId, t.userId, kind, iso())
        .run()
        .then(() => undefined, () => undefined),
    );
  }
}
