import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq } from "drizzle-orm";
import type { App } from "../../app";
import { adminOnly } from "../../auth/middleware";
import { getDb, type Db } from "../../db/client";
import { TASK_STATUSES, taskLogs, tasks, users } from "../../db/schema";
import { isoNow } from "../../lib/clock";
import { conflict, notFound } from "../../lib/errors";
import { bearer, errors, IdParam, json, PageQuery, pageOf, paginate } from "../schemas";
import { ActionResultSchema, cancelTask, LogSchema, LogsQuery, readLogs, TaskDetailSchema, TaskSchema, taskDetail, taskOut, withLive, type TaskRow } from "../tasks";
import { auditRead, auditStatement } from "./audit";

const Username = z.string().openapi({ description: "任务所属用户的用户名" });
const AdminTaskSchema = TaskSchema.extend({ username: Username }).openapi("AdminTask");
const AdminTaskDetailSchema = TaskDetailSchema.extend({ username: Username }).openapi("AdminTaskDetail");

const TaskListQuery = PageQuery.extend({
  status: z.enum(TASK_STATUSES).optional(),
  user_id: z.coerce.number().int().positive().optional(),
});

/** The states a task can be stopped from (api-contract.md: cancel, force-stop, deactivation). */
export const LIVE_STATUSES = ["pending", "running", "paused"] as const;
const isLive = (s: string) => (LIVE_STATUSES as readonly string[]).includes(s);

/** Any user's task with its owner's username, or 404. */
async function taskWithOwner(db: Db, id: number): Promise<{ task: TaskRow; username: string }> {
  const row = await db.select({ task: tasks, username: users.username }).from(tasks).innerJoin(users, eq(users.id, tasks.userId)).where(eq(tasks.id, id)).get();
  if (!row) throw notFound("任务不存在");
  return row;
}

export function registerAdminTaskRoutes(app: App) {
  const admin = { tags: ["管理员"], security: bearer, middleware: adminOnly };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/tasks",
      summary: "监控所有任务（分页；按状态、用户过滤；含所属用户名）",
      description: "状态与进度取自 D1 中的任务行（任务对象在每次状态变化时同步，进度最多每 3 分钟同步一次）。",
      ...admin,
      request: { query: TaskListQuery },
      responses: { 200: json(pageOf(AdminTaskSchema, "AdminTaskPage"), "任务列表，最新在前"), 400: errors[400], 401: errors[401], 403: errors[403] },
    }),
    async (c) => {
      const { page, page_size, status, user_id } = c.req.valid("query");
      const db = getDb(c.env);
      const where = and(status ? eq(tasks.status, status) : undefined, user_id ? eq(tasks.userId, user_id) : undefined);
      const [rows, total] = await Promise.all([
        db
          .select({ task: tasks, username: users.username })
          .from(tasks)
          .innerJoin(users, eq(users.id, tasks.userId))
          .where(where)
          .orderBy(desc(tasks.id))
          .limit(page_size)
          .offset((page - 1) * page_size)
          .all(),
        db.select({ n: count() }).from(tasks).where(where).get(),
      ]);
      await auditRead(db, c.var.auth.user, { action: "task.list", targetType: "task", details: { status: status ?? null, user_id: user_id ?? null } });
      return c.json(paginate(rows.map((r) => ({ ...taskOut(r.task), username: r.username })), total?.n ?? 0, page, page_size), 200);
    },
  );

  // Read-only views of any user's task (issue 17): the owner's detail and logs routes, audited as reads.
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/tasks/{id}",
      summary: "查看任意用户的任务详情（与 GET /api/tasks/{id} 相同，另含所属用户名；只读，记入审计日志）",
      ...admin,
      request: { params: IdParam },
      responses: { 200: json(AdminTaskDetailSchema, "任务详情"), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
    }),
    async (c) => {
      const db = getDb(c.env);
      const { task, username } = await taskWithOwner(db, c.req.valid("param").id);
      await auditRead(db, c.var.auth.user, { action: "task.view", targetType: "task", targetId: task.id, details: { task_name: task.name, user_id: task.userId } });
      return c.json({ ...(await taskDetail(c.env, db, task)), username }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/tasks/{id}/logs",
      summary: "查看任意用户的任务日志（参数与返回同 GET /api/tasks/{id}/logs；只读，记入审计日志）",
      ...admin,
      request: { params: IdParam, query: LogsQuery },
      responses: { 200: json(z.array(LogSchema), "日志"), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
    }),
    async (c) => {
      const db = getDb(c.env);
      const { task } = await taskWithOwner(db, c.req.valid("param").id);
      // Paging through a long log is one read: deduplicated per admin and task like the other reads.
      await auditRead(db, c.var.auth.user, { action: "task.logs", targetType: "task", targetId: task.id, details: { task_name: task.name, user_id: task.userId } });
      return c.json(await readLogs(db, task.id, c.req.valid("query")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/admin/tasks/{id}/force-stop",
      summary: "强制停止任务（pending/running/paused → cancelled，reason: admin）",
      description: "立即停止任何用户的任务；任务日志记录“任务已被管理员取消”。已结束（completed/failed/cancelled）的任务返回 409。",
      ...admin,
      request: { params: IdParam },
      responses: {
        200: json(ActionResultSchema, "已停止"),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
      },
    }),
    async (c) => {
      const db = getDb(c.env);
      const row = await db.select().from(tasks).where(eq(tasks.id, c.req.valid("param").id)).get();
      if (!row) throw notFound("任务不存在");
      if (!isLive(row.status)) throw conflict(`任务当前状态为 ${row.status}，已结束的任务不能强制停止`);
      const live = await cancelTask(c.env, db, row, "admin");
      const entry = { action: "task.force_stop", targetType: "task", targetId: row.id, details: { task_name: row.name, user_id: row.userId, from_status: row.status } } as const;
      const audit = auditStatement(db, c.var.auth.user, entry);
      // A pending task has no object to write its log line (the object does it for the others).
      if (row.status === "pending") {
        await db.batch([audit, db.insert(taskLogs).values({ taskId: row.id, level: "WARNING", message: "任务已被管理员取消", createdAt: isoNow() })]);
      } else {
        await audit;
      }
      return c.json({ message: "任务已强制停止", task: withLive({ ...row, status: "cancelled", reason: "admin" }, live) }, 200);
    },
  );
}
