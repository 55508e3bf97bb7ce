import { createRoute, z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import type { App } from "../app";
import { authed, requireAuth, requireClaims } from "../auth/middleware";
import { replacePassword } from "../auth/passwords";
import { config } from "../config";
import type { Db } from "../db/client";
import { normalisePhone } from "../durable/account";
import { tasks, userConfigs, users } from "../db/schema";
import { TASK_STATUSES, type TaskStatus } from "../shared/live";
import { isoNow } from "../lib/clock";
import { ApiError } from "../lib/errors";
import { hashPassword, verifyPassword } from "../lib/password";
import { clear, consume, type Limit } from "../lib/ratelimit";
import { seal } from "../lib/secretbox";
import { LANGUAGES } from "../shared/notify";
import { Password } from "./auth";
import { loadConfig, type ConfigRow } from "../users/config";
import { bearer, errors, json, jsonBody, MessageSchema, NotopenAction, Speed, UserSchema, userOut } from "./schemas";
const Language = z.enum(LANGUAGES);

/**
 * A Chaoxing account is a mainland mobile number (issue 11 row 6): 11 digits starting with 1; spaces,
 * dashes and a +86/86 prefix are accepted, and the handler stores `normalisePhone` of it (the account
 * object's own normalisation; a zod transform would drop the field's nullability from the document).
 */
export const CxPhone = z
  .string()
  .max(32)
  .refine((s) => /^1\d{10}$/.test(normalisePhone(s)), "请输入 11 位中国大陆手机号")
  .openapi({ description: "超星账号：中国大陆手机号（可带空格、连字符或 +86/86 前缀，保存为 11 位数字）", example: "13800138000" });

const ConfigSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    cx_username: z.string().nullable(),
    cx_password_set: z.boolean().openapi({ description: "是否已保存超星密码（密码本身从不返回）" }),
    use_cookies: z.literal(false).openapi({ description: "兼容原接口：本平台始终用账号密码登录，并在账号对象中保存会话 cookie，不提供 cookie 登录" }),
    speed: z.number(),
    notopen_action: NotopenAction,
    language: Language.openapi({ description: "通知使用的语言（仪表盘切换语言时写入）" }),
    updated_at: z.string(),
  })
  .openapi("UserConfig");

const ConfigUpdate = z
  .object({
    cx_username: CxPhone.nullable().optional(),
    cx_password: z.string().min(1).max(128).nullable().optional().openapi({ description: "只写：省略则保留，null 清除" }),
    use_cookies: z.literal(false, "不支持 cookie 登录：本平台始终用账号密码登录").optional(),
    speed: Speed.optional(),
    notopen_action: NotopenAction.optional(),
    language: Language.optional(),
  })
  .strict()
  .openapi("UserConfigUpdate");

/** Old-password attempts per user: 5 per 15 minutes, cleared by a success (issue 11 row 12). */
const passwordChangeLimit = (userId: number): Limit => ({ key: `password:user:${userId}`, max: 5, windowSeconds: 900 });

const PasswordChange = z.object({ old_password: z.string().min(1).max(128), new_password: Password }).strict().openapi("PasswordChange");

const StatisticsSchema = z
  .object({
    tasks: z.object({
      total: z.number().int(),
      pending: z.number().int(),
      running: z.number().int(),
      paused: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
    }),
    study_seconds: z.number().int(),
    jobs_completed: z.number().int(),
  })
  .openapi("UserStatistics");

export function configOut(r: ConfigRow): z.infer<typeof ConfigSchema> {
  return {
    id: r.id,
    user_id: r.userId,
    cx_username: r.cxUsername,
    cx_password_set: r.cxPasswordEnc !== null,
    use_cookies: false,
    speed: r.speed,
    notopen_action: r.notopenAction,
    language: r.language,
    updated_at: r.updatedAt,
  };
}

/** Tasks grouped by status with their study time and jobs done: of every user, or of one. */
export function taskTotalsQuery(db: Db, userId?: number) {
  return db
    .select({ status: tasks.status, n: sql<number>`count(*)`, study: sql<number>`coalesce(sum(${tasks.study_seconds}),0)`, jobs: sql<number>`coalesce(sum(${tasks.jobs_completed}),0)` })
    .from(tasks)
    .where(userId === undefined ? undefined : eq(tasks.user_id, userId))
    .groupBy(tasks.status);
}

/** Folds `taskTotalsQuery` rows into counts for every status (zeros included) and the sums. */
export function foldTaskTotals(rows: { status: TaskStatus; n: number; study: number; jobs: number }[]) {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  let total = 0;
  let studySeconds = 0;
  let jobs = 0;
  for (const r of rows) {
    byStatus[r.status] = r.n;
    total += r.n;
    studySeconds += r.study;
    jobs += r.jobs;
  }
  return { byStatus, total, studySeconds, jobs };
}

/** Tasks by status, study time and jobs completed, from the tasks table. */
export async function userStatistics(db: Db, userId: number): Promise<z.infer<typeof StatisticsSchema>> {
  return statisticsOf(await taskTotalsQuery(db, userId));
}

function statisticsOf(rows: Parameters<typeof foldTaskTotals>[0]): z.infer<typeof StatisticsSchema> {
  const t = foldTaskTotals(rows);
  return { tasks: { total: t.total, ...t.byStatus }, study_seconds: t.studySeconds, jobs_completed: t.jobs };
}

export { StatisticsSchema, ConfigSchema as UserConfigSchema };

export function registerUserRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };
  // Reads check the session in the same D1 batch as their own queries: one round trip.
  const read = { security: bearer, middleware: [requireClaims] };

  app.openapi(
    createRoute({ method: "get", path: "/api/user/config", tags: ["用户"], summary: "获取用户配置", ...read, responses: { 200: json(ConfigSchema, "配置"), 401: errors[401] } }),
    async (c) => {
      const userId = c.var.claims.userId;
      const [, [row]] = await authed(c, c.var.db.select().from(userConfigs).where(eq(userConfigs.userId, userId)).limit(1));
      return c.json(configOut(row ?? (await loadConfig(c.var.db, userId))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/user/config",
      tags: ["用户"],
      summary: "更新用户配置（部分更新）",
      ...auth,
      request: { body: jsonBody(ConfigUpdate) },
      responses: { 200: json(ConfigSchema, "更新后的配置"), 400: errors[400], 401: errors[401], 415: errors[415] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = c.var.db;
      const userId = c.var.auth.user.id;
      await loadConfig(db, userId);
      const set: Partial<ConfigRow> = { updatedAt: isoNow() };
      if (body.cx_username !== undefined) set.cxUsername = body.cx_username === null ? null : normalisePhone(body.cx_username);
      if (body.cx_password !== undefined)
        set.cxPasswordEnc = body.cx_password === null ? null : await seal(body.cx_password, config(c.env).CX_ENCRYPTION_KEY, `user:${userId}`);
      if (body.speed !== undefined) set.speed = body.speed;
      if (body.notopen_action !== undefined) set.notopenAction = body.notopen_action;
      if (body.language !== undefined) set.language = body.language;
      const row = await db.update(userConfigs).set(set).where(eq(userConfigs.userId, userId)).returning().get();
      return c.json(configOut(row!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/user/password",
      tags: ["用户"],
      summary: "修改密码（需旧密码；其他令牌失效）",
      ...auth,
      request: { body: jsonBody(PasswordChange) },
      responses: { 200: json(MessageSchema, "已修改"), 400: errors[400], 401: errors[401], 429: errors[429] },
    }),
    async (c) => {
      const { old_password, new_password } = c.req.valid("json");
      const cfg = config(c.env);
      const db = c.var.db;
      const { user, jti } = c.var.auth;
      // A stolen session must not become a password oracle: every attempt counts before the check.
      const limit = passwordChangeLimit(user.id);
      await consume(db, limit);
      if (!(await verifyPassword(old_password, user.passwordHash, cfg.PASSWORD_PEPPER))) throw new ApiError("wrong_password", "旧密码错误");
      await clear(db, limit.key);
      await replacePassword(c.env, user.id, await hashPassword(new_password, cfg.PASSWORD_PEPPER, cfg.PBKDF2_ITERATIONS), jti);
      return c.json({ message: "密码已修改" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/user/profile",
      tags: ["用户"],
      summary: "获取用户资料和统计",
      ...read,
      responses: { 200: json(z.object({ user: UserSchema, statistics: StatisticsSchema }).openapi("Profile"), "资料"), 401: errors[401] },
    }),
    async (c) => {
      const [{ user }, totals] = await authed(c, taskTotalsQuery(c.var.db, c.var.claims.userId));
      return c.json({ user: userOut(user), statistics: statisticsOf(totals) }, 200);
    },
  );
}
