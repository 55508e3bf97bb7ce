import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { decimal, decimalOr } from "../lib/decimal";
import { taskLogs } from "../db/schema";
import { LOG_LEVELS } from "../shared/live";
import { taskOut, withLive, withOwned, type TaskOut, type TaskRow } from "./shape";
import { taskStub } from "./stub";

/** Reading a task: its detail and its log, for its owner's routes and the admin's read-only view. */

export const LogsQuery = z.object({
  after_id: decimal(0).optional(),
  before_id: decimal(1).optional(),
  limit: decimalOr(200, 1, 500),
  level: z.enum(LOG_LEVELS).optional(),
});
type LogsParams = z.infer<typeof LogsQuery>;

/**
 * A page of a task's log, as a query (to batch): with after_id the next `limit` lines after it, otherwise
 * the newest `limit` (before before_id). `logsOut` puts them newest last.
 */
export function logsQuery(db: Db, taskId: number, q: LogsParams) {
  const where = and(
    eq(taskLogs.taskId, taskId),
    q.after_id !== undefined ? gt(taskLogs.id, q.after_id) : undefined,
    q.before_id !== undefined ? lt(taskLogs.id, q.before_id) : undefined,
    q.level ? eq(taskLogs.level, q.level) : undefined,
  );
  return db.select().from(taskLogs).where(where).orderBy(q.after_id !== undefined ? asc(taskLogs.id) : desc(taskLogs.id)).limit(q.limit);
}

export const logsOut = (lines: (typeof taskLogs.$inferSelect)[], q: Pick<LogsParams, "after_id">) =>
  (q.after_id !== undefined ? lines : [...lines].reverse()).map(logOut);

/** The detail's log: its newest lines. */
export const DetailQuery = z.object({
  logs_limit: decimalOr(50, 0, 200).openapi({ description: "附带的最新日志条数（默认 50，最多 200）" }),
});
export const detailLogsQuery = (db: Db, taskId: number, limit: number) => logsQuery(db, taskId, { limit: Math.max(limit, 1) });

/**
 * A page of the owner's list. A running task's row is mirrored only every few minutes (the projection
 * saves D1 rows, src/tasks/projection.ts), so its owned fields come from its object, as the detail's do:
 * the list is as current as the detail. A read costs the object no storage row; a user runs at most
 * `maxLive` tasks (MAX_RUNNING_TASKS), so a page asks at most that many objects. A row whose object
 * does not answer shows the row.
 */
export async function listOut(env: Env, rows: TaskRow[], maxLive: number): Promise<TaskOut[]> {
  const live = new Set(rows.filter((r) => r.status === "running").slice(0, maxLive).map((r) => r.id));
  return Promise.all(
    rows.map(async (row) => {
      if (!live.has(row.id)) return taskOut(row);
      const now = await taskStub(env, row.id).live().catch((e: unknown) => (console.warn(`task ${row.id}: live read failed`, e), null));
      return now ? withOwned(row, now) : taskOut(row);
    }),
  );
}

/** A task's detail: its row with the object's live fields over it, and its newest log lines (as queried). */
export async function detailOf(env: Env, row: TaskRow, newestFirst: (typeof taskLogs.$inferSelect)[]) {
  return { ...withLive(row, await taskStub(env, row.id).live()), logs: logsOut(newestFirst, {}) };
}

export const logOut = (l: typeof taskLogs.$inferSelect) => ({
  id: l.id, task_id: l.taskId, level: l.level, message: l.message, code: l.code ?? null, params: l.params ?? null, created_at: l.createdAt,
});

