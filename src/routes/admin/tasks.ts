import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq } from "drizzle-orm";
import type { App } from "../../app";
import { adminOnly } from "../../auth/middleware";
import { tasks, users } from "../../db/schema";
import { bearer, errors, IdParam, json, PageQuery, pageOf, paginate } from "../schemas";
import { TASK_STATUSES } from "../../shared/live";
import { cancelTask } from "../../tasks/actions";
import { anyTask } from "../../tasks/ownership";
import { ActionResultSchema, TaskSchema, taskOut, withLive } from "../../tasks/shape";
import { auditRead, auditStatement } from "./audit";

const AdminTaskSchema = TaskSchema.extend({ username: z.string().openapi({ description: "任务所属用户的用户名" }) }).openapi("AdminTask");

const TaskListQuery = PageQuery.extend({
  status: z.enum(TASK_STATUSES).optional(),
  user_id: z.coerce.number().int().positive().optional(),
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
      const db = c.var.db;
      const row = await anyTask(db, c.req.valid("param").id);
      // The object decides (a finished task is 409) and writes the task's log line; the audit row follows.
      const live = await cancelTask(c.env, row, "admin");
      await auditStatement(db, c.var.auth.user, { action: "task.force_stop", targetType: "task", targetId: row.id, details: { task_name: row.name, user_id: row.user_id, from_status: row.status } });
      return c.json({ message: "任务已强制停止", task: withLive(row, live) }, 200);
    },
  );
}
