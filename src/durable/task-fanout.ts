import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { tasks } from "../db/schema";
import { clock, shanghaiDay } from "../../shared/clock";
import { notify, notifyTaskState } from "../notify/produce";
import type { Projection } from "../tasks/projection";
import { liveOf, notificationOf, rollbackNotification, type TaskRecord } from "../tasks/record";
import type { TaskLive } from "../tasks/shape";
import { liveOfRow } from "../tasks/rows";
import { taskUpdate } from "./sockets";
import type { TaskChannel } from "./task-channel";
import type { TaskRecords } from "./task-records";

/**
 * What the world sees of a task: its live state to the sockets and hubs that watch it (src/durable/task-
 * channel.ts), after the projection's log lines, and the notifications of its transitions and rollbacks.
 */
export class TaskFanOut {
  constructor(
    private readonly env: Env,
    private readonly records: TaskRecords,
    private readonly channel: TaskChannel,
    private readonly projection: Projection,
  ) {}

  /** The live state, also for a task that never ran (its D1 row); null once it is deleted. */
  async current(taskId: number): Promise<TaskLive | null> {
    const row = this.records.rec() || this.records.deleted ? null : await getDb(this.env).select().from(tasks).where(eq(tasks.id, taskId)).get();
    // Re-read after the await: the task may have started meanwhile, and its own state wins.
    const t = this.records.rec();
    return t ? liveOf(t) : row ? liveOfRow(row) : null;
  }

  async afterTransition(t: TaskRecord, occurrence = `g${t.gen}`, announce = true): Promise<void> {
    const live = await this.channel.batch(async () => {
      await this.projection.flush();
      const live = liveOf(t);
      const note = announce ? notificationOf(t) : null;
      this.channel.broadcast([taskUpdate(t.id, live), ...(note ? [note] : [])]);
      return live;
    });
    // The user who is not watching hears of it through the notification queue (README "Notifications"). The transition
    // counter makes the event's idempotency key, so a step that runs again raises the same event.
    if (announce) await notifyTaskState(this.env, { taskId: t.id, userId: t.userId, occurrence, live });
  }

  /**
   * A morning check found media the platform rolled back, now studied again: told at once to whoever
   * watches, and through the user's channels. One event per task and Shanghai day (its idempotency key),
   * so a step that runs again does not tell twice.
   */
  async announceRollback(t: TaskRecord, videos: number): Promise<void> {
    this.channel.broadcast([rollbackNotification(t, videos)]);
    await notify(this.env, { kind: "rolled_back", userId: t.userId, taskId: t.id, occurrence: shanghaiDay(clock.now()), detail: { videos } });
  }

  publish(t: TaskRecord): void {
    this.channel.broadcast([taskUpdate(t.id, liveOf(t))]);
  }

}
