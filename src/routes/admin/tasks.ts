import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq } from "drizzle-orm";
import type { App } from "../../types";
import { adminOnly } from "../../auth/middleware";
import type { Db } from "../../db/client";
import { notFound } from "../../lib/errors";
import { tasks, users } from "../../db/schema";
import { decimal } from "../../lib/decimal";
import { bearer, errors, IdParam, json, PageQuery, pageOf, paginate } from "../schemas";
import { TASK_STATUSES } from "../../shared/live";
import { cancelTask } from "../../tasks/actions";
import { anyTask } from "../../tasks/ownership";
import { ActionResultSchema, LogSchema, TaskDetailSchema, TaskSchema } from "../../tasks/shape";
import { taskOut, withLive } from "../../tasks/rows";
import { detailLogsQuery, detailOf, DetailQuery, logsOut, logsQuery, LogsQuery } from "../../tasks/reads";
import { auditRead, auditStatement } from "./audit";

const Username = z.string().openapi({ description: "任务所属用户的用户名" });
const AdminTaskSchema = TaskSchema.extend({ username: Username }).openapi("AdminTask");
const AdminTaskDetailSchema = TaskDetailSchema.extend({ username: Username }).openapi("AdminTaskDetail");

/** Any user's task with its owner's username, as a query (to batch); empty for a missing task. */
const taskWithOwner = (db: Db, id: number) =>
  db.select({ task: tasks, username: users.username }).from(tasks).innerJoin(users, eq(users.id, tasks.user_id)).where(eq(tasks.id, id)).limit(1);

const ForceStopBody = z
  .object({ reason: z.string().trim().min(1).max(200).optional().openapi({ description: "停止原因：告诉任务的主人，并记入审计日志" }) })
  .openapi("ForceStopRequest", { example: { reason: "同一超星账号的任务过多，请合并后再开始" } });

const TaskListQuery = PageQuery.extend({
  status: z.enum(TASK_STATUSES).optional(),
  user_id: decimal(1).optional(),
});

export function registerAdminTaskRoutes(app: App) {
  const admin = { tags: ["管理员"], security: bearer, middleware: adminOnly };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/tasks",
      summary: "监控所有任务（分页；按状态、用户过滤；含所属用户名）",
      description: "状态与进度取自 D1 中的任务行（任务对象在每次状态变化时同步，运行中进度最多每 5 分钟同步一次）。",
      ...admin,
      request: { query: TaskListQuery },
      responses: { 200: json(pageOf(AdminTaskSchema, "AdminTaskPage"), "任务列表，最新在前"), 400: errors[400], 401: errors[401], 403: errors[403] },
    }),
    async (c) => {
      const { page, page_size, status, user_id } = c.req.valid("query");
      const db = c.var.db;
      const where = and(status ? eq(tasks.status, status) : undefined, user_id ? eq(tasks.user_id, user_id) : undefined);
      const [rows, total] = await Promise.all([
        db
          .select({ task: tasks, username: users.username })
          .from(tasks)
          .innerJoin(users, eq(users.id, tasks.user_id))
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

  // Read-only views of any user's task, as its owner sees it (README "Admin"): detail and logs, audited as reads.
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/admin/tasks/{id}",
      summary: "查看任意用户的任务详情（与 GET /api/tasks/{id} 相同，另含所属用户名；只读，记入审计日志）",
      ...admin,
      request: { params: IdParam, query: DetailQuery },
      responses: { 200: json(AdminTaskDetailSchema, "任务详情"), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
    }),
    async (c) => {
      const db = c.var.db;
      const id = c.req.valid("param").id;
      const { logs_limit } = c.req.valid("query");
      const [[found], logs] = await db.batch([taskWithOwner(db, id), detailLogsQuery(db, id, logs_limit)]);
      if (!found) throw notFound("任务不存在");
      await auditRead(db, c.var.auth.user, { action: "task.view", targetType: "task", targetId: id, details: { task_name: found.task.name, user_id: found.task.user_id } });
      return c.json({ ...(await detailOf(c.env, found.task, logs.slice(0, logs_limit))), username: found.username }, 200);
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
      const db = c.var.db;
      const id = c.req.valid("param").id;
      const q = c.req.valid("query");
      const [[found], lines] = await db.batch([taskWithOwner(db, id), logsQuery(db, id, q)]);
      if (!found) throw notFound("任务不存在");
      // Paging through a long log is one read: deduplicated per admin and task like the other reads.
      await auditRead(db, c.var.auth.user, { action: "task.logs", targetType: "task", targetId: id, details: { task_name: found.task.name, user_id: found.task.user_id } });
      return c.json(logsOut(lines, q), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/admin/tasks/{id}/force-stop",
      summary: "强制停止任务（pending/running/paused → cancelled，reason: admin），可附原因",
      description:
        "立即停止任何用户的任务。请求体可带 `reason`（1–200 字）：任务日志和任务的 error_code/error_msg 记录“任务已被管理员停止：<原因>”（无原因时为“任务已被管理员取消”），" +
        "并通过用户的通知渠道告诉用户（事件 admin_stop）；原因记入审计日志。已结束（completed/failed/cancelled）的任务返回 409。",
      ...admin,
      request: { params: IdParam, body: { content: { "application/json": { schema: ForceStopBody } }, required: false } },
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
      const db = c.var.db;
      const row = await anyTask(db, c.req.valid("param").id);
      // No body is the seed's force-stop: no reason given.
      const reason = (c.req.valid("json") as z.infer<typeof ForceStopBody> | undefined)?.reason;
      // The object decides (a finished task is 409), writes the task's log line and tells the owner; the audit row follows.
      const live = await cancelTask(c.env, row, "admin", reason);
      await auditStatement(db, c.var.auth.user, {
        action: "task.force_stop", targetType: "task", targetId: row.id,
        details: { task_name: row.name, user_id: row.user_id, from_status: row.status, reason: reason ?? null },
      });
      return c.json({ message: "任务已强制停止", task: withLive(row, live) }, 200);
    },
  );
}
