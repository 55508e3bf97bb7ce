import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { App } from "../types";
import { authed, requireAuth, requireClaims } from "../auth/middleware";
import { replacePassword } from "../auth/passwords";
import { config } from "../config";
import { normalisePhone } from "../lib/phone-number";
import { userConfigs } from "../db/schema";
import { isoNow } from "../../shared/clock";
import { ApiError } from "../lib/errors";
import { hashPassword, verifyPassword } from "../lib/password";
import { clear, consume, type Limit } from "../lib/ratelimit";
import { seal } from "../lib/secretbox";
import { loadConfig, type ConfigRow } from "../users/config";
import { statisticsOf, taskTotalsQuery } from "../users/statistics";
import { bearer, configOut, CxPhone, errors, json, jsonBody, Language, MessageSchema, NotopenAction, Password, Speed, StatisticsSchema, UserConfigSchema, UserSchema, userOut } from "./schemas";

const ConfigUpdate = z
  .object({
    cx_username: CxPhone.nullable().optional(),
    cx_password: z.string().min(1).max(128).nullable().optional().openapi({ description: "只写：省略则保留，null 清除" }),
    use_cookies: z.literal(false, "不支持 cookie 登录：本平台始终用账号密码登录").optional(),
    speed: Speed.optional(),
    notopen_action: NotopenAction.optional(),
    language: Language.optional(),
  })
  .openapi("UserConfigUpdate");

/**
 * Old-password attempts per user (a stolen session must not guess the password freely): 5 per 15 minutes,
 * cleared by a success.
 */
const passwordChangeLimit = (userId: number): Limit => ({ key: `password:user:${userId}`, max: 5, windowSeconds: 900 });

const PasswordChange = z.object({ old_password: z.string().min(1).max(128), new_password: Password }).openapi("PasswordChange");

export function registerUserRoutes(app: App) {
  const auth = { security: bearer, middleware: [requireAuth] };
  // Reads check the session in the same D1 batch as their own queries: one round trip.
  const read = { security: bearer, middleware: [requireClaims] };

  app.openapi(
    createRoute({ method: "get", path: "/api/user/config", tags: ["用户"], summary: "获取用户配置", ...read, responses: { 200: json(UserConfigSchema, "配置"), 401: errors[401] } }),
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
      responses: { 200: json(UserConfigSchema, "更新后的配置"), 400: errors[400], 401: errors[401], 415: errors[415] },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = c.var.db;
      const userId = c.var.auth.user.id;
      const set: Partial<ConfigRow> = { updatedAt: isoNow() };
      const before = await loadConfig(db, userId);
      if (body.cx_username !== undefined) set.cxUsername = body.cx_username === null ? null : normalisePhone(body.cx_username);
      if (body.cx_password !== undefined)
        set.cxPasswordEnc = body.cx_password === null ? null : await seal(body.cx_password, config(c.env).CX_ENCRYPTION_KEY, `user:${userId}`);
      // A password saved, or another phone named, is a password binding again (a scan bound only its own phone).
      if (typeof body.cx_password === "string" || (set.cxUsername !== undefined && set.cxUsername !== before.cxUsername)) set.cxLogin = "password";
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
