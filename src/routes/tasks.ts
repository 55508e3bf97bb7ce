import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, desc, eq, gt } from "drizzle-orm";
import type { App } from "../app";
import { requireAuth } from "../auth/middleware";
import { config } from "../config";
import { getDb, type Db } from "../db/client";
import { LOG_LEVELS, TASK_STATUSES, taskLogs, tasks } from "../db/schema";
import type { TransitionResult } from "../durable/task";
import { isoNow } from "../lib/clock";
import { ApiError, notFound } from "../lib/errors";
import { consume } from "../lib/ratelimit";
import { savedCredentials, unsealed } from "../services/cx-account";
import type { TaskLive } from "../shared/live";
import { listUserCourses } from "./courses";
import { bearer, errors, IdParam, json, jsonBody, PageQuery, pageOf, paginate } from "./schemas";
import { loadConfig, NotopenAction, Speed } from "./user";

export type TaskRow = typeof tasks.$inferSelect;

const LeftSchema = z.object({ course: z.string(), chapter: z.string(), item: z.string(), kind: z.string(), reason: z.string() });

export const TaskSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    name: z.string(),
    course_ids: z.array(z.string()),
    status: z.enum(TASK_STATUSES),
    reason: z.string().nullable().openapi({ description: "细分状态: waiting_for_account, study_cap, captcha, notopen_ask, user, admin, account_disabled, upstream…" }),
    progress: z.number().int(),
    created_at: z.string(),
    start_time: z.string().nullable(),
    end_time: z.string().nullable(),
    error_msg: z.string().nullable(),
    completed_courses: z.number().int(),
    total_courses: z.number().int(),
    speed: z.number().nullable(),
    notopen_action: NotopenAction.nullable(),
    left_for_user: z.array(LeftSchema),
    study_seconds: z.number().int(),
    jobs_completed: z.number().int(),
  })
  .openapi("Task");

const LiveSchema = z.object({
  current_item: z.string().nullable(),
  item_progress: z.number().int(),
  item_current_time: z.number(),
  item_total_time: z.number(),
  eta_seconds: z.number().nullable(),
  queue_position: z.number().int().nullable(),
  notopen_chapter: z.string().nullable(),
});

export const LogSchema = z
  .object({ id: z.number().int(), task_id: z.number().int(), level: z.enum(LOG_LEVELS), message: z.string(), created_at: z.string() })
  .openapi("TaskLog");

const TaskDetailSchema = TaskSchema.extend(LiveSchema.shape).extend({ logs: z.array(LogSchema) }).openapi("TaskDetail");
export const ActionResultSchema = z.object({ message: z.string(), task: TaskDetailSchema.omit({ logs: true }) }).openapi("TaskActionResult");

const CreateBody = z
  .object({
    name: z.string().trim().min(1, "任务名 1–100 字").max(100, "任务名 1–100 字"),
    course_ids: z.array(z.string().regex(/^\d{1,20}$/, "courseId 应为数字")).min(1, "至少选择一门课程").max(50),
    speed: Speed.optional(),
    notopen_action: NotopenAction.optional(),
  })
  .strict()
  .openapi("TaskCreate");

const ResumeBody = z.object({ notopen: z.enum(["skip", "stop"]).optional() }).strict().openapi("TaskResume");
const CaptchaBody = z.object({ code: z.string().trim().min(1).max(16) }).strict().openapi("CaptchaAnswer");

export function taskOut(r: TaskRow): z.infer<typeof TaskSchema> {
  return {
    id: r.id,
    user_id: r.userId,
    name: r.name,
    course_ids: r.courseIds,
    status: r.status,
    reason: r.reason,
    progress: r.progress,
    created_at: r.createdAt,
    start_time: r.startTime,
    end_time: r.endTime,
    error_msg: r.errorMsg,
    completed_courses: r.completedCourses,
    total_courses: r.totalCourses,
    speed: r.speed,
    notopen_action: r.notopenAction,
    left_for_user: r.leftForUser,
    study_seconds: r.studySeconds,
    jobs_completed: r.jobsCompleted,
  };
}

const idle = { current_item: null, item_progress: 0, item_current_time: 0, item_total_time: 0, eta_seconds: null, queue_position: null, notopen_chapter: null };

/** The D1 row with the task object's live fields laid over it (the object is the source of truth). */
export function withLive(row: TaskRow, live: TaskLive | null) {
  const base = taskOut(row);
  if (!live) return { ...base, ...idle };
  return {
    ...base,
    status: live.status,
    reason: live.reason,
    progress: live.progress,
    start_time: live.start_time,
    end_time: live.end_time,
    error_msg: live.error_msg,
    completed_courses: live.completed_courses,
    total_courses: live.total_courses,
    speed: live.speed,
    notopen_action: live.notopen_action,
    left_for_user: live.left_for_user,
    current_item: live.current_item,
    item_progress: live.item_progress,
    item_current_time: live.item_current_time,
    item_total_time: live.item_total_time,
    eta_seconds: live.eta_seconds,
    queue_position: live.queue_position,
    notopen_chapter: live.notopen_chapter,
  };
}

export const taskStub = (env: Env, id: number) => env.TASKS.getByName(`task:${id}`);

/** The user's own task, or 404 (another user's task is indistinguishable from a missing one). */
export async function ownTask(db: Db, userId: number, id: number): Promise<TaskRow> {
  const row = await db.select().from(tasks).where(and(eq(tasks.id, id), eq(tasks.userId, userId))).get();
  if (!row) throw notFound("任务不存在");
  return row;
}

function settle(r: TransitionResult): TaskLive {
  if (r.ok) return r.live;
  const code = r.status === 409 ? "conflict" : r.status === 404 ? "not_found" : r.status === 502 ? "upstream_failed" : "bad_request";
  throw new ApiError(r.status, code, r.detail);
}

async function enforceRunningCap(env: Env, db: Db, userId: number): Promise<void> {
  const max = config(env).MAX_RUNNING_TASKS;
  const running = await db.select({ n: count() }).from(tasks).where(and(eq(tasks.userId, userId), eq(tasks.status, "running"))).get();
  if ((running?.n ?? 0) >= max) throw new ApiError(409, "conflict", `最多同时运行 ${max} 个任务，请先暂停或等待其他任务完成`);
}

export async function latestLogs(db: Db, taskId: number, limit: number) {
  const rows = await db.select().from(taskLogs).where(eq(taskLogs.taskId, taskId)).orderBy(desc(taskLogs.id)).limit(limit).all();
  return rows.reverse().map(logOut);
}

const logOut = (l: typeof taskLogs.$inferSelect) => ({ id: l.id, task_id: l.taskId, level: l.level, message: l.message, created_at: l.createdAt });

export function registerTaskRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };
  const actionResponses = { 200: json(ActionResultSchema, "操作成功"), 400: errors[400], 401: errors[401], 404: errors[404], 409: errors[409] };
  const action = (path: string, summary: string) =>
    createRoute({ method: "post", path: `/api/tasks/{id}/${path}`, tags: ["任务"], summary, ...auth, request: { params: IdParam }, responses: actionResponses });

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/tasks",
      tags: ["任务"],
      summary: "获取任务列表（分页）",
      ...auth,
      request: { query: PageQuery.extend({ status: z.enum(TASK_STATUSES).optional() }) },
      responses: { 200: json(pageOf(TaskSchema, "TaskPage"), "任务列表"), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const { page, page_size, status } = c.req.valid("query");
      const db = getDb(c.env);
      const where = and(eq(tasks.userId, c.var.auth.user.id), status ? eq(tasks.status, status) : undefined);
      const [rows, total] = await Promise.all([
        db.select().from(tasks).where(where).orderBy(desc(tasks.id)).limit(page_size).offset((page - 1) * page_size).all(),
        db.select({ n: count() }).from(tasks).where(where).get(),
      ]);
      return c.json(paginate(rows.map(taskOut), total?.n ?? 0, page, page_size), 200);
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
      const known = new Set((await listUserCourses(c.env, creds)).map((co) => co.courseId));
      const unknown = body.course_ids.filter((id) => !known.has(id));
      if (unknown.length) {
        throw new ApiError(400, "validation_error", `超星账号中没有这些课程: ${unknown.join(", ")}`, { errors: [{ field: "course_ids", message: `未知课程: ${unknown.join(", ")}`, code: "invalid_value" }] });
      }
      const now = isoNow();
      const row = await getDb(c.env)
        .insert(tasks)
        .values({
          userId,
          name: body.name,
          courseIds: [...new Set(body.course_ids)],
          speed: body.speed ?? null,
          notopenAction: body.notopen_action ?? null,
          totalCourses: new Set(body.course_ids).size,
          createdAt: now,
          updatedAt: now,
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
      summary: "获取任务详情（含实时字段与最近 200 条日志）",
      ...auth,
      request: { params: IdParam },
      responses: { 200: json(TaskDetailSchema, "任务详情"), 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const db = getDb(c.env);
      const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
      const [live, logs] = await Promise.all([row.status === "pending" ? null : taskStub(c.env, row.id).live(), latestLogs(db, row.id, 200)]);
      return c.json({ ...withLive(row, live), logs }, 200);
    },
  );

  app.openapi(action("start", "启动任务（pending → running；受同时运行任务数上限约束）"), async (c) => {
    const db = getDb(c.env);
    const userId = c.var.auth.user.id;
    const row = await ownTask(db, userId, c.req.valid("param").id);
    if (row.status !== "pending") throw new ApiError(409, "conflict", `任务当前状态为 ${row.status}，只有 pending 的任务可以启动`);
    const creds = await savedCredentials(c.env, userId);
    await enforceRunningCap(c.env, db, userId);
    const cfg = await loadConfig(db, userId);
    // Speed and notopen_action: the task's own, else the user's config at start (shown in the task).
    const live = settle(
      await taskStub(c.env, row.id).start({
        taskId: row.id,
        userId,
        courseIds: row.courseIds,
        speed: row.speed ?? cfg.speed,
        notopenAction: row.notopenAction ?? cfg.notopenAction,
        creds,
      }),
    );
    return c.json({ message: "任务已启动", task: withLive(row, live) }, 200);
  });

  app.openapi(action("pause", "暂停任务（running → paused）"), async (c) => {
    const row = await ownTask(getDb(c.env), c.var.auth.user.id, c.req.valid("param").id);
    if (row.status !== "running") throw new ApiError(409, "conflict", `任务当前状态为 ${row.status}，只有 running 的任务可以暂停`);
    return c.json({ message: "任务已暂停", task: withLive(row, settle(await taskStub(c.env, row.id).pause())) }, 200);
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/tasks/{id}/resume",
      tags: ["任务"],
      summary: "恢复任务（paused → running；未开放章节等待选择时需 {\"notopen\": \"skip\"|\"stop\"}）",
      ...auth,
      request: { params: IdParam, body: { content: { "application/json": { schema: ResumeBody } }, required: false } },
      responses: { ...actionResponses, 415: errors[415] },
    }),
    async (c) => {
      const db = getDb(c.env);
      const userId = c.var.auth.user.id;
      const row = await ownTask(db, userId, c.req.valid("param").id);
      if (row.status !== "paused") throw new ApiError(409, "conflict", `任务当前状态为 ${row.status}，只有 paused 的任务可以恢复`);
      const { notopen } = c.req.valid("json");
      const creds = await savedCredentials(c.env, userId);
      await enforceRunningCap(c.env, db, userId);
      return c.json({ message: "任务已恢复", task: withLive(row, settle(await taskStub(c.env, row.id).resume(creds, notopen))) }, 200);
    },
  );

  app.openapi(action("cancel", "取消任务（pending/running/paused → cancelled）"), async (c) => {
    const db = getDb(c.env);
    const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
    const live = await cancelTask(c.env, db, row, "user");
    return c.json({ message: "任务已取消", task: withLive({ ...row, status: "cancelled", reason: "user" }, live) }, 200);
  });

  app.openapi(action("retry", "重试任务（failed/cancelled → running，已完成的任务点不会重做）"), async (c) => {
    const db = getDb(c.env);
    const userId = c.var.auth.user.id;
    const row = await ownTask(db, userId, c.req.valid("param").id);
    if (row.status !== "failed" && row.status !== "cancelled") throw new ApiError(409, "conflict", `任务当前状态为 ${row.status}，只有 failed 或 cancelled 的任务可以重试`);
    const creds = await savedCredentials(c.env, userId);
    await enforceRunningCap(c.env, db, userId);
    const stub = taskStub(c.env, row.id);
    // A task cancelled before it ever started has no object yet: retrying it is starting it.
    const cfg = await loadConfig(db, userId);
    const r = (await stub.live()) === null
      ? await stub.start({ taskId: row.id, userId, courseIds: row.courseIds, speed: row.speed ?? cfg.speed, notopenAction: row.notopenAction ?? cfg.notopenAction, creds })
      : await stub.retry(creds);
    return c.json({ message: "任务已重试", task: withLive(row, settle(r)) }, 200);
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
      const db = getDb(c.env);
      const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
      const live = row.status === "pending" ? null : await taskStub(c.env, row.id).live();
      const status = live?.status ?? row.status;
      if (status === "running") throw new ApiError(409, "conflict", "任务正在运行，请先暂停或取消再删除");
      await deleteTask(c.env, db, row.id);
      return c.json({ message: "任务已删除" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/tasks/{id}/logs",
      tags: ["任务"],
      summary: "获取任务日志（按 id 升序；after_id 增量获取）",
      ...auth,
      request: {
        params: IdParam,
        query: z.object({
          after_id: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(200),
          level: z.enum(LOG_LEVELS).optional(),
        }),
      },
      responses: { 200: json(z.array(LogSchema), "日志"), 400: errors[400], 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      const db = getDb(c.env);
      const row = await ownTask(db, c.var.auth.user.id, c.req.valid("param").id);
      const { after_id, limit, level } = c.req.valid("query");
      const where = and(eq(taskLogs.taskId, row.id), after_id !== undefined ? gt(taskLogs.id, after_id) : undefined, level ? eq(taskLogs.level, level) : undefined);
      // Without after_id: the newest `limit` lines; with it: the next `limit` lines after it. Newest last.
      const rows = after_id !== undefined
        ? await db.select().from(taskLogs).where(where).orderBy(asc(taskLogs.id)).limit(limit).all()
        : (await db.select().from(taskLogs).where(where).orderBy(desc(taskLogs.id)).limit(limit).all()).reverse();
      return c.json(rows.map(logOut), 200);
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
      const row = await ownTask(getDb(c.env), c.var.auth.user.id, c.req.valid("param").id);
      const r = await taskStub(c.env, row.id).captchaImage();
      if (!r.ok) throw new ApiError(r.status, r.status === 409 ? "conflict" : "upstream_failed", r.detail);
      return c.body(r.bytes as Uint8Array<ArrayBuffer>, 200, { "Content-Type": r.contentType, "Cache-Control": "no-store" });
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
      const db = getDb(c.env);
      const userId = c.var.auth.user.id;
      const row = await ownTask(db, userId, c.req.valid("param").id);
      await consumeCaptchaAttempt(db, row.id);
      const creds = await savedCredentials(c.env, userId);
      const live = settle(await taskStub(c.env, row.id).solveCaptcha(c.req.valid("json").code, creds));
      return c.json({ message: "验证码已通过，任务继续", task: withLive(row, live) }, 200);
    },
  );
}

/** Captcha answers are throttled per task: Chaoxing itself blocks guessers. */
const consumeCaptchaAttempt = (db: Db, taskId: number) => consume(db, { key: `captcha:task:${taskId}`, max: 10, windowSeconds: 600 });

/** Cancel from any live state (pending included), for the user, an admin, or a deactivation. */
export async function cancelTask(env: Env, db: Db, row: TaskRow, reason: "user" | "admin" | "account_disabled"): Promise<TaskLive | null> {
  if (row.status === "completed" || row.status === "failed" || row.status === "cancelled") {
    throw new ApiError(409, "conflict", `任务当前状态为 ${row.status}，不能取消`);
  }
  if (row.status === "pending") {
    const now = isoNow();
    await db.update(tasks).set({ status: "cancelled", reason, endTime: now, updatedAt: now }).where(eq(tasks.id, row.id));
    return null;
  }
  return settle(await taskStub(env, row.id).cancel(reason));
}

/** Removes the object's storage, then the row (its logs cascade). */
export async function deleteTask(env: Env, db: Db, id: number): Promise<void> {
  await taskStub(env, id).destroy();
  await db.delete(tasks).where(eq(tasks.id, id));
}
