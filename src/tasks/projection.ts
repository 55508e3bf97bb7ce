import { and, eq, exists, lte, sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { studyDays, taskLogs, tasks, upstreamEvents, users } from "../db/schema";
import type { LogLevel, TaskLogLine } from "../shared/live";
import type { Owned } from "./shape";

/**
 * The task object's writes to D1: its row (for lists and statistics), its log lines and its failure
 * signals. The object is the authority; these are projections of it, so each call reports what happened
 * and never throws at the object, which keeps what failed and tries again (src/durable/task.ts).
 */

export interface PendingLog {
  level: LogLevel;
  message: string;
  created_at: string;
}

export interface StudyCredit {
  userId: number;
  day: string;
  seconds: number;
}

/**
 * `ok`: written. `gone`: the row no longer exists (the task was deleted). `inactive`: the guarded write
 * found the owner deactivated, so a live task must stop. `failed`: D1 did not answer; try again later.
 */
export type MirrorOutcome = "ok" | "gone" | "inactive" | "failed";

/**
 * Writes the row's owned columns (and credits study time to its Shanghai day) in one batch. With
 * `whileActive`, the row is written only while its owner is active: that is how a task learns, at no
 * extra cost, that its user was deactivated in a race with one of its own transitions.
 */
export async function mirrorRow(env: Env, id: number, columns: Partial<Owned>, updatedAt: string, credit: StudyCredit | null, whileActive: boolean): Promise<MirrorOutcome> {
  const db = getDb(env);
  const active = exists(db.select({ one: sql`1` }).from(users).where(and(eq(users.id, tasks.user_id), eq(users.isActive, true))));
  const update = db.update(tasks).set({ ...columns, updated_at: updatedAt }).where(whileActive ? and(eq(tasks.id, id), active) : eq(tasks.id, id)).returning({ id: tasks.id });
  try {
    if (!credit || credit.seconds <= 0) {
      if ((await update).length > 0) return "ok";
    } else {
      const [rows] = await db.batch([
        update,
        db.insert(studyDays)
          .values({ taskId: id, userId: credit.userId, day: credit.day, seconds: credit.seconds })
          .onConflictDoUpdate({ target: [studyDays.taskId, studyDays.day], set: { seconds: sql`${studyDays.seconds} + excluded.seconds` } }),
      ]);
      if (rows.length > 0) return "ok";
    }
    const owner = await db.select({ active: users.isActive }).from(tasks).innerJoin(users, eq(users.id, tasks.user_id)).where(eq(tasks.id, id)).get();
    return owner ? "inactive" : "gone";
  } catch (e) {
    // The row was deleted under the study-day credit (its foreign key).
    if (String(e).includes("FOREIGN KEY")) return "gone";
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
      .values(lines.map((l) => ({ taskId, level: l.level, message: l.message.slice(0, 2000), createdAt: l.created_at })))
      .returning({ id: taskLogs.id, level: taskLogs.level, message: taskLogs.message, created_at: taskLogs.createdAt });
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
