import { alarmTime } from "../engine/alarm-policy";
import { nextCheckAt, CHECK_JITTER_MS } from "../engine/credit";
import { checkpointKey, resumeCold } from "../engine/restart";
import { clock } from "../../shared/clock";
import { load } from "../lib/versioned";
import type { EngineState } from "../engine/state";
import type { NotopenAction } from "../shared/live";
import { recordOf, type SealedCredentials, type TaskRecord } from "../tasks/record";
import { TASK_RECORD } from "../tasks/record-versions";
import { refused, type TaskResult } from "../tasks/results";
import type { TaskRow } from "../tasks/rows";
import type { TaskChannel } from "./task-channel";
import { TaskStorage } from "./task-storage";

/** Between job boundaries the checkpoint is rewritten at most this often (src/engine/restart.ts `checkpointKey`). */
const CHECKPOINT_EVERY_MS = 60 * 60_000;
/** After a running task's object lost its memory, every step is written for this long (`rec`). */
const EVERY_STEP_AFTER_EVICTION_MS = 15 * 60_000;
/** What a checkpoint of `t` written now holds (`TaskRecords.stored`). */
const storedOf = (t: TaskRecord) => ({ key: t.engine ? checkpointKey(t.engine) : "", at: clock.now(), outbox: t.outbox.length > 0, reason: t.reason });
const gone = () => refused("not_found", "任务不存在");

/** What a transition to running needs from the route: the account, and the settings a first start takes. */
export interface RunInput {
  creds: SealedCredentials;
  speed: number;
  notopenAction: NotopenAction;
}

/** A task that goes on by itself (a wait over, a morning check) runs with the settings it ran with. */
export const runOf = (creds: SealedCredentials, engine: EngineState): RunInput => ({ creds, speed: engine.speed, notopenAction: engine.notopenAction });

/**
 * The task object's record in memory and in its storage (src/durable/task-storage.ts): loaded once, saved
 * as a checkpoint only when a step must not be lost, and the alarm armed with it. The task object
 * (src/durable/task.ts) and its study loop (task-loop.ts) read and write the record only through here.
 */
export class TaskRecords {
  /** The record: undefined until loaded, null when there is none (deleted, or never written). */
  t: TaskRecord | null | undefined;
  /** Set by the object's destroy(), and kept as a tombstone: a request that raced the delete finds nothing to revive. */
  deleted = false;
  /** What the stored checkpoint holds: its job boundary, when it was written, whether log lines were in it, the reason it shows. */
  stored: ReturnType<typeof storedOf> | null = null;
  readonly store: TaskStorage;

  constructor(
    private readonly ctx: DurableObjectState,
    env: Env,
    private readonly channel: TaskChannel,
  ) {
    this.store = new TaskStorage(ctx, env);
  }

  rec(): TaskRecord | null {
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
  adopt(row: TaskRow): TaskRecord | null {
    const existing = this.rec();
    if (existing || this.deleted) return existing;
    return this.store.unreadable ? this.store.standIn(row) : recordOf(row);
  }

  /** Why there is no record to act on: deleted, or written by a later release (a rollback). */
  missing() {
    return this.store.newerRefusal() ?? gone();
  }

  /** `latest`: every step after this one is written too, so a cold load needs no re-read (see `checkpoint`). */
  save(t: TaskRecord, latest = false): void {
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
  checkpoint(t: TaskRecord): void {
    const s = this.stored;
    const key = checkpointKey(t.engine!);
    // A new reason is written too: a wait of hours (the window, a break) keeps showing why and until when after an eviction.
    const due = !s || t.outbox.length > 0 || key !== s.key || t.reason !== s.reason || clock.now() - s.at >= CHECKPOINT_EVERY_MS;
    const everyStep = this.channel.mayHibernate() || clock.now() < (t.everyStepUntil ?? 0);
    if (due || everyStep || t.latest) this.save(t, everyStep);
  }

  /** Saves the checkpoint and schedules the next step: with the alarm, two rows. */
  async arm(t: TaskRecord, at: number): Promise<void> {
    t.dueAt = alarmTime(at);
    this.save(t);
    await this.alarmAt(t.dueAt);
  }

  /** The object's one alarm, for `at` or the first whole millisecond after it, never before (`alarmTime`). */
  alarmAt(at: number): Promise<void> {
    return this.ctx.storage.setAlarm(alarmTime(at));
  }

  /**
   * A completed task whose media await their next-morning check keeps one alarm for it (at a random
   * moment of the half hour after it is due, or when the account's study window opens: `at`); only if no
   * alarm is set (a projection retry's comes first, and sets this one again after it).
   */
  async armCheck(t: TaskRecord, at?: number): Promise<void> {
    const due = t.engine ? nextCheckAt(t.engine) : null;
    if (due === null || (await this.ctx.storage.getAlarm()) !== null) return;
    await this.alarmAt(Math.max(clock.now(), due, at ?? 0) + Math.round(Math.random() * CHECK_JITTER_MS));
  }

  /**
   * The admin import (a restore into storage that lost it): an exported record, loaded and upgraded like a
   * stored one, is taken only when none is held, for the task of `row`. A running task goes on at once,
   * from the platform's position (`resumeCold`).
   */
  async restore(row: TaskRow, raw: unknown): Promise<TaskResult<null>> {
    if (this.rec() || this.deleted || this.store.unreadable) return refused("conflict", "该任务对象已有记录，不会被覆盖");
    const loaded = load(TASK_RECORD, raw);
    if (!loaded.ok) return refused("conflict", `导出的记录无法读取: ${loaded.failure.kind === "newer" ? `由更新的版本写入（记录版本 ${loaded.failure.version}）` : loaded.failure.detail}`);
    const t = loaded.value;
    if (t.id !== row.id || t.userId !== row.user_id) return refused("conflict", "导出的记录属于另一个任务");
    if (t.status === "running" && t.engine) resumeCold(t.engine);
    t.dueAt = null;
    this.save(t);
    if (t.status === "running") await this.alarmAt(clock.now());
    return { ok: true, value: null };
  }

  /** Everything stored goes, leaving the tombstone; the record it held is answered (its lock and slot are still to give back). */
  async erase(): Promise<TaskRecord | null> {
    const t = this.rec();
    this.deleted = true;
    this.t = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store.markDeleted();
    return t;
  }
}
