import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { config } from "../config";
import { getDb } from "../db/client";
import { tasks, userConfigs } from "../db/schema";
import type { OpName, OpOf, Reply } from "./account-ops";
import { CHECK_JITTER_MS, nextCheckAt, startVerify } from "../engine/credit";
import { logLine } from "../engine/log";
import { initialState, type EngineState } from "../engine/state";
import { upstreamUrlsFromEnv } from "../chaoxing/urls";
import {
  applyNotopenChoice, backoffMs, canRecheck, checkpointKey, prepareResume, resumeAlarmDue, resumeCold, startRecheck, step, type EngineIO, type LogEvent,
  type StepResult,
} from "../engine/step";
import { clock, shanghaiDay, shanghaiMinute } from "../lib/clock";
import { RESUME_JITTER_MS } from "../limits/study-limits";
import { open } from "../lib/secretbox";
import { errorText, recordError } from "../lib/error-log";
import { load } from "../lib/versioned";
import { notify, notifyTaskState } from "../notify/produce";
import type { NotopenAction, TaskReason, TaskStatus } from "../shared/live";
import { Projection, recordSignal } from "../tasks/projection";
import { engineWork, forecastFor, forecastKeyOf } from "../tasks/forecast-work";
import { liveOf, notificationOf, recordOf, rollbackNotification, type SealedCredentials, type TaskRecord } from "../tasks/record";
import { choiceOf } from "../tasks/selection";
import { TASK_RECORD } from "../tasks/record-versions";
import { refused, wrongState, type TaskResult } from "../tasks/results";
import { liveOfRow, type TaskLive, type TaskRow } from "../tasks/shape";
import { accountName, type Credentials } from "./account";
import { phoneName } from "./phone";
import { answerClose, hubName, PING, PONG, taskUpdate, type LiveSession, type SocketSelector } from "./sockets";
import { TaskChannel } from "./task-channel";
import { TaskStorage } from "./task-storage";

export type { SealedCredentials };

/** What a transition to running needs from the route: the account, and the settings a first start takes. */
export interface RunInput {
  creds: SealedCredentials;
  speed: number;
  notopenAction: NotopenAction;
}

export type StopReason = "user" | "admin" | "account_disabled";

const LATENESS_SAMPLES = 20;
const MAX_CRASHES = 5;
/**
 * Issue 16: every alarm and every checkpoint is a storage row (the free plan's daily quota). Gaps this
 * short (the pacing between calls) are waited inside the running alarm, up to this many steps per alarm,
 * so a study step that is not a progress report rarely costs an alarm of its own. Only light steps are
 * chained (a media status, a report, a document, a visit, the video lock: a small answer each, ≈0.2 ms
 * of CPU): a step that parsed a page (HEAVY_OPS) ends the alarm, so one invocation stays within the CPU
 * budget of the free plan. A wait with a reason (a back-off after a 5xx, however short its jitter made
 * it) is never chained: it ends the alarm, so the task shows the reason until the wait is over.
 */
const CHAIN_GAP_MS = 3_000;
const CHAIN_STEPS = 10;
/** A running task's forecast is made again at least this often (and whenever a wait, a chapter or a course changes it). */
const FORECAST_EVERY_MS = 10 * 60_000;
/** Between job boundaries the checkpoint is rewritten at most this often (src/engine/step.ts `checkpointKey`). */
const CHECKPOINT_EVERY_MS = 60 * 60_000;
/** After a running task's object lost its memory, every step is written for this long (`rec`). */
const EVERY_STEP_AFTER_EVICTION_MS = 15 * 60_000;
const HEAVY_OPS: ReadonlySet<OpName> = new Set(["courses", "chapters", "cards", "tabs", "studyPage", "progress"]);
const MAX_PAGES_PER_ALARM = 2;
/**
 * A completed task's next-morning check (src/engine/credit.ts) reopens it into running, so it takes a run
 * slot like a start; with the user's slots all taken it stays completed and asks again this much later.
 */
const CHECK_RETRY_MS = 30 * 60_000;
/** What a checkpoint of `t` written now holds (TaskObject `stored`). */
const storedOf = (t: TaskRecord) => ({ key: t.engine ? checkpointKey(t.engine) : "", at: clock.now(), outbox: t.outbox.length > 0, reason: t.reason });
const STATUS_LABEL: Record<TaskStatus, string> = {
  pending: "等待中", running: "运行中", paused: "已暂停", completed: "已完成", failed: "已失败", cancelled: "已取消",
};

const CANCELLED_BY = { user: "task.cancelled_user", admin: "task.cancelled_admin", account_disabled: "task.cancelled_disabled" } as const satisfies Record<StopReason, string>;

const iso = (ms = clock.now()) => new Date(ms).toISOString();
const conflict = (status: TaskStatus, action: string) => wrongState(status, `任务当前状态为 ${status}（${STATUS_LABEL[status]}），不能${action}`);
const gone = () => refused("not_found", "任务不存在");
/** A record written by a later release is left alone (a rollback); its alarm looks again this much later. */
const NEWER_RECHECK_MS = 60 * 60_000;

/**
 * One task, and the one authority on its state: every transition (a pending task's cancel included) goes
 * through here, one at a time, and the D1 row is a projection written after the state is safe in storage.
 * Runs one bounded study step per alarm, checkpointed, so an eviction or a redeploy loses nothing.
 */
export class TaskObject extends DurableObject<Env> {
  private t: TaskRecord | null | undefined;
  /** Set by destroy(), and kept as a tombstone: a request that raced the delete finds nothing to revive. */
  private deleted = false;
  private password: { sealed: string; plain: string } | null = null;
  /** Transitions run one at a time: each awaits other objects (the hub's run slots, the account) and D1. */
  private serial: Promise<unknown> = Promise.resolve();
  /** Asking the hub for a run slot: the hub counts this task as running meanwhile. */
  private claiming = false;
  private readonly channel: TaskChannel;
  private readonly projection: Projection;
  /** What the stored checkpoint holds: its job boundary, when it was written, whether log lines were in it, the reason it shows. */
  private stored: ReturnType<typeof storedOf> | null = null;
  /** Pages this alarm's steps parsed (heavy steps): after MAX_PAGES_PER_ALARM no further step is chained. */
  private pagesParsed = 0;
  private readonly store: TaskStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking a hibernated task.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.channel = new TaskChannel(ctx, env);
    this.store = new TaskStorage(ctx, env);
    this.projection = new Projection(env, {
      record: () => this.rec(),
      // Written log lines leave the checkpoint only if they were in it.
      save: (t) => {
        if (this.stored?.outbox) this.save(t, t.latest === true);
      },
      published: (taskId, lines) => this.channel.broadcast(lines.map((log) => ({ type: "task_log", task_id: taskId, log }))),
      orphaned: (why) => this.ctx.waitUntil(why === "gone" ? this.exclusive(() => this.vanish()) : this.cancelForDisabledUser()),
      retryAt: (at) => this.ctx.storage.setAlarm(at),
    });
  }

  private rec(): TaskRecord | null {
    if (this.t === undefined) {
      this.deleted = this.store.deleted();
      const t = this.deleted ? null : this.store.read();
      this.t = t;
      if (t?.status === "running" && t.engine) {
        // A checkpoint older than the last step: a video goes on from the platform's position.
        if (!t.latest) resumeCold(t.engine);
        // Memory lost while running: this runtime may evict between steps (hibernation with sockets open,
        // local workerd within seconds of idling, a redeploy). Were every cold load to go back to an older
        // checkpoint, the work since it would be lost each time (a video restarted from the card would never
        // end): for a while every step is written, so the next cold load goes on exactly where this one stops.
        t.everyStepUntil = clock.now() + EVERY_STEP_AFTER_EVICTION_MS;
      }
      // Its due time is an older alarm's: no lateness sample from it.
      if (t) t.dueAt = null;
      this.stored = t ? storedOf(t) : null;
    }
    return this.t;
  }

  /**
   * The record, or one made from the task's row: the first time this object hears of a pending task, or
   * in place of a stored record it could not read (`TaskStorage.standIn`).
   */
  private adopt(row: TaskRow): TaskRecord | null {
    const existing = this.rec();
    if (existing || this.deleted) return existing;
    return this.store.unreadable ? this.store.standIn(row) : recordOf(row);
  }

  /** Why there is no record to act on: deleted, or written by a later release (a rollback). */
  private missing() {
    return this.store.newerRefusal() ?? gone();
  }

  /** `latest`: every step after this one is written too, so a cold load needs no re-read (see `checkpoint`). */
  private save(t: TaskRecord, latest = false): void {
    if (this.deleted) return;
    this.t = t;
    t.latest = latest;
    this.store.write(t);
    this.stored = storedOf(t);
  }

  /**
   * After a step: a row only at a job boundary, with log lines D1 did not take, or hourly — and after
   * every step while the object may lose its memory between steps (direct sockets are open, so it may
   * hibernate; or it lost it while running lately, see `rec`). The first step out of that
   * mode writes once more, so a stored checkpoint never claims to be the latest when it is not.
   */
  private checkpoint(t: TaskRecord): void {
    const s = this.stored;
    const key = checkpointKey(t.engine!);
    // A new reason is written too: a wait of hours (the window, a break) keeps showing why and until when after an eviction.
    const due = !s || t.outbox.length > 0 || key !== s.key || t.reason !== s.reason || clock.now() - s.at >= CHECKPOINT_EVERY_MS;
    const everyStep = this.channel.mayHibernate() || clock.now() < (t.everyStepUntil ?? 0);
    if (due || everyStep || t.latest) this.save(t, everyStep);
  }

  /** Saves the checkpoint and schedules the next step: with the alarm, two rows. */
  private async arm(t: TaskRecord, at: number): Promise<void> {
    t.dueAt = at;
    this.save(t);
    await this.ctx.storage.setAlarm(at);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  // ---- transitions (api-contract.md "Tasks") -------------------------------------------------------

  async start(row: TaskRow, run: RunInput): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.adopt(row);
      if (!t) return this.missing();
      if (t.status !== "pending") return conflict(t.status, "启动");
      return this.toRunning(t, run, () => [logLine("INFO", "task.started", { speed: run.speed, notopen: run.notopenAction })]);
    });
  }

  async resume(row: TaskRow, run: RunInput, choice?: "skip" | "stop" | "retry"): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.adopt(row);
      if (!t) return this.missing();
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
      const t = this.adopt(row);
      if (!t) return this.missing();
      if (t.status !== "failed" && t.status !== "cancelled") return conflict(t.status, "重试");
      // A task cancelled before it ever ran: retrying it is starting it.
      const line = t.engine ? logLine("INFO", "task.retried") : logLine("INFO", "task.started", { speed: run.speed, notopen: run.notopenAction });
      return this.toRunning(t, run, () => [line]);
    });
  }

  /** A completed task with items left: re-read them (the user may have done them in 学习通), then complete again. */
  async recheck(row: TaskRow, run: RunInput): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.adopt(row);
      if (!t) return this.missing();
      if (t.status !== "completed") return conflict(t.status, "重新检查");
      if (!t.engine || !canRecheck(t.engine)) return refused("conflict", "该任务没有需要你处理的内容，无需重新检查");
      // The task finished when it first completed: a recheck only looks again, it does not move that time.
      return this.toRunning(t, run, (e) => startRecheck(e), { keepEndTime: true });
    });
  }

  /** Issue 14: one of the user's relay agents connected; a task paused for want of one goes on by itself (within the cap). */
  async relayOnline(): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.rec();
      const waiting = t?.reason === "relay_offline" || t?.reason === "relay_outdated";
      if (!t?.engine || !t.creds || t.status !== "paused" || !waiting) return refused("conflict", "该任务没有在等待中继");
      const run = { creds: t.creds, speed: t.engine.speed, notopenAction: t.engine.notopenAction };
      return this.toRunning(t, run, () => [logLine("INFO", "task.relay_back")]);
    });
  }

  /**
   * A scan opened a new session for `phone` (its binding holds it now): a task of that account paused
   * for want of one goes on by itself (within the cap), as the relay's tasks do when an agent connects.
   */
  async loginRenewed(phone: string): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.rec();
      if (!t?.engine || !t.creds || t.status !== "paused" || t.reason !== "login_required" || t.creds.phone !== phone) {
        return refused("conflict", "该任务没有在等待重新扫码");
      }
      const run = { creds: t.creds, speed: t.engine.speed, notopenAction: t.engine.notopenAction };
      return this.toRunning(t, run, () => [logLine("INFO", "task.login_back")]);
    });
  }

  /**
   * The user's relay object saw their last agent go (or an outdated one refused with none online): a
   * running task pauses now, not at its next call. Paused already, it stays as it is (one pause, one
   * notification); the relay object resumes it when an agent connects.
   */
  async relayLost(reason: "relay_offline" | "relay_outdated"): Promise<void> {
    await this.exclusive(async () => {
      const t = this.rec();
      if (t?.status !== "running") return;
      await this.stop(t, "paused", reason, [logLine("WARNING", reason === "relay_offline" ? "wait.relay_offline" : "wait.relay_outdated")]);
    });
  }

  /** Cancel (user), force-stop (admin) or account deactivation: pending, running or paused → cancelled, at once. */
  async cancel(row: TaskRow, reason: StopReason, note?: string): Promise<TaskResult> {
    return this.exclusive(async () => {
      const t = this.adopt(row);
      if (!t) return this.missing();
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
      const t = this.adopt(row);
      if (!t) return this.missing();
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
      const t = this.rec();
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
      const t = this.adopt(row);
      if (!t) return this.missing();
      if (t.status !== "paused" || t.reason !== "captcha") return wrongState(t.status, "该任务没有在等待验证码");
      const r = await this.call<"captcha">(t, { op: "captcha", code, origin: t.engine?.captchaOrigin ?? undefined }, true);
      if (!r.ok) return refused("upstream_failed", "error" in r ? r.error.message : "超星繁忙，请稍后再试");
      if (!r.value) return refused("captcha_wrong", "验证码错误，请重新输入");
      return this.toRunning(t, run, () => [logLine("INFO", "task.captcha_passed")]);
    });
  }

  async captchaImage(row: TaskRow): Promise<TaskResult<{ contentType: string; bytes: Uint8Array }>> {
    const t = this.adopt(row);
    if (!t) return this.missing();
    if (t.status !== "paused" || t.reason !== "captcha") return wrongState(t.status, "该任务没有在等待验证码");
    const r = await this.call<"captchaImage">(t, { op: "captchaImage", origin: t.engine?.captchaOrigin ?? undefined }, true);
    if (!r.ok) return refused("upstream_failed", "error" in r ? r.error.message : "超星繁忙，请稍后再试");
    return { ok: true, value: r.value };
  }

  /** The account freed its video lock and we are next in line: go now instead of at the next poll. */
  async wake(): Promise<void> {
    const t = this.rec();
    if (t?.status === "running" && t.reason === "waiting_for_account") await this.arm(t, clock.now());
  }

  async live(): Promise<TaskLive | null> {
    const t = this.rec();
    return t ? liveOf(t) : null;
  }

  /** The account's limits were edited: a running task forecasts again at once and says so. */
  async refreshForecast(): Promise<void> {
    const t = this.rec();
    if (t?.status !== "running") return;
    await this.forecastNow(t);
    this.publish(t);
  }

  /**
   * The forecast, made again (src/tasks/forecast-work.ts): this task's work left, told to its account,
   * which answers with its limits, today's usage and the other running tasks' work. Kept in the record
   * (written with the next checkpoint); a failed call keeps the last one.
   */
  private async forecastNow(t: TaskRecord): Promise<void> {
    if (!t.engine || !t.creds) return;
    try {
      const left = engineWork(t.engine, t.selection ?? null);
      const ctx = await this.account(t).forecastContext(t.id, left.work);
      t.forecast = forecastFor(left, ctx, clock.now(), { holdsLock: t.engine.holdsVideo });
      t.forecastKey = forecastKeyOf(t.engine);
    } catch (e) {
      console.warn(`task ${t.id}: forecast failed`, e);
    }
  }

  /** For the hub's run-slot check: running, or about to be (asking for its slot right now). */
  async isRunning(): Promise<boolean> {
    // A record of a later release keeps its slot: that release runs it again when it is back.
    return this.claiming || this.rec()?.status === "running" || this.store.unreadable?.kind === "newer";
  }

  /**
   * The admin export: the stored record exactly as written (its version in it, so any later release loads
   * it), and one this release could not read, kept aside. Null when the object holds nothing.
   */
  async exported(): Promise<{ record: unknown; unreadable: unknown } | null> {
    return this.store.exported();
  }

  /**
   * The admin import (a restore into storage that lost it): an exported record, loaded and upgraded like a
   * stored one, is taken only by an object that holds none, for the task of `row`. A running task goes on
   * at once, from the platform's position (`resumeCold`).
   */
  async restore(row: TaskRow, raw: unknown): Promise<TaskResult<null>> {
    return this.exclusive(async () => {
      if (this.rec() || this.deleted || this.store.unreadable) return refused("conflict", "该任务对象已有记录，不会被覆盖");
      const loaded = load(TASK_RECORD, raw);
      if (!loaded.ok) return refused("conflict", `导出的记录无法读取: ${loaded.failure.kind === "newer" ? `由更新的版本写入（记录版本 ${loaded.failure.version}）` : loaded.failure.detail}`);
      const t = loaded.value;
      if (t.id !== row.id || t.userId !== row.user_id) return refused("conflict", "导出的记录属于另一个任务");
      if (t.status === "running" && t.engine) resumeCold(t.engine);
      t.dueAt = null;
      this.save(t);
      if (t.status === "running") await this.ctx.storage.setAlarm(clock.now());
      return { ok: true, value: null };
    });
  }

  /** Alarm lateness of this object's recent steps (ms), for the admin's engine health and the benchmark. */
  async timing(): Promise<number[]> {
    return this.rec()?.lateness ?? [];
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
    const opensAt = opts.morningCheck ? null : await this.windowOpensAt(t.userId, run.creds);
    this.claiming = true;
    let granted: boolean;
    try {
      granted = await this.hub(t).claimRun(t.id, max);
    } finally {
      this.claiming = false;
    }
    if (!granted) return refused("running_cap", `最多同时运行 ${max} 个任务，请先暂停或等待其他任务完成`);
    const engine = t.engine ?? initialState(t.courseIds, run.speed, run.notopenAction, t.classes ?? [], (t.selection ?? []).map(choiceOf));
    const logs = logsOf(engine);
    // A record made in place of an unreadable one starts over from here (the platform knows what passed).
    delete t.unreadable;
    const firstAt = opensAt === null ? clock.now() : opensAt + Math.round(Math.random() * RESUME_JITTER_MS);
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
    t.startTime ??= iso();
    t.creds = run.creds;
    t.gen++;
    prepareResume(engine);
    this.projection.queue(t, logs, "full");
    await this.arm(t, firstAt);
    // After the record is the object's own (`arm` stores it): while the account answers, the hub's run-slot
    // check must already see this task running.
    await this.forecastNow(t);
    await this.afterTransition(t);
    return { ok: true, value: liveOf(t) };
  }

  /** When the account's study window opens, if it is closed now (null: open, or not known to this user's credentials). */
  private async windowOpensAt(userId: number, creds: SealedCredentials): Promise<number | null> {
    const account = this.env.ACCOUNTS.getByName(accountName(userId, creds.phone));
    const view = await account.limitsView(await this.unsealed(userId, creds)).catch(() => null);
    return view?.status === "outside_window" ? view.resumesAt : null;
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
    if (status !== "paused" && !(status === "completed" && t.endTime)) t.endTime = iso();
    if (t.engine) t.engine.holdsVideo = false;
    this.projection.queue(t, logs, "full");
    this.save(t);
    await this.ctx.storage.deleteAlarm();
    if (status === "completed") await this.armCheck(t, opts.checkAt);
    await this.release(t);
    await this.afterTransition(t, `g${t.gen}`, opts.announce ?? true);
  }

  /**
   * A completed task whose media await their next-morning check keeps one alarm for it (at a random
   * moment of the half hour after it is due, or when the account's study window opens: `at`); only if no
   * alarm is set (a projection retry's comes first, and sets this one again after it).
   */
  private async armCheck(t: TaskRecord, at?: number): Promise<void> {
    const due = t.engine ? nextCheckAt(t.engine) : null;
    if (due === null || (await this.ctx.storage.getAlarm()) !== null) return;
    await this.ctx.storage.setAlarm(Math.max(clock.now(), due, at ?? 0) + Math.round(Math.random() * CHECK_JITTER_MS));
  }

  /**
   * The morning check of a completed task: it reopens into running in the `verify` phase (a run slot, as
   * a start), reads the cards, and completes again: quietly when nothing was rolled back. With no free
   * slot it stays completed and asks again later.
   */
  private async reopenForCheck(t: TaskRecord): Promise<void> {
    await this.exclusive(async () => {
      if (this.t !== t || t.status !== "completed" || !t.engine || !t.creds) return;
      const run = { creds: t.creds, speed: t.engine.speed, notopenAction: t.engine.notopenAction };
      const r = await this.toRunning(t, run, (e) => startVerify(e, clock.now()), { morningCheck: true });
      if (!r.ok) await this.ctx.storage.setAlarm(clock.now() + CHECK_RETRY_MS);
    });
  }

  /**
   * Gives back the phone's video lock (or our place in its queue) and the run slot, and takes this task's
   * work out of the account's other forecasts; all heal by staleness or eviction if this fails.
   */
  private async release(t: TaskRecord): Promise<void> {
    const calls: Promise<unknown>[] = [this.hub(t).releaseRun(t.id)];
    if (t.creds) calls.push(this.phone(t).releaseVideo(t.id), this.account(t).forecastContext(t.id, null));
    for (const r of await Promise.allSettled(calls)) if (r.status === "rejected") console.warn(`task ${t.id}: release failed`, r.reason);
  }

  /** Deleted (or its row is gone): nothing of it stays, and nothing may be written back. */
  private async vanish(): Promise<void> {
    const t = this.rec();
    this.deleted = true;
    this.t = null;
    this.channel.closeAll("任务已删除");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store.markDeleted();
    if (t) await this.release(t);
  }

  // ---- the study loop ----------------------------------------------------------------------------

  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    // Short gaps are waited here instead of by a new alarm (a row). An interrupted wait loses nothing:
    // the runtime retries an alarm that did not finish, from the checkpoint.
    this.pagesParsed = 0;
    // After a cold load, when this alarm was due dates the last report (src/engine/step.ts `resyncMedia`);
    // not on a retry, which may follow a report the interrupted run made.
    const engine = this.rec()?.engine;
    if (engine) resumeAlarmDue(engine, info && !info.isRetry ? info.scheduledTime : null);
    for (let steps = 1; ; steps++) {
      const t = this.rec() ?? (await this.unreadableRecord());
      if (!t) return;
      const wait = await this.studyStep(t, steps < CHAIN_STEPS);
      if (wait === null) return;
      const gen = t.gen;
      await clock.sleep(wait);
      if (this.t !== t || t.gen !== gen || t.status !== "running") return;
    }
  }

  /**
   * For the alarm, when the stored record could not be read: one made from the task's row (`adopt`), whose
   * steps crash for want of an engine state, so the task is retried and then fails with the reason. A
   * record of a later release is only looked at again later.
   */
  private async unreadableRecord(): Promise<TaskRecord | null> {
    if (!this.store.unreadable || this.deleted) return null;
    if (this.store.unreadable.kind === "newer") {
      await this.ctx.storage.setAlarm(clock.now() + NEWER_RECHECK_MS);
      return null;
    }
    const db = getDb(this.env);
    const row = await db.select().from(tasks).where(eq(tasks.id, this.store.taskId() ?? -1)).get();
    if (!row) {
      await this.exclusive(() => this.vanish());
      return null;
    }
    // Without readable credentials, the account it runs on now is where its video lock would be.
    const cfg = this.store.unreadableCreds ? null : await db.select().from(userConfigs).where(eq(userConfigs.userId, row.user_id)).get();
    if (cfg?.cxUsername && cfg.cxPasswordEnc) this.store.unreadableCreds = { phone: cfg.cxUsername, sealedPassword: cfg.cxPasswordEnc };
    if (this.rec()) return this.rec();
    const t = this.adopt(row);
    this.t = t;
    return t;
  }

  /** One step; a number when the next one should follow in this alarm after that many ms (light steps only). */
  private async studyStep(t: TaskRecord, mayChain: boolean): Promise<number | null> {
    // Not running: the alarm retries a projection that failed, or is a completed task's morning check.
    if (t.status !== "running") {
      const due = t.status === "completed" && t.engine ? nextCheckAt(t.engine) : null;
      if (due !== null && due <= clock.now()) {
        await this.reopenForCheck(t);
        return null;
      }
      await this.projection.flush();
      if (t.status === "completed") await this.armCheck(t);
      return null;
    }
    // Kept in memory and written with the checkpoint. A queued task's lock polls are not sampled, nor a
    // step that followed in the same alarm (no due time).
    if (t.dueAt !== null && t.reason !== "waiting_for_account") t.lateness = [...t.lateness, clock.now() - t.dueAt].slice(-LATENESS_SAMPLES);
    t.dueAt = null;
    const gen = t.gen;
    let engine = t.engine!;
    let result: StepResult;
    const io = this.io(t);
    try {
      if (!t.engine) throw new Error(`no engine state: ${t.unreadable ?? "none stored"}`);
      engine = structuredClone(t.engine);
      result = await step(engine, io);
    } catch (e) {
      // A poison step: back off and retry a bounded number of times, then fail with the reason.
      console.error(`task ${t.id} step crashed`, e);
      this.ctx.waitUntil(recordError(this.env, { source: "task", ref: String(t.id), message: `step crashed (attempt ${t.crashes + 1}): ${errorText(e)}` }));
      if (t.gen !== gen || this.t !== t) return null;
      t.crashes++;
      if (t.crashes > MAX_CRASHES) {
        const code = t.unreadable ? "fail.unreadable" : "fail.internal";
        const line = logLine("ERROR", code);
        t.errorMsg = line.message;
        t.error = { code, params: {} };
        await this.stop(t, "failed", "internal", [line]);
        return null;
      }
      await this.arm(t, clock.now() + backoffMs(t.crashes, Math.random()));
      return null;
    }
    if (this.t !== t) {
      // Deleted while the step was in flight: write nothing back, give back the lock.
      if (engine.holdsVideo) await this.phone(t).releaseVideo(t.id);
      return null;
    }
    t.crashes = 0;
    if (result.signal) this.ctx.waitUntil(recordSignal(this.env, { taskId: t.id, userId: t.userId, kind: result.signal, at: iso() }));
    // Kept whatever happened meanwhile (the step's state is): the user hears of it once a day.
    if (result.rolledBack) await this.announceRollback(t, result.rolledBack);
    if (t.gen !== gen) {
      // A transition happened while the step was in flight: keep the step's progress, but the lock and
      // the media restart are the transition's (a pause released the lock; a resume restarts at isdrag 3).
      const lockTakenMeanwhile = engine.holdsVideo && !t.engine!.holdsVideo;
      engine.holdsVideo = t.engine!.holdsVideo;
      if (t.status === "running") prepareResume(engine);
      t.engine = engine;
      if (lockTakenMeanwhile) await this.phone(t).releaseVideo(t.id);
      this.projection.queue(t, result.logs, "none");
      this.save(t);
      await this.projection.flush();
      return null;
    }
    const unchanged = result.logs.length === 0 && JSON.stringify(engine) === JSON.stringify(t.engine);
    t.engine = engine;
    const o = result.outcome;
    switch (o.kind) {
      case "pause":
        t.notopenChapter = o.chapter ?? null;
        await this.stop(t, "paused", o.reason, result.logs);
        return null;
      case "complete":
        // Issue 17: the courses page shows the new progress at once (best effort: the cache expires anyway).
        this.ctx.waitUntil(this.account(t).dropProgress(t.courseIds).catch((e: unknown) => console.warn(`task ${t.id}: progress not dropped`, e)));
        // Items left for the user: completed, but with `needs_you` (the count is `left_for_user`).
        // A morning check that found nothing rolled back completes again without news (`quiet`).
        await this.stop(t, "completed", engine.left.length ? "needs_you" : null, result.logs, { announce: !o.quiet, checkAt: o.checkAt });
        return null;
      case "fail":
        t.errorMsg = o.message;
        t.error = { code: o.code, params: o.params };
        await this.stop(t, "failed", "upstream", [...result.logs, logLine("ERROR", "task.failed", { failure: o.code, ...o.params })]);
        return null;
      case "next": {
        const queuePosition = o.reason === "waiting_for_account" ? (o.queuePosition ?? null) : null;
        // Checking whether risk control lifted lasts until Chaoxing answered a call (a lock wait is no answer).
        const reason = o.reason ?? (t.reason === "risk_check" && !io.answered ? "risk_check" : null);
        // A wait the user is told about says when it ends (a lock's queue has no such time).
        t.resumesAt = o.reason && o.reason !== "waiting_for_account" ? clock.now() + o.delayMs : null;
        const newReason = t.reason !== reason;
        const sameReason = !newReason && t.queuePosition === queuePosition;
        t.reason = reason;
        t.queuePosition = queuePosition;
        // A wait begins or ends, a chapter or a course is behind us, or it is a while since the last one.
        if (newReason || t.forecastKey !== forecastKeyOf(engine) || clock.now() - (t.forecast?.at ?? 0) >= FORECAST_EVERY_MS) await this.forecastNow(t);
        // A wait with a reason (a back-off after a failure above all, however short its jitter made it) is
        // never folded into the alarm: the task shows the reason while it waits (README "Failure signals").
        const chain = mayChain && !t.reason && this.pagesParsed < MAX_PAGES_PER_ALARM && o.delayMs <= CHAIN_GAP_MS;
        // A pure wait (pacing, the lock queue) changed nothing: at most the alarm, no checkpoint row.
        if (unchanged && sameReason) {
          if (chain) return o.delayMs;
          t.dueAt = clock.now() + o.delayMs;
          await this.ctx.storage.setAlarm(t.dueAt);
          this.publish(t);
          return null;
        }
        this.projection.queue(t, result.logs, this.projection.progressDue(t) ? "progress" : "none");
        if (newReason && t.reason === "daily_cap") {
          // A wait worth telling (the daily cap; issue 15) is announced like a transition, once a day.
          await this.arm(t, clock.now() + o.delayMs);
          await this.afterTransition(t, shanghaiDay(clock.now()));
          return null;
        }
        if (!chain) {
          t.dueAt = clock.now() + o.delayMs;
          await this.ctx.storage.setAlarm(t.dueAt);
        }
        // The step's log lines (published once D1 has them) and its update: one push to each hub.
        const kept = await this.channel.batch(async () => {
          await this.projection.flush();
          if (this.t !== t) return false;
          this.checkpoint(t);
          this.publish(t);
          return true;
        });
        return kept && chain ? o.delayMs : null;
      }
    }
  }

  /** The engine's view of the world for one step; `answered` turns true once a Chaoxing call got an answer. */
  private io(t: TaskRecord): EngineIO & { answered: boolean } {
    const phone = this.phone(t);
    const io = {
      answered: false,
      call: async <K extends OpName>(op: OpOf<K>) => {
        if (HEAVY_OPS.has(op.op)) this.pagesParsed++;
        const r = await this.call<K>(t, op);
        if (r.ok) io.answered = true;
        return r;
      },
      acquireVideo: () => phone.acquireVideo(t.id),
      // The engine is done with a video; the task's own stop releases the lock for good (release()).
      releaseVideo: () => phone.finishedVideo(t.id),
      now: () => clock.now(),
      random: Math.random,
      urls: upstreamUrlsFromEnv(this.env),
    };
    return io;
  }

  /** The task's user's own binding of the phone: session, limits, today's count (src/durable/account.ts). */
  private account(t: TaskRecord) {
    return this.env.ACCOUNTS.getByName(accountName(t.userId, t.creds!.phone));
  }

  /** What the phone shares with other users' tasks: the pacing and the one-video lock (src/durable/phone.ts). */
  private phone(t: TaskRecord) {
    return this.env.PHONES.getByName(phoneName(t.creds!.phone));
  }

  private hub(t: TaskRecord) {
    return this.env.HUBS.getByName(hubName(t.userId));
  }

  private credentials(t: TaskRecord): Promise<Credentials> {
    return this.unsealed(t.userId, t.creds!);
  }

  private async unsealed(userId: number, creds: SealedCredentials): Promise<Credentials> {
    // Bound by QR login: no password, the account object's session is all there is.
    if (creds.sealedPassword === null) return { phone: creds.phone, password: null, userId };
    if (this.password?.sealed !== creds.sealedPassword) {
      const plain = await open(creds.sealedPassword, config(this.env).CX_ENCRYPTION_KEY, `user:${userId}`);
      this.password = { sealed: creds.sealedPassword, plain };
    }
    return { phone: creds.phone, password: this.password.plain, userId };
  }

  private async call<K extends OpName>(t: TaskRecord, op: OpOf<K>, interactive = false): Promise<Reply<K>> {
    // RPC erases the generic: the account answers the Reply of the op it was given.
    const r = (await this.account(t).exec(t.id, await this.credentials(t), op, interactive)) as unknown as Reply<K>;
    // The figure the settings page shows too, as of this call: in memory, written with the next checkpoint.
    if (r.usage) t.usage = r.usage;
    return r;
  }

  // ---- what the world sees -------------------------------------------------------------------------

  /** The live state, also for a task that never ran (its D1 row); null once it is deleted. */
  private async current(taskId: number): Promise<TaskLive | null> {
    const row = this.rec() || this.deleted ? null : await getDb(this.env).select().from(tasks).where(eq(tasks.id, taskId)).get();
    // Re-read after the await: the task may have started meanwhile, and its own state wins.
    const t = this.rec();
    return t ? liveOf(t) : row ? liveOfRow(row) : null;
  }

  private async afterTransition(t: TaskRecord, occurrence = `g${t.gen}`, announce = true): Promise<void> {
    const live = await this.channel.batch(async () => {
      await this.projection.flush();
      const live = liveOf(t);
      const note = announce ? notificationOf(t) : null;
      this.channel.broadcast([taskUpdate(t.id, live), ...(note ? [note] : [])]);
      return live;
    });
    // Issue 15: the user who is not watching hears of it through the notification queue. The transition
    // counter makes the event's idempotency key, so a step that runs again raises the same event.
    if (announce) await notifyTaskState(this.env, { taskId: t.id, userId: t.userId, occurrence, live });
  }

  /**
   * A morning check found media the platform rolled back, now studied again: told at once to whoever
   * watches, and through the user's channels. One event per task and Shanghai day (its idempotency key),
   * so a step that runs again does not tell twice.
   */
  private async announceRollback(t: TaskRecord, videos: number): Promise<void> {
    this.channel.broadcast([rollbackNotification(t, videos)]);
    await notify(this.env, { kind: "rolled_back", userId: t.userId, taskId: t.id, occurrence: shanghaiDay(clock.now()), detail: { videos } });
  }

  private publish(t: TaskRecord): void {
    this.channel.broadcast([taskUpdate(t.id, liveOf(t))]);
  }

  /** The guarded mirror found the owner deactivated (a race with the deactivation's own cancel): stop here too. */
  private cancelForDisabledUser(): Promise<void> {
    return this.exclusive(async () => {
      const t = this.rec();
      if (t?.status === "running" || t?.status === "paused") await this.stop(t, "cancelled", "account_disabled", [logLine("WARNING", CANCELLED_BY.account_disabled)]);
    });
  }

  // ---- live progress: direct sockets and hubs (src/durable/task-channel.ts) ------------------------

  /** A hub subscribes; it gets the current state through the same ordered channel as every later update. */
  async addHub(taskId: number, hub: string): Promise<void> {
    const data = await this.current(taskId);
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
    const taskId = Number(new URL(request.url).searchParams.get("task_id"));
    const session = this.channel.handover.take(request);
    if (!taskId || !session || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected an upgrade", { status: 400 });
    const data = await this.current(taskId);
    if (!data) return new Response("task not found", { status: 404 });
    return this.channel.accept(session, taskId, data);
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    await this.channel.message(ws, raw, (taskId) => this.current(taskId));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    answerClose(ws, code, reason);
  }
}
