import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { tasks, userConfigs } from "../db/schema";
import { upstreamUrlsFromEnv } from "../chaoxing/urls";
import { nextCheckAt, startVerify } from "../engine/credit";
import { logLine } from "../engine/log";
import { prepareResume, resumeAlarmDue } from "../engine/restart";
import { CHAIN_STEPS, HEAVY_OPS, planCrash, planNext } from "../engine/alarm-policy";
import { step } from "../engine/step";
import type { EngineState } from "../engine/state";
import type { EngineIO, LogEvent, StepResult } from "../engine/types";
import { clock, isoNow, shanghaiDay } from "../../shared/clock";
import { errorText, recordError } from "../lib/error-log";
import type { TaskReason, TaskStatus } from "../shared/live";
import { forecastKeyOf } from "../tasks/forecast-work";
import { recordSignal, type Projection } from "../tasks/projection";
import type { TaskRecord } from "../tasks/record";
import type { TaskResult } from "../tasks/results";
import type { OpName, OpOf } from "./account-ops";
import type { TaskChannel } from "./task-channel";
import type { TaskFanOut } from "./task-fanout";
import type { TaskPeers } from "./task-peers";
import { runOf, type RunInput, type TaskRecords } from "./task-records";

const LATENESS_SAMPLES = 20;
/**
 * A completed task's next-morning check (src/engine/credit.ts) reopens it into running, so it takes a run
 * slot like a start; with the user's slots all taken it stays completed and asks again this much later.
 */
const CHECK_RETRY_MS = 30 * 60_000;
/** A record written by a later release is left alone (a rollback); its alarm looks again this much later. */
const NEWER_RECHECK_MS = 60 * 60_000;

/** What the study loop works with: the task object's parts, and the transitions that stay in it. */
export interface LoopHost {
  records: TaskRecords;
  peers: TaskPeers;
  fanout: TaskFanOut;
  channel: TaskChannel;
  projection: Projection;
  /** Every way out of running (src/durable/task.ts `stop`). */
  stop(t: TaskRecord, status: TaskStatus, reason: TaskReason | null, logs: LogEvent[], opts?: { announce?: boolean; checkAt?: number }): Promise<void>;
  /** Every way into running (src/durable/task.ts `toRunning`). */
  toRunning(t: TaskRecord, run: RunInput, logsOf: (engine: EngineState) => LogEvent[], opts: { morningCheck: true }): Promise<TaskResult>;
  /** Transitions run one at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** The task's row is gone: nothing of it stays. */
  vanish(): Promise<void>;
}

/**
 * The study loop of a task object: one bounded engine step per alarm (src/engine/step.ts), light steps
 * chained within it, each checkpointed and told to whoever watches; its outcome becomes the task's wait,
 * pause, completion or failure.
 */
export class TaskLoop {
  /** Pages this alarm's steps parsed (heavy steps): after MAX_PAGES_PER_ALARM no further step is chained. */
  private pagesParsed = 0;
  /** While an alarm runs (`keepAlarm`). */
  private inAlarm = false;

  private readonly records: TaskRecords;
  private readonly peers: TaskPeers;
  private readonly fanout: TaskFanOut;
  private readonly channel: TaskChannel;
  private readonly projection: Projection;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly host: LoopHost,
  ) {
    this.records = host.records;
    this.peers = host.peers;
    this.fanout = host.fanout;
    this.channel = host.channel;
    this.projection = host.projection;
  }

  async alarm(info?: AlarmInvocationInfo): Promise<void> {
    this.inAlarm = true;
    try {
      await this.steps(info);
    } finally {
      this.inAlarm = false;
    }
  }

  /**
   * A running task always has an alarm: its next step, or the end of its wait (a break, the window, the
   * cap, the lock's queue). Were one ever missing, the wait would never end and the account's limits
   * would hold the task for good: a read of the task (`live`: its page, the list) that finds none outside
   * an alarm (whose steps arm the next one themselves) arms it again, for when the wait ends or now, and
   * says so in the error log.
   */
  async keepAlarm(): Promise<void> {
    const t = this.records.rec();
    if (t?.status !== "running" || this.inAlarm) return;
    // An alarm may have begun meanwhile.
    if ((await this.ctx.storage.getAlarm()) !== null || this.inAlarm || this.records.t !== t || t.status !== "running") return;
    const at = Math.max(clock.now(), t.resumesAt ?? 0);
    const message = `running without an alarm (${t.reason ?? "studying"}): armed again for ${new Date(at).toISOString()}`;
    console.error(`task ${t.id}: ${message}`);
    this.ctx.waitUntil(recordError(this.env, { source: "task", ref: String(t.id), message }));
    await this.records.alarmAt(at);
  }

  private async steps(info?: AlarmInvocationInfo): Promise<void> {
    // Short gaps are waited here instead of by a new alarm (a row). An interrupted wait loses nothing:
    // the runtime retries an alarm that did not finish, from the checkpoint.
    this.pagesParsed = 0;
    // After a cold load, when this alarm was due dates the last report (src/engine/restart.ts `resyncMedia`);
    // not on a retry, which may follow a report the interrupted run made.
    const engine = this.records.rec()?.engine;
    if (engine) resumeAlarmDue(engine, info && !info.isRetry ? info.scheduledTime : null);
    for (let steps = 1; ; steps++) {
      const t = this.records.rec() ?? (await this.unreadableRecord());
      if (!t) return;
      const wait = await this.studyStep(t, steps < CHAIN_STEPS);
      if (wait === null) return;
      const gen = t.gen;
      await clock.sleep(wait);
      if (this.records.t !== t || t.gen !== gen || t.status !== "running") return;
    }
  }

  /**
   * For the alarm, when the stored record could not be read: one made from the task's row (`adopt`), whose
   * steps crash for want of an engine state, so the task is retried and then fails with the reason. A
   * record of a later release is only looked at again later.
   */
  private async unreadableRecord(): Promise<TaskRecord | null> {
    if (!this.records.store.unreadable || this.records.deleted) return null;
    if (this.records.store.unreadable.kind === "newer") {
      await this.records.alarmAt(clock.now() + NEWER_RECHECK_MS);
      return null;
    }
    const db = getDb(this.env);
    const row = await db.select().from(tasks).where(eq(tasks.id, this.records.store.taskId() ?? -1)).get();
    if (!row) {
      await this.host.exclusive(() => this.host.vanish());
      return null;
    }
    // Without readable credentials, the account it runs on now is where its video lock would be.
    const cfg = this.records.store.unreadableCreds ? null : await db.select().from(userConfigs).where(eq(userConfigs.userId, row.user_id)).get();
    if (cfg?.cxUsername && cfg.cxPasswordEnc) this.records.store.unreadableCreds = { phone: cfg.cxUsername, sealedPassword: cfg.cxPasswordEnc };
    if (this.records.rec()) return this.records.rec();
    const t = this.records.adopt(row);
    this.records.t = t;
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
      if (t.status === "completed") await this.records.armCheck(t);
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
      if (t.gen !== gen || this.records.t !== t) return null;
      t.crashes++;
      const plan = planCrash(t.crashes, Math.random());
      if (plan.kind === "fail") {
        const code = t.unreadable ? "fail.unreadable" : "fail.internal";
        const line = logLine("ERROR", code);
        t.errorMsg = line.message;
        t.error = { code, params: {} };
        await this.host.stop(t, "failed", "internal", [line]);
        return null;
      }
      await this.records.arm(t, clock.now() + plan.delayMs);
      return null;
    }
    if (this.records.t !== t) {
      // Deleted while the step was in flight: write nothing back, give back the lock.
      if (engine.holdsVideo) await this.peers.phone(t).releaseVideo(t.id);
      return null;
    }
    t.crashes = 0;
    if (result.signal) this.ctx.waitUntil(recordSignal(this.env, { taskId: t.id, userId: t.userId, kind: result.signal, at: isoNow() }));
    // Kept whatever happened meanwhile (the step's state is): the user hears of it once a day.
    if (result.rolledBack) await this.fanout.announceRollback(t, result.rolledBack);
    if (t.gen !== gen) {
      // A transition happened while the step was in flight: keep the step's progress, but the lock and
      // the media restart are the transition's (a pause released the lock; a resume restarts at isdrag 3).
      const lockTakenMeanwhile = engine.holdsVideo && !t.engine!.holdsVideo;
      engine.holdsVideo = t.engine!.holdsVideo;
      if (t.status === "running") prepareResume(engine);
      t.engine = engine;
      if (lockTakenMeanwhile) await this.peers.phone(t).releaseVideo(t.id);
      this.projection.queue(t, result.logs, "none");
      this.records.save(t);
      await this.projection.flush();
      return null;
    }
    const unchanged = result.logs.length === 0 && JSON.stringify(engine) === JSON.stringify(t.engine);
    t.engine = engine;
    const o = result.outcome;
    switch (o.kind) {
      case "pause":
        t.notopenChapter = o.chapter ?? null;
        await this.host.stop(t, "paused", o.reason, result.logs);
        return null;
      case "complete":
        // The courses page shows the new progress at once (best effort: the account's cache expires anyway).
        this.ctx.waitUntil(this.peers.account(t).dropProgress(t.courseIds).catch((e: unknown) => console.warn(`task ${t.id}: progress not dropped`, e)));
        // Items left for the user: completed, but with `needs_you` (the count is `left_for_user`).
        // A morning check that found nothing rolled back completes again without news (`quiet`).
        await this.host.stop(t, "completed", engine.left.length ? "needs_you" : null, result.logs, { announce: !o.quiet, checkAt: o.checkAt });
        return null;
      case "fail":
        t.errorMsg = o.message;
        t.error = { code: o.code, params: o.params };
        await this.host.stop(t, "failed", "upstream", [...result.logs, logLine("ERROR", "task.failed", { failure: o.code, ...o.params })]);
        return null;
      case "next": {
        const plan = planNext({
          now: clock.now(),
          delayMs: o.delayMs,
          stepReason: o.reason ?? null,
          queuePosition: o.queuePosition ?? null,
          shownReason: t.reason,
          shownQueuePosition: t.queuePosition,
          answered: io.answered,
          unchanged,
          mayChain,
          pagesParsed: this.pagesParsed,
          forecastKey: forecastKeyOf(engine),
          forecastMadeFor: t.forecastKey ?? null,
          forecastAt: t.forecast?.at ?? null,
        });
        t.reason = plan.reason;
        t.queuePosition = plan.queuePosition;
        t.resumesAt = plan.resumesAt;
        if (plan.refreshForecast) await this.peers.forecast(t);
        const a = plan.action;
        if (a.kind === "chain") return o.delayMs;
        if (a.kind === "alarm") {
          t.dueAt = a.dueAt;
          await this.records.alarmAt(a.dueAt);
          this.fanout.publish(t);
          return null;
        }
        this.projection.queue(t, result.logs, this.projection.progressDue(t) ? "progress" : "none");
        if (a.kind === "announce") {
          // Announced like a transition, once a day (README "Notifications").
          await this.records.arm(t, a.dueAt);
          await this.fanout.afterTransition(t, shanghaiDay(clock.now()));
          return null;
        }
        if (a.dueAt !== null) {
          t.dueAt = a.dueAt;
          await this.records.alarmAt(a.dueAt);
        }
        // The step's log lines (published once D1 has them) and its update: one push to each hub.
        const kept = await this.channel.batch(async () => {
          await this.projection.flush();
          if (this.records.t !== t) return false;
          this.records.checkpoint(t);
          this.fanout.publish(t);
          return true;
        });
        return kept && a.dueAt === null ? o.delayMs : null;
      }
    }
  }

  /** The engine's view of the world for one step; `answered` turns true once a Chaoxing call got an answer. */
  private io(t: TaskRecord): EngineIO & { answered: boolean } {
    const phone = this.peers.phone(t);
    const io = {
      answered: false,
      call: async <K extends OpName>(op: OpOf<K>) => {
        if (HEAVY_OPS.has(op.op)) this.pagesParsed++;
        const r = await this.peers.call<K>(t, op);
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

  /**
   * The morning check of a completed task: it reopens into running in the `verify` phase (a run slot, as
   * a start), reads the cards, and completes again: quietly when nothing was rolled back. With no free
   * slot it stays completed and asks again later.
   */
  private async reopenForCheck(t: TaskRecord): Promise<void> {
    await this.host.exclusive(async () => {
      if (this.records.t !== t || t.status !== "completed" || !t.engine || !t.creds) return;
      const r = await this.host.toRunning(t, runOf(t.creds, t.engine), (e) => startVerify(e, clock.now()), { morningCheck: true });
      if (!r.ok) await this.records.alarmAt(clock.now() + CHECK_RETRY_MS);
    });
  }
}
