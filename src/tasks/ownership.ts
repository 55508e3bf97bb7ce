import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { tasks } from "../db/schema";
import { notFound } from "../lib/errors";
import type { TaskRow } from "./rows";

/** The user's task, as a query (to batch with others); empty for another user's task. */
export const ownTaskQuery = (db: Db, userId: number, id: number) => db.select().from(tasks).where(and(eq(tasks.id, id), eq(tasks.user_id, userId))).limit(1);

/** The user's own task, or 404: another user's task is indistinguishable from a missing one. */
export async function ownTask(db: Db, userId: number, id: number): Promise<TaskRow> {
  const [row] = await ownTaskQuery(db, userId, id);
  if (!row) throw notFound("任务不存在");
  return row;
}

/** Any user's task, for admins. */
export async function anyTask(db: Db, id: number): Promise<TaskRow> {
  const row = await db.select().from(tasks).where(eq(tasks.id, id)).get();
  if (!row) throw notFound("任务不存在");
  return row;
}
