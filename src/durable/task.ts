import { DurableObject } from "cloudflare:workers";
import { config } from "../config";
import { upstreamUrlsFromEnv } from "../chaoxing/urls";
import { alarmTime } from "../engine/alarm-policy";
import { applyNotopenChoice } from "../engine/chapters";
import { logLine } from "../engine/log";
import { canRecheck, startRecheck } from "../engine/recheck";
import { prepareResume } from "../engine/restart";
import { initialState, type EngineState } from "../engine/state";
import type { LogEvent } from "../engine/types";
import { clock, isoNow, shanghaiMinute } from "../../shared/clock";
import { RESUME_JITTER_MS } from "../limits/study-limits";
import type { TaskReason, TaskStatus } from "../shared/live";
import { Projection } from "../tasks/projection";
import { liveOf, type SealedCredentials, type TaskRecord } from "../tasks/record";
import { conflict, refused, wrongState, type TaskResult } from "../tasks/results";
import { choiceOf } from "../tasks/selection";
import type { TaskLive } from "../tasks/shape";
import type { TaskRow } from "../tasks/rows";
import { answerClose, PING, PONG, type LiveSession, type SocketSelector } from "./sockets";
import { TaskChannel } from "./task-channel";
import { TaskFanOut } from "./task-fanout";
import { TaskLoop } from "./task-loop";
import { TaskPeers } from "./task-peers";
import { runOf, TaskRecords, type RunInput } from "./task-records";

export type { SealedCredentials };

export type { RunInput };
export type StopReason = "user" | "admin" | "account_disabled";

const CANCELLED_BY = { user: "task.cancelled_user", admin: "task.cancelled_admin", account_disabled: "task.cancelled_disabled" } as const satisfies Record<StopReason, string>;

/**
 * One task, and the one authority on its state: every transition (a pending task's cancel included) goes
 * through here, one at a time, and the D1 row is a projection written after the state is safe in storage.
 * Runs one bounded study step per alarm, checkpointed, so an eviction or a redeploy loses nothing.
 */
export class TaskObject extends DurableObject<Env> {
  /** Transitions run one at a time: each awaits other objects (the hub's run slots, the account) and D1. */
  private serial: Promise<unknown> = Promise.resolve();
  private readonly channel: TaskChannel;
  private readonly projection: Projection;
  private readonly records: TaskRecords;
  private readonly peers: TaskPeers;
  private readonly fanout: TaskFanOut;
  private readonly loop: TaskLoop;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking a hibernated task.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.channel = new TaskChannel(ctx, env);
    this.records = new TaskRecords(ctx, env, this.channel);
    this.peers = new TaskPeers(env);
    this.projection = new Projection(env, {
      record: () => this.records.rec(),
      // Written log lines leave the checkpoint only if they were in it.
      save: (t) => {
        if (this.records.stored?.outbox) this.records.save(t, t.latest === true);
      },
      published: (taskId, lines) => this.channel.broadcast(lines.map((log) => ({ type: "task_log", task_id: taskId, log }))),
      orphaned: (why) => this.ctx.waitUntil(why === "gone" ? this.exclusive(() => this.vanish()) : this.cancelForDisabledUser()),
      retryAt: (at) => this.records.alarmAt(at),
    });
    this.fanout = new TaskFanOut(env, this.records, this.channel, this.projection);
    const { records, peers, fanout, channel, projection } = this;
    // The loop's ways into and out of running, and out of existence, are transitions: they stay here.
    const transitions = { stop: this.stop.bind(this), toRunning: this.toRunning.bind(this), exclusive: this.exclusive.bind(this), vanish: this.vanish.bind(this) };
    this.loop = new TaskLoop(ctx, env, { records, peers, fanout, channel, projection, ...transitions });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  // ---- transitions (api-contract.md "Tasks") -------------------------------------------------------

  async start(row: TaskRow, run: RunInput): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.adopt(row);
      if (!t) return this.records.missing();
      if (t.status !== "pending") return conflict(t.status, "启动");
      return this.toRunning(t, run, () => [logLine("INFO", "task.started", { speed: run.speed, notopen: run.notopenAction })]);
    });
  }

  async resume(row: TaskRow, run: RunInput, choice?: "skip" | "stop" | "retry"): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.adopt(row);
      if (!t) return this.records.missing();
      if (t.status !== "paused") return conflict(t.status, "恢复");
      if (t.reason === "notopen_ask" && !choice) {
        return refused("choice_required", "该任务在等待你对未开放章节的选择: 请在请求体中提供 {\"notopen\": \"skip\" | \"stop\" | \"retry\"}");
      }
      const urls = upstreamUrlsFromEnv(this.env);
      // From risk control the first call is a probe: until Chaoxing answers one, the task is checking, not studying.
      const reason = t.reason === "risk_control" ? "risk_check" : null;
      return this.toRunning(t, run, (e) => [...(t.reason === "notopen_ask" && choice ? applyNotopenChoice(e, choice, urls) : []), logLine("INFO", "task.resumed")], { reason });
    });
  }

  async retry(row: TaskRow, run: RunInput): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.adopt(row);
      if (!t) return this.records.missing();
      if (t.status !== "failed" && t.status !== "cancelled") return conflict(t.status, "重试");
      // A task cancelled before it ever ran: retrying it is starting it.
      const line = t.engine ? logLine("INFO", "task.retried") : logLine("INFO", "task.started", { speed: run.speed, notopen: run.notopenAction });
      return this.toRunning(t, run, () => [line]);
    });
  }

  /** A completed task with items left: re-read them (the user may have done them in 学习通), then complete again. */
  async recheck(row: TaskRow, run: RunInput): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.adopt(row);
      if (!t) return this.records.missing();
      if (t.status !== "completed") return conflict(t.status, "重新检查");
      if (!t.engine || !canRecheck(t.engine)) return refused("conflict", "该任务没有需要你处理的内容，无需重新检查");
      // The task finished when it first completed: a recheck only looks again, it does not move that time.
      return this.toRunning(t, run, (e) => startRecheck(e), { keepEndTime: true });
    });
  }

  /**
   * One of the user's relay agents connected (README "Egress"): a task paused for want of one goes on by
   * itself (within the cap).
   */
  async relayOnline(): Promise<TaskResult> {
    return this.goOn((t) => t.reason === "relay_offline" || t.reason === "relay_outdated", "该任务没有在等待中继", "task.relay_back");
  }

  /**
   * A scan opened a new session for `phone` (its binding holds it now): a task of that account paused
   * for want of one goes on by itself (within the cap), as the relay's tasks do when an agent connects.
   */
  async loginRenewed(phone: string): Promise<TaskResult> {
    return this.goOn((t) => t.reason === "login_required" && t.creds?.phone === phone, "该任务没有在等待重新扫码", "task.login_back");
  }

  /** A paused task whose wait is over (`waiting`) goes on by itself, with its record's settings (within the cap). */
  private goOn(waiting: (t: TaskRecord) => boolean, refusal: string, line: "task.relay_back" | "task.login_back"): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.rec();
      if (!t?.engine || !t.creds || t.status !== "paused" || !waiting(t)) return refused("conflict", refusal);
      return this.toRunning(t, runOf(t.creds, t.engine), () => [logLine("INFO", line)]);
    });
  }

  /**
   * The user's relay object saw their last agent go (or an outdated one refused with none online): a
   * running task pauses now, not at its next call. Paused already, it stays as it is (one pause, one
   * notification); the relay object resumes it when an agent connects.
   */
  async relayLost(reason: "relay_offline" | "relay_outdated"): Promise<void> {
    await this.exclusive(async () => {
      const t = this.records.rec();
      if (t?.status !== "running") return;
      await this.stop(t, "paused", reason, [logLine("WARNING", reason === "relay_offline" ? "wait.relay_offline" : "wait.relay_outdated")]);
    });
  }

  /** Cancel (user), force-stop (admin) or account deactivation: pending, running or paused → cancelled, at once. */
  async cancel(row: TaskRow, reason: StopReason, note?: string): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.adopt(row);
      if (!t) return this.records.missing();
      if (t.status !== "pending" && t.status !== "running" && t.status !== "paused") return conflict(t.status, "取消");
      const line = reason === "admin" && note ? logLine("WARNING", "task.cancelled_admin_reason", { note }) : logLine("WARNING", CANCELLED_BY[reason]);
      // An admin's stop is explained on the owner's task page (and in the notification it raises).
      if (reason === "admin") {
        t.errorMsg = line.message;
        t.error = { code: line.code!, params: line.params ?? {} };
      }
      await this.stop(t, "cancelled", reason, [line]);
      return { ok: true, value: liveOf(t) };
    });
  }

  async pause(row: TaskRow): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.adopt(row);
      if (!t) return this.records.missing();
      if (t.status !== "running") return conflict(t.status, "暂停");
      await this.stop(t, "paused", "user", [logLine("INFO", "task.paused")]);
      return { ok: true, value: liveOf(t) };
    });
  }

  /**
   * Deletes everything this object holds, leaving a tombstone (the route then deletes the row and its
   * logs). A running task is refused unless `force` (an admin deleting the whole user).
   */
  async destroy(force = false): Promise<TaskResult<null>> {
    return this.exclusive(async () => {
      const t = this.records.rec();
      if (t?.status === "running" && !force) return wrongState(t.status, "任务正在运行，请先暂停或取消再删除");
      await this.vanish();
      return { ok: true, value: null };
    });
  }

  /**
   * Captcha answered (wrong answers are 400 and change nothing); a right one resumes the task. Chaoxing's
   * answer can take a while, so another transition may have come first: then that one stands.
   */
  async solveCaptcha(row: TaskRow, code: string, run: RunInput): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.records.adopt(row);
      if (!t) return this.records.missing();
      if (t.status !== "paused" || t.reason !== "captcha") return wrongState(t.status, "该任务没有在等待验证码");
      const r = await this.peers.call<"captcha">(t, { op: "captcha", code, origin: t.engine?.captchaOrigin ?? undefined }, true);
      if (!r.ok) return refused("upstream_failed", "error" in r ? r.error.message : "超星繁忙，请稍后再试");
      if (!r.value) return refused("captcha_wrong", "验证码错误，请重新输入");
      return this.toRunning(t, run, () => [logLine("INFO", "task.captcha_passed")]);
    });
  }

  async captchaImage(row: TaskRow): Promise<TaskResult<{ contentType: string; bytes: Uint8Array }>> {
    const t = this.records.adopt(row);
    if (!t) return this.records.missing();
    if (t.status !== "paused" || t.reason !== "captcha") return wrongState(t.status, "该任务没有在等待验证码");
    const r = await this.peers.call<"captchaImage">(t, { op: "captchaImage", origin: t.engine?.captchaOrigin ?? undefined }, true);
    if (!r.ok) return refused("upstream_failed", "error" in r ? r.error.message : "超星繁忙，请稍后再试");
    return { ok: true, value: r.value };
  }

  /** The account freed its video lock and we are next in line: go now instead of at the next poll. */
  async wake(): Promise<void> {
    const t = this.records.rec();
    if (t?.status === "running" && t.reason === "waiting_for_account") await this.records.arm(t, clock.now());
  }

  async live(): Promise<TaskLive | null> {
    await this.loop.keepAlarm();
    const t = this.records.rec();
    return t ? liveOf(t) : null;
  }

  /** The account's limits were edited: a running task forecasts again at once and says so. */
  async refreshForecast(): Promise<void> {
    const t = this.records.rec();
    if (t?.status !== "running") return;
    await this.peers.forecast(t);
    this.fanout.publish(t);
  }

  /** For the hub's run-slot check: running, or about to be (asking for its slot right now). */
  async isRunning(): Promise<boolean> {
    // A record of a later release keeps its slot: that release runs it again when it is back.
    return this.peers.claiming || this.records.rec()?.status === "running" || this.records.store.unreadable?.kind === "newer";
  }

  /**
   * The admin export: the stored record exactly as written (its version in it, so any later release loads
   * it), and one this release could not read, kept aside. Null when the object holds nothing.
   */
  async exported(): Promise<{ record: unknown; unreadable: unknown } | null> {
    return this.records.store.exported();
  }

  /**
   * The admin import (a restore into storage that lost it): an exported record, loaded and upgraded like a
   * stored one, is taken only by an object that holds none, for the task of `row`. A running task goes on
   * at once, from the platform's position (`resumeCold`).
   */
  async restore(row: TaskRow, raw: unknown): Promise<TaskResult<null>> {
    return this.exclusive(() => this.records.restore(row, raw));
  }

  /** Alarm lateness of this object's recent steps (ms), for the admin's engine health and the benchmark. */
  async timing(): Promise<number[]> {
    return this.records.rec()?.lateness ?? [];
  }

  /**
   * Every way into `running`. The run slot comes first, from the user's hub, which decides racing
   * starts one at a time, so the cap holds; nothing changes here until it is granted.
   */
  private async toRunning(
    t: TaskRecord,
    run: RunInput,
    logsOf: (engine: EngineState) => LogEvent[],
    opts: { keepEndTime?: boolean; reason?: TaskReason | null; morningCheck?: boolean } = {},
  ): Promise<TaskResult> {
    const max = config(this.env).MAX_RUNNING_TASKS;
    // Outside the account's study window no automated call goes out: the answer says so at once, with
    // when it goes on (the window's start plus the engine's jitter), and the one alarm is then. Asked
    // before the run slot: from the slot's grant to `running` nothing may wait (the hub's stale check).
    // A morning check is no start: before the window it completes again at once (src/engine/credit.ts).
    const opensAt = opts.morningCheck ? null : await this.peers.windowOpensAt(t.userId, run.creds);
    const granted = await this.peers.claimRun(t, max);
    if (!granted) return refused("running_cap", `最多同时运行 ${max} 个任务，请先暂停或等待其他任务完成`);
    const engine = t.engine ?? initialState(t.courseIds, run.speed, run.notopenAction, t.classes ?? [], (t.selection ?? []).map(choiceOf));
    const logs = logsOf(engine);
    // A record made in place of an unreadable one starts over from here (the platform knows what passed).
    delete t.unreadable;
    const firstAt = alarmTime(opensAt === null ? clock.now() : opensAt + Math.round(Math.random() * RESUME_JITTER_MS));
    if (opensAt !== null) logs.push(logLine("INFO", "wait.outside_window", { until: shanghaiMinute(firstAt) }));
    t.engine = engine;
    t.status = "running";
    // Outside the window that wait is what the task shows, as any wait's reason outranks a risk check in a step.
    t.reason = opensAt === null ? (opts.reason ?? null) : "outside_window";
    t.resumesAt = opensAt === null ? null : firstAt;
    t.notopenChapter = null;
    t.errorMsg = null;
    t.error = null;
    if (!opts.keepEndTime) t.endTime = null;
    t.startTime ??= isoNow();
    t.creds = run.creds;
    t.gen++;
    prepareResume(engine);
    this.projection.queue(t, logs, "full");
    await this.records.arm(t, firstAt);
    // After the record is the object's own (`arm` stores it): while the account answers, the hub's run-slot
    // check must already see this task running.
    await this.peers.forecast(t);
    await this.fanout.afterTransition(t);
    return { ok: true, value: liveOf(t) };
  }

  /**
   * Every way out of `running` (or out of pending). The new state is stored first; the lock, the run
   * slot and the row follow, and a failure among them never leaves the task half-stopped.
   */
  private async stop(
    t: TaskRecord, status: TaskStatus, reason: TaskReason | null, logs: LogEvent[], opts: { announce?: boolean; checkAt?: number } = {},
  ): Promise<void> {
    t.status = status;
    t.reason = reason;
    t.queuePosition = null;
    t.resumesAt = null;
    t.gen++;
    // A recheck completing again keeps the first completion's time (recheck()); any other end is now.
    if (status !== "paused" && !(status === "completed" && t.endTime)) t.endTime = isoNow();
    if (t.engine) t.engine.holdsVideo = false;
    this.projection.queue(t, logs, "full");
    this.records.save(t);
    await this.ctx.storage.deleteAlarm();
    if (status === "completed") await this.records.armCheck(t, opts.checkAt);
    await this.peers.release(t);
    await this.fanout.afterTransition(t, `g${t.gen}`, opts.announce ?? true);
  }

  /** Deleted (or its row is gone): nothing of it stays, and nothing may be written back. */
  private async vanish(): Promise<void> {
    const t = await this.records.erase();
    this.channel.closeAll("任务已删除");
    if (t) await this.peers.release(t);
  }

  // ---- the study loop (src/durable/task-loop.ts) -------------------------------------------------

  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    await this.loop.alarm(info);
  }

  /** The guarded mirror found the owner deactivated (a race with the deactivation's own cancel): stop here too. */
  private cancelForDisabledUser(): Promise<void> {
    return this.exclusive(async () => {
      const t = this.records.rec();
      if (t?.status === "running" || t?.status === "paused") await this.stop(t, "cancelled", "account_disabled", [logLine("WARNING", CANCELLED_BY.account_disabled)]);
    });
  }

  // ---- live progress: direct sockets and hubs (src/durable/task-channel.ts) ------------------------

  /** A hub subscribes; it gets the current state through the same ordered channel as every later update. */
  async addHub(taskId: number, hub: string): Promise<void> {
    const data = await this.fanout.current(taskId);
    if (data) this.channel.addHub(taskId, hub, data);
  }

  /** Token revoked or expired (told by the user's hub): close the matching direct sockets with 1008. */
  async closeSockets(sel: SocketSelector, reason: string): Promise<void> {
    this.channel.closeSockets(sel, reason);
  }

  /** The session of the direct socket's upgrade that follows (the worker route checked the token and ownership). */
  async ticket(session: LiveSession): Promise<string> {
    return this.channel.handover.offer(session);
  }

  /** `WS /api/tasks/{id}/ws`, naming the session handed over just before. */
  override async fetch(request: Request): Promise<Response> {
    return this.channel.upgrade(request, (taskId) => this.fanout.current(taskId));
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    await this.channel.message(ws, raw, (taskId) => this.fanout.current(taskId));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    answerClose(ws, code, reason);
  }
}
