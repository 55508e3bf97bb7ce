import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq } from "drizzle-orm";
import type { App } from "../types";
import { authed, requireAuth, requireClaims } from "../auth/middleware";
import type { Db } from "../db/client";
import { tasks } from "../db/schema";
import { config } from "../config";
import { isoNow } from "../../shared/clock";
import { notFound } from "../lib/errors";
import { consume } from "../lib/ratelimit";
import { listUserCourses, savedCredentials, unsealed } from "../services/cx-account";
import { TASK_STATUSES } from "../shared/live";
import { cancelTask, deleteTask, runInput } from "../tasks/actions";
import { ownTask, ownTaskQuery } from "../tasks/ownership";
import { settle } from "../tasks/results";
import { detailLogsQuery, detailOf, DetailQuery, listOut, logsOut, logsQuery, LogsQuery } from "../tasks/reads";
import { ActionResultSchema, LogSchema, TaskClassChoiceSchema, TaskDetailSchema, TaskSchema } from "../tasks/shape";
import { taskOut, withLive } from "../tasks/rows";
import { taskStub } from "../tasks/stub";
import { outlineOf } from "../tasks/forecast-work";
import { checkChapters, resolveChoices, surveysOf } from "../tasks/choices";
import type { CourseSelection } from "../tasks/selection";
import { bearer, errors, IdParam, json, jsonBody, NotopenAction, PageQuery, pageOf, paginate, Speed } from "./schemas";

const CreateBody = z
  .object({
    name: z.string().trim().min(1, "任务名 1–100 字").max(100, "任务名 1–100 字"),
    description: z.string().trim().max(500, "任务说明最多 500 字").nullable().optional().openapi({ description: "任务说明（可选）；空白视为没有" }),
    course_ids: z.array(z.string().regex(/^\d{1,20}$/, "courseId 应为数字")).max(50).optional().openapi({
      description: "要学习的课程（courseId）：学习其每个未结束的班级的全部章节，截止时间为班级的结课日期（有的话）。与 classes 至少给出一个",
    }),
    classes: z.array(TaskClassChoiceSchema).max(50).optional().openapi({
      description:
        "要学习的班级（同一课程在多个班级时可选）：只学习这些班级，已结束的班级也会学习；每个班级可选章节与截止时间。截止时间最近的课程先学",
    }),
    speed: Speed.optional(),
    notopen_action: NotopenAction.optional(),
  })
  .refine((b) => (b.course_ids?.length ?? 0) + (b.classes?.length ?? 0) > 0, { message: "至少选择一门课程", path: ["course_ids"] })
  .openapi("TaskCreate");

const ResumeBody = z
  .object({
    notopen: z.enum(["skip", "stop", "retry"]).optional().openapi({ description: "skip: 跳过未开放章节; stop: 停止该课程; retry: 我已自己完成，重新检查该章节（仍未开放则再次暂停）" }),
  })
  .openapi("TaskResume");
const CaptchaBody = z.object({ code: z.string().trim().min(1).max(16) }).openapi("CaptchaAnswer");

export function registerTaskRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };
  // Reads check the session in the same D1 batch as their own queries: one round trip.
  const read = { security: bearer, middleware: [requireClaims] };
  const actionResponses = { 200: json(ActionResultSchema, "操作成功"), 400: errors[400], 401: errors[401], 404: errors[404], 409: errors[409] };
  const action = (path: string, summary: string) =>
    createRoute({ method: "post", path: `/api/tasks/{id}/${path}`, tags: ["任务"], summary, ...auth, request: { params: IdParam }, responses: actionResponses });

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/tasks",
      tags: ["任务"],
      summary: "获取任务列表（分页）",
      description: "运行中任务的状态与进度等字段与任务详情一样实时读取（不是定时写入的快照）；其余任务为数据库中的记录。",
      ...read,
      request: { query: PageQuery.extend({ status: z.enum(TASK_STATUSES).optional() }) },
      responses: { 200: json(pageOf(TaskSchema, "TaskPage"), "任务列表"), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const { page, page_size, status } = c.req.valid("query");
      const db = c.var.db;
      const where = and(eq(tasks.user_id, c.var.claims.userId), status ? eq(tasks.status, status) : undefined);
      const [, rows, [total]] = await authed(
        c,
        db.select().from(tasks).where(where).orderBy(desc(tasks.id)).limit(page_size).offset((page - 1) * page_size),
        db.select({ n: count() }).from(tasks).where(where),
      );
      return c.json(paginate(await listOut(c.env, rows, config(c.env).MAX_RUNNING_TASKS), total?.n ?? 0, page, page_size), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/tasks",
      tags: ["任务"],
      summary: "创建新任务（课程须在已保存的超星账号中）",
      ...auth,
      request: { body: jsonBody(CreateBody) },
      responses: { 201: json(TaskSchema, "已创建（pending）"), 400: errors[400], 401: errors[401], 415: errors[415], 429: errors[429], 502: errors[502] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const userId = c.var.auth.user.id;
      const creds = await unsealed(c.env, userId, await savedCredentials(c.env, userId));
      const { courseIds, classes, chosen } = resolveChoices(body, await listUserCourses(c.env, creds));
      // The survey the create dialog's forecast made (no new Chaoxing call), or one for chapters named.
      const surveys = await surveysOf(c.env, creds, chosen, true);
      checkChapters(chosen, surveys);
      const selection = chosen.map((x, k): CourseSelection => ({ ...x.choice, outline: surveys[k] ? outlineOf(surveys[k]) : null }));
      const now = isoNow();
      const row = await c.var.db
        .insert(tasks)
        .values({
          user_id: userId,
          name: body.name,
          description: body.description || null,
          course_ids: courseIds,
          classes,
          selection,
          speed: body.speed ?? null,
          notopen_action: body.notopen_action ?? null,
          total_courses: courseIds.length,
          created_at: now,
          updated_at: now,
        })
        .returning()
        .get();
      return c.json(taskOut(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/tasks/{id}",
      tags: ["任务"],
      summary: "获取任务详情（含实时字段与最新的日志；更早的日志用 /logs 分页获取）",
      ...read,
      request: { params: IdParam, query: DetailQuery },
      responses: { 200: json(TaskDetailSchema, "任务详情"), 400: errors[400], 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      const { logs_limit } = c.req.valid("query");
      const [, [row], logs] = await authed(c, ownTaskQuery(c.var.db, c.var.claims.userId, id), detailLogsQuery(c.var.db, id, logs_limit));
      if (!row) throw notFound("任务不存在");
      return c.json(await detailOf(c.env, row, logs.slice(0, logs_limit)), 200);
    },
  );

  // Every transition is the task object's decision (it is the one authority on the task's state); the
  // routes check ownership and gather what the object needs.
  app.openapi(action("start", "启动任务（pending → running；受同时运行任务数上限约束）"), async (c) => {
    const db = c.var.db;
    const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
    const live = settle(await taskStub(c.env, row.id).start(row, await runInput(c.env, db, row)));
    return c.json({ message: "任务已启动", task: withLive(row, live) }, 200);
  });

  app.openapi(action("pause", "暂停任务（running → paused）"), async (c) => {
    const row = await ownTask(c.var.db, c.var.auth.user.id, c.req.valid("param").id);
    return c.json({ message: "任务已暂停", task: withLive(row, settle(await taskStub(c.env, row.id).pause(row))) }, 200);
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/tasks/{id}/resume",
      tags: ["任务"],
      summary: "恢复任务（paused → running；未开放章节等待选择时需 {\"notopen\": \"skip\"|\"stop\"|\"retry\"}）",
      ...auth,
      request: { params: IdParam, body: { content: { "application/json": { schema: ResumeBody } }, required: false } },
      responses: { ...actionResponses, 415: errors[415] },
    }),
    async (c) => {
      const db = c.var.db;
      const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
      const { notopen } = c.req.valid("json");
      const live = settle(await taskStub(c.env, row.id).resume(row, await runInput(c.env, db, row), notopen));
      return c.json({ message: "任务已恢复", task: withLive(row, live) }, 200);
    },
  );

  app.openapi(action("recheck", "重新检查需要你处理的内容（completed 且 left_for_user 非空 → running → completed；已在学习通完成的项会被移除）"), async (c) => {
    const db = c.var.db;
    const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
    const live = settle(await taskStub(c.env, row.id).recheck(row, await runInput(c.env, db, row)));
    return c.json({ message: "正在重新检查", task: withLive(row, live) }, 200);
  });

  app.openapi(action("cancel", "取消任务（pending/running/paused → cancelled）"), async (c) => {
    const row = await ownTask(c.var.db, c.var.auth.user.id, c.req.valid("param").id);
    return c.json({ message: "任务已取消", task: withLive(row, await cancelTask(c.env, row, "user")) }, 200);
  });

  app.openapi(action("retry", "重试任务（failed/cancelled → running，已完成的任务点不会重做）"), async (c) => {
    const db = c.var.db;
    const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
    const live = settle(await taskStub(c.env, row.id).retry(row, await runInput(c.env, db, row)));
    return c.json({ message: "任务已重试", task: withLive(row, live) }, 200);
  });

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/tasks/{id}",
      tags: ["任务"],
      summary: "删除任务（运行中的任务不能删除；同时删除其日志和存储）",
      ...auth,
      request: { params: IdParam },
      responses: { 200: json(z.object({ message: z.string() }), "已删除"), 401: errors[401], 404: errors[404], 409: errors[409] },
    }),
    async (c) => {
      const db = c.var.db;
      const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
      await deleteTask(c.env, db, row.id);
      return c.json({ message: "任务已删除" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/tasks/{id}/logs",
      tags: ["任务"],
      summary: "获取任务日志（按 id 升序）：默认最新 limit 条；after_id 向后翻页（增量），before_id 向前翻页（更早的）",
      ...read,
      request: { params: IdParam, query: LogsQuery },
      responses: { 200: json(z.array(LogSchema), "日志"), 400: errors[400], 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      const q = c.req.valid("query");
      const [, [row], lines] = await authed(c, ownTaskQuery(c.var.db, c.var.claims.userId, id), logsQuery(c.var.db, id, q));
      if (!row) throw notFound("任务不存在");
      return c.json(logsOut(lines, q), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/tasks/{id}/captcha",
      tags: ["任务"],
      summary: "获取超星验证码图片（任务因验证码暂停时）",
      ...auth,
      request: { params: IdParam },
      responses: {
        200: { content: { "image/png": { schema: z.string().openapi({ format: "binary" }) } }, description: "验证码图片" },
        401: errors[401],
        404: errors[404],
        409: errors[409],
        502: errors[502],
      },
    }),
    async (c) => {
      const row = await ownTask(c.var.db, c.var.auth.user.id, c.req.valid("param").id);
      const image = settle(await taskStub(c.env, row.id).captchaImage(row));
      return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, { "Content-Type": image.contentType, "Cache-Control": "no-store" });
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/tasks/{id}/captcha",
      tags: ["任务"],
      summary: "提交验证码，通过后任务继续",
      ...auth,
      request: { params: IdParam, body: jsonBody(CaptchaBody) },
      responses: { 200: json(ActionResultSchema, "验证码已通过"), 400: errors[400], 401: errors[401], 404: errors[404], 409: errors[409], 429: errors[429] },
    }),
    async (c) => {
      const db = c.var.db;
      const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
      await consumeCaptchaAttempt(db, row.id);
      const live = settle(await taskStub(c.env, row.id).solveCaptcha(row, c.req.valid("json").code, await runInput(c.env, db, row)));
      return c.json({ message: "验证码已通过，任务继续", task: withLive(row, live) }, 200);
    },
  );
}

/** Captcha answers are throttled per task: Chaoxing itself blocks guessers. */
const consumeCaptchaAttempt = (db: Db, taskId: number) => consume(db, { key: `captcha:task:${taskId}`, max: 10, windowSeconds: 600 });
