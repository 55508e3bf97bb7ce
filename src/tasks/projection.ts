import { and, eq, exists, lte, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { studyDays, taskLogs, tasks, upstreamEvents, users } from "../db/schema";
import { backoffMs } from "../engine/alarm-policy";
import { clock, shanghaiDay } from "../../shared/clock";
import type { LogEvent } from "../engine/log";
import type { TaskLogLine } from "../shared/live";
import { liveOf, type PendingLog, type TaskRecord } from "./record";
import type { Owned } from "./shape";
import { mirrorColumns } from "./rows";

/**
 * The task object's writes to D1: its row (for lists and statistics), its log lines and its failure
 * signals. The object is the authority; these are projections of it, so each call reports what happened
 * and never throws at the object, which keeps what failed and tries again (src/durable/task.ts).
 */

/** While running, the row's progress columns are refreshed at most this often, and only when something moved. */
const MIRROR_EVERY_MS = 5 * 60_000;
const KEEP_LOGS = 2000;
/** Log lines held while D1 is down; beyond this the oldest go (the state itself is never lost). */
const MAX_OUTBOX = 200;

/**
 * `ok`: written. `gone`: the row no longer exists (the task was deleted). `inactive`: the guarded write
 * found the owner deactivated, so a live task must stop. `failed`: D1 did not answer; try again later.
 */
export type MirrorOutcome = "ok" | "gone" | "inactive" | "failed";

/**
 * Writes the row's owned columns in one batch, and credits the study time the row has not seen yet to
 * today's (Asia/Shanghai) line of study_days. The credit is measured against the row itself, and the
 * row's counters never go back, so writing the same state twice (a retry, a step re-run after an
 * eviction) credits nothing twice. With `whileActive` the row is written only while its owner is
 * active: that is how a task learns, at no extra cost, that its user was deactivated in a race with one
 * of its own transitions.
 */
export async function mirrorRow(env: Env, id: number, columns: Partial<Owned>, at: number, whileActive: boolean): Promise<MirrorOutcome> {
  const db = getDb(env);
  const active = exists(db.select({ one: sql`1` }).from(users).where(and(eq(users.id, tasks.user_id), eq(users.isActive, true))));
  const { study_seconds: study, jobs_completed: jobs, ...rest } = columns;
  const set = {
    ...rest,
    ...(study === undefined ? {} : { study_seconds: sql`max(${tasks.study_seconds}, ${study})` }),
    ...(jobs === undefined ? {} : { jobs_completed: sql`max(${tasks.jobs_completed}, ${jobs})` }),
    updated_at: new Date(at).toISOString(),
  };
  const update = db.update(tasks).set(set).where(whileActive ? and(eq(tasks.id, id), active) : eq(tasks.id, id)).returning({ id: tasks.id });
  try {
    let written: { id: number }[];
    if (study === undefined) {
      written = await update;
    } else {
      // Before the update, which moves the row's counter: the credit is what it had not counted yet.
      const credit = db
        .insert(studyDays)
        .select(
          db
            .select({ taskId: tasks.id, userId: tasks.user_id, day: sql<string>`${shanghaiDay(at)}`.as("day"), seconds: sql<number>`${study} - ${tasks.study_seconds}`.as("seconds") })
            .from(tasks)
            .where(and(eq(tasks.id, id), sql`${study} > ${tasks.study_seconds}`)),
        )
        .onConflictDoUpdate({ target: [studyDays.taskId, studyDays.day], set: { seconds: sql`${studyDays.seconds} + excluded.seconds` } });
      [, written] = await db.batch([credit, update]);
    }
    if (written.length > 0) return "ok";
    const owner = await db.select({ active: users.isActive }).from(tasks).innerJoin(users, eq(users.id, tasks.user_id)).where(eq(tasks.id, id)).get();
    return owner ? "inactive" : "gone";
  } catch (e) {
    console.warn(`task ${id}: mirror failed`, e);
    return "failed";
  }
}

/** Appends log lines; the stored lines (with their ids) come back for the subscribers. */
export async function appendLogs(env: Env, taskId: number, lines: PendingLog[]): Promise<TaskLogLine[] | "gone" | "failed"> {
  if (lines.length === 0) return [];
  const db = getDb(env);
  try {
    return await db
      .insert(taskLogs)
      .values(lines.map((l) => ({ taskId, level: l.level, message: l.message.slice(0, 2000), code: l.code ?? null, params: l.params ?? null, createdAt: l.created_at })))
      .returning({ id: taskLogs.id, level: taskLogs.level, message: taskLogs.message, code: taskLogs.code, params: taskLogs.params, created_at: taskLogs.createdAt });
  } catch (e) {
    if (String(e).includes("FOREIGN KEY")) return "gone";
    console.warn(`task ${taskId}: logs not written`, e);
    return "failed";
  }
}

/** Keeps a task's newest `keep` lines. */
export async function trimLogs(env: Env, taskId: number, keep: number): Promise<void> {
  const db = getDb(env);
  const cutoff = db.select({ id: taskLogs.id }).from(taskLogs).where(eq(taskLogs.taskId, taskId)).orderBy(sql`${taskLogs.id} DESC`).limit(1).offset(keep);
  await db.delete(taskLogs).where(and(eq(taskLogs.taskId, taskId), lte(taskLogs.id, sql`(${cutoff})`))).catch((e: unknown) => console.warn(`task ${taskId}: trim failed`, e));
}

/** A Chaoxing failure signal, for the admin statistics: best effort, never in the way of the caller. */
export function recordSignal(env: Env, signal: { taskId: number | null; userId: number | null; kind: string; at: string }): Promise<void> {
  return getDb(env)
    .insert(upstreamEvents)
    .values({ taskId: signal.taskId, userId: signal.userId, kind: signal.kind, createdAt: signal.at })
    .then(() => undefined, (e: unknown) => console.warn("signal not recorded", e));
}

/** What the projection needs from its task object. */
export interface ProjectionHost {
  /** The record as it is now; null once the task is deleted. */
  record(): TaskRecord | null;
  save(t: TaskRecord): void;
  /** Stored log lines, for the subscribers. */
  published(taskId: number, lines: TaskLogLine[]): void;
  /** The row is gone (the task or its user was deleted) or its owner deactivated: the object stops. */
  orphaned(why: "gone" | "inactive"): void;
  /** Something failed and no step will come back for it: the object sets an alarm for then. */
  retryAt(at: number): Promise<void>;
}

/**
 * The task object's D1 projection: what the row still lacks and the log lines not yet written live in
 * the record (so an eviction loses none of it), and `flush` writes them, one flush at a time, from the
 * state current when it runs, so the row never goes back. What fails stays queued and is tried again.
 */
export class Projection {
  private running: Promise<void> = Promise.resolve();
  private failures = 0;
  private logsSinceTrim = 0;

  constructor(
    private readonly env: Env,
    private readonly host: ProjectionHost,
  ) {}

  /** Records what the row must catch up on: everything after a transition, the progress columns when due. */
  queue(t: TaskRecord, logs: LogEvent[], mirror: "none" | "progress" | "full"): void {
    const at = new Date(clock.now()).toISOString();
    t.outbox = [...t.outbox, ...logs.map((l) => ({ ...l, created_at: at }))].slice(-MAX_OUTBOX);
    if (mirror === "full" || (mirror === "progress" && t.mirror.pending === "none")) t.mirror.pending = mirror;
  }

  /** While running: whether the progress columns are due (every few minutes, when something moved). */
  progressDue(t: TaskRecord): boolean {
    if (clock.now() - t.mirror.at < MIRROR_EVERY_MS) return false;
    return liveOf(t).progress !== t.mirror.progress || (t.engine?.stats.studySeconds ?? 0) > t.mirror.studySeconds;
  }

  flush(): Promise<void> {
    const run = this.running.then(() => this.write());
    this.running = run.catch((e: unknown) => console.error("projection crashed", e));
    return run;
  }

  private async write(): Promise<void> {
    const t = this.host.record();
    if (!t) return;
    const now = clock.now();
    const mirrored = await this.mirror(t, now);
    if (mirrored === "stop") return;
    const logged = await this.logs(t);
    if (logged === "stop") return;
    if (mirrored === "ok" && logged === "ok") {
      this.failures = 0;
      return;
    }
    this.failures++;
    // A running task's next step flushes again; a stopped one needs an alarm of its own.
    if (t.status !== "running" && this.host.record() === t) {
      await this.host.retryAt(now + backoffMs(this.failures, Math.random()));
    }
  }

  private async mirror(t: TaskRecord, now: number): Promise<"ok" | "failed" | "stop"> {
    if (t.mirror.pending === "none") return "ok";
    const kind = t.mirror.pending;
    const live = liveOf(t);
    t.mirror = { pending: "none", at: now, studySeconds: live.study_seconds, progress: live.progress };
    const outcome = await mirrorRow(this.env, t.id, mirrorColumns(live, kind === "full"), now, t.status === "running");
    if (outcome === "gone" || outcome === "inactive") {
      this.host.orphaned(outcome);
      return "stop";
    }
    if (outcome === "ok") return "ok";
    // Whatever was asked for meanwhile, what failed is still owed.
    if (t.mirror.pending !== "full") t.mirror.pending = kind;
    return "failed";
  }

  private async logs(t: TaskRecord): Promise<"ok" | "failed" | "stop"> {
    if (t.outbox.length === 0) return "ok";
    const lines = t.outbox;
    t.outbox = [];
    const stored = await appendLogs(this.env, t.id, lines);
    if (stored === "gone") {
      this.host.orphaned("gone");
      return "stop";
    }
    if (stored === "failed") {
      t.outbox = [...lines, ...t.outbox].slice(-MAX_OUTBOX);
      return "failed";
    }
    // Written: the checkpoint forgets them (an eviction before this would only write them twice).
    this.host.save(t);
    this.host.published(t.id, stored);
    // Counted in memory: after an eviction the trim merely comes later, and a counter is not worth a row.
    this.logsSinceTrim += stored.length;
    if (this.logsSinceTrim >= 200) {
      this.logsSinceTrim = 0;
      await trimLogs(this.env, t.id, KEEP_LOGS);
    }
    return "ok";
  }
}
