import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { tasks } from "../db/schema";
import { notFound } from "../lib/errors";
import type { TaskRow } from "./shape";

/** The user's own task, or 404: another user's task is indistinguishable from a missing one. */
export async function ownTask(db: Db, userId: number, id: number): Promise<TaskRow> {
  const row = await db.select().from(tasks).where(and(eq(tasks.id, id), eq(tasks.user_id, userId))).get();
  if (!row) throw notFound("任务不存在");
  return row;
}

/** Any user's task, for admins. */
export async function anyTask(db: Db, id: number): Promise<TaskRow> {
  const row = await db.select().from(tasks).where(eq(tasks.id, id)).get();
  if (!row) throw notFound("任务不存在");
  return row;
}
